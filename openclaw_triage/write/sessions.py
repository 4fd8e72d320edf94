"""Clearing chat sessions' auth pins in a 2026.3 `sessions.json`, as OpenClaw's own code does.

`clearSessionAuthProfileOverride` deletes `authProfileOverride`, `authProfileOverrideSource` and
`authProfileOverrideCompactionCount` from the entry; we do exactly that, and nothing else:

- under the SESSION store's own lock (`session-write-lock.ts`, a different scheme from the
  auth-profiles lock: payload `{pid, createdAt, starttime}`, stale after 30 s when the pid is
  dead or recycled or `createdAt` is old or invalid, mtime only as a fallback; see `write.lock.SESSION_STORE`);
- re-reading the file inside the lock, and splicing only the changed entries back into the
  text, each serialised as `JSON.stringify(store, null, 2)` serialises it (OpenClaw writes the
  file with no trailing newline): every other entry, field and byte stays as it was;
- atomically (temp file, fsync, rename), keeping the file's mode; previous bytes backed up.

Unlike OpenClaw we do not bump the entry's `updatedAt`: it drives the chat's idle-reset policy
and its "last activity", and unpinning is not activity. A running 2026.3 gateway keeps no long-
lived copy of sessions.json (it re-reads it on every turn, cached by mtime and size); only a turn
running in that very chat holds its entry in memory and writes it back when it ends, so we wait
for such a turn (its transcript lock `<sessionId>.jsonl.lock`) before writing.

Undo puts the three fields back where they were (a semantic undo: OpenClaw rewrites this file on
every turn, so restoring old bytes would throw away other chats' progress). For the same reason
whether an interrupted unpin (or its undo) landed is read from the pins themselves when the bytes
have moved on (`pins_in_place`).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from json.decoder import scanstring  # type: ignore[attr-defined]  # public since Python 2, not in typeshed
from pathlib import Path
from typing import Any

from ..model import Era
from ..runtime.sessions import PIN_FIELDS, parse_legacy_store, resolve_pin
from ..util.jsonio import ParseError
from .atomic import write_atomic
from .errors import Conflict, InvalidInput, StoreBroken, WriteError
from .jsonfmt import stringify
from .lock import SESSION_STORE, FileLock, inspect_session_lock, lock_path_for

UNPIN = "unpin"  # the journal's name for a change made here
TIMEOUT_S = 10.0  # withSessionStoreLock's timeoutMs
BUSY_WAIT_S = 5.0  # how long we wait for a turn running in a targeted chat
_WS = re.compile(r"[ \t\n\r]*")


# --------------------------------------------------------------------------- the session store lock


def session_lock(store_path: Path, *, timeout: float = TIMEOUT_S) -> FileLock:
    """OpenClaw 2026.3's session-store lock on `sessions.json` (`withSessionStoreLock`)."""
    return FileLock(store_path, scheme=SESSION_STORE, timeout=timeout)


# --------------------------------------------------------------------------- the text, entry by entry


@dataclass(frozen=True, slots=True)
class Span:
    """One top-level entry: its key, where its value sits in the text, and the parsed value."""

    key: str
    start: int
    end: int
    value: Any


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def top_level_spans(text: str) -> list[Span]:
    """The entries of a JSON object document with their value spans (`JSON.parse` rules).

    Raises `ParseError` for anything `JSON.parse` rejects or that is not an object.
    """
    try:
        return _spans(text)
    except (ValueError, IndexError, RecursionError) as exc:
        msg = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc) or type(exc).__name__
        raise ParseError(f"not valid JSON ({msg})") from None


def _spans(text: str) -> list[Span]:
    i = _WS.match(text, 0).end()  # type: ignore[union-attr]
    if text[i] != "{":
        raise ValueError("not a JSON object")
    i = _WS.match(text, i + 1).end()  # type: ignore[union-attr]
    spans: list[Span] = []
    if text[i] == "}":
        i += 1
    else:
        while True:
            if text[i] != '"':
                raise ValueError(f"expected a key at {i}")
            key, i = scanstring(text, i + 1, True)
            i = _WS.match(text, i).end()  # type: ignore[union-attr]
            if text[i] != ":":
                raise ValueError(f"expected ':' at {i}")
            i = _WS.match(text, i + 1).end()  # type: ignore[union-attr]
            value, end = _DECODER.raw_decode(text, i)
            spans.append(Span(key, i, end, value))
            i = _WS.match(text, end).end()  # type: ignore[union-attr]
            if text[i] == ",":
                i = _WS.match(text, i + 1).end()  # type: ignore[union-attr]
                continue
            if text[i] != "}":
                raise ValueError(f"expected ',' or '}}' at {i}")
            i += 1
            break
    if _WS.match(text, i).end() != len(text):  # type: ignore[union-attr]
        raise ValueError("extra data after the object")
    return spans


def last_spans(spans: list[Span]) -> dict[str, Span]:
    """Key -> the occurrence `JSON.parse` keeps (the last one)."""
    return {s.key: s for s in spans}


