"""A table whose rows are keyed by id (a profile, a chat), so a refresh keeps the selection.

It draws the app's snapshot once its columns exist, and again whenever the snapshot changes:
a table mounted late (a tab filled after the first frame) never gets rows before columns.
Every cell is drawn as text (`text.safe_cell`): ids and names are never markup or escapes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.widgets import DataTable

from ..state import Snapshot
from .text import safe_cell


class KeyedTable(DataTable[Any]):
    """Row-cursor table with `COLUMNS`; `fill` replaces the rows and keeps the selected key."""

    BORDER_TITLE = ""
    COLUMNS: tuple[str, ...] = ()

    def on_mount(self) -> None:
        self.border_title = self.BORDER_TITLE  # empty: the tab names it
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_columns(*self.COLUMNS)
        self.watch(self.app, "snapshot", self.show)

    def show(self, snapshot: Snapshot) -> None:  # pragma: no cover - each table draws its own rows
        raise NotImplementedError

    @property
    def selected_key(self) -> str | None:
        if self.row_count == 0:
            return None
        try:
            return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except Exception:  # no cursor yet
            return None

    def fill(self, rows: Iterable[tuple[str, list[Any]]]) -> None:
        keep = self.selected_key
        self.clear()
        found = None
        for index, (key, cells) in enumerate(rows):
            self.add_row(*(safe_cell(c) for c in cells), key=key)
            if key == keep:
                found = index
        if found is not None:  # once every row is in, as a user's cursor would move
            self.move_cursor(row=found)
