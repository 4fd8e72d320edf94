"""The guarded paste: clipboard present, absent or holding junk; a wrapped paste; probe first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual import events

from openclaw_triage.keys import mask
from openclaw_triage.model import Era
from openclaw_triage.providers import get as provider_row
from openclaw_triage.tui.screens.confirm import ConfirmScreen
from openclaw_triage.tui.screens.paste import GuardedInput, PasteScreen
from tests import fakekeys
from tests.builders import LegacyHome, api_key_profile
from tests.fakeanthropic import FakeAnthropic, Reply
from tests.fakeproviders import FakeProvider
from tests.tui.conftest import make_app
from tests.tui.test_app import screen_text

OLD = fakekeys.api_key("paste-old")
NEW = fakekeys.api_key("paste-new")
TOKEN = fakekeys.oauth_token("paste")


def store_of(home: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((home / ".openclaw" / "agents" / "main" / "agent" / "auth-profiles.json").read_text())


@pytest.fixture
def home(tmp_path: Path) -> Path:
    LegacyHome(tmp_path).config({}).store({"profiles": {"anthropic:default": api_key_profile(OLD)}})
    return tmp_path


def clipboard(text: str):  # type: ignore[no-untyped-def]
    return lambda: text


def no_clipboard() -> str:
    raise RuntimeError("Pyperclip could not find a copy/paste mechanism for your system")


async def open_paste(app, pilot) -> PasteScreen:  # type: ignore[no-untyped-def]
    await pilot.press("p")
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(app.screen, PasteScreen)
    return app.screen


async def test_clipboard_key_is_checked_masked_and_saved(home: Path) -> None:
    app = make_app(home, read_clipboard=clipboard(NEW + "\n"))
    async with app.run_test(size=(140, 44)) as pilot:
        screen = await open_paste(app, pilot)
        text = screen_text(app)
        assert "Anthropic API key" in text and f"…{NEW[-4:]}" in text and "108 characters" in text
        assert NEW not in text and NEW[13:40] not in text
        screen.query_one("#paste-probe").value = False
        await pilot.click("#paste-save")
        await pilot.pause()
        # anthropic:default holds a healthy key: replacing it is asked first, naming both.
        assert isinstance(app.screen, ConfirmScreen)
        assert mask(OLD, era=Era.JSON) in app.screen.question and mask(NEW, era=Era.JSON) in app.screen.question
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not isinstance(app.screen, PasteScreen)
    assert store_of(home)["profiles"]["anthropic:default"]["key"] == NEW


async def test_no_clipboard_offers_the_hidden_field(home: Path) -> None:
    app = make_app(home, read_clipboard=no_clipboard)
    async with app.run_test(size=(140, 44)) as pilot:
        screen = await open_paste(app, pilot)
        assert "No clipboard here" in screen_text(app)
        field = screen.query_one(GuardedInput)
        assert app.focused is field
        field.post_message(events.Paste(NEW))
        await pilot.pause()
        assert "✓" in screen_text(app)
        assert NEW not in screen_text(app)


async def test_a_wrapped_paste_is_refused_whole_not_cut_to_its_first_line(home: Path) -> None:
    # Textual's own Input would keep only line 1: a shortened key that looks plausible.
    app = make_app(home, read_clipboard=no_clipboard)
    before = store_of(home)
    async with app.run_test(size=(140, 44)) as pilot:
        screen = await open_paste(app, pilot)
        screen.query_one(GuardedInput).post_message(events.Paste(NEW[:60] + "\n" + NEW[60:]))
        await pilot.pause()
        text = screen_text(app)
        assert "Refused" in text and "line break" in text
        assert screen.query_one("#paste-save").disabled
    assert store_of(home) == before


@pytest.mark.parametrize(
    ("junk", "reason"),
    [
        ("sk-ant-a...5o4gvyAA", "masked copy"),
        (fakekeys.openrouter_key(), "OpenRouter"),
        (fakekeys.refresh_token(), "refresh token"),
        ("\u201c" + NEW + "\u201d", "smart"),
        (NEW[:50] + " " + NEW[50:], "space"),
    ],
)
async def test_junk_on_the_clipboard_is_refused_with_the_reason(home: Path, junk: str, reason: str) -> None:
    app = make_app(home, read_clipboard=clipboard(junk))
    before = store_of(home)
    async with app.run_test(size=(140, 44)) as pilot:
        screen = await open_paste(app, pilot)
        text = screen_text(app)
        assert "Refused" in text and reason.lower() in text.lower()
        assert screen.query_one("#paste-save").disabled
    assert store_of(home) == before


async def test_a_token_is_offered_a_token_profile(home: Path) -> None:
    app = make_app(home, read_clipboard=clipboard(TOKEN))
    async with app.run_test(size=(140, 44)) as pilot:
        screen = await open_paste(app, pilot)
        assert screen.target_id() == "anthropic:manual"
        assert "new: anthropic:manual (token)" in screen_text(app)


async def test_probe_first_keeps_a_dead_key_out(tmp_path: Path) -> None:
    with FakeAnthropic(keys={NEW: Reply.ok()}) as api:
        config = {"models": {"providers": {"anthropic": {"baseUrl": api.url, "models": []}}}}
        LegacyHome(tmp_path).config(config).store({"profiles": {"anthropic:default": api_key_profile(OLD)}})
        dead = fakekeys.api_key("dead")
        app = make_app(tmp_path, read_clipboard=clipboard(dead))
        async with app.run_test(size=(140, 44)) as pilot:
            await open_paste(app, pilot)
            await pilot.click("#paste-save")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, PasteScreen)
            assert "Not saved" in screen_text(app) and "invalid_key" in screen_text(app)
        assert store_of(tmp_path)["profiles"]["anthropic:default"]["key"] == OLD
        app = make_app(tmp_path, read_clipboard=clipboard(NEW))
        async with app.run_test(size=(140, 44)) as pilot:
            await open_paste(app, pilot)
            await pilot.click("#paste-save")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)  # the old key looks healthy: asked first
            await pilot.press("y")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert not isinstance(app.screen, PasteScreen)
        assert store_of(tmp_path)["profiles"]["anthropic:default"]["key"] == NEW
        assert [r.credential for r in api.requests] == [dead, NEW]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_refusal_screen_snapshot(snap_compare, home: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = make_app(home, read_clipboard=clipboard(NEW[:50] + " " + NEW[50:]))

    async def open_it(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("p")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app, run_before=open_it, terminal_size=size)


# --- every provider: the key's shape names it, the plan decides (write.paste_plan) ------------------

OPENROUTER = fakekeys.openrouter_key("paste")
ROUTED = {
    "agents": {"defaults": {"model": {"primary": "anthropic/claude-sonnet-4-6", "fallbacks": ["openrouter/x/y"]}}}
}


def never_shown(app, key: str) -> None:  # type: ignore[no-untyped-def]
    text = screen_text(app)
    assert key not in text and key[9:40] not in text and key[-20:] not in text


async def test_an_openrouter_key_is_tested_with_openrouter_saved_as_its_profile_and_z_undoes_it(tmp_path: Path) -> None:
    with FakeProvider("openrouter", {OPENROUTER: "ok"}) as api:
        config = {**ROUTED, "models": {"providers": {"openrouter": {"baseUrl": api.base_url, "models": []}}}}
        LegacyHome(tmp_path).config(config).store({"profiles": {"anthropic:default": api_key_profile(OLD)}})
        app = make_app(tmp_path, read_clipboard=clipboard(OPENROUTER))
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            screen = await open_paste(app, pilot)
            text = " ".join(screen_text(app).split())
            assert "OpenRouter API key: sk-or-v1..." in text and f"…{OPENROUTER[-4:]}" in text
            assert "new: openrouter:default (api_key)" in text and screen.target_id() == "openrouter:default"
            probe = str(screen.query_one("#paste-probe").label)
            assert "Test it with OpenRouter first (free GET /api/v1/key)" in probe
            never_shown(app, OPENROUTER)
            await pilot.click("#paste-save")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert not isinstance(app.screen, PasteScreen)
            assert [s.headers.get("authorization") for s in api.seen] == [f"Bearer {OPENROUTER}"]
            saved = store_of(tmp_path)["profiles"]
            assert saved["openrouter:default"] == {"type": "api_key", "provider": "openrouter", "key": OPENROUTER}
            assert saved["anthropic:default"]["key"] == OLD  # the Anthropic finding's profile is untouched
            never_shown(app, OPENROUTER)
            await pilot.press("z")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "Undone" in " ".join(n.title for n in app._notifications)
            never_shown(app, OPENROUTER)
    assert "openrouter:default" not in store_of(tmp_path)["profiles"]
    assert store_of(tmp_path)["profiles"]["anthropic:default"]["key"] == OLD


async def test_an_openrouter_key_no_model_uses_is_refused_and_nothing_is_written(home: Path) -> None:
    app = make_app(home, read_clipboard=clipboard(OPENROUTER))
    before = (home / ".openclaw" / "agents" / "main" / "agent" / "auth-profiles.json").read_bytes()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_paste(app, pilot)
        verdict = " ".join(str(screen.query_one("#paste-verdict").render()).split())
        assert "OpenRouter API key" in verdict
        assert "no model uses OpenRouter; nothing saved" in verdict
        assert screen.query_one("#paste-save").disabled
        await pilot.click("#paste-save")
        screen.query_one(GuardedInput).focus()
        await pilot.press("enter")  # Enter saves only what may be saved
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, PasteScreen)
        never_shown(app, OPENROUTER)
    assert (home / ".openclaw" / "agents" / "main" / "agent" / "auth-profiles.json").read_bytes() == before


@pytest.mark.parametrize("provider", ["openai", "google", "xai", "groq", "deepseek"])
async def test_the_probe_toggle_names_the_pasted_keys_provider(tmp_path: Path, provider: str) -> None:
    config = {"agents": {"defaults": {"model": f"{provider}/some-model"}}}
    LegacyHome(tmp_path).config(config).store({"profiles": {}})
    key = fakekeys.BY_PROVIDER[provider]("toggle")
    app = make_app(tmp_path, read_clipboard=clipboard(key))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_paste(app, pilot)
        row = provider_row(provider)
        assert row is not None
        assert f"Test it with {row.label} first (free {row.probe_request})" in str(
            screen.query_one("#paste-probe").label
        )
        assert screen.target_id() == f"{provider}:default" and not screen.query_one("#paste-save").disabled
        never_shown(app, key)


def test_an_openrouter_paste_snapshot(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """80x24: whose key it is, the profile it goes into, the models that need it, who tests it."""
    LegacyHome(tmp_path).config(ROUTED).store({"profiles": {"anthropic:default": api_key_profile(OLD)}})
    app = make_app(tmp_path, read_clipboard=clipboard(OPENROUTER))

    async def open_it(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("p")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app, run_before=open_it, terminal_size=(80, 24))


async def test_on_2026_9_an_openrouter_key_goes_through_paste_api_key_and_z_logs_it_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SQLite era: the app runs `openclaw models auth paste-api-key --provider openrouter` with the
    key on stdin (a stand-in CLI that records its argv, `tests.test_write_sqlite`), and `z` logs it out."""
    from openclaw_triage.openclaw.locate import Options
    from openclaw_triage.secret import Secret
    from openclaw_triage.tui.app import TriageApp
    from openclaw_triage.tui.state import load
    from tests.builders import write_json
    from tests.test_write_sqlite import Home
    from tests.tui.conftest import NOW_MS

    home = Home(tmp_path)
    monkeypatch.setenv("FAKE_LOG", str(home.log))  # the undo runs in our own environment
    config = {
        "agents": {"defaults": {"model": {"primary": "anthropic/claude-opus-5", "fallbacks": ["openrouter/x/y"]}}}
    }
    write_json(home.home / ".openclaw" / "openclaw.json", config)
    options = Options(openclaw=str(home.cli))
    snapshot = load(options, env=home.vars, now_ms=NOW_MS)
    app = TriageApp(
        options, snapshot, env=home.vars, now_ms=NOW_MS, background=False, read_clipboard=clipboard(OPENROUTER)
    )
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_paste(app, pilot)
        assert screen.target_id() == "openrouter:default"
        screen.query_one("#paste-probe").value = False  # no network here: saved untested
        await pilot.pause()
        await pilot.click("#paste-save")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not isinstance(app.screen, PasteScreen)
        assert home.inspect().agent.effective.profiles["openrouter:default"].secret == Secret(OPENROUTER)
        never_shown(app, OPENROUTER)
        await pilot.press("z")
        await app.workers.wait_for_complete()
        await pilot.pause()
        never_shown(app, OPENROUTER)
    calls = home.calls()
    assert [c["argv"] for c in calls] == [
        ["models", "auth", "paste-api-key", "--provider", "openrouter", "--profile-id", "openrouter:default"],
        ["models", "auth", "logout", "openrouter:default", "--yes"],
    ]
    assert calls[0]["stdin"] == OPENROUTER + "\n" and OPENROUTER not in " ".join(calls[0]["cmdline"])
    assert "openrouter:default" not in home.inspect().agent.effective.profiles
