"""Journal first, on every path: a change is recorded as an intent before it is made and confirmed
after it, and an intent a kill left behind is settled from what is on disk (issue 16).

- A 2026.3 store (`json_store.apply`): the intent is written in OpenClaw's lock with the bytes
  about to be written, and settled by the file's SHA-256 (ours, the backup's, or neither).
- Chat pins (`sessions.unpin_file`): the same, in the session store's lock; when OpenClaw has
  rewritten `sessions.json` since (it does every turn), by the pins themselves
  (`sessions.pins_in_place`).
- 2026.6+ through the real CLI (`sqlite_era`): the intent is written before the CLI runs, with
  what the change touches before and after it (an order, a secret's fingerprint); it is settled
  by reading the install again (`change.recorded_install`), and recorded only if the install
  holds the change's own result (or, noted as uncertain, neither state).
- An undo (`claim_undo`, then `confirm_undo`): its intent is written before anything else and
  claims the change, so no second undo takes it meanwhile; each era's undo writes it again, with
  what it is about to do, just before it does it (in the file's lock, or before the CLI runs);
  confirming marks the change undone first, then records the undo. An undo's intent is settled
  by where the change it undoes stands: back as before it (the undo is recorded and the change
  marked undone), else dropped (and a mark it left is taken back); a claim that never got to
  act is dropped unjudged (someone else may have put things back meanwhile). An entry never
  says "undone" by an undo that did not land, nor stays undoable after one that did.

A writer holds its change (`journaled`: `journal.holding`) from before its intent until after its
record, and an intent still held is never judged, so recovery leaves a change in flight alone,
in this process or another; what fails inside `journaled` is settled at once.

Locks are always taken in one order: OpenClaw's lock on the file (the store's or the session
store's), then the journal's. Nothing waits for a file lock while holding the journal's, so two
of our processes never wait on each other for `LockBusy`.

A landed intent becomes an entry noted `RECOVERED_NOTE`; one whose target has changed since,
so that nobody can tell, `UNCERTAIN_NOTE` (undo then refuses it unless forced, as any change
made over since); one that did not land is dropped with its backup.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

from ..model import AgentAuth, Era
from ..secret import Secret
from . import journal
from .change import recorded_install, sha256_hex, undo_journal_entry
from .errors import JournalError, UndoRefused, WriteError
from .journal import JournalEntry
from .lock import SESSION_STORE, FileLock, lock_for
from .sessions import UNPIN, pins_in_place

RECOVERED_NOTE = "recorded after an interruption: the change had been made, its record had not."
UNCERTAIN_NOTE = (
    "interrupted while it was being made, and what it changed has changed since: it may not have landed. "
    "Undo puts back what was there before it (only with --force, as it changed since)."
)
RECOVER_LOCK_S = 0.3  # a file lock held longer is a change in flight: its intent waits for the next run
PRESENT = "present"  # `observed`: a profile without an inline secret
CLAIM = {"op": "claim"}  # an undo's intent before it does anything: nothing of it can have landed

State = Literal["before", "after", "neither"]


# --------------------------------------------------------------------------- recording


def record_intent(entry: JournalEntry) -> None:
    """Journal `entry` as about to happen (before the change): a kill after it leaves it findable."""
    try:
        with journal.locked():
            journal.write_intent(entry)
    except (JournalError, OSError) as exc:
        raise JournalError(f"nothing was changed: the change could not be journaled first ({exc}).") from None


def record_entry(entry: JournalEntry, done: str) -> None:
    """Confirm `entry` (its intent, if any, is dropped)."""
    try:
        with journal.locked():
            journal.write_entry(entry)
    except (JournalError, OSError) as exc:
        raise JournalError(
            f"{done} was done, but it could not be recorded for undo: {exc}",
            hint=f"The previous state is kept in {entry.backup}." if entry.backup else None,
        ) from None


@contextlib.contextmanager
def journaled(change_id: str) -> Iterator[None]:
    """The span of change `change_id`: its intent is written and confirmed inside. Recovery
    leaves it alone meanwhile; if the block raises, what the intent became is settled at once
    (nothing landed: no trace)."""
    try:
        with journal.holding(change_id):
            yield
    except BaseException:
        settle(change_id)
        raise


def refuse_if_done(entry: JournalEntry) -> None:
    if entry.action == "undo":
        raise UndoRefused(f"{entry.id} is itself an undo (of {entry.undo_of}); make the change again instead.")
    if entry.undone_by:
        raise UndoRefused(f"change {entry.id} was already undone (by {entry.undone_by}); it cannot be undone twice.")
    if not entry.undoable:
        why = "; ".join(entry.notes) or "it kept no copy of what it replaced"
        raise UndoRefused(f"change {entry.id} cannot be undone: {why}")


def claim_undo(change_id: str, undo_id: str) -> JournalEntry:
    """Change `change_id` as the journal has it now, claimed by undo `undo_id` (whose intent this
    writes, before anything is undone). Refused if it cannot be undone or is being undone."""
    with journal.locked():
        entry = journal.read_entry(change_id)
        refuse_if_done(entry)
        for other in journal.pending_ids():
            with contextlib.suppress(JournalError):
                if journal.read_intent(other).undo_of == entry.id:
                    why = "right now, by another run" if journal.held(other) else "by a run that was interrupted"
                    raise UndoRefused(
                        f"change {entry.id} is being undone {why} ({other}); nothing was changed.",
                        hint="See `openclaw-triage history` in a moment.",
                    )
        summary = f"Undoing change {entry.id} ({entry.summary.rstrip('.')})."
        journal.write_intent(undo_journal_entry(entry, undo_id, summary, file=entry.file, undo=dict(CLAIM)))
    return entry


def confirm_undo(entry: JournalEntry, undo_entry: JournalEntry) -> None:
    """Record that `undo_entry` undid `entry`: the mark first (a kill before the record leaves
    the undo's intent, which settles both), then the record, which drops the intent."""
    with journal.locked():
        journal.mark_undone(entry.id, undo_entry.id)
        journal.write_entry(undo_entry)


# --------------------------------------------------------------------------- where a change stands


def _kind(entry: JournalEntry) -> Literal["file", "sessions", "cli"]:
    if entry.action == UNPIN:
        return "sessions"
    return "file" if entry.era == str(Era.JSON) else "cli"


def where(entry: JournalEntry) -> State:
    """Where what change `entry` made stands now: its own result ("after"), what it replaced
    ("before"), or neither (changed since). Raises `WriteError` when that cannot be read now."""
    if _kind(entry) == "cli":
        return _where_cli(entry)
    path = Path(entry.file or "")
    current = _current_sha(path)
    if current == entry.after_sha256:
        return "after"
    before: str | None = None
    if entry.existed_before and entry.backup:
        with contextlib.suppress(JournalError):
            before = sha256_hex(journal.read_backup(entry.backup))
    if (entry.existed_before and before is not None and current == before) or (
        not entry.existed_before and current is None
    ):
        return "before"
    if _kind(entry) == "sessions":  # OpenClaw rewrites it every turn: the pins tell
        in_place = pins_in_place(path, (entry.undo or {}).get("entries") or {})
        if in_place is not None:
            return "before" if in_place else "after"
    return "neither"


def _current_sha(path: Path) -> str | None:
    from .atomic import observe  # never blocks on a FIFO in the file's place

    return sha256_hex(observe(path)[1])


_UNKNOWN = object()


def observed(aa: AgentAuth, spec: dict[str, Any]) -> Any:
    """What a 2026.6+ change (its `undo` record) touches, as the install holds it now: the
    agent's own order for the provider, or the profile's secret as a fingerprint (`PRESENT`
    without an inline one, None without the profile)."""
    if spec.get("op") == "order":
        return aa.layers[-1].order.get(str(spec.get("provider") or ""))
    profile = aa.effective.profiles.get(str(spec.get("profile_id") or ""))
    if profile is None:
        return None
    return profile.secret.fingerprint() if profile.secret is not None else PRESENT


def _states(entry: JournalEntry) -> tuple[Any, Any]:
    """What `observed` read before change `entry` and what it reads after it."""
    spec = entry.undo or {}
    op = spec.get("op")
    if op == "order":
        return spec.get("previous"), spec.get("expected")
    before: Any = spec.get("before", _UNKNOWN)
    if before is _UNKNOWN and entry.backup and (op == "readd" or spec.get("previous") == "backup"):
        with contextlib.suppress(JournalError, UnicodeDecodeError):
            before = Secret(journal.read_backup(entry.backup).decode("utf-8")).fingerprint()
    if before is _UNKNOWN and op == "key" and "previous" in spec and spec["previous"] is None:
        before = None
    if op == "key":
        return before, spec.get("expected")
    if op == "readd":
        return before, None
    return _UNKNOWN, _UNKNOWN


def _where_cli(entry: JournalEntry) -> State:
    try:
        aa = recorded_install(entry).agent
    except Exception as exc:  # an install that cannot be read now is judged at a later run
        raise JournalError(f"cannot read the install of change {entry.id} again ({type(exc).__name__}).") from None
    now = observed(aa, entry.undo or {})
    before, after = _states(entry)
    if after is not _UNKNOWN and now == after:
        return "after"
    if before is not _UNKNOWN and now == before:
        return "before"
    return "neither"


# --------------------------------------------------------------------------- settling


def _file_lock(entry: JournalEntry) -> contextlib.AbstractContextManager[Any]:
    """OpenClaw's lock on the file `entry` changed (none for a CLI change): a change still
    writing it holds it, and no OpenClaw writer changes it while we look."""
    kind = _kind(entry)
    if kind == "cli" or not entry.file:
        return contextlib.nullcontext()
    path = Path(entry.file)
    if kind == "sessions":
        return FileLock(path, scheme=SESSION_STORE, timeout=RECOVER_LOCK_S)
    return FileLock(lock_for(path), timeout=RECOVER_LOCK_S)


def settle(change_id: str) -> bool:
    """Decide what the intent of `change_id` became, if it has one nobody holds; True if it was
    settled. Never raises: what cannot be settled now (its file locked by a change in flight, an
    install that cannot be read, a damaged intent) is left for the next run."""
    try:
        if journal.held(change_id) or not journal.has_intent(change_id):
            return False
        intent = journal.read_intent(change_id)
        original = None
        if intent.undo_of is not None:
            if not journal.has_entry(intent.undo_of):  # the change it undid is gone from the journal
                with journal.locked():
                    journal.drop_intent(change_id)
                return True
            original = journal.read_entry(intent.undo_of)
        subject = original or intent
        if _kind(subject) != "cli" and not (subject.file and Path(subject.file).parent.is_dir()):
            with journal.locked():  # its folder is gone: nothing there to settle
                journal.drop_intent(change_id)
            journal.drop_hold(change_id)
            return True
        with _file_lock(subject), journal.locked():
            if not journal.has_intent(change_id):
                return False
            _settle(journal.read_intent(change_id), original)
        journal.drop_hold(change_id)
        return True
    except (WriteError, OSError):
        return False


def _settle(intent: JournalEntry, original: JournalEntry | None) -> None:
    """Settle one intent (inside the file's lock and the journal's); `original`: the change an
    undo's intent undoes."""
    if journal.has_entry(intent.id):  # recorded; only its intent was left
        if original is not None and original.undone_by != intent.id:
            journal.mark_undone(original.id, intent.id)
        journal.drop_intent(intent.id)
        return
    if original is None:
        state = where(intent)
        if state == "before":  # it never happened
            journal.drop_intent(intent.id)
            if intent.backup:
                journal.remove_backup(intent.backup)  # what it kept is still where it was
            return
        note = RECOVERED_NOTE if state == "after" else UNCERTAIN_NOTE
        journal.write_entry(replace(intent, notes=[*intent.notes, note]))
        return
    if intent.undo != CLAIM and where(original) == "before":  # the undo landed
        journal.mark_undone(original.id, intent.id)  # first, as `confirm_undo`
        journal.write_entry(replace(intent, notes=[*intent.notes, RECOVERED_NOTE]))
        return
    if original.undone_by == intent.id:  # marked, but it did not land: undoable again
        journal.mark_undone(original.id, None)
    journal.drop_intent(intent.id)


def recover_intents() -> list[str]:
    """Settle every change a kill left between its intent and its record; the ids settled."""
    try:
        ids = journal.pending_ids()
        for change_id in journal.hold_ids():  # a writer killed after its record, before its unlock
            if change_id not in ids and not journal.held(change_id) and not journal.has_intent(change_id):
                journal.drop_hold(change_id)
    except WriteError:
        return []
    return [change_id for change_id in ids if settle(change_id)]
