"""`check`'s findings about chat pins (and unreadable session stores), with the fix for each era.

Called by `diagnose` for the selected agent; reads only pinned sessions, and caps findings per
code so a bot with thousands of chats keeps `check` readable.
"""

from __future__ import annotations

import shlex

from ...actions import Unpin
from ...findings import Severity
from ...model import Era
from ...openclaw.coerce import normalize_provider
from ...runtime.sessions.stores import load_sessions, sessions_of
from ..pins import AgentView, assess

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    from ...model import AgentAuth, Install
    from ...openclaw.order import OrderResult
    from ...runtime.sessions.model import Session
    from ..pins import PinVerdict
    from ..result import Collector, ProfileView

FINDINGS_PER_CODE = 25  # per agent: more chats with the same finding are summed up in one more


def chat_fix(session: Session, verdict: PinVerdict, era: Era, agent_flag: str | None) -> str:
    """Our command and the chat command that take the pin away, for this era."""
    model = session.model or "<provider/model>"
    if era is Era.JSON:
        flag = f" --agent {shlex.quote(agent_flag)}" if agent_flag else ""
        return (
            f"openclaw-triage sessions unpin --session {shlex.quote(session.key)}{flag}  or, in that chat: "
            f"/new or /reset (a fresh conversation), or /model {model} (without @profile)"
        )
    target = verdict.first or "<a working profile>"
    return (
        f"in that chat: /model {model}@{target} (pins it to the profile the order puts first). OpenClaw 2026.9 "
        "keeps this pin through /reset, /new and /model without @profile, and offers no way to clear it from "
        "outside the chat, so openclaw-triage cannot unpin it."
    )


def _message(session: Session, verdict: PinVerdict, era: Era) -> str:
    pid = session.pin.profile_id if session.pin else "?"
    chat = f"the chat {session.label!r} ({session.key})"
    lead = "T" + chat[1:]
    if verdict.code == "session.pin_unusable":
        if era is Era.JSON:
            return (
                f"{lead} is pinned to {pid}, and {verdict.reason}: OpenClaw 2026.3 tries only that profile in this "
                "chat, so every reply there fails, whatever the order says."
            )
        return (
            f"{lead} is pinned to {pid}, and {verdict.reason}: OpenClaw 2026.9 tries it first at every turn of this "
            "chat (then fails over to the order), and keeps the pin through /reset and /new."
        )
    if verdict.code == "session.pin_behind_order":
        if session.pin and session.pin.is_user:
            return (
                f"The order now puts {verdict.first} first, but {chat} stays on {pid} (pinned in the chat) until it "
                "is unpinned" + (" or reset." if era is Era.JSON else "; in 2026.9 a reset keeps the pin.")
            )
        return (
            f"The order now puts {verdict.first} first, but {chat} stays on {pid} (chosen automatically) until its "
            "next reset, compaction or a cooldown of that profile."
        )
    return (
        f"{lead} only ever uses {pid}: it was pinned in the chat (/model …@{pid}), so order changes do not reach it."
        if era is Era.JSON
        else f"{lead} is pinned to {pid} (in the chat): it is tried first at every turn, whatever the order says."
    )


_STORE_SEVERITY = {
    "session.store_unreadable": Severity.WARNING,
    "session.store_too_large": Severity.WARNING,
    "session.store_unknown_format": Severity.INFO,
}


def store_issue_severity(code: str) -> Severity:
    """The severity `check` gives a session store's issue (`sessions` exits by the same rule)."""
    return _STORE_SEVERITY.get(code, Severity.WARNING)


