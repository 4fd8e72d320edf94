"""Backups and the change journal: what we changed, where the old bytes are, how to undo it.

Everything lives in our own state dir (`util.state.state_root`): `journal/<id>.json` entries and `backups/<id>.<what>` files.
Directories are 0700 and files 0600 because a backup of `auth-profiles.json` holds keys.
Names come from the time and random bytes, never from anything in the store. Entry text
holds masks only; a previous secret the SQLite-era undo needs sits in its own 0600 backup.

A change is journaled before it is made (issue 16: a kill between the write and its record left
a change `history` and `undo` could not reach): its entry goes first to `<id>.pending.json`
(the intent), then the change is made, then the entry is confirmed as `<id>.json` and the
intent removed. While it runs, its writer holds `<id>.pending.lock` (`holding`, a `flock` the
kernel drops when the writer dies, `kill -9` included), so `intents.recover_intents` settles
only the intents nobody is still working on.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..util.state import state_root
from .atomic import give_to_folder_owner, make_dirs, write_atomic
from .errors import JournalError

SCHEMA = 1
_GUARD = threading.RLock()
_DEPTH = [0]  # nesting of `locked()` in the thread holding _GUARD: flock only at the outermost level


def _private_dir(path: Path) -> Path:
    try:
        make_dirs(path)
        os.chmod(path, 0o700)
    except OSError as exc:
        raise JournalError(f"cannot create {path}: {exc.strerror}") from None
    return path


def journal_dir() -> Path:
    return _private_dir(_private_dir(state_root()) / "journal")


def backups_dir() -> Path:
    return _private_dir(_private_dir(state_root()) / "backups")


def new_id() -> str:
    """Sortable and unique: `20261125T124501123456Z-1a2b3c4d` (UTC time, then 32 random bits)."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(4)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _valid_id(change_id: str) -> bool:
    return bool(change_id) and all(c.isalnum() or c == "-" for c in change_id) and len(change_id) <= 64


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One change as recorded: enough to explain it and to undo it, and no secret."""

    id: str
    time: str
    action: str  # set_order | clear_order | set_key | remove_profile | undo
    era: str
    state_dir: str
    agent: str
    summary: str  # one sentence, masks only
    provider: str | None = None
    profile_id: str | None = None
    file: str | None = None  # JSON era: the store we replaced
    backup: str | None = None  # JSON era: its previous bytes; SQLite era: the previous secret
    existed_before: bool = True
    mode_before: int | None = None
    after_sha256: str | None = None  # JSON era: the bytes we wrote, to detect later changes
    undo: dict[str, Any] = field(default_factory=dict)  # SQLite era: the inverse operation
    cli: dict[str, Any] = field(default_factory=dict)  # path of `openclaw` and the env overrides it needs
    notes: list[str] = field(default_factory=list)
    undoable: bool = True
    undone_by: str | None = None
    undo_of: str | None = None
    schema: int = SCHEMA

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JournalEntry:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@contextlib.contextmanager
def locked() -> Iterator[None]:
    """Serialise journal updates across threads and across our own processes."""
    with _GUARD:
        if _DEPTH[0] > 0:  # a second flock from this process on a new fd would wait for itself
            _DEPTH[0] += 1
            try:
                yield
            finally:
                _DEPTH[0] -= 1
            return
        root = _private_dir(state_root())
        fd = os.open(root / ".journal.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            give_to_folder_owner(fd, root)
            fcntl.flock(fd, fcntl.LOCK_EX)
            _DEPTH[0] = 1
            yield
        finally:
            _DEPTH[0] = 0
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def _entry_path(change_id: str) -> Path:
    if not _valid_id(change_id):
        raise JournalError(f"{change_id!r} is not a change id (see `openclaw-triage history`).")
    return journal_dir() / f"{change_id}.json"


PENDING = ".pending"


def _write(path: Path, entry: JournalEntry) -> Path:
    text = json.dumps(entry.to_json(), indent=2, ensure_ascii=False) + "\n"
    try:
        write_atomic(path, text.encode("utf-8"), mode=0o600)
    except OSError as exc:
        raise JournalError(f"cannot write the journal entry {path}: {exc.strerror}") from None
    return path


def write_entry(entry: JournalEntry) -> Path:
    """Record `entry` (confirming its intent, if one was written)."""
    path = _write(_entry_path(entry.id), entry)
    drop_intent(entry.id)
    return path


def _intent_path(change_id: str) -> Path:
    if not _valid_id(change_id):
        raise JournalError(f"{change_id!r} is not a change id.")
    return journal_dir() / f"{change_id}{PENDING}.json"


def write_intent(entry: JournalEntry) -> Path:
    """Record that `entry` is about to be made (before the write it describes)."""
    return _write(_intent_path(entry.id), entry)


def drop_intent(change_id: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(_intent_path(change_id))


def _hold_path(change_id: str) -> Path:
    if not _valid_id(change_id):
        raise JournalError(f"{change_id!r} is not a change id.")
    return journal_dir() / f"{change_id}{PENDING}.lock"


@contextlib.contextmanager
def holding(change_id: str) -> Iterator[None]:
    """Mark change `change_id` as in flight for the block: `held` says so to every other thread
    and process of ours until the block ends or the process dies."""
    path = _hold_path(change_id)
    fresh = path.with_name(path.name + ".new")
    try:  # locked before it has its name: nobody ever sees it unheld while we hold it
        fd = os.open(fresh, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise JournalError(f"cannot write in the journal {path.parent}: {exc.strerror}") from None
    try:
        give_to_folder_owner(fd, path.parent)
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.rename(fresh, path)
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(fresh)
        os.close(fd)


def held(change_id: str) -> bool:
    """Whether a live writer still works on change `change_id` (it holds its `<id>.pending.lock`)."""
    try:
        fd = os.open(_hold_path(change_id), os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    except OSError:
        return True  # cannot look: leave it to its writer
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # releases the look
    return False


def drop_hold(change_id: str) -> None:
    """Remove the lock file a killed writer left (nobody holds it any more)."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(_hold_path(change_id))


