"""The app driven with Pilot: every pane on both eras, the error screens, help and keymaps."""

from __future__ import annotations

import json
from pathlib import Path

from openclaw_triage.tui.screens.help import HelpScreen
from openclaw_triage.tui.screens.not_found import NotFoundScreen
from openclaw_triage.tui.widgets.findings import FindingDetail, FindingsList
from openclaw_triage.tui.widgets.panes import ConfigPane, OrderPane, ProbePane, VersionPane
from openclaw_triage.tui.widgets.profiles import ProfilesTable
from tests import fakekeys
from tests.builders import CurrentHome, LegacyHome, api_key_profile, token_profile
from tests.tui.conftest import make_app

API = fakekeys.api_key("tui")
OAT = fakekeys.oauth_token("tui")


def norm(text: str) -> str:
    """Whitespace-insensitive text, so column widths do not matter."""
    return " ".join(text.split())


def screen_text(app) -> str:  # type: ignore[no-untyped-def]
    """Everything on screen, as text (the SVG export holds each character)."""
    import html
    import re

    svg = app.export_screenshot()
    return norm(html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " "))


async def test_demo_shows_every_pane(demo_home: Path) -> None:
    app = make_app(demo_home)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        version = norm(app.query_one(VersionPane).plain_text())
        assert "2026.3.13" in version and "JSON store" in version
        assert "State dir ~/.openclaw" in version and "Store (main) agents/main/agent/auth-profiles.json" in version
        config = norm(app.query_one(ConfigPane).plain_text())
        assert "anthropic/claude-sonnet-4-6" in config and "anthropic:manual, anthropic:default" in config
        order = norm(app.query_one(OrderPane).plain_text())
        assert "Stored override anthropic:default, anthropic:manual" in order
        assert "Next request anthropic:default" in order
        assert "anthropic:fresh: not in the order" in order
        probe = norm(app.query_one(ProbePane).plain_text())
        assert "No probe has run" in probe
        table = app.query_one(ProfilesTable)
        assert table.row_count == 3
        rows = {key: [str(c) for c in table.get_row(key)] for key in ("anthropic:default", "anthropic:manual")}
        # the seed thread's state at a glance: one secret in two profiles, an API key in a token profile
        assert rows["anthropic:default"][:4] == ["anthropic:default", "api_key", rows["anthropic:manual"][2], "manual"]
        assert rows["anthropic:manual"][1] == "token (wrong)" and rows["anthropic:manual"][3] == "default"
        findings = app.query_one(FindingsList)
        assert findings.findings[0].severity.value == "error"
        codes = [f.code for f in findings.findings]
        assert "order.first_unusable" in codes and "profiles.duplicate_secret" in codes
        detail = app.query_one(FindingDetail)
        assert detail.border_title == "Why, and the fix"


async def test_moving_through_findings_explains_each(demo_home: Path) -> None:
    app = make_app(demo_home)
    async with app.run_test(size=(160, 48)) as pilot:
        findings = app.query_one(FindingsList)
        target = next(i for i, f in enumerate(findings.findings) if f.code == "order.first_unusable")
        findings.focus()
        for _ in range(target):
            await pilot.press("down")
        await pilot.pause()
        text = screen_text(app)
        assert "Press o to set the anthropic order to:" in text and "anthropic:fresh, anthropic:default" in text


async def test_config_pane_says_what_an_aliased_model_is(tmp_path: Path) -> None:
    models = {"anthropic/claude-sonnet-4-6": {"alias": "Sonnet"}}
    LegacyHome(tmp_path).config({"agents": {"defaults": {"model": "sonnet", "models": models}}}).store(
        {"profiles": {"anthropic:default": api_key_profile(API)}}
    )
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        config = norm(app.query_one(ConfigPane).plain_text())
    assert "Default model sonnet → anthropic/claude-sonnet-4-6" in config


async def test_config_pane_shows_the_agents_own_model(tmp_path: Path) -> None:
    agents = {"list": [{"id": "main", "default": True}, {"id": "work", "model": "anthropic/claude-haiku-4-5"}]}
    home = LegacyHome(tmp_path).config({"agents": agents})
    home.store({"profiles": {"anthropic:default": api_key_profile(API)}})
    for agent, line in (("work", "Model (work) anthropic/claude-haiku-4-5"), (None, "Default model (OpenClaw default")):
        app = make_app(tmp_path, agent=agent)
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.pause()
            assert line in norm(app.query_one(ConfigPane).plain_text())


