"""The auth profiles table: one row per profile, masked exactly as OpenClaw masks it."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from ..diagnose import ProfileReport
from ..keys import KeyKind
from ..labels import format_remaining_short
from .panes import colors
from .state import Snapshot

COLUMNS = ("Profile", "Provider", "Type", "Secret (masked)", "Looks like", "Health", "")


class ProfilesTable(DataTable[Any]):
    """Select a row to act on a profile (`o` pins it first when no finding says otherwise)."""

    BORDER_TITLE = "Auth profiles"

    def on_mount(self) -> None:
        self.border_title = self.BORDER_TITLE
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_columns(*COLUMNS)

    @property
    def selected_profile(self) -> str | None:
        if self.row_count == 0:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:  # no cursor yet
            return None
        return key.value

    def show(self, snapshot: Snapshot) -> None:
        keep = self.selected_profile
        self.clear()
        c = colors(self)
        now = snapshot.diagnosis.now_ms
        for report in snapshot.diagnosis.profiles:
            self.add_row(*self._cells(report, c, now), key=report.profile.id)
        if keep is not None:
            for index, report in enumerate(snapshot.diagnosis.profiles):
                if report.profile.id == keep:
                    self.move_cursor(row=index)
                    break
        self.border_subtitle = f"{len(snapshot.diagnosis.profiles)} profile(s)"

    @staticmethod
    def _cells(report: ProfileReport, c: dict[str, str], now: float) -> list[Any]:
        profile = report.profile
        if report.masked:
            secret = Text(report.masked)
        elif profile.ref is not None:
            secret = Text(f"ref({profile.ref.label()})")
        else:
            secret = Text("missing", style=c["error"])
        if report.info is None:
            looks = Text("reference does not resolve" if report.ref_status else "no secret", style=c["error"])
        else:
            looks = Text(report.info.summary())
            mismatch = (report.info.kind is KeyKind.OAUTH_TOKEN and profile.type == "api_key") or (
                report.info.kind is KeyKind.API_KEY and profile.type == "token"
            )
            if mismatch:
                looks.append(f" in a {profile.type} profile")
            if report.broken:
                looks.stylize(c["error"])
            elif not report.info.ok or mismatch:
                looks.stylize(c["warning"])
        if report.health_state == "ok":
            health = (
                Text("ok", style=c["ok"])
                if report.eligibility.eligible
                else Text(report.eligibility.text, style=c["warning"])
            )
        else:
            left = format_remaining_short((report.health_until or now) - now)
            reason = f":{report.health_reason}" if report.health_reason else ""
            health = Text(f"{report.health_state}{reason} {left}", style=c["warning"])
        marker = Text(f"= {', '.join(report.shares_with)}", style=c["warning"]) if report.shares_with else Text("")
        return [profile.id, profile.provider, profile.type, secret, looks, health, marker]
