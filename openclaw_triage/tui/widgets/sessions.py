"""The chats table: every session of the shown agent, newest first, with the profile it is
pinned to and what OpenClaw will do with that pin at the chat's next turn."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from ...openclaw.labels import format_remaining_short
from ..state import Snapshot
from .keyed_table import KeyedTable
from .panes import colors
from .text import shown

COLUMNS = ("Channel", "Chat", "Pinned to", "Source", "Next turn", "Last activity", "Model")


class SessionsTable(KeyedTable):
    """Select a chat to unpin it (`x`), or every chat pinned to the same profile (`X`)."""

    COLUMNS = COLUMNS

    def show(self, snapshot: Snapshot) -> None:
        c = colors(self)
        now = snapshot.diagnosis.now_ms
        agent = snapshot.diagnosis.agent.agent_id
        self.fill(
            (session.key, self._cells(session, snapshot.verdicts.get((agent, session.key)), c, now))
            for session in snapshot.sessions
        )
        pinned = sum(1 for s in snapshot.sessions if s.pin is not None)
        self.border_subtitle = f"{len(snapshot.sessions)} chat(s), {pinned} pinned"

    @staticmethod
    def _cells(session: Any, verdict: Any, c: dict[str, str], now: float) -> list[Any]:
        pin = session.pin
        if verdict is None or pin is None:
            next_turn = Text("follows the order" if pin is None else "", style="dim")
        else:
            style = {"error": c["error"], "warning": c["warning"]}.get(
                verdict.severity.value if verdict.severity else "", "dim"
            )
            next_turn = Text(
                verdict.reason if verdict.sticks else f"moves to {verdict.first or 'the order'}", style=style
            )
        age = format_remaining_short(now - session.updated_at) + " ago" if session.updated_at else "-"
        model = (session.model or "-") + (" (set in chat)" if session.model_is_override else "")
        return [
            session.channel or "direct",
            shown(session.label),
            shown(pin.profile_id if pin else "-", style="bold" if pin and pin.is_user else ""),
            pin.source if pin else "",
            next_turn,
            age,
            shown(model),
        ]