async def test_sqlite_era_panes(tmp_path: Path) -> None:
    h = CurrentHome(tmp_path).config(
        {"agents": {"entries": {"main": {}}, "defaults": {"model": {"primary": "anthropic/claude-opus-5"}}}}
    )
    h.shared_store({"profiles": {"anthropic:default": api_key_profile(API), "anthropic:manual": token_profile(OAT)}})
    h.agent_db(state={"order": {"anthropic": ["anthropic:manual"]}})
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        version = norm(app.query_one(VersionPane).plain_text())
        assert "SQLite store" in version
        assert "2026.9.6" in version
        assert "not found on PATH" in version
        order = norm(app.query_one(OrderPane).plain_text())
        assert "anthropic:manual [agent]" in order
        assert app.query_one(ProfilesTable).row_count == 2


async def test_no_secret_is_ever_on_screen(demo_home: Path, tmp_path: Path) -> None:
    LegacyHome(tmp_path).config({}).store(
        {"profiles": {"anthropic:default": api_key_profile(API), "anthropic:t": token_profile(OAT)}}
    )
    for home, secrets in ((tmp_path, [API, OAT]), (demo_home, [])):
        app = make_app(home)
        async with app.run_test(size=(200, 60)) as pilot:
            await pilot.pause()
            text = screen_text(app)
            for secret in secrets:
                assert secret not in text
                assert secret[12:40] not in text
            assert "sk-ant-a..." in text


async def test_no_install_offers_the_demo(tmp_path: Path) -> None:
    app = make_app(tmp_path / "nobody")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, NotFoundScreen)
        text = screen_text(app)
        assert "No OpenClaw install found" in text
        assert "Looked where OpenClaw itself looks" in text
        assert any(str(tmp_path / "nobody" / ".openclaw") in place for place in app.screen.looked_in)
        await pilot.press("d")
        await pilot.pause()
        assert app.demo_home is not None
        assert app.query_one(ProfilesTable).row_count == 3


async def test_no_install_quit_exits_cleanly(tmp_path: Path) -> None:
    app = make_app(tmp_path / "nobody")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
    assert app.return_value == 3


async def test_broken_store_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    LegacyHome(tmp_path).config({}).raw_store('{"version": 1, "profiles": {"anthropic:default": {"type": "api_')
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        codes = [f.code for f in app.query_one(FindingsList).findings]
        assert codes[0] == "store.parse_error"
        assert "EMPTY store" in screen_text(app)