def hold_ids() -> list[str]:
    """The ids whose `<id>.pending.lock` is there (held, or left by a killed writer)."""
    suffix = PENDING + ".lock"
    return sorted(p.name[: -len(suffix)] for p in journal_dir().glob("*" + suffix) if _valid_id(p.name[: -len(suffix)]))


def has_intent(change_id: str) -> bool:
    return _intent_path(change_id).exists()


def pending_ids() -> list[str]:
    """The ids of changes whose intent was written and never confirmed nor dropped, oldest first."""
    directory = journal_dir()
    suffix = PENDING + ".json"
    return sorted(p.name[: -len(suffix)] for p in directory.glob("*" + suffix) if _valid_id(p.name[: -len(suffix)]))


def read_intent(change_id: str) -> JournalEntry:
    path = _intent_path(change_id)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise JournalError(f"the journal intent {path} cannot be read ({type(exc).__name__}).") from None
    if not isinstance(data, dict):
        raise JournalError(f"the journal intent {path} is damaged.")
    return JournalEntry.from_json(data)


def has_entry(change_id: str) -> bool:
    return _entry_path(change_id).exists()


def remove_backup(path: str | Path) -> None:
    """Delete a backup nobody can need any more (the change it was for never landed)."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def read_entry(change_id: str) -> JournalEntry:
    path = _entry_path(change_id)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise JournalError(f"no change {change_id} in the journal ({path.parent}).") from None
    except (OSError, ValueError) as exc:
        raise JournalError(f"the journal entry {path} cannot be read ({type(exc).__name__}).") from None
    if not isinstance(data, dict):
        raise JournalError(f"the journal entry {path} is damaged.")
    return JournalEntry.from_json(data)


def entries() -> list[JournalEntry]:
    """Every readable entry, newest first (ids sort by time)."""
    directory = journal_dir()
    out = []
    for path in sorted(directory.glob("*.json"), reverse=True):
        if path.name.endswith(PENDING + ".json"):
            continue
        try:
            out.append(read_entry(path.stem))
        except JournalError:
            continue
    return out


def delete_entry(change_id: str) -> None:
    """Forget a change that turned out to change nothing (its entry was written before it ran)."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(_entry_path(change_id))
    drop_intent(change_id)


def mark_undone(change_id: str, by: str | None) -> JournalEntry:
    """Record that `by` undid change `change_id` (None: that it is not undone after all)."""
    entry = replace(read_entry(change_id), undone_by=by)
    write_entry(entry)
    return entry


def save_backup(change_id: str, what: str, data: bytes) -> Path:
    """The 0600 file `backups/<id>.<what>` holding `data` (durably: it is the only copy). Saved
    again by the same change (a store re-read after another program wrote it), it is replaced."""
    if not _valid_id(change_id) or not all(c.isalnum() or c in "-._" for c in what):
        raise JournalError("invalid backup name")
    path = backups_dir() / f"{change_id}.{what}"
    try:
        write_atomic(path, data, mode=0o600)
    except OSError as exc:
        raise JournalError(f"cannot create the backup {path}: {exc.strerror}") from None
    return path


def read_backup(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise JournalError(f"the backup {path} cannot be read: {exc.strerror}") from None
