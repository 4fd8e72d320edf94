"""`openclaw-triage sessions [--json]` and `openclaw-triage sessions unpin …`.

The list reads every agent's sessions (or `--agent`'s) and says, per chat, what OpenClaw will
do with its pin; `unpin` clears pins through the write layer (2026.3) or explains why it cannot
and gives the chat command (2026.9). Exit codes of the list follow `check`: 1 a chat whose pin
breaks it, 2 only warnings (an unreadable or too large store is one, as in `check`), 0 otherwise; `unpin`: 0 done or nothing to do, 1 refused, 64 usage.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from ..diagnose.checks.sessions import chat_fix, store_issue_severity
from ..diagnose.pins import PinVerdict
from ..diagnose.reach import pinned_counts
from ..diagnose.run import assess_install
from ..findings import Severity
from ..openclaw.labels import format_remaining_short
from ..runtime.sessions import Session, SessionStore, sessions_of
from ..scrub import scrubber_for
from ..util.termsafe import termsafe


def run(args: argparse.Namespace, options: Any) -> int:
    from ..openclaw.install import inspect_install
    from ..openclaw.locate import LocateError

    try:
        install = inspect_install(options)
    except LocateError as exc:
        sys.stderr.write(f"openclaw-triage: {exc}\n")
        return 64
    if getattr(args, "sessions_command", None) == "unpin":
        return _run_unpin(args, install)
    return _run_list(args, install)


# --------------------------------------------------------------------------- the list


def _age(now_ms: float, ms: float | None) -> str:
    return f"{format_remaining_short(now_ms - ms)} ago" if ms else "-"


def _pin_text(session: Session) -> str:
    pin = session.pin
    return f"{pin.profile_id} ({pin.source})" if pin else "-"


def _list_data(install: Any, agent: str | None) -> tuple[list[SessionStore], dict[tuple[str, str], PinVerdict]]:
    from ..diagnose.run import diagnose
    from ..runtime.sessions import load_sessions

    stores = load_sessions(install, agent=agent)
    diagnosis = diagnose(install) if any(s.pin for st in stores for s in st.sessions) else None
    return stores, assess_install(install, stores, diagnosis)


def _verdict_json(verdict: PinVerdict | None) -> dict[str, Any] | None:
    if verdict is None:
        return None
    return {
        "state": verdict.state,
        "code": verdict.code,
        "severity": verdict.severity.value if verdict.severity else None,
        "first": verdict.first,
        "provider": verdict.provider,
        "reason": verdict.reason,
        "sticks": verdict.sticks,
    }


def _exit_code(verdicts: dict[tuple[str, str], PinVerdict], stores: list[SessionStore]) -> int:
    """As `check` would rate the same things: the chats' verdicts and the stores' own issues (an
    unreadable store is a warning there, so exit 2 here too)."""
    severities = {v.severity for v in verdicts.values() if v.severity is not None}
    severities |= {store_issue_severity(i.code) for st in stores for i in st.issues}
    if Severity.ERROR in severities:
        return 1
    return 2 if Severity.WARNING in severities else 0


def _run_list(args: argparse.Namespace, install: Any) -> int:
    agent = getattr(args, "agent", None)
    stores, verdicts = _list_data(install, agent)
    if args.json:
        doc = {
            "era": str(install.era),
            "agents": [
                {
                    "agent": st.agent_id,
                    "store": st.location,
                    "format": st.format,
                    "exists": st.exists,
                    "issues": [{"code": i.code, "message": i.message} for i in st.issues],
                    "sessions": [
                        {**s.to_json(), "verdict": _verdict_json(verdicts.get((s.agent_id, s.key)))}
                        for s in sessions_of([st])
                    ],
                    "pinnedCounts": {
                        pid: {"user": c.user, "auto": c.auto} for pid, c in pinned_counts([st], st.agent_id).items()
                    },
                }
                for st in stores
            ],
        }
        pretty = sys.stdout.isatty()
        sys.stdout.write(scrubber_for(install).dumps(doc, indent=2 if pretty else None) + "\n")
        return _exit_code(verdicts, stores)
    sys.stdout.write(termsafe(scrubber_for(install)(_text(install, stores, verdicts)), multiline=True))
    return _exit_code(verdicts, stores)


def _text(install: Any, stores: list[SessionStore], verdicts: dict[tuple[str, str], PinVerdict]) -> str:
    from ..openclaw.locate import shorten_home

    now = time.time() * 1000
    lines: list[str] = []
    for st in stores:
        sessions = sessions_of([st])
        pinned = sum(1 for s in sessions if s.pin)
        where = shorten_home(st.location, install.home, install.seen_env)
        lines.append(f"Agent {st.agent_id}: {len(sessions)} chat(s), {pinned} pinned  ({where})")
        lines.extend(f"  ! {issue.message}" for issue in st.issues)
        if not st.exists:
            lines.append("  (no session store yet: no chat has run)")
        rows = [("LAST ACTIVE", "CHANNEL", "CHAT", "MODEL", "PIN", "")]
        problems: list[tuple[Session, PinVerdict]] = []
        for s in sessions:
            verdict = verdicts.get((s.agent_id, s.key))
            mark = ""
            if verdict is not None and verdict.code is not None:
                mark = {"session.pin_unusable": "✗ ", "session.pin_behind_order": "→ "}.get(verdict.code, "· ")
                mark += verdict.reason
                problems.append((s, verdict))
            label = termsafe(s.label)
            label = label if len(label) <= 28 else label[:27] + "…"
            rows.append((_age(now, s.updated_at), s.channel or "-", label, s.model or "-", _pin_text(s), mark))
        if len(rows) > 1:
            widths = [max(len(r[i]) for r in rows) for i in range(5)]
            lines.extend(
                ("  " + "  ".join(r[i].ljust(widths[i]) for i in range(5)) + "  " + r[5]).rstrip() for r in rows
            )
        for s, verdict in problems:
            if verdict.severity is Severity.INFO and verdict.code != "session.user_pin":
                continue
            flag = None if s.agent_id == install.default_agent_id else s.agent_id
            lines.append(f"  {s.key}: {verdict.reason}")
            lines.append(f"    fix: {chat_fix(s, verdict, install.era, flag)}")
        lines.append("")
    return "\n".join(lines) + ("" if lines else "No agents.\n")


# --------------------------------------------------------------------------- unpin


def _targets(args: argparse.Namespace, sessions: list[Session]) -> list[Session]:
    if args.pin_sessions:
        wanted = {k.strip().lower() for k in args.pin_sessions}
        return [s for s in sessions if s.pin and s.key.lower() in wanted]
    if args.pin_profile:
        return [s for s in sessions if s.pin and s.pin.profile_id == args.pin_profile.strip()]
    return [s for s in sessions if s.pin]


def _run_unpin(args: argparse.Namespace, install: Any) -> int:
    from ..model import Era
    from ..runtime.sessions import load_sessions
    from ..write import api
    from ..write.errors import WriteError
    from .write import confirm_on_tty, print_change, print_failure, progress_printer

    agent = getattr(args, "agent", None)
    if install.era is Era.JSON and not args.yes:
        try:
            aa = api.agent_auth(install, agent)
        except WriteError as exc:
            return print_failure(exc)
        targets = _targets(args, sessions_of(load_sessions(install, agent=aa.agent_id), aa.agent_id))
        if targets:
            shown = ", ".join(f"{s.key} ({_pin_text(s)})" for s in targets[:10])
            more = f" and {len(targets) - 10} more" if len(targets) > 10 else ""
            question = f"Unpin {len(targets)} chat(s) of agent {aa.agent_id}: {shown}{more}? [y/N] "
            if not confirm_on_tty(question, stdin_used=False):
                sys.stderr.write("openclaw-triage: not confirmed; nothing was changed (pass --yes to skip asking).\n")
                return 1
    try:
        change = api.unpin(
            install,
            session_key=args.pin_sessions,
            profile_id=args.pin_profile,
            all=bool(args.pin_all),
            agent=agent,
            progress=progress_printer(sys.stderr),
        )
    except WriteError as exc:
        return print_failure(exc)
    print_change(change)
    return 0