async def test_help_lists_every_key_with_its_id(demo_home: Path) -> None:
    app = make_app(demo_home)
    async with app.run_test(size=(140, 48)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for binding_id in ("fix-order", "clear-override", "undo", "reload", "probe", "paste-key", "help", "quit"):
            assert binding_id in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_keys_can_be_remapped_by_id(demo_home: Path, isolated_app_config: Path) -> None:
    (isolated_app_config / "keymap.json").write_text(json.dumps({"help": "f2"}))
    app = make_app(demo_home)
    async with app.run_test(size=(140, 48)) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_reload_reads_the_disk_again(tmp_path: Path) -> None:
    h = LegacyHome(tmp_path).config({})
    h.store({"profiles": {"anthropic:default": api_key_profile(API)}})
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        assert app.query_one(ProfilesTable).row_count == 1
        h.store(
            {
                "profiles": {
                    "anthropic:default": api_key_profile(API),
                    "anthropic:two": api_key_profile(fakekeys.api_key("2")),
                }
            }
        )
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.query_one(ProfilesTable).row_count == 2


async def test_command_palette_offers_the_actions(demo_home: Path) -> None:
    app = make_app(demo_home)
    async with app.run_test(size=(140, 48)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"clear the stored")
        await pilot.pause(0.3)
        assert "OpenClaw falls back to the config order" in screen_text(app)  # that command's help line


async def test_probe_streams_results_into_its_pane(tmp_path: Path) -> None:
    from tests.fakeanthropic import FakeAnthropic, Reply

    bad = fakekeys.api_key("tui-bad")
    with FakeAnthropic(keys={API: Reply.ok(), bad: Reply.invalid_key()}) as api:
        config = {
            "models": {"providers": {"anthropic": {"baseUrl": api.url, "models": []}}},
            "auth": {"order": {"anthropic": ["anthropic:bad", "anthropic:good"]}},
        }
        LegacyHome(tmp_path).config(config).store(
            {"profiles": {"anthropic:bad": api_key_profile(bad), "anthropic:good": api_key_profile(API)}}
        )
        app = make_app(tmp_path)
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.press("t")
            await app.workers.wait_for_complete()
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            probe = norm(app.query_one(ProbePane).plain_text(width=120))
            assert "✓ ok · HTTP 200" in probe
            assert "✗ invalid_key · HTTP 401" in probe
            assert "request-id req_fake_" in probe
            codes = {f.code for f in app.query_one(FindingsList).findings}
            # The key Anthropic refused is tried first: the probe makes that a one-key fix.
            assert {"probe.invalid_key", "order.first_unusable"} <= codes
            assert bad not in screen_text(app)


def stored_order(home: Path) -> list[str] | None:
    store = json.loads((home / ".openclaw" / "agents" / "main" / "agent" / "auth-profiles.json").read_text())
    return (store.get("order") or {}).get("anthropic")


async def test_o_applies_the_order_fix_and_z_undoes_it(demo_home: Path) -> None:
    app = make_app(demo_home)
    before = (demo_home / ".openclaw" / "agents" / "main" / "agent" / "auth-profiles.json").read_bytes()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        assert stored_order(demo_home) == ["anthropic:default", "anthropic:manual"]
        await pilot.press("o")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert stored_order(demo_home) == ["anthropic:fresh", "anthropic:default", "anthropic:manual"]
        messages = " ".join(str(n.message) for n in app._notifications)
        assert "Press z to undo" in messages
        assert "order.first_unusable" not in {f.code for f in app.query_one(FindingsList).findings}
        await pilot.press("z")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert stored_order(demo_home) == ["anthropic:default", "anthropic:manual"]
        assert "order.first_unusable" in {f.code for f in app.query_one(FindingsList).findings}
    after = (demo_home / ".openclaw" / "agents" / "main" / "agent" / "auth-profiles.json").read_bytes()
    assert after == before


async def test_o_on_the_profiles_table_pins_the_selected_profile(tmp_path: Path) -> None:
    other = fakekeys.api_key("other")
    LegacyHome(tmp_path).config({}).store(
        {"profiles": {"anthropic:a": api_key_profile(API), "anthropic:b": api_key_profile(other)}}
    )
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        table = app.query_one(ProfilesTable)
        table.focus()
        await pilot.press("down")
        assert table.selected_profile == "anthropic:b"
        await pilot.press("o")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert stored_order(tmp_path) == ["anthropic:b", "anthropic:a"]


async def test_u_clears_the_override(demo_home: Path) -> None:
    app = make_app(demo_home)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("u")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert stored_order(demo_home) is None
        # With the override gone the config order (paste-token's) applies again.
        assert app.snapshot.diagnosis.orders["anthropic"].config_order == ["anthropic:manual", "anthropic:default"]


async def test_a_refused_write_says_so_and_changes_nothing(tmp_path: Path) -> None:
    path = (
        LegacyHome(tmp_path)
        .config({})
        .store({"profiles": {"anthropic:a": api_key_profile(API)}, "order": {"anthropic": ["anthropic:a"]}})
    )
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        path.write_text("{ not json")  # broken behind the app's back: the write layer must refuse
        before = path.read_bytes()
        await pilot.press("u")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert path.read_bytes() == before
        assert any(n.title == "Nothing was changed" for n in app._notifications)


async def test_z_with_nothing_to_undo_is_a_message(demo_home: Path) -> None:
    app = make_app(demo_home)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("z")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any(n.title == "Nothing was changed" for n in app._notifications)


async def test_the_2026_9_demo_is_a_real_sqlite_install(tmp_path: Path) -> None:
    from openclaw_triage.demo import make_demo

    home = make_demo(tmp_path / "demo9", era="2026.9")
    app = make_app(home)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.pause()
        assert "SQLite store" in norm(app.query_one(VersionPane).plain_text())
        codes = {f.code for f in app.query_one(FindingsList).findings}
        assert "order.first_unusable" in codes
        await pilot.press("o")  # no 2026.9 CLI here: a clear refusal, nothing written
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("only the openclaw CLI may change" in str(n.message) for n in app._notifications)


def test_demo_rejects_an_unknown_era(tmp_path: Path) -> None:
    import pytest

    from openclaw_triage.demo import make_demo

    with pytest.raises(ValueError, match=r"2026\.3 or 2026\.9"):
        make_demo(tmp_path, era="2025.1")


async def test_wrong_typed_config_values_never_crash_the_app(tmp_path: Path) -> None:
    config = {
        "agents": {"defaults": {"models": ["not", "a", "map"], "model": 42}},
        "auth": {"profiles": ["x"], "order": "anthropic"},
        "models": {"providers": [1, 2]},
        "gateway": "local",
        "channels": {"discord": "on"},
        "env": {"shellEnv": {"enabled": "yes"}},
    }
    LegacyHome(tmp_path).config(config).store({"profiles": {"anthropic:default": api_key_profile(API)}})
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert "Default model" in norm(app.query_one(ConfigPane).plain_text())
        assert app.query_one(ProfilesTable).row_count == 1
