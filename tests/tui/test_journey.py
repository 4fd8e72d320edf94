"""The first minute of a user from the seed thread, driven with Pilot: probe, fix, paste and undo
in the order people do them (issue 14). Each test fails on the keystrokes that went wrong before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openclaw_triage.tui.widgets.findings import FindingsList
from tests.tui.conftest import make_app

STORE = Path(".openclaw") / "agents" / "main" / "agent" / "auth-profiles.json"


async def settle(app, pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def messages(app) -> str:  # type: ignore[no-untyped-def]
    return " | ".join(f"{n.title}: {n.message}" for n in app._notifications)


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No way to reach Anthropic: every request goes to a proxy port where nothing listens."""
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")


@pytest.mark.usefixtures("offline")
async def test_an_offline_probe_keeps_the_order_fix_and_o_still_fixes_it(demo_home: Path) -> None:
    app = make_app(demo_home)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("t")
        await settle(app, pilot)
        codes = {f.code for f in app.query_one(FindingsList).findings}
        # The probe could not ask Anthropic: it knows nothing new, so what the store proves stays.
        assert "probe.network" in codes and "order.first_unusable" in codes
        said = messages(app)
        assert "1 no answer (network)" in said and "2 not asked" in said and "accepted." not in said
        await pilot.press("o")
        await settle(app, pilot)
        order = json.loads((demo_home / STORE).read_text())["order"]["anthropic"]
        assert order == ["anthropic:fresh", "anthropic:default", "anthropic:manual"]
        assert "Changed: Pinned the anthropic profile order" in messages(app)


async def test_a_fix_that_changes_nothing_never_says_changed(tmp_path: Path) -> None:
    from tests import fakekeys
    from tests.builders import LegacyHome, api_key_profile

    LegacyHome(tmp_path).config({}).store(
        {"profiles": {"anthropic:a": api_key_profile(fakekeys.api_key("j1"))}, "order": {"anthropic": ["anthropic:a"]}}
    )
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("1")  # into the profiles table: o pins the selected profile, already first
        await pilot.press("o")
        await settle(app, pilot)
        said = messages(app)
        assert "Nothing to change" in said and "Changed" not in said and "Press z" not in said


