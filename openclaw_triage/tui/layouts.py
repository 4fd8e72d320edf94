"""Where the panes go: a grid on a large terminal, one pane at a time below it.

`Full` shows every pane at once and needs room: at least `FULL_SIZE` (columns, rows). Below
that (a default 80x24 terminal, most SSH sessions, a split window) `Compact` gives each pane
the whole width, one view at a time, behind tabs: Findings (the list and the explanation),
Profiles, Chats, Gateway, Order, Probe, Install, Sources. Nothing is squeezed into a column too
narrow for its words.

Both hold the same widgets with the same ids, so the app and its tests reach a pane the same
way in either; the app builds the one that fits and swaps it when the terminal crosses the
size. The Chats, Gateway and Sources tabs are filled just after the first frame, in both.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Container, Horizontal, Vertical, VerticalScroll
from textual.widgets import TabbedContent, TabPane

from .widgets.findings import FindingDetail, FindingsList
from .widgets.panes import ConfigPane, OrderPane, ProbePane, VersionPane
from .widgets.profiles import ProfilesTable

FULL_SIZE = (150, 40)
"""The smallest terminal (columns, rows) that shows every pane at once without cutting a word."""

# A view's tab id, and the widget that takes the focus when it is shown.
VIEWS = {
    "findings": ("tab-findings", "#findings"),
    "profiles": ("tab-profiles", "#profiles"),
    "chats": ("tab-chats", "#sessions"),
    "channels": ("tab-channels", "#channels-scroll"),
    "order": ("tab-order", "#order-scroll"),
    "probe": ("tab-probe", "#probe-scroll"),
    "install": ("tab-install", "#install-scroll"),
    "sources": ("tab-sources", "#sources-scroll"),  # last: the number keys before it stay as they were
}
VIEW_ORDER = tuple(VIEWS)


def fits_full(columns: int, rows: int) -> bool:
    return columns >= FULL_SIZE[0] and rows >= FULL_SIZE[1]


class Full(Container):
    """Every pane on one screen: Version and Config, the tabbed tables, Order and Probe on the
    left; the findings and the selected one's explanation on the right."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            with Vertical(id="left"):
                with Horizontal(id="top"):
                    yield VersionPane(id="version")
                    yield ConfigPane(id="config")
                with TabbedContent(id="middle", initial=VIEWS["profiles"][0]):
                    with TabPane("Auth profiles", id=VIEWS["profiles"][0]):
                        yield ProfilesTable(id="profiles")
                    yield TabPane("Chats", id=VIEWS["chats"][0])
                    yield TabPane("Gateway & channels", id=VIEWS["channels"][0])
                    yield TabPane("Where keys come from", id=VIEWS["sources"][0])
                with Horizontal(id="bottom"):
                    yield VerticalScroll(OrderPane(id="order"), id="order-scroll")
                    yield VerticalScroll(ProbePane(id="probe"), id="probe-scroll")
            with Vertical(id="right"):
                yield FindingsList(id="findings")
                yield VerticalScroll(FindingDetail(id="detail"), id="detail-scroll")


class Compact(Container):
    """One pane at a time, the whole width each, behind tabs; the findings first."""

    def compose(self) -> ComposeResult:
        with TabbedContent(id="middle", initial=VIEWS["findings"][0]):
            with TabPane("Findings", id=VIEWS["findings"][0]):
                yield FindingsList(id="findings")
                yield VerticalScroll(FindingDetail(id="detail"), id="detail-scroll")
            with TabPane("Profiles", id=VIEWS["profiles"][0]):
                yield ProfilesTable(id="profiles")
            yield TabPane("Chats", id=VIEWS["chats"][0])
            yield TabPane("Gateway", id=VIEWS["channels"][0])
            with TabPane("Order", id=VIEWS["order"][0]):
                yield VerticalScroll(OrderPane(id="order"), id="order-scroll")
            with TabPane("Probe", id=VIEWS["probe"][0]):
                yield VerticalScroll(ProbePane(id="probe"), id="probe-scroll")
            with TabPane("Install", id=VIEWS["install"][0]):
                yield VerticalScroll(VersionPane(id="version"), ConfigPane(id="config"), id="install-scroll")
            yield TabPane("Sources", id=VIEWS["sources"][0])
