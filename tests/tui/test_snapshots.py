"""SVG snapshots of the main screen on the seed thread's states (update: pytest --snapshot-update).

Textual is pinned exactly in pyproject.toml, the clock is fixed, paths show as `~`, and no
background look-up runs, so these pictures only change when the app does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from openclaw_triage.tui.app import KEYMAP_ENV
from tests.tui.conftest import make_app
from tests.tui.scenes import SCENE_KEYS, SCENES

SIZE = (150, 44)
# Paths a snapshot shows must not depend on the run's temp dir.
FIXED_NOWHERE = Path("/nonexistent/openclaw-triage-snapshot/home")


@pytest.fixture(autouse=True)
def fixed_keymap_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEYMAP_ENV, "/nonexistent/openclaw-triage-snapshot/config")


@pytest.mark.parametrize("scene", sorted(SCENES))
def test_main_screen(snap_compare, tmp_path: Path, scene: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(SCENES[scene](tmp_path)), press=SCENE_KEYS.get(scene, []), terminal_size=SIZE)


def test_no_install_found(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(FIXED_NOWHERE), terminal_size=(110, 34))


def test_help_screen(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(
        make_app(SCENES["seed-broken-install"](tmp_path)), press=["question_mark"], terminal_size=(120, 44)
    )
