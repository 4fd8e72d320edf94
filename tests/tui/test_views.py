"""The views a user reads at a default 80x24 terminal as well as a large one: the whole effective
order (wrapped, scrolled, never cut at the right edge) and where each credential comes from."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import TabbedContent

from openclaw_triage.keys import mask
from openclaw_triage.model import Era
from openclaw_triage.tui.widgets.panes import OrderPane
from openclaw_triage.tui.widgets.sources import SourcesPane
from tests import fakekeys
from tests.builders import LegacyHome, api_key_profile
from tests.tui.conftest import make_app
from tests.tui.scenes import sources_shadowed
from tests.tui.test_app import screen_text

LONG_IDS = [f"anthropic:team-{name}-workspace-key" for name in ("alpha", "beta", "gamma", "delta", "epsilon", "zeta")]


def squash(text: str) -> str:
    return "".join(text.split())


def long_order(home: Path) -> Path:
    """Six profiles with long ids, pinned in a stored order: more than one 80x24 screen of order."""
    profiles = {pid: api_key_profile(fakekeys.api_key(pid)) for pid in LONG_IDS}
    LegacyHome(home).config({}).store({"profiles": profiles, "order": {"anthropic": LONG_IDS}})
    return home


async def test_the_whole_effective_order_can_be_read_at_80x24(tmp_path: Path) -> None:
    app = make_app(long_order(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await pilot.pause()
        scroll = app.query_one("#order-scroll")
        assert app.focused is scroll
        assert scroll.max_scroll_x == 0  # nothing runs past the right edge: long lines wrap
        assert scroll.max_scroll_y > 0  # and what does not fit scrolls
        seen = screen_text(app)
        await pilot.press("end")
        await pilot.pause()
        seen += screen_text(app)
        for i, pid in enumerate(LONG_IDS):
            assert f"{i + 1}. {pid}" in seen
        reason = app.snapshot.diagnosis.orders["anthropic"].reasons[LONG_IDS[0]]
        pane_text = " ".join(app.query_one(OrderPane).plain_text(width=76).split())
        assert reason in pane_text  # the reason reads whole, wrapped at a word


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
async def test_where_keys_come_from_names_the_winner_and_what_it_shadows(tmp_path: Path, size: tuple[int, int]) -> None:
    """The seed thread's first guess, "the gateway isn't seeing the env var you set", answered on
    one view: the profile wins, the key in ~/.openclaw/.env is shadowed; both masked, never whole."""
    home = sources_shadowed(tmp_path)
    stored, in_dotenv = fakekeys.api_key("scene"), fakekeys.api_key("scene-env")
    app = make_app(home)
    async with app.run_test(size=size) as pilot:
        await pilot.press("7")
        await pilot.pause()
        assert app.focused is app.query_one("#sources-scroll")
        text = screen_text(app)
        on_screen = squash(text)  # the SVG export may drop the blank between two cells
        assert squash(f"✓ used profile anthropic:default {mask(stored, era=Era.JSON)}") in on_screen
        assert squash(f"↓ shadowed .env ANTHROPIC_API_KEY {mask(in_dotenv, era=Era.JSON)}") in on_screen
        pane = " ".join(app.query_one(SourcesPane).plain_text(width=76).split())
        assert "openrouter uses .env OPENROUTER_API_KEY" in pane
        assert "↓ shadowed config env OPENROUTER_API_KEY" in pane
        for secret in (
            stored,
            in_dotenv,
            fakekeys.openrouter_key("scene-env"),
            fakekeys.openrouter_key("scene-config"),
        ):
            assert secret not in text and secret not in pane
            assert secret[12:40] not in text and secret[12:40] not in pane


async def test_v_reaches_where_keys_come_from_after_install(tmp_path: Path) -> None:
    app = make_app(sources_shadowed(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("6", "v")
        await pilot.pause()
        assert app.query_one("#middle", TabbedContent).active == "tab-sources"
        await pilot.press("v")
        assert app.query_one("#middle", TabbedContent).active == "tab-findings"


async def test_a_provider_with_no_key_anywhere_says_every_request_fails(tmp_path: Path) -> None:
    LegacyHome(tmp_path).config({"agents": {"defaults": {"model": "openai/gpt-5.5"}}}).store({"profiles": {}})
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("7")
        await pilot.pause()
        assert squash("openai nothing set: every request for it fails") in squash(screen_text(app))
