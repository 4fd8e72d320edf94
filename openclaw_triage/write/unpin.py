"""Chat sessions: clearing an auth pin so a chat's next turn follows the order, and putting it back.

2026.3 only: `sessions.json` is changed under OpenClaw's session lock (`write.sessions`),
journaled and undoable. 2026.6+ offers no outside route, so the refusal carries the in-chat
`/model` command to use instead. The public entry, `api.unpin`, validates and dispatches here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..model import AgentAuth, Era, Install
from ..openclaw.coerce import normalize_provider
from . import journal
from .change import AfterRead, Change, effect_notes, new_entry, no_change, sha256_hex, undo_journal_entry
from .cli_runner import Progress, say
from .errors import InvalidInput, UndoRefused, Unsupported
from .intents import journaled, record_entry, record_intent
from .journal import JournalEntry
from .sessions import UNPIN


def _session_selector(
    keys: Sequence[str] | None, profile_id: str | None, everything: bool, agent: str
) -> Callable[[str, dict[str, Any]], bool]:
    """Which `sessions.json` entries an unpin takes: pinned ones of this agent, by key, profile or all."""
    from ..runtime.sessions import agent_of, resolve_pin

    wanted = {k.strip().lower() for k in keys} if keys else None

    def select(key: str, entry: dict[str, Any]) -> bool:
        pin = resolve_pin(entry, Era.JSON)
        if pin is None or agent_of(key, agent) != agent:
            return False
        if wanted is not None:
            return key.strip().lower() in wanted  # OpenClaw matches session keys case-insensitively
        if profile_id is not None:
            return pin.profile_id == profile_id
        return everything

    return select


def unpin_targets(
    session_key: str | Sequence[str] | None, profile_id: str | None, everything: bool
) -> tuple[list[str] | None, str | None]:
    keys = [session_key] if isinstance(session_key, str) else (list(session_key) if session_key else None)
    chosen = sum(1 for x in (keys, profile_id) if x) + (1 if everything else 0)
    if chosen != 1:
        raise InvalidInput("name exactly one of: a session key, a profile id, or all.")
    if keys is not None and not all(isinstance(k, str) and k.strip() for k in keys):
        raise InvalidInput("a session key is required (e.g. agent:main:main; `openclaw-triage sessions` lists them).")
    return keys, profile_id.strip() if profile_id else None


def json_unpin(
    install: Install,
    aa: AgentAuth,
    keys: list[str] | None,
    pid: str | None,
    everything: bool,
    progress: Progress,
    reread: AfterRead,
) -> Change:
    from ..runtime.sessions import legacy_store_path, load_legacy_store
    from . import sessions as session_write

    path = legacy_store_path(install, aa.agent_id)
    if keys is not None:
        known = {s.key.strip().lower() for s in load_legacy_store(path, aa.agent_id).sessions}
        missing = [k for k in keys if k.strip().lower() not in known]
        if missing:
            raise InvalidInput(
                f"no chat session {', '.join(missing)} for agent {aa.agent_id} in {path}.",
                hint="`openclaw-triage sessions` lists the sessions and their keys.",
            )
    change_id = journal.new_id()
    say(progress, f"Clearing chat pins in {path} …")

    def entry_of(result: session_write.UnpinResult) -> JournalEntry:
        removed = result.removed
        summary = (
            f"Unpinned {removed[0].key} (was {removed[0].profile_id}, {removed[0].source})."
            if len(removed) == 1
            else f"Unpinned {len(removed)} chats ({', '.join(sorted({r.profile_id for r in removed}))})."
        )
        notes = [
            f"{key} was answering while we wrote: when that turn ends, OpenClaw may write its old pin back; "
            "check with `openclaw-triage sessions` and unpin it again."
            for key in result.busy
        ]
        return new_entry(
            install,
            aa.agent_id,
            change_id,
            UNPIN,
            summary,
            profile_id=pid,
            file=str(path),
            backup=str(result.backup) if result.backup else None,
            mode_before=result.mode,
            after_sha256=sha256_hex(result.after),
            undo={"op": "repin", "entries": {r.key: r.to_json() for r in removed}},
            notes=notes,
        )

    with journaled(change_id):  # journaled first, in the session lock (issue 16), as every change
        result = session_write.unpin_file(
            path,
            _session_selector(keys, pid, everything, aa.agent_id),
            backup=lambda raw: journal.save_backup(change_id, "sessions.json", raw),
            intent=lambda pending: record_intent(entry_of(pending)),
        )
        what = f"pinned to {pid}" if pid else ("named" if keys else "pinned")
        if not result.removed:
            return no_change(
                Era.JSON, f"No chat {what} has a pin to clear.", [], UNPIN, aa.agent_id, profile_id=pid, file=path
            )
        entry = entry_of(result)
        record_entry(entry, entry.summary)
    removed, summary, notes = result.removed, entry.summary, list(entry.notes)
    providers = {_pin_provider(aa, r.profile_id) for r in removed}
    for provider in sorted(p for p in providers if p):
        notes.extend(effect_notes(reread.get_or_none(), provider))
    return Change(
        change_id,
        summary,
        Era.JSON,
        True,
        result.backup,
        notes,
        UNPIN,
        aa.agent_id,
        profile_id=pid,
        file=path,
        sessions=tuple(r.key for r in removed),
    )


def _pin_provider(aa: AgentAuth, profile_id: str) -> str | None:
    profile = aa.effective.profiles.get(profile_id)
    if profile is not None:
        return normalize_provider(profile.provider, Era.JSON)
    head = normalize_provider(profile_id.split(":", 1)[0], Era.JSON)
    return head or None


def sqlite_unpin_refusal(install: Install, aa: AgentAuth, keys: list[str] | None, pid: str | None) -> Unsupported:
    """2026.9: no route through OpenClaw clears a pin (checked in its dist and with the real gateway)."""
    from ..runtime.sessions import load_sessions, sessions_of

    commands = []
    try:
        sessions = sessions_of(load_sessions(install, agent=aa.agent_id), aa.agent_id)
    except Exception:  # advisory only
        sessions = []
    wanted = {k.strip().lower() for k in keys} if keys else None
    for s in sessions:
        if s.pin is None or (wanted is not None and s.key.lower() not in wanted) or (pid and s.pin.profile_id != pid):
            continue
        provider = _pin_provider(aa, s.pin.profile_id) or "anthropic"
        try:
            from ..openclaw.layouts import retired_profile_ids
            from ..openclaw.order import resolve_order

            first = resolve_order(
                aa.effective,
                install.config.data,
                provider,
                era=install.era,
                now_ms=time.time() * 1000,
                retired=retired_profile_ids(install.release),
            ).next
        except Exception:  # advisory only
            first = None
        commands.append(f"{s.key}: /model {s.model or '<provider/model>'}@{first or '<a working profile>'}")
    listed = ("; ".join(commands[:5]) + (f"; … {len(commands) - 5} more" if len(commands) > 5 else "")) or (
        "/model <provider/model>@<the profile the order puts first>"
    )
    return Unsupported(
        f"OpenClaw {install.cli.version or '2026.6+'} offers no way to clear a chat's pin from outside the chat: its "
        "sessions live in a database only OpenClaw may write, sessions.patch and sessions.reset keep a user pin, and "
        "/reset, /new and /model without @profile keep it too. Nothing was changed.",
        hint="In each chat, pin it to the profile the order puts first instead: " + listed + ".",
    )


def undo_unpin(entry: JournalEntry, undo_id: str, force: bool, progress: Progress) -> JournalEntry:
    """Put the pins back where they were (not the old bytes: OpenClaw rewrites sessions.json every turn)."""
    from . import sessions as session_write

    if not entry.file:
        raise UndoRefused(f"change {entry.id} names no session store.")
    path = Path(entry.file)
    records = (entry.undo or {}).get("entries") or {}
    saved: list[Path] = []

    def backup(raw: bytes) -> Path:
        saved.append(journal.save_backup(undo_id, "sessions.json", raw))
        return saved[-1]

    def entry_of(result: session_write.RepinResult) -> JournalEntry:
        if result.restored:
            summary = f"Pinned {', '.join(result.restored)} again as before change {entry.id}."
        else:
            summary = f"The pins of change {entry.id} are already in place; nothing to restore."
        return undo_journal_entry(
            entry,
            undo_id,
            summary,
            file=str(path),
            backup=str(saved[0]) if saved else None,
            after_sha256=sha256_hex(result.after),
            notes=[f"skipped {s}." for s in result.skipped],
        )

    say(progress, f"Pinning chats again in {path} …")
    result = session_write.repin_file(
        path, records, force=force, backup=backup, intent=lambda pending: record_intent(entry_of(pending))
    )
    return entry_of(result)
