"""What every write shares: the `Change` it reports, and the helpers both eras and undo lean on.

One in-process lock per install, the agent a change applies to, a profile id checked before it is
written anywhere, the journal record of a change (`new_entry`, `undo_journal_entry`) and the
install it was made on (`cli_record`, read again by `recorded_install`), and the advisory "what
OpenClaw does now" notes. Kept apart so the era modules (`json_era`, `sqlite_era`, `unpin`),
`intents` (journal first, and recovery) and the public door (`api`) import it without importing
each other.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import AgentAuth, CredentialType, Era, Install
from ..openclaw.locate import normalize_agent_id
from . import journal
from .cli_runner import env_from_overrides, location_overrides
from .errors import InvalidInput
from .journal import JournalEntry


@dataclass(frozen=True, slots=True)
class Change:
    """What a write did, for people: one masked sentence, notes, and how to take it back."""

    id: str  # journal id; "" when nothing had to change
    summary: str
    era: Era
    undoable: bool
    backup: Path | None = None
    notes: list[str] = field(default_factory=list)
    action: str = ""
    agent: str = ""
    provider: str | None = None
    profile_id: str | None = None
    changed: bool = True
    file: Path | None = None
    sessions: tuple[str, ...] = ()  # chat session keys a session change touched
    install: Install | None = field(default=None, repr=False, compare=False)  # re-read after the change


# --------------------------------------------------------------------------- shared helpers

_INSTALL_LOCKS: dict[str, threading.RLock] = {}
_INSTALL_LOCKS_GUARD = threading.Lock()


def install_lock(state_dir: str | Path) -> threading.RLock:
    """One lock per install in this process: our writes (and their checks) never interleave."""
    with _INSTALL_LOCKS_GUARD:
        return _INSTALL_LOCKS.setdefault(str(state_dir), threading.RLock())


def agent_auth(install: Install, agent: str | None) -> AgentAuth:
    """The agent a change applies to: `agent` (normalised as OpenClaw does), else the selected one."""
    wanted = normalize_agent_id(agent) if agent else install.selected_agent_id
    for entry in install.agents:
        if entry.agent_id == wanted:
            return entry
    known = ", ".join(a.agent_id for a in install.agents) or "none"
    raise InvalidInput(f'unknown agent "{agent}" (agents: {known}).')


def clean_profile_id(profile_id: str) -> str:
    """A profile id as given, trimmed; a pasted key in its place is refused before it is written anywhere."""
    from ..keys import KeyKind, classify

    value = (profile_id or "").strip()
    if not value:
        raise InvalidInput("a profile id is required (e.g. anthropic:default).")
    if len(value) > 40 and classify(value).kind not in (KeyKind.UNKNOWN, KeyKind.PLACEHOLDER):
        raise InvalidInput(
            "the profile id looks like a key, not an id (ids look like anthropic:default); nothing was changed.",
            hint="Pass the key on stdin or through the clipboard, and the profile with --profile-id.",
        )
    return value


def sha256_hex(data: bytes | None) -> str | None:
    return hashlib.sha256(data).hexdigest() if data is not None else None


def cli_record(install: Install, agent_flag: str | None = None) -> dict[str, Any]:
    """What a later undo needs to reach this install again: paths and the CLI, never a secret."""
    from ..runtime.gateway import gateway_port

    return {
        "path": install.cli.path,
        "version": install.cli.version,
        "env": location_overrides(install),
        "configPath": str(install.config.path),
        "gatewayPort": gateway_port(install.seen_env, install.config.data),
        "sandbox": str(install.sandbox) if install.sandbox is not None else None,
        "agentFlag": agent_flag,
    }


def reinspect(install: Install, agent: str) -> Install:
    """The install as it is now (stores change under us), seen with the same environment."""
    from ..openclaw.install import inspect_install
    from ..openclaw.locate import Options

    explicit = agent if agent != install.default_agent_id else None
    sandbox = str(install.sandbox) if install.sandbox is not None else None
    return inspect_install(Options(agent=explicit, openclaw=install.cli.path, sandbox=sandbox), env=install.seen_env)


def recorded_install(entry: JournalEntry) -> Install:
    """The install a journal entry was made on, read as it is now: its recorded paths, agent and
    CLI in our own environment (undo and recovery run long after the change, without its install)."""
    from ..openclaw.install import inspect_install
    from ..openclaw.locate import Options

    cli = entry.cli or {}
    options = Options(
        state_dir=entry.state_dir,
        config=cli.get("configPath"),
        agent=cli.get("agentFlag"),
        openclaw=cli.get("path"),
        sandbox=cli.get("sandbox"),
    )
    return inspect_install(options, env=env_from_overrides(cli.get("env") or {}))


class AfterRead:
    """The install as a change left it, read once: the checks after the write, the notes on
    what OpenClaw does now, and the caller (the app draws its next screen from it) share it."""

    __slots__ = ("_agent", "_fresh", "_install")

    def __init__(self, install: Install, agent: str) -> None:
        self._install = install
        self._agent = agent
        self._fresh: Install | None = None

    def get(self) -> Install:
        if self._fresh is None:
            self._fresh = reinspect(self._install, self._agent)
        return self._fresh

    def get_or_none(self) -> Install | None:
        """The re-read, or None if it failed (advisory uses must not fail a change that was made)."""
        try:
            return self.get()
        except Exception:
            return None


def effect_notes(fresh: Install | None, provider: str, profile_id: str | None = None) -> list[str]:
    """What OpenClaw will now do for `provider`, from the install as re-read after the change:
    the answer a user really wants."""
    if fresh is None:
        return []
    try:
        from ..openclaw.layouts import retired_profile_ids
        from ..openclaw.order import resolve_order

        aa = fresh.agent
        result = resolve_order(
            aa.effective,
            fresh.config.data,
            provider,
            era=fresh.era,
            now_ms=time.time() * 1000,
            env=fresh.seen_env,
            retired=retired_profile_ids(fresh.release),
        )
    except Exception:  # advisory only: a failed re-read must not turn a done change into an error
        return []
    key = result.provider
    notes = []
    if profile_id is not None:
        if profile_id in result.excluded:
            notes.append(f"OpenClaw will skip {profile_id}: {result.excluded[profile_id].text}.")
        elif profile_id not in result.effective and profile_id in aa.effective.profiles:
            why = {
                "stored override": "the stored order override does not name it",
                "config auth.order": "the config's auth.order does not name it",
                "config auth.profiles": f"the config's auth.profiles lists other {key} profiles but not this one",
            }.get(result.base_from, f"it is not among the {result.base_from} profiles")
            notes.append(
                f"OpenClaw will not try {profile_id} yet: {why}. "
                f"Pin it with `openclaw-triage order pin --provider {key} {profile_id}` (add the others after it)."
            )
        elif result.effective and result.effective[0] != profile_id and profile_id in result.effective:
            notes.append(f"OpenClaw still tries {result.effective[0]} first; pin the order to use {profile_id} first.")
        if profile_id in result.cooled:
            notes.append(
                f"{profile_id} is still in a cooldown from earlier failures; OpenClaw tries it last until then."
            )
    elif result.next:
        notes.append(f"OpenClaw's next {key} request uses {result.next}.")
    else:
        notes.append(f"OpenClaw has no usable {key} profile for this agent now.")
    return notes


def no_change(era: Era, summary: str, notes: list[str], action: str, agent: str, **extra: Any) -> Change:
    return Change("", summary, era, False, None, notes, action, agent, changed=False, **extra)


def kind_word(ctype: CredentialType) -> str:
    return "API key" if ctype is CredentialType.API_KEY else "token"


def new_entry(install: Install, agent: str, change_id: str, action: str, summary: str, **fields: Any) -> JournalEntry:
    """The journal record of a change to `install` (stamped now): the one way a change's entry is made."""
    return JournalEntry(
        id=change_id,
        time=journal.now_iso(),
        action=action,
        era=str(install.era),
        state_dir=str(install.state_dir),
        agent=agent,
        summary=summary,
        **fields,
    )


def undo_journal_entry(entry: JournalEntry, undo_id: str, summary: str, **kw: Any) -> JournalEntry:
    """The record of undoing `entry`: where and for whom it was, itself never undoable."""
    return JournalEntry(
        id=undo_id,
        time=journal.now_iso(),
        action="undo",
        era=entry.era,
        state_dir=entry.state_dir,
        agent=entry.agent,
        summary=summary,
        provider=entry.provider,
        profile_id=entry.profile_id,
        cli=entry.cli,
        undoable=False,
        undo_of=entry.id,
        **kw,
    )
