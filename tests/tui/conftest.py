"""Shared set-up for the app's Pilot and snapshot tests: fixed clock, isolated config, states."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from openclaw_triage.demo import make_demo
from openclaw_triage.openclaw.locate import Options
from openclaw_triage.tui.app import KEYMAP_ENV, TriageApp
from openclaw_triage.tui.state import load

# A fixed "now" so cooldown timers and snapshots never drift (2026-11-24T18:30:00Z).
NOW_MS = 1_795_545_000_000


@pytest.fixture(autouse=True)
def isolated_app_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """No real keymap or journal of the developer's leaks into a test."""
    config_dir = tmp_path_factory.mktemp("app-config")
    monkeypatch.setenv(KEYMAP_ENV, str(config_dir))
    monkeypatch.setenv("OPENCLAW_TRIAGE_STATE_DIR", str(tmp_path_factory.mktemp("app-state")))
    yield config_dir


def make_app(
    home: Path, *, openclaw: str = "none", background: bool = False, agent: str | None = None, **kwargs: object
) -> TriageApp:
    """An app on the install in `home`, with no real CLI and no network unless asked."""
    options = Options(state_dir=str(home / ".openclaw"), openclaw=openclaw, agent=agent)
    env = {"HOME": str(home), "PATH": ""}
    snapshot = load(options, env=env, now_ms=NOW_MS)
    return TriageApp(options, snapshot, env=env, now_ms=NOW_MS, background=background, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def demo_home(tmp_path: Path) -> Path:
    return make_demo(tmp_path / "demo")
