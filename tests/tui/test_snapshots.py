"""SVG snapshots of the main screen on the seed thread's states (update: pytest --snapshot-update).

Textual is pinned exactly in pyproject.toml, the clock is fixed, paths show as `~`, and no
background look-up runs, so these pictures only change when the app does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from openclaw_triage.tui.app import KEYMAP_ENV
from tests import fakekeys
from tests.builders import CurrentHome, LegacyHome, api_key_profile, token_profile
from tests.tui.conftest import make_app

SIZE = (150, 44)
# Paths a snapshot shows must not depend on the run's temp dir.
FIXED_NOWHERE = Path("/nonexistent/openclaw-triage-snapshot/home")


@pytest.fixture(autouse=True)
def fixed_keymap_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEYMAP_ENV, "/nonexistent/openclaw-triage-snapshot/config")


PASTE_TOKEN_CONFIG = {
    "agents": {"defaults": {"model": "anthropic/claude-sonnet-4-6"}},
    "auth": {
        "profiles": {
            "anthropic:default": {"provider": "anthropic", "mode": "api_key"},
            "anthropic:manual": {"provider": "anthropic", "mode": "token"},
        },
        "order": {"anthropic": ["anthropic:manual", "anthropic:default"]},
    },
}


def test_seed_state_demo(snap_compare, demo_home: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(demo_home), terminal_size=SIZE)


def test_same_secret_in_two_profiles(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    key = fakekeys.api_key("snap")
    LegacyHome(tmp_path).config(PASTE_TOKEN_CONFIG).store(
        {"profiles": {"anthropic:default": api_key_profile(key), "anthropic:manual": token_profile(key)}}
    )
    assert snap_compare(make_app(tmp_path), terminal_size=SIZE)


def test_sqlite_era_oauth_token_pinned(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    token = fakekeys.oauth_token("snap")
    h = CurrentHome(tmp_path).config(
        {
            "agents": {"entries": {"main": {}}, "defaults": {"model": {"primary": "anthropic/claude-opus-5"}}},
            **PASTE_TOKEN_CONFIG,
        }
    )
    h.shared_store(
        {"profiles": {"anthropic:default": api_key_profile(token), "anthropic:manual": token_profile(token)}}
    )
    h.agent_db(state={"order": {"anthropic": ["anthropic:manual"]}})
    assert snap_compare(make_app(tmp_path), terminal_size=SIZE)


def test_no_install_found(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(FIXED_NOWHERE), terminal_size=(110, 34))


def test_help_screen(snap_compare, demo_home: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(demo_home), press=["question_mark"], terminal_size=(120, 44))