async def test_the_demo_touches_nothing_outside_its_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its journal and backups stay inside it, and the user's own gateway (answering on the port
    the demo's config names) is not taken for the demo's."""
    from openclaw_triage.demo import make_demo
    from openclaw_triage.tui.app import TriageApp, demo_options
    from openclaw_triage.tui.state import load
    from tests.gateway_fakes import FakeGateway, free_port
    from tests.tui.conftest import NOW_MS

    real_state = tmp_path / "real-state"
    monkeypatch.setenv("OPENCLAW_TRIAGE_STATE_DIR", str(real_state))
    home = make_demo(tmp_path / "demo")
    port = free_port()
    with FakeGateway(port) as users_gateway:
        options, env = demo_options(home, {"PATH": "", "OPENCLAW_GATEWAY_PORT": str(port)})
        app = TriageApp(options, load(options, env=env, now_ms=NOW_MS), env=env, now_ms=NOW_MS, demo_home=home)
        async with app.run_test(size=(160, 48), notifications=True) as pilot:
            await settle(app, pilot)
            assert app.snapshot.runtime is not None and not app.snapshot.runtime.gateway.running
            await pilot.press("o")
            await settle(app, pilot)
            assert "Press z to undo" in messages(app)
        assert users_gateway.paths == []  # never asked
    assert list((home / "triage-state" / "journal").glob("*.json"))
    assert not real_state.exists()


async def test_z_takes_back_what_the_app_did_and_asks_before_reaching_further_back(demo_home: Path) -> None:
    """A key added from the command line before the app opened is not undone by z without a word."""
    from openclaw_triage.tui.screens.confirm import ConfirmScreen
    from tests import fakekeys
    from tests.support.cli import run_cli

    store = demo_home / STORE
    added = run_cli(
        demo_home,
        *("--state-dir", str(demo_home / ".openclaw"), "--openclaw", "none"),
        *("key", "set", "--provider", "anthropic", "--profile-id", "anthropic:cli", "--stdin", "--yes", "--no-probe"),
        stdin=fakekeys.api_key("from-the-cli") + "\n",
        env={"OPENCLAW_TRIAGE_STATE_DIR": __import__("os").environ["OPENCLAW_TRIAGE_STATE_DIR"]},
    )
    assert added.returncode == 0, added.stderr
    app = make_app(demo_home)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("z")  # the app changed nothing yet: it asks, naming the change
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and "anthropic:cli" in app.screen.question
        await pilot.press("n")
        await settle(app, pilot)
        assert "anthropic:cli" in json.loads(store.read_text())["profiles"]
        await pilot.press("o")
        await settle(app, pilot)
        await pilot.press("z")  # now it undoes its own order fix, and only that
        await settle(app, pilot)
        data = json.loads(store.read_text())
        assert data["order"]["anthropic"] == ["anthropic:default", "anthropic:manual"]
        assert "anthropic:cli" in data["profiles"]
        assert "Undone" in messages(app)


@pytest.mark.usefixtures("offline")
async def test_a_paste_offline_says_anthropic_was_not_asked_and_enter_saves_it_untested(tmp_path: Path) -> None:
    from openclaw_triage.tui.screens.paste import GuardedInput, PasteScreen
    from tests import fakekeys
    from tests.builders import LegacyHome, api_key_profile

    broken = fakekeys.api_key("j-old")[:-4]  # shortened while pasting: nothing to ask before replacing it
    new = fakekeys.api_key("j-new")
    LegacyHome(tmp_path).config({}).store({"profiles": {"anthropic:default": api_key_profile(broken)}})
    app = make_app(tmp_path, read_clipboard=lambda: new)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("p")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, PasteScreen) and screen.target_id() == "anthropic:default"
        screen.query_one(GuardedInput).focus()
        await pilot.press("enter")  # Enter in the field saves, as the button would
        await settle(app, pilot)
        text = " ".join(str(screen.query_one("#paste-verdict").render()).split())
        assert "Anthropic could not be asked" in text and "Anthropic said" not in text
        assert json.loads((tmp_path / STORE).read_text())["profiles"]["anthropic:default"]["key"] == broken
        assert "untested" in str(screen.query_one("#paste-save").label)
        await pilot.press("enter")  # the test is off now: saved untested
        await settle(app, pilot)
        assert not isinstance(app.screen, PasteScreen)
    assert json.loads((tmp_path / STORE).read_text())["profiles"]["anthropic:default"]["key"] == new
    assert "Key saved" in messages(app)


async def test_on_2026_9_the_paste_goes_to_the_profile_the_selected_finding_is_about(tmp_path: Path) -> None:
    from openclaw_triage.demo import make_demo
    from openclaw_triage.tui.screens.paste import PasteScreen
    from tests import fakekeys

    home = make_demo(tmp_path / "demo9", era="2026.9")
    app = make_app(home, read_clipboard=lambda: fakekeys.api_key("for-work"))
    async with app.run_test(size=(80, 24)) as pilot:
        current = app.query_one(FindingsList).current
        assert current is not None and current.code == "key.length" and current.subject == "anthropic:work"
        await pilot.press("p")
        await settle(app, pilot)
        assert isinstance(app.screen, PasteScreen) and app.screen.target_id() == "anthropic:work"


async def test_a_pasted_token_is_not_matched_against_the_consoles_key_list(tmp_path: Path) -> None:
    from openclaw_triage.tui.screens.paste import PasteScreen
    from tests import fakekeys
    from tests.builders import LegacyHome, api_key_profile

    LegacyHome(tmp_path).config({}).store({"profiles": {"anthropic:default": api_key_profile(fakekeys.api_key("t"))}})
    app = make_app(tmp_path, read_clipboard=lambda: fakekeys.oauth_token("t"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        await settle(app, pilot)
        assert isinstance(app.screen, PasteScreen)
        verdict = str(app.screen.query_one("#paste-verdict").render())
        assert "setup token" in verdict and "Console's key list" not in verdict