def check_sessions(
    install: Install,
    agent: AgentAuth,
    orders: Mapping[str, OrderResult],
    reports: Collection[ProfileView],
    out: Collector,
    agent_flag: str | None,
) -> None:
    """`check`'s session findings for the selected agent: one per chat whose pin matters."""
    stores = load_sessions(install, agent=agent.agent_id, pinned_only=True)
    for store in stores:
        for issue in store.issues:
            severity = store_issue_severity(issue.code)
            if issue.code == "session.store_unreadable":
                out.add("session.store_unreadable", severity, issue.subject, issue.message + ".")
            elif issue.code == "session.store_too_large":
                out.add("session.store_too_large", severity, issue.subject, issue.message + ".")
            else:
                out.add("session.store_unknown_format", severity, issue.subject, issue.message + ".")
    sessions = [s for s in sessions_of(stores, agent.agent_id) if s.pin is not None and not s.archived]
    if not sessions:
        return
    primary = _default_provider(install, agent.agent_id)
    view = AgentView(
        era=install.era,
        store=agent.effective,
        orders=dict(orders),
        reports={r.profile.id: r for r in reports},
        config=install.config.data,
        now_ms=out.now,
        env=install.seen_env,
        default_provider=primary,
    )
    emitted: dict[str, int] = {}
    overflow: dict[str, list[Session]] = {}
    for session in sessions:
        verdict = assess(session, view)
        if verdict is None or verdict.code is None or verdict.severity is None:
            continue
        if emitted.get(verdict.code, 0) >= FINDINGS_PER_CODE:
            overflow.setdefault(verdict.code, []).append(session)
            continue
        emitted[verdict.code] = emitted.get(verdict.code, 0) + 1
        _add_finding(session, verdict, install.era, out, agent_flag)
    for code, rest in overflow.items():
        _add_overflow(code, rest, install.era, out, agent.agent_id)


def _default_provider(install: Install, agent_id: str) -> str | None:
    from ...openclaw.config import default_model, model_provider

    provider = model_provider(default_model(install.config.data, install.era, agent_id, install.builtin_model))
    return normalize_provider(provider, install.era) if provider else None


def _add_finding(session: Session, verdict: PinVerdict, era: Era, out: Collector, agent_flag: str | None) -> None:
    pin = session.pin
    assert pin is not None
    message = _message(session, verdict, era)
    fix = chat_fix(session, verdict, era, agent_flag)
    action = (
        Unpin((session.key,), pinned_to=pin.profile_id, provider=verdict.provider or "", agent=out.agent)
        if era is Era.JSON
        else None
    )
    details = {"session": session.key, "profile": pin.profile_id, "source": pin.source, "first": verdict.first}
    severity = verdict.severity or Severity.INFO
    if verdict.code == "session.pin_unusable":
        out.add("session.pin_unusable", severity, session.key, message, fix, action, **details)
    elif verdict.code == "session.pin_behind_order":
        out.add("session.pin_behind_order", severity, session.key, message, fix, action, **details)
    else:
        out.add("session.user_pin", severity, session.key, message, fix, action, **details)


def _add_overflow(code: str, rest: list[Session], era: Era, out: Collector, agent_id: str) -> None:
    """One finding for the chats past the per-code limit, so `check` stays readable."""
    profiles = sorted({s.pin.profile_id for s in rest if s.pin})
    subject = f"agent:{agent_id}"
    text = f"{len(rest)} more chat(s) of agent {agent_id} have the same pin finding ({', '.join(profiles[:5])})."
    fix = (
        "openclaw-triage sessions (lists them); openclaw-triage sessions unpin --profile ID"
        if era is Era.JSON
        else "openclaw-triage sessions (lists them with the chat command for each)"
    )
    severity = Severity.ERROR if code == "session.pin_unusable" and era is Era.JSON else Severity.WARNING
    if code == "session.user_pin":
        out.add("session.user_pin", Severity.INFO, subject, text, fix, count=len(rest))
    elif code == "session.pin_behind_order":
        out.add("session.pin_behind_order", Severity.INFO, subject, text, fix, count=len(rest))
    else:
        out.add("session.pin_unusable", severity, subject, text, fix, count=len(rest))
