"""Which fix answers a key press, given what the user has selected: the app's policy, kept here.

The app knows only what is selected (a finding, a profile, a chat); these functions decide the
`openclaw_triage.actions` value it applies, so the TUI, the CLI and the tests agree on what "fix
the order" or "approve the pairing" means. Each returns None, or a value and a few words on why.
"""

from __future__ import annotations

from ..actions import DoctorFix, OrderClear, OrderPin, PairingApprove, Unpin
from ..model import Era
from ..openclaw.coerce import normalize_provider
from .reach import OrderReach, order_reach

TYPE_CHECKING = False  # `typing` costs ~3 ms to import
if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..findings import Finding
    from ..runtime.collect import Runtime
    from ..runtime.sessions.model import Session, SessionStore
    from .result import Diagnosis


def order_fix(
    diag: Diagnosis, *, finding: Finding | None = None, profile_id: str | None = None, profile_first: bool = False
) -> tuple[OrderPin, str] | None:
    """`o`: the selected finding's order fix, else the first finding that has one (they are
    sorted most severe first), else pin the selected profile first. With `profile_first` (the
    user is in the profiles table) the selected profile wins."""
    if not profile_first:
        for candidate in [*([finding] if finding is not None else []), *diag.findings]:
            if isinstance(candidate.action, OrderPin):
                return candidate.action, f"fixes {candidate.code}"
    if profile_id is None:
        return None
    pin = pin_first(diag, profile_id)
    return (pin, f"pins {profile_id} first") if pin is not None else None


def pin_first(diag: Diagnosis, profile_id: str) -> OrderPin | None:
    """Put `profile_id` first in its provider's order, the others after it as OpenClaw orders them now."""
    report = diag.view(profile_id)
    if report is None:
        return None
    provider = normalize_provider(report.profile.provider, diag.install.era)
    result = diag.orders.get(provider)
    current = list(result.effective) if result else []
    ids = (profile_id, *[pid for pid in current if pid != profile_id])
    return OrderPin(provider, ids, diag.agent.agent_id)


def pin_after_save(diag: Diagnosis, provider: str, profile_id: str) -> OrderPin | None:
    """After a key was saved: pin its profile first if OpenClaw would still try another one first."""
    result = diag.orders.get(provider)
    if result is None or result.next == profile_id:
        return None
    ids = (profile_id, *[pid for pid in result.effective if pid != profile_id])
    return OrderPin(provider, ids, diag.agent.agent_id)


def paste_target(diag: Diagnosis, *, finding: Finding | None = None, profile_id: str | None = None) -> str | None:
    """`p`: the profile a pasted key goes into: the one picked in the profiles table, else the one
    the selected finding is about (a broken key is what a user pastes a new one for), else the
    first broken one; None lets the paste offer OpenClaw's own default for the key's type."""
    if profile_id is not None and diag.view(profile_id) is not None:
        return profile_id
    if finding is not None and diag.view(finding.subject) is not None:
        return finding.subject
    return next((v.profile.id for v in diag.profiles if v.broken), None)


def clear_fix(diag: Diagnosis) -> OrderClear | None:
    """`u`: clear the first provider's stored order override (there is rarely more than one)."""
    stored = [provider for provider, result in diag.orders.items() if result.stored is not None]
    return OrderClear(stored[0], diag.agent.agent_id) if stored else None


def pairing_fix(finding: Finding | None, runtime: Runtime | None) -> PairingApprove | None:
    """`a`: the selected finding's pairing code, else the oldest request still waiting."""
    if finding is not None and isinstance(finding.action, PairingApprove):
        return finding.action
    discord = runtime.discord if runtime is not None else None
    pending = list(discord.pending) if discord is not None else []
    if not pending:
        return None
    request = pending[0]
    return PairingApprove(request.code, who=request.name or request.tag or request.user_id or "")


def doctor_fix(diag: Diagnosis, finding: Finding | None = None) -> tuple[DoctorFix, str] | None:
    """`d`: OpenClaw's upgrade repair, when a finding calls for it; with the question to ask first
    (what it repairs here: every finding that names it, the selected one first)."""
    offered = [f for f in diag.findings if isinstance(f.action, DoctorFix)]
    if finding is not None and isinstance(finding.action, DoctorFix):
        offered.insert(0, finding)
    if not offered:
        return None
    whys = list(dict.fromkeys(f.action.why for f in offered if isinstance(f.action, DoctorFix) and f.action.why))
    release = diag.install.cli.version or "this release"
    question = (
        f"Run OpenClaw {release}'s own upgrade repair, `openclaw doctor --fix --non-interactive`? "
        f"Here it will {'; '.join(whys) or 'repair what an older release left'}. "
        "It also rewrites files of its own (config backups, logs); the whole state dir is copied first, "
        "and z puts back everything it changed."
    )
    action = offered[0].action
    assert isinstance(action, DoctorFix)
    return action, question


def unpin_chat(session: Session, agent: str) -> Unpin | None:
    """`x`: clear this chat's pin (None: it has none)."""
    if session.pin is None:
        return None
    return Unpin((session.key,), pinned_to=session.pin.profile_id, agent=agent)


def unpin_profile_chats(profile_id: str, agent: str) -> Unpin:
    """`X`: clear the pin of every chat pinned to `profile_id`."""
    return Unpin(profile_id=profile_id, agent=agent)


def left_behind(
    diag: Diagnosis, stores: Sequence[SessionStore], provider: str
) -> tuple[OrderReach, Unpin | None] | None:
    """After an order change: the chats it does not reach at their next turn, and (2026.3) the
    unpin that would let them follow it. None when every chat follows the new order."""
    result = diag.orders.get(provider)
    if result is None:
        return None
    profiles = {r.profile.id: r.profile for r in diag.profiles}
    reach = order_reach(
        stores,
        era=diag.install.era,
        agent=diag.agent.agent_id,
        provider=provider,
        new_order=list(result.effective),
        profiles=profiles,
    )
    behind = [*reach.kept, *reach.lagging]
    if not behind:
        return None
    if diag.install.era is not Era.JSON:  # 2026.9 lets only the chat itself change its pin
        return reach, None
    return reach, Unpin(tuple(s.key for s in behind), provider=provider, agent=diag.agent.agent_id)
