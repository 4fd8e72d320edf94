"""The guarded paste: clipboard present, absent or holding junk; a wrapped paste; probe first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual import events

from openclaw_triage.keys import mask
from openclaw_triage.model import Era
from openclaw_triage.tui.screens.confirm import ConfirmScreen
from openclaw_triage.tui.screens.paste import GuardedInput, PasteScreen
from tests import fakekeys
from tests.builders import LegacyHome, api_key_profile
from tests.fakeanthropic import FakeAnthropic, Reply
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
