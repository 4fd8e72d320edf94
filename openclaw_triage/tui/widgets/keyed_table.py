"""A table whose rows are keyed by id (a profile, a chat), so a refresh keeps the selection."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.widgets import DataTable


class KeyedTable(DataTable[Any]):
    """Row-cursor table with `COLUMNS`; `fill` replaces the rows and keeps the selected key."""

    BORDER_TITLE = ""
    COLUMNS: tuple[str, ...] = ()

    def on_mount(self) -> None:
        self.border_title = self.BORDER_TITLE  # empty: the tab names it
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_columns(*self.COLUMNS)
        self.first_fill()

    def first_fill(self) -> None:
        """Rows to show once mounted (a subclass hook: Textual would run a subclass's `on_mount`
        before this one, before the columns exist)."""

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
            self.add_row(*cells, key=key)
            if key == keep:
                found = index
        if found is not None:  # once every row is in, as a user's cursor would move
            self.move_cursor(row=found)
