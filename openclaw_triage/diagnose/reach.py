"""What the app shows beside each pin: how many chats a profile holds, and which chats an order
change does not reach at their next turn (the pin rules are `pins`). `check` never needs these,
so they load only with the app and the `sessions` command.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..model import Era
from ..openclaw.coerce import normalize_provider
from ..runtime.sessions.model import Session, SessionStore
from ..runtime.sessions.stores import sessions_of


@dataclass(slots=True)
class PinCount:
    """How many chats are pinned to one profile, by who pinned them."""

    user: int = 0
    auto: int = 0

    @property
    def total(self) -> int:
        return self.user + self.auto


def pinned_counts(stores: Iterable[SessionStore], agent: str) -> dict[str, PinCount]:
    """Profile id -> chats of `agent` pinned to it (archived chats left out)."""
    counts: dict[str, PinCount] = {}
    for session in sessions_of(stores, agent):
        if session.pin is None or session.archived:
            continue
        count = counts.setdefault(session.pin.profile_id, PinCount())
        if session.pin.is_user:
            count.user += 1
        else:
            count.auto += 1
    return counts


@dataclass(slots=True)
class OrderReach:
    """Chats an order change does not reach at their next turn."""

    kept: list[Session] = field(default_factory=list)  # user pins: they stay on their own profile
    lagging: list[Session] = field(default_factory=list)  # auto pins: they follow at their next reset,
    # compaction or cooldown

    @property
    def count(self) -> int:
        return len(self.kept) + len(self.lagging)


def order_reach(
    stores: Iterable[SessionStore],
    *,
    era: Era,
    agent: str,
    provider: str,
    new_order: Sequence[str],
    profiles: Mapping[str, Any],
) -> OrderReach:
    """Which of `agent`'s chats keep another profile than `new_order[0]` after an order change.

    `new_order`: the effective order after the change (first tried first); `profiles`: the
    agent's profiles by id (anything with a `.provider`). 2026.3 clears a pin outside the new
    order, so only pins that stay in it count; 2026.9 keeps user pins whatever the order says.
    """
    key = normalize_provider(provider, era)
    first = new_order[0] if new_order else None
    reach = OrderReach()
    for session in sessions_of(stores, agent):
        pin = session.pin
        if pin is None or session.archived or pin.profile_id == first:
            continue
        profile = profiles.get(pin.profile_id)
        if profile is None or normalize_provider(getattr(profile, "provider", ""), era) != key:
            continue
        in_order = pin.profile_id in new_order
        if pin.is_user and (era is Era.SQLITE or in_order or not new_order):
            reach.kept.append(session)
        elif not pin.is_user and in_order:
            reach.lagging.append(session)
    return reach
