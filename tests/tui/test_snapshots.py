"""SVG snapshots of the app on the seed thread's states, at the sizes users have (update:
pytest --snapshot-update): a default 80x24 terminal, 120x40, and 160x48.

Textual is pinned exactly in pyproject.toml, the clock is fixed, paths show as `~`, and no
background look-up runs, so these pictures only change when the app does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from openclaw_triage.tui.app import KEYMAP_ENV
from tests.tui.conftest import make_app
from tests.tui.scenes import SCENE_KEYS, SCENES

FULL = (160, 48)
SIZES = {"80x24": (80, 24), "120x40": (120, 40), "160x48": FULL}
# Paths a snapshot shows must not depend on the run's temp dir.
FIXED_NOWHERE = Path("/nonexistent/openclaw-triage-snapshot/home")


@pytest.fixture(autouse=True)
def fixed_keymap_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEYMAP_ENV, "/nonexistent/openclaw-triage-snapshot/config")


@pytest.mark.parametrize("scene", sorted(SCENES))
def test_main_screen(snap_compare, tmp_path: Path, scene: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(SCENES[scene](tmp_path)), press=SCENE_KEYS.get(scene, []), terminal_size=FULL)


@pytest.mark.parametrize("size", sorted(SIZES))
def test_the_seed_install_at_each_size(snap_compare, tmp_path: Path, size: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(SCENES["seed-broken-install"](tmp_path)), terminal_size=SIZES[size])


VIEW_SCENES = {"chats": "chats-pinned", "sources": "sources-shadowed"}  # the rest: the seed install


@pytest.mark.parametrize(
    ("view", "key"), [("profiles", "1"), ("chats", "2"), ("order", "4"), ("install", "6"), ("sources", "7")]
)
def test_each_view_at_80x24(snap_compare, tmp_path: Path, view: str, key: str) -> None:  # type: ignore[no-untyped-def]
    home = SCENES[VIEW_SCENES.get(view, "seed-broken-install")](tmp_path)
    assert snap_compare(make_app(home), press=[key], terminal_size=SIZES["80x24"])


@pytest.mark.parametrize("size", ["80x24", "120x40"])
def test_no_install_found(snap_compare, size: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(FIXED_NOWHERE), terminal_size=SIZES[size])


@pytest.mark.parametrize("size", ["80x24", "160x48"])
def test_help_screen(snap_compare, tmp_path: Path, size: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(
        make_app(SCENES["seed-broken-install"](tmp_path)), press=["question_mark"], terminal_size=SIZES[size]
    )
