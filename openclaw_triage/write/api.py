"""The one door every change goes through: `apply(install, action)`, and undo.

`apply` performs any fix of `openclaw_triage.actions` (an order pinned or cleared, a key set,
chats unpinned, the gateway reloaded, a pairing approved); `set_order`, `clear_order`,
`set_key`, `remove_profile` and `unpin` are the same doors for callers that hold the pieces.
Per era: 2026.3 stores are edited in place under OpenClaw's lock (`json_store`), with a backup
first and a running gateway told to reload afterwards; 2026.6+ stores are changed only by the
real `openclaw` CLI (`cli_runner`), with the inverse operation recorded. Every change lands in
the journal and can be undone once. Safe to call from worker threads: writes to one install are
serialised, and nothing here touches the terminal (`progress` gets status text).

A change reads the install once more when it is done (`change.AfterRead`): its own checks, the
notes on what OpenClaw does now, and `Change.install` for the caller all come from that read.

Before anything else, every door settles what an earlier run killed mid-change left in the
journal (`intents.recover_intents`). A 2026.3 change is refused when `openclaw.json` is one
OpenClaw refuses to load (what `openclaw.config.load_config` recorded in `ConfigFile.error`:
unparsable, not an object, an `$include` cycle or escape): OpenClaw's own commands and gateway
stop at such a config, so "✓ Pinned" would be a promise nothing keeps. 2026.9 changes go
through its CLI, which loads the config itself and refuses with its own words.

The work itself lives beside this module: `change` (the `Change` and shared helpers),
`json_era`, `sqlite_era`, `unpin` and `live`; this door checks arguments, takes the install's
lock and dispatches by era.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from ..actions import Action, DoctorFix, GatewayReload, KeySet, OrderClear, OrderPin, PairingApprove, Unpin
from ..model import CredentialType, Era, Install
from ..secret import Secret
from . import journal
from .change import AfterRead, Change, agent_auth, clean_profile_id, effect_notes, install_lock
from .cli_runner import Progress
from .doctor import ACTION as DOCTOR
from .doctor import doctor_fix, undo_doctor
from .errors import CliFailed, ConfigBroken, InvalidInput, NothingToUndo, WriteError
from .intents import claim_undo, confirm_undo, journaled, recover_intents
from .journal import JournalEntry
from .json_era import json_clear_order, json_remove, json_set_key, json_set_order, undo_json
from .sessions import UNPIN
from .sqlite_era import sqlite_clear_order, sqlite_remove, sqlite_set_key, sqlite_set_order, undo_sqlite
from .unpin import json_unpin, sqlite_unpin_refusal, undo_unpin, unpin_targets
from .validate import check_secret

# --------------------------------------------------------------------------- the door


def apply(install: Install, action: Action, *, progress: Progress = None) -> Change:
    """Perform `action` on `install`; the `Change` says what happened and carries the install re-read.

    Raises a `WriteError` (nothing changed, or a live action that OpenClaw refused).
    """
    if isinstance(action, OrderPin):
        return set_order(install, action.provider, action.profile_ids, agent=action.agent, progress=progress)
    if isinstance(action, OrderClear):
        return clear_order(install, action.provider, agent=action.agent, progress=progress)
    if isinstance(action, KeySet):
        return set_key(
            install, action.provider, action.profile_id, action.secret, type=action.type, agent=action.agent,
            progress=progress,
        )  # fmt: skip
    if isinstance(action, Unpin):
        keys = action.session_keys or None
        return unpin(
            install, session_key=keys, profile_id=None if keys else action.profile_id, all=action.every,
            agent=action.agent, progress=progress,
        )  # fmt: skip
    if isinstance(action, GatewayReload | PairingApprove):
        return _live(install, action, progress)
    if isinstance(action, DoctorFix):
        return upgrade_fix(install, agent=action.agent, progress=progress)
    raise InvalidInput(f"not an action the tool can apply: {action!r}")


def _live(install: Install, action: GatewayReload | PairingApprove, progress: Progress) -> Change:
    """The live side's fixes run OpenClaw's own CLI; nothing is journaled (there is nothing to put back)."""
    from .live import approve_pairing, reload_secrets

    if isinstance(action, GatewayReload):
        result = reload_secrets(install, progress=progress)
    else:
        result = approve_pairing(install, action.code, progress=progress)
    if not result.ok:
        raise CliFailed(result.message, output=result.output, hint=f"The command was: {result.command}")
    agent = agent_auth(install, action.agent).agent_id
    fresh = AfterRead(install, agent).get_or_none()
    return Change("", result.message, install.era, False, action=result.action, agent=agent, install=fresh)


def _ready(install: Install) -> None:
    """Settle interrupted changes, and refuse a 2026.3 change OpenClaw could not load the config for."""
    recover_intents()
    cfg = install.config
    if install.era is Era.JSON and cfg.exists and cfg.error:
        raise ConfigBroken(
            f"{cfg.path} cannot be loaded: {cfg.error}. OpenClaw refuses to start with it, so this change "
            "would not take effect. Nothing was changed.",
            hint="Fix openclaw.json first (`openclaw-triage check` says what is wrong), then run this again.",
        )


def _done(change: Change, reread: AfterRead, provider: str | None = None, profile_id: str | None = None) -> Change:
    """A change as the caller gets it: the notes on what OpenClaw does now, and the install re-read."""
    if not change.changed:
        return change
    fresh = reread.get_or_none()
    notes = [*change.notes, *effect_notes(fresh, provider, profile_id)] if provider else change.notes
    return replace(change, notes=notes, install=fresh)


def set_order(
    install: Install,
    provider: str,
    ids: Sequence[str],
    *,
    agent: str | None = None,
    progress: Progress = None,
    validate: bool = True,
) -> Change:
    """Pin the order OpenClaw tries `provider`'s profiles in (the stored override), for one agent.

    Every id must exist for the agent and belong to the provider, as `openclaw models auth
    order set` insists, unless `validate=False` (2026.3 only; the 2026.9 CLI always checks).
    """
    if isinstance(ids, str):
        raise InvalidInput("ids must be a list of profile ids, not one string.")
    aa = agent_auth(install, agent)
    _ready(install)
    reread = AfterRead(install, aa.agent_id)
    with install_lock(install.state_dir):
        if install.era is Era.JSON:
            change = json_set_order(install, aa, provider, ids, validate, progress)
        else:
            change = sqlite_set_order(install, aa.agent_id, provider, ids, validate, progress, reread)
        return _done(change, reread, provider)


def clear_order(install: Install, provider: str, *, agent: str | None = None, progress: Progress = None) -> Change:
    """Remove the agent's stored order for `provider`, so the config order (or OpenClaw's default) applies."""
    aa = agent_auth(install, agent)
    _ready(install)
    reread = AfterRead(install, aa.agent_id)
    with install_lock(install.state_dir):
        if install.era is Era.JSON:
            change = json_clear_order(install, aa, provider, progress)
        else:
            change = sqlite_clear_order(install, aa.agent_id, provider, progress, reread)
        return _done(change, reread, provider)


def set_key(
    install: Install,
    provider: str,
    profile_id: str,
    secret: Secret,
    *,
    type: CredentialType,
    agent: str | None = None,
    progress: Progress = None,
) -> Change:
    """Store `secret` in the api_key or token profile `profile_id` (created if missing).

    The secret is cleaned only where that cannot change it (`keys.sanitize`) and refused if it
    is malformed or of the wrong kind for `type` (`InvalidSecret`, nothing changed).
    """
    if not isinstance(secret, Secret):
        raise InvalidInput("the secret must be passed as a Secret.")
    ctype = CredentialType(type)
    pid = clean_profile_id(profile_id)
    aa = agent_auth(install, agent)
    _ready(install)
    checked = check_secret(provider, secret.get_secret_value(), ctype, store=aa.effective)
    reread = AfterRead(install, aa.agent_id)
    with install_lock(install.state_dir):
        if install.era is Era.JSON:
            change = json_set_key(install, aa, provider, pid, checked.value, ctype, progress)
        else:
            change = sqlite_set_key(install, aa.agent_id, provider, pid, checked.value, ctype, progress, reread)
        if checked.cleaned and change.changed:
            change.notes.insert(0, "cleaned before saving: " + "; ".join(checked.cleaned) + ".")
        return _done(change, reread, provider, pid)


def remove_profile(install: Install, profile_id: str, *, agent: str | None = None, progress: Progress = None) -> Change:
    """Delete a profile and the references to it; undoable when it held an inline key or token."""
    pid = clean_profile_id(profile_id)
    aa = agent_auth(install, agent)
    _ready(install)
    reread = AfterRead(install, aa.agent_id)
    with install_lock(install.state_dir):
        if install.era is Era.JSON:
            change = json_remove(install, aa, pid, progress)
        else:
            change = sqlite_remove(install, aa.agent_id, pid, progress, reread)
        return _done(change, reread)


def upgrade_fix(install: Install, *, agent: str | None = None, progress: Progress = None) -> Change:
    """Run `openclaw doctor --fix` (the release's own upgrade repair), the state dir backed up first."""
    _ready(install)
    with install_lock(install.state_dir):
        change = doctor_fix(install, agent=agent, progress=progress)
        return replace(change, install=AfterRead(install, change.agent).get_or_none()) if change.changed else change


def history() -> list[JournalEntry]:
    """Every recorded change, newest first."""
    recover_intents()
    return journal.entries()


def unpin(
    install: Install,
    *,
    session_key: str | Sequence[str] | None = None,
    profile_id: str | None = None,
    all: bool = False,  # the CLI's --all (shadows the builtin here only)
    agent: str | None = None,
    progress: Progress = None,
) -> Change:
    """Clear chat sessions' auth pins as OpenClaw itself does, so their next turn follows the order.

    Exactly one of `session_key` (one key or several), `profile_id` (every chat pinned to it)
    or `all`. 2026.3: `sessions.json` is changed under OpenClaw's session lock (journaled,
    undoable). 2026.9 offers no way to clear a pin from outside the chat: `Unsupported`, whose
    hint carries the chat command.
    """
    keys, pid = unpin_targets(session_key, profile_id, all)
    aa = agent_auth(install, agent)
    if install.era is not Era.JSON:
        raise sqlite_unpin_refusal(install, aa, keys, pid)
    _ready(install)
    reread = AfterRead(install, aa.agent_id)
    with install_lock(install.state_dir):
        return _done(json_unpin(install, aa, keys, pid, all, progress, reread), reread)


# --------------------------------------------------------------------------- undo


def latest_undoable(state_dir: Path | None = None, agent: str | None = None) -> JournalEntry | None:
    """The newest change that can still be undone ON THIS INSTALL (and agent), or None.

    The journal is shared by every install this user touched (a demo included): without the
    filter, `z` in a throw-away demo could roll back yesterday's change to the real install.
    """
    here = os.path.realpath(state_dir) if state_dir is not None else None
    recover_intents()
    for entry in journal.entries():
        if entry.action == "undo" or not entry.undoable or entry.undone_by:
            continue
        if here is not None and os.path.realpath(entry.state_dir) != here:
            continue
        if agent is not None and entry.agent != agent:
            continue
        return entry
    return None


def undoable(change_id: str) -> bool:
    """Whether the recorded change `change_id` can still be undone."""
    try:
        entry = journal.read_entry(change_id)
    except WriteError:
        return False
    return entry.action != "undo" and entry.undoable and not entry.undone_by


def _pick(change_id: str | None, state_dir: Path | None = None, agent: str | None = None) -> JournalEntry:
    """The change to undo: the one named, else `latest_undoable` on this install."""
    if change_id:
        return journal.read_entry(change_id.strip())
    entry = latest_undoable(state_dir, agent)
    if entry is None:
        where = f" on {state_dir}" if state_dir is not None else ""
        raise NothingToUndo(f"there is no change left to undo{where} (see `openclaw-triage history`).")
    return entry


def undo(
    change_id: str | None = None,
    *,
    force: bool = False,
    progress: Progress = None,
    install: Install | None = None,
    agent: str | None = None,
) -> Change:
    """Take back a change (the latest one still undoable when `change_id` is None), exactly.

    With `install` (and `agent`), "the latest" means the latest made on that install (and agent).

    2026.3: the previous bytes are restored under the lock, refused (`Conflict`) if the file
    changed since our write unless `force`. 2026.9: the recorded inverse operation runs through
    the CLI, refused if the setting changed since unless `force`. A change is undone only once.
    """
    recover_intents()
    first = _pick(change_id, install.state_dir if install is not None else None, agent)
    undo_id = journal.new_id()
    # Journal first, as every change: the undo's intent claims the change before anything is
    # undone, and no journal lock is held while the store's lock is waited for (`intents`).
    with install_lock(first.state_dir), journaled(undo_id):
        entry = claim_undo(first.id, undo_id)
        if entry.action == UNPIN:
            undo_entry = undo_unpin(entry, undo_id, force, progress)
        elif entry.action == DOCTOR:
            undo_entry = undo_doctor(entry, undo_id, force, progress)
        elif entry.era == str(Era.JSON):
            undo_entry = undo_json(entry, undo_id, force, progress)
        else:
            undo_entry = undo_sqlite(entry, undo_id, force, progress)
        confirm_undo(entry, undo_entry)
    return Change(
        undo_id,
        undo_entry.summary,
        Era(entry.era),
        False,
        Path(undo_entry.backup) if undo_entry.backup else None,
        list(undo_entry.notes),
        "undo",
        entry.agent,
        entry.provider,
        entry.profile_id,
        True,
        Path(entry.file) if entry.file else None,
        install=AfterRead(install, install.selected_agent_id).get_or_none() if install is not None else None,
    )


__all__ = [
    "Change",
    "JournalEntry",
    "WriteError",
    "agent_auth",
    "apply",
    "clean_profile_id",
    "clear_order",
    "history",
    "latest_undoable",
    "remove_profile",
    "set_key",
    "set_order",
    "undo",
    "undoable",
    "unpin",
    "upgrade_fix",
]
