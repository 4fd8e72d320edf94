"""The one-key order fix on a release that keeps the order beside the store (2026.4.7 to 2026.6.1).

The state is the one 2026.5.28's own CLI made (committed: an API key, a setup token, the order
pinned to the token in `auth-state.json`). A user at a default 80x24 terminal selects the API-key
profile, presses `o`, then `z`: the order must change where 2026.5.28 reads it, and come back.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from openclaw_triage.tui.widgets.profiles import ProfilesTable
from tests.states import StateHome
from tests.tui.conftest import make_app

AGENT = Path(".openclaw") / "agents" / "main" / "agent"


async def settle(app, pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def state_order(home: Path) -> object:
    return json.loads((home / AGENT / "auth-state.json").read_text()).get("order", {}).get("anthropic")


async def test_o_and_z_change_the_order_where_2026_5_keeps_it(
    openclaw_state: Callable[[str, str], StateHome],
) -> None:
    home = openclaw_state("release-2026.5.28", "order_pinned_to_token").home
    store_before = (home / AGENT / "auth-profiles.json").read_bytes()
    app = make_app(home)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        assert "auth-state.json" in app.sub_title
        await pilot.press("1")  # the profiles view
        table = app.query_one(ProfilesTable)
        while table.selected_profile != "anthropic:default":
            await pilot.press("down")
        await pilot.press("o")
        await settle(app, pilot)
        assert state_order(home) == ["anthropic:default", "anthropic:manual"]
        assert (home / AGENT / "auth-profiles.json").read_bytes() == store_before  # nothing written beside it
        await pilot.press("z")
        await settle(app, pilot)
        assert state_order(home) == ["anthropic:manual"]


async def test_d_runs_the_upgrade_repair_after_asking_and_z_puts_the_state_dir_back(tmp_path: Path) -> None:
    """2026.8.2 over a store 2026.5.28 left: the findings offer `d`; it asks, names what it repairs,
    runs the release's doctor (a stand-in here; tests/oracle/test_doctor_fix.py runs the real one)."""
    from openclaw_triage.tui.screens.confirm import ConfirmScreen
    from tests.states import load_state
    from tests.support.cli import fake_openclaw
    from tests.test_write_doctor import DOCTOR

    state = load_state("release-2026.8.2", "upgraded_in_place", tmp_path / "home")
    cli = fake_openclaw(tmp_path / "bin", "2026.8.2")
    Path(cli).write_text(DOCTOR)
    store = state.state_dir / "agents/main/agent/auth-profiles.json"
    before = store.read_bytes()
    app = make_app(state.home, openclaw=cli)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "doctor --fix" in app.screen.question and "meta.lastTouchedAt" in app.screen.question
        assert app.screen.question.count("import the JSON store") == 1, "each repair is named once"
        await pilot.press("y")
        await settle(app, pilot)
        assert not store.exists(), "the doctor moved the old store aside"
        toasts = " ".join(str(n.message) for n in app._notifications)
        assert "Ran openclaw doctor --fix (2026.8.2)" in toasts and "Press z to undo" in toasts
        assert all(secret not in toasts for secret in state.secrets.values())
        await pilot.press("z")
        await settle(app, pilot)
        assert store.read_bytes() == before
        assert any(n.title == "Undone" for n in app._notifications)
