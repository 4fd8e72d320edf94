"""The views a user reads at a default 80x24 terminal as well as a large one: the whole effective
order (wrapped, scrolled, never cut at the right edge) and where each credential comes from."""

from __future__ import annotations

from pathlib import Path

from openclaw_triage.tui.widgets.panes import OrderPane
from tests import fakekeys
from tests.builders import LegacyHome, api_key_profile
from tests.tui.conftest import make_app
from tests.tui.test_app import screen_text

LONG_IDS = [f"anthropic:team-{name}-workspace-key" for name in ("alpha", "beta", "gamma", "delta", "epsilon", "zeta")]


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
