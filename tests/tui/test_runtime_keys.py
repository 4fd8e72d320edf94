"""The app's last-act keys, driven with Pilot: chats and their pins (x, X, and the offer after `o`),
the gateway (g), Discord pairing (a), and the report (e).

Writes go through the real write layer on real files; the OpenClaw CLI is a recording stand-in
here (`tests/oracle/test_gateway_oracle.py` runs the same actions against the real one).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from openclaw_triage.openclaw.locate import Options
from openclaw_triage.tui.app import TriageApp
from openclaw_triage.tui.screens.confirm import ConfirmScreen
from openclaw_triage.tui.state import load
from openclaw_triage.tui.widgets.channels import ChannelsPane
from openclaw_triage.tui.widgets.findings import FindingsList
from openclaw_triage.tui.widgets.profiles import ProfilesTable
from openclaw_triage.tui.widgets.sessions import SessionsTable
from tests import fakekeys
from tests.builders import CurrentHome, LegacyHome, api_key_profile
from tests.session_builders import entry, write_session_nodes, write_sessions_json
from tests.test_discord import DISCORD_TOKEN, LIVE, pairing_file
from tests.test_discord import Home as DiscordHome
from tests.test_gateway_actions import Setup as GatewaySetup
from tests.tui.conftest import NOW_MS, make_app

API = fakekeys.api_key("keys")
OTHER = fakekeys.api_key("keys-other")


async def settle(app: TriageApp, pilot) -> None:  # type: ignore[no-untyped-def]
    """Let every worker (write, reload) and the messages they post finish."""
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def press_on_chat(pilot, key: str, press: str) -> None:  # type: ignore[no-untyped-def]
    """Open the Chats tab, select the chat `key`, press `press`."""
    await pilot.press("2")
    await pilot.pause()
    table = pilot.app.query_one(SessionsTable)
    table.move_cursor(row=[r.value for r in table.rows].index(key))
    await pilot.press(press)


def messages(app: TriageApp) -> str:
    return " ".join(f"{n.title}: {n.message}" for n in app._notifications)


def pinned_home(root: Path, *, pins: dict[str, str]) -> Path:
    """A 2026.3 install with two healthy keys and one chat per pin (session key -> profile, by the user)."""
    LegacyHome(root).config({}).store(
        {"profiles": {"anthropic:a": api_key_profile(API), "anthropic:b": api_key_profile(OTHER)}}
    )
    store = {"agent:main:main": entry("s-main")}
    for index, (key, profile) in enumerate(pins.items()):
        store[key] = entry(f"s-{index}", pin=profile, source="user", channel="discord", display=f"chat {index}")
    return write_sessions_json(root / ".openclaw", store)


def pins_in(path: Path) -> dict[str, str]:
    return {k: v["authProfileOverride"] for k, v in json.loads(path.read_text()).items() if "authProfileOverride" in v}


async def test_chats_tab_lists_pins_and_the_profiles_table_counts_them(tmp_path: Path) -> None:
    pinned_home(tmp_path, pins={"agent:main:discord:channel:1": "anthropic:b"})
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        profiles = app.query_one(ProfilesTable)
        row = [str(c) for c in profiles.get_row("anthropic:b")]
        assert "1 (1 by user)" in row
        await pilot.press("2")
        await pilot.pause()
        table = app.query_one(SessionsTable)
        assert table.has_focus and table.row_count == 2
        assert table.border_subtitle == "2 chat(s), 1 pinned"
        cells = [str(c) for c in table.get_row("agent:main:discord:channel:1")]
        assert cells[0] == "discord" and "chat 0" in cells and "anthropic:b" in cells and "user" in cells
        assert "1 pinned" in str(app.query_one("#middle").get_tab("tab-chats").label)


async def test_x_unpins_the_selected_chat_and_z_puts_the_pin_back(tmp_path: Path) -> None:
    path = pinned_home(tmp_path, pins={"agent:main:discord:channel:1": "anthropic:b"})
    before = path.read_bytes()
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await press_on_chat(pilot, "agent:main:discord:channel:1", "x")
        await settle(app, pilot)
        assert pins_in(path) == {}
        assert "Press z to undo" in messages(app)
        assert all(s.pin is None for s in app.snapshot.sessions)
        await pilot.press("z")
        await settle(app, pilot)
    assert path.read_bytes() == before


async def test_x_on_a_chat_without_a_pin_changes_nothing(tmp_path: Path) -> None:
    path = pinned_home(tmp_path, pins={"agent:main:discord:channel:1": "anthropic:b"})
    before = path.read_bytes()
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await press_on_chat(pilot, "agent:main:main", "x")
        await settle(app, pilot)
        assert "is not pinned" in messages(app)
    assert path.read_bytes() == before


async def test_shift_x_unpins_every_chat_on_that_profile_after_asking(tmp_path: Path) -> None:
    path = pinned_home(
        tmp_path,
        pins={
            "agent:main:discord:channel:1": "anthropic:b",
            "agent:main:discord:channel:2": "anthropic:b",
            "agent:main:discord:channel:3": "anthropic:a",
        },
    )
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await press_on_chat(pilot, "agent:main:discord:channel:2", "X")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and "2 chat(s) pinned to anthropic:b" in app.screen.question
        await pilot.press("y")
        await settle(app, pilot)
    assert pins_in(path) == {"agent:main:discord:channel:3": "anthropic:a"}


async def test_an_order_fix_offers_to_unpin_the_chats_it_does_not_reach(demo_home: Path) -> None:
    path = write_sessions_json(
        demo_home / ".openclaw",
        {
            "agent:main:main": entry("s-main"),
            "agent:main:discord:channel:9": entry("s-9", pin="anthropic:manual", source="user", channel="discord"),
            "agent:main:discord:channel:8": entry("s-8", pin="anthropic:default", source="auto", channel="discord"),
        },
    )
    app = make_app(demo_home)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("o")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        question = app.screen.question
        assert "does not reach 2 chat(s)" in question and "1 pinned in the chat" in question
        assert "1 pinned automatically" in question
        await pilot.press("y")
        await settle(app, pilot)
    assert pins_in(path) == {}


async def test_2026_9_chats_cannot_be_unpinned_from_outside_and_the_app_says_how(tmp_path: Path) -> None:
    h = CurrentHome(tmp_path).config({})
    h.shared_store({"profiles": {"anthropic:a": api_key_profile(API)}})
    h.agent_db()
    write_session_nodes(tmp_path / ".openclaw", {"agent:main:main": entry("s", pin="anthropic:a", source="user")})
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("x")
        await settle(app, pilot)
        text = messages(app)
        assert "Nothing was changed" in text and "/model" in text
        assert app.snapshot.sessions[0].pin is not None


def gateway_app(s: GatewaySetup) -> TriageApp:
    options = Options(openclaw=str(s.cli))
    return TriageApp(options, load(options, env=s.env, now_ms=NOW_MS), env=s.env, now_ms=NOW_MS, background=False)


async def test_g_reloads_a_gateway_holding_stale_keys(tmp_path: Path, child: subprocess.Popen[bytes]) -> None:
    s = GatewaySetup(tmp_path)
    store = s.legacy()
    s.start(child.pid)
    store.write_text(store.read_text())  # the key changed after the gateway loaded it
    app = gateway_app(s)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        findings = app.query_one(FindingsList)
        assert "gateway.stale_credentials" in {f.code for f in findings.findings}
        await pilot.press("3")
        await pilot.pause()
        assert "STALE" in app.query_one(ChannelsPane).plain_text(120)
        await pilot.press("g")
        await settle(app, pilot)
        assert s.calls() == [["secrets", "reload"]]
        assert "gateway.stale_credentials" not in {f.code for f in findings.findings}
        assert "Done: secrets reload" in messages(app)


async def test_g_without_a_running_gateway_explains_instead_of_failing(tmp_path: Path) -> None:
    s = GatewaySetup(tmp_path)
    s.legacy()
    app = gateway_app(s)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("g")
        await settle(app, pilot)
        assert "No gateway is running here" in messages(app)
    assert s.calls() == []


async def test_a_approves_the_waiting_discord_pairing_after_asking(tmp_path: Path) -> None:
    import time

    h = DiscordHome(tmp_path, {"enabled": True, "token": DISCORD_TOKEN, "dmPolicy": "pairing"})
    h.pairing(pairing_file(time.time()))
    options = Options(openclaw=str(h.cli))
    app = TriageApp(options, load(options, env=h.env), env=h.env, background=False)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("3")
        await pilot.pause()
        pane = app.query_one(ChannelsPane).plain_text(120)
        assert LIVE in pane and "alice" in pane and DISCORD_TOKEN not in pane
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and LIVE in app.screen.question
        await pilot.press("y")
        await settle(app, pilot)
        assert h.calls() == [["pairing", "approve", "discord", LIVE]]
        assert f"Approved Discord pairing {LIVE}" in messages(app)


async def test_a_with_nothing_waiting_changes_nothing(tmp_path: Path) -> None:
    h = DiscordHome(tmp_path, {"enabled": True, "token": DISCORD_TOKEN})
    options = Options(openclaw=str(h.cli))
    app = TriageApp(options, load(options, env=h.env), env=h.env, background=False)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("a")
        await settle(app, pilot)
        assert "No Discord pairing request is waiting" in messages(app)
    assert h.calls() == []


async def test_e_writes_a_private_report_without_the_key(
    demo_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Into our own state dir, never the folder the app was started in (often a git checkout)."""
    cwd = tmp_path / "a-checkout"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("OPENCLAW_TRIAGE_STATE_DIR", str(tmp_path / "state"))
    out = tmp_path / "state" / "reports"
    secrets = [
        v["key"] if "key" in v else v["token"]
        for v in json.loads((demo_home / ".openclaw" / "agents" / "main" / "agent" / "auth-profiles.json").read_text())[
            "profiles"
        ].values()
    ]
    copied: list[str] = []
    app = make_app(demo_home, write_clipboard=copied.append)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("e")
        await settle(app, pilot)
        assert "Report written" in messages(app)
        assert isinstance(app.screen, ConfirmScreen) and "Copy it to the clipboard" in app.screen.question
        await pilot.press("y")
        await settle(app, pilot)
    (report,) = out.glob("openclaw-triage-report-*.md")
    assert list(cwd.iterdir()) == []
    assert str(report) in messages(app)  # said on screen
    assert copied == [report.read_text()]
    assert stat.S_IMODE(os.stat(report).st_mode) == 0o600
    text = report.read_text()
    assert "anthropic:default" in text and "key.length" in text
    assert not any(secret in text for secret in secrets)
    assert str(demo_home) not in text  # the user's paths are scrubbed too