def splice(text: str, replacements: dict[int, tuple[int, str]]) -> str:
    """`text` with each `start -> (end, new)` region replaced, in one pass."""
    out, pos = [], 0
    for start in sorted(replacements):
        end, new = replacements[start]
        out.append(text[pos:start])
        out.append(new)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def entry_text(entry: dict[str, Any]) -> str:
    """An entry as `JSON.stringify(store, null, 2)` writes it at depth one."""
    return stringify(entry, "  ")


# --------------------------------------------------------------------------- unpin and its undo


@dataclass(slots=True)
class Removed:
    """What we took out of one entry, and where each field was (for an exact undo)."""

    key: str
    session_id: str | None
    profile_id: str
    source: str
    fields: list[tuple[str, Any, str | None]]  # (name, value, the key it followed)

    def to_json(self) -> dict[str, Any]:
        return {
            "sessionId": self.session_id,
            "profileId": self.profile_id,
            "source": self.source,
            "fields": [list(f) for f in self.fields],
        }


def strip_pin(entry: dict[str, Any], key: str) -> tuple[dict[str, Any], Removed]:
    """`clearSessionAuthProfileOverride`: the entry without the three pin fields (nothing else changes)."""
    pin = resolve_pin(entry, Era.JSON)
    names = list(entry)
    fields = [(name, entry[name], names[i - 1] if i else None) for i, name in enumerate(names) if name in PIN_FIELDS]
    kept = {k: v for k, v in entry.items() if k not in PIN_FIELDS}
    sid = entry.get("sessionId")
    return kept, Removed(
        key,
        sid if isinstance(sid, str) else None,
        pin.profile_id if pin else "",
        pin.source if pin else "",
        fields,
    )


def restore_pin(entry: dict[str, Any], fields: list[list[Any]]) -> dict[str, Any]:
    """The entry with the recorded pin fields back at their recorded places (any current pin replaced)."""
    items = [(k, v) for k, v in entry.items() if k not in PIN_FIELDS]
    for name, value, after in fields:
        keys = [k for k, _ in items]
        at = keys.index(after) + 1 if after in keys else (0 if after is None else len(items))
        items.insert(at, (name, value))
    return dict(items)


Selector = Callable[[str, dict[str, Any]], bool]


@dataclass(slots=True)
class UnpinResult:
    path: Path
    removed: list[Removed]
    before: bytes
    after: bytes | None
    mode: int
    busy: list[str] = field(default_factory=list)  # keys of chats that were answering when we wrote
    backup: Path | None = None


def _read(path: Path) -> tuple[bytes, str, int]:
    import stat as _stat

    from ..runtime.sessions.legacy_json import MAX_STORE_BYTES
    from ..util.safe_read import read_bytes

    try:
        st = path.stat()
        raw = read_bytes(path, limit=MAX_STORE_BYTES)  # a FIFO or a folder in its place is refused, never waited on
    except FileNotFoundError:
        raise InvalidInput(f"there is no session store at {path}: no chat has run yet.") from None
    except OSError as exc:
        raise WriteError(f"{path} cannot be read: {exc.strerror}.") from None
    try:
        parse_legacy_store(raw)
        text = raw.decode("utf-8")
        top_level_spans(text)
    except ParseError as exc:
        raise StoreBroken(
            f"{path} {exc}. OpenClaw reads it as empty, so it is not overwritten.",
            hint="Repair or restore the file by hand first; `openclaw-triage check` shows what is wrong.",
        ) from None
    return raw, text, _stat.S_IMODE(st.st_mode)


def transcript_lock(store_path: Path, entry: dict[str, Any]) -> Path | None:
    """The lock a running turn holds on this chat's transcript (`<sessionFile>.lock`)."""
    session_file = entry.get("sessionFile")
    if isinstance(session_file, str) and session_file.strip():
        return lock_path_for(session_file.strip())
    sid = entry.get("sessionId")
    if isinstance(sid, str) and sid.strip():
        return lock_path_for(store_path.parent / f"{sid.strip()}.jsonl")
    return None


def busy_chats(store_path: Path, entries: dict[str, dict[str, Any]]) -> list[str]:
    """Keys of chats answering right now: their transcript lock names a live, fresh holder."""
    busy = []
    for key, entry in entries.items():
        lock = transcript_lock(store_path, entry)
        if lock is not None and lock.exists():
            verdict = inspect_session_lock(lock, stale_after=30 * 60)  # transcript locks: OpenClaw's default
            if not verdict.stale:
                busy.append(key)
    return busy


def wait_until_idle(store_path: Path, entries: dict[str, dict[str, Any]], wait_s: float) -> list[str]:
    """Wait up to `wait_s` for turns running in these chats to end; the keys still busy."""
    deadline = time.monotonic() + wait_s
    busy = busy_chats(store_path, entries)
    while busy and time.monotonic() < deadline:
        time.sleep(0.2)
        busy = busy_chats(store_path, {k: entries[k] for k in busy})
    return busy


