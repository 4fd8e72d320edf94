"""The auth profiles table: one row per profile, masked exactly as OpenClaw masks it."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from ...diagnose.result import ProfileView
from ...keys import KeyKind
from ...model import Era
from ...openclaw.coerce import normalize_provider
from ...openclaw.labels import format_remaining_short
from ..state import Snapshot
from .keyed_table import KeyedTable
from .panes import colors

# Most telling first: a narrow terminal scrolls the last column (what the secret looks like,
# also said by the findings) off, never a shared secret, health or pins.
COLUMNS = ("Profile", "Type", "Secret (masked)", "Same as", "Health", "Chats", "Looks like")


def _short_id(pid: str, beside: str) -> str:
    """`manual` for `anthropic:manual` in a row of the same provider: the table stays narrow."""
    provider, _, name = pid.partition(":")
    return name if name and provider == beside.partition(":")[0] else pid


class ProfilesTable(KeyedTable):
    """Select a row to act on a profile (`o` pins it first when no finding says otherwise)."""

    COLUMNS = COLUMNS

    @property
    def selected_profile(self) -> str | None:
        return self.selected_key

    def show(self, snapshot: Snapshot) -> None:
        c = colors(self)
        now = snapshot.diagnosis.now_ms
        rows = []
        for report in snapshot.diagnosis.profiles:
            cells = self._cells(report, c, now, snapshot.install.era)
            cells.insert(5, self._chats(snapshot.pinned.get(report.profile.id)))
            rows.append((report.profile.id, cells))
        self.fill(rows)
        self.border_subtitle = f"{len(snapshot.diagnosis.profiles)} profile(s)"

    @staticmethod
    def _chats(count: Any) -> Text:
        """Chats pinned to the profile; the ones pinned by a user ignore the order."""
        if count is None or count.total == 0:
            return Text("-", style="dim")
        return Text(f"{count.total}" + (f" ({count.user} by user)" if count.user else ""))

    @staticmethod
    def _cells(report: ProfileView, c: dict[str, str], now: float, era: Era) -> list[Any]:
        profile = report.profile
        if report.masked:
            secret = Text(report.masked)
        elif profile.ref is not None:
            secret = Text(f"ref({profile.ref.label()})")
        else:
            secret = Text("missing", style=c["error"])
        kind_of = report.info.kind if report.info is not None else None
        mismatch = (kind_of is KeyKind.OAUTH_TOKEN and profile.type == "api_key") or (
            kind_of is KeyKind.API_KEY and profile.type == "token"
        )
        if report.info is None:
            looks = Text("reference does not resolve" if report.ref_status else "no secret", style=c["error"])
        else:
            looks = Text(report.info.summary())
            if report.broken:
                looks.stylize(c["error"])
            elif not report.info.ok or mismatch:
                looks.stylize(c["warning"])
        if report.broken:  # the same story as the findings: a broken key is never "ok"
            more = f" +{len(report.problems) - 1}" if len(report.problems) > 1 else ""
            health = Text(f"✗ {report.problems[0]}{more}", style=f"bold {c['error']}")
        elif report.health_state == "ok":
            health = (
                Text("ok", style=c["ok"])
                if report.eligibility.eligible
                else Text(report.eligibility.text, style=c["warning"])
            )
        else:
            left = format_remaining_short((report.health_until or now) - now)
            reason = f":{report.health_reason}" if report.health_reason else ""
            health = Text(f"{report.health_state}{reason} {left}", style=c["warning"])
        marker = Text(", ".join(_short_id(pid, profile.id) for pid in report.shares_with), style=c["warning"])
        kind = Text(profile.type)
        if normalize_provider(profile.provider, era) != normalize_provider(profile.id.split(":", 1)[0], era):
            kind.append(f" · {profile.provider}", style="dim")  # the id does not say the provider
        if mismatch:
            kind.append(" (wrong)")  # an API key in a token profile, or the reverse
            kind.stylize(c["warning"])
        return [profile.id, kind, secret, marker, health, looks]