async def test_e_in_a_folder_it_cannot_write_says_so(
    demo_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "state"
    blocked.write_text("a file where the state dir should be (even root cannot make a folder in it)")
    monkeypatch.setenv("OPENCLAW_TRIAGE_STATE_DIR", str(blocked))
    app = make_app(demo_home)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("e")
        await settle(app, pilot)
        assert "Could not write the report" in messages(app)
    assert blocked.is_file()


async def test_z_after_the_file_changed_asks_before_forcing_the_undo(demo_home: Path) -> None:
    path = demo_home / ".openclaw" / "agents" / "main" / "agent" / "auth-profiles.json"
    before = path.read_bytes()
    app = make_app(demo_home)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("o")
        await settle(app, pilot)
        data = json.loads(path.read_text())
        data["usageStats"] = {"anthropic:fresh": {"lastUsed": 1}}  # the gateway wrote after us
        path.write_text(json.dumps(data, indent=2))
        await pilot.press("z")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen) and "Undo anyway?" in app.screen.question
        await pilot.press("n")
        await settle(app, pilot)
        assert json.loads(path.read_text())["usageStats"]  # declined: nothing changed
        await pilot.press("z")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
    assert path.read_bytes() == before


async def test_the_palette_copy_is_the_report_as_it_is_now(demo_home: Path) -> None:
    copied: list[str] = []
    app = make_app(demo_home, write_clipboard=copied.append)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await app.run_action("copy_report")
        await settle(app, pilot)
        await pilot.press("o")  # the order changes: a later copy must say so
        await settle(app, pilot)
        await app.run_action("copy_report")
        await settle(app, pilot)
    before, after = copied
    assert "order.first_unusable" in before and "order.first_unusable" not in after
    assert "Copied" in messages(app)


LEAKY = fakekeys.api_key("leaky-error")


def _raise_with_a_key(*args: object, **kwargs: object) -> None:
    raise RuntimeError(f"unexpected state near {LEAKY}")


async def test_a_report_that_cannot_be_made_is_said_and_the_app_goes_on(
    demo_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copied: list[str] = []
    app = make_app(demo_home, write_clipboard=copied.append)
    monkeypatch.setattr("openclaw_triage.output.report.render_report", _raise_with_a_key)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await app.run_action("copy_report")
        await settle(app, pilot)
        assert app.is_running and not copied
        shown = messages(app)
    assert "Could not make the report" in shown and LEAKY not in shown


async def test_a_gateway_look_up_that_fails_is_said_and_the_app_keeps_what_it_read(
    demo_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(demo_home, background=True)
    before = app.snapshot.diagnosis.runtime
    monkeypatch.setattr("openclaw_triage.runtime.collect.collect", _raise_with_a_key)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await settle(app, pilot)
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        assert app.is_running and app.snapshot.diagnosis.runtime is before
        shown = messages(app)
    assert "Could not look at the running gateway" in shown and LEAKY not in shown