def unpin_file(
    path: Path,
    select: Selector,
    *,
    backup: Callable[[bytes], Path] | None = None,
    intent: Callable[[UnpinResult], None] | None = None,
    busy_wait: float = BUSY_WAIT_S,
    lock_timeout: float = TIMEOUT_S,
) -> UnpinResult:
    """Clear the pin of every entry `select(key, entry)` picks, under the session lock.

    `backup(previous bytes)` and then `intent(what is about to be written)` run in the lock,
    before the write: the journal's record of the change is made before the change."""
    _, text, _ = _read(path)  # a first look, outside the lock: which chats, and are they answering
    wanted = {
        s.key: s.value
        for s in last_spans(top_level_spans(text)).values()
        if isinstance(s.value, dict) and select(s.key, s.value)
    }
    busy = wait_until_idle(path, wanted, busy_wait) if wanted else []
    with session_lock(path, timeout=lock_timeout) as lock:
        raw, text, mode = _read(path)
        replacements: dict[int, tuple[int, str]] = {}
        removed: list[Removed] = []
        for span in last_spans(top_level_spans(text)).values():
            if not isinstance(span.value, dict) or not any(f in span.value for f in PIN_FIELDS):
                continue
            if not select(span.key, span.value):
                continue
            kept, record = strip_pin(span.value, span.key)
            replacements[span.start] = (span.end, entry_text(kept))
            removed.append(record)
        if not removed:
            return UnpinResult(path, [], raw, None, mode, busy)
        new = splice(text, replacements).encode("utf-8")
        saved = backup(raw) if backup is not None else None
        result = UnpinResult(path, removed, raw, new, mode, [k for k in busy if k in {r.key for r in removed}], saved)
        if intent is not None:
            intent(result)
        write_atomic(path, new, mode=mode, before_replace=lock.verify)
    return result


@dataclass(slots=True)
class RepinResult:
    before: bytes
    after: bytes | None
    restored: list[str]
    skipped: list[str]


def repin_file(
    path: Path,
    records: dict[str, dict[str, Any]],
    *,
    force: bool,
    backup: Callable[[bytes], Path] | None = None,
    intent: Callable[[RepinResult], None] | None = None,
    lock_timeout: float = TIMEOUT_S,
) -> RepinResult:
    """Put recorded pins back (undo of `unpin_file`); refuses (`Conflict`) what a user changed since.

    `backup` and `intent` run in the lock before the write, as for `unpin_file`."""
    with session_lock(path, timeout=lock_timeout) as lock:
        raw, text, mode = _read(path)
        current = last_spans(top_level_spans(text))
        replacements: dict[int, tuple[int, str]] = {}
        restored, skipped, conflicts = [], [], []
        for key, record in records.items():
            span = current.get(key)
            if span is None or not isinstance(span.value, dict):
                skipped.append(f"{key} (the chat no longer exists)")
                continue
            entry = span.value
            pin = resolve_pin(entry, Era.JSON)
            if entry.get("sessionId") != record.get("sessionId"):
                conflicts.append(f"{key} was reset since (a new conversation)")
            elif pin is not None and pin.is_user and pin.profile_id != record.get("profileId"):
                conflicts.append(f"{key} was pinned to {pin.profile_id} in the chat since")
            if conflicts and not force:
                continue
            new_entry = restore_pin(entry, record.get("fields") or [])
            if new_entry == entry and list(new_entry) == list(entry):
                continue
            replacements[span.start] = (span.end, entry_text(new_entry))
            restored.append(key)
        if conflicts and not force:
            raise Conflict(
                "the pin cannot be put back as it was: " + "; ".join(conflicts) + ". Nothing was changed.",
                hint="Undo with --force to pin those chats again anyway.",
            )
        if not replacements:
            return RepinResult(raw, None, restored, skipped)
        new = splice(text, replacements).encode("utf-8")
        if backup is not None:
            backup(raw)
        result = RepinResult(raw, new, restored, skipped)
        if intent is not None:
            intent(result)
        write_atomic(path, new, mode=mode, before_replace=lock.verify)
    return result


def pins_in_place(path: Path, records: dict[str, dict[str, Any]]) -> bool | None:
    """Whether `sessions.json` holds the pins an unpin recorded (`Removed.to_json`), now.

    True: every recorded chat still there (the same conversation) carries its recorded pin;
    False: none of them carries a pin. None: neither (a chat reset or pinned anew since, some
    pinned and some not, none left, or a file that cannot be read): nobody can tell."""
    try:
        _, text, _ = _read(path)
    except WriteError:
        return None
    current = last_spans(top_level_spans(text))
    seen: set[str] = set()
    for key, record in records.items():
        span = current.get(key)
        if span is None:
            continue  # the chat is gone: it tells nothing
        entry = span.value
        if not isinstance(entry, dict) or entry.get("sessionId") != record.get("sessionId"):
            return None
        pin = {k: v for k, v in entry.items() if k in PIN_FIELDS}
        recorded = {name: value for name, value, _after in record.get("fields") or []}
        if not pin:
            seen.add("unpinned")
        elif pin == recorded:
            seen.add("pinned")
        else:
            return None
    return None if len(seen) != 1 else seen == {"pinned"}
