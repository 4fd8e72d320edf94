"""Changing a 2026.3 `auth-profiles.json`: inside OpenClaw's lock, only what was asked, nothing lost.

Each operation re-reads the file under the lock (OpenClaw's gateway rewrites it while running),
edits the parsed document in place, and writes it back as OpenClaw would
(`JSON.stringify(store, null, 2) + "\\n"`, key order kept), atomically. Unknown top-level keys,
unknown profile fields, `usageStats` and `lastGood` survive untouched. A file OpenClaw cannot
parse is never overwritten: it is refused, because OpenClaw silently reads it as empty and the
user may still rescue its contents.
"""

from __future__ import annotations

import functools
import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..keys import mask
from ..model import CredentialType, Era
from ..openclaw.coerce import normalize_provider
from ..openclaw.layouts import AUTH_STATE_FILE
from ..scrub import scrub
from ..util.jsonio import ParseError, parse_json
from ..util.safe_read import FileTooLarge, NotRegularFile, read_bytes
from .atomic import ABSENT, Seen, make_dirs, observe, write_atomic
from .errors import InvalidInput, NotWritable, ProfileNotFound, StoreBroken, StoreChanged, WriteError
from .jsonfmt import dump_store
from .lock import DEFAULT_TIMEOUT_S, FileLock, lock_for

MAX_STORE_BYTES = 64 * 1024 * 1024
_SECRET_FIELD = {CredentialType.API_KEY: "key", CredentialType.TOKEN: "token"}
_REF_FIELD = {CredentialType.API_KEY: "keyRef", CredentialType.TOKEN: "tokenRef"}


def provider_key(provider: str) -> str:
    """The order key OpenClaw's `setAuthProfileOrder` uses: `normalizeProviderId` (trim, lower, aliases)."""
    key = normalize_provider(provider, Era.JSON)
    if not key:
        raise InvalidInput("a provider is required (e.g. --provider anthropic).")
    return key


@dataclass(slots=True)
class StoreDoc:
    """One parsed store file and the bytes it came from."""

    path: Path
    raw: bytes
    data: dict[str, Any]
    mode: int


def _broken(path: Path, why: str) -> StoreBroken:
    return StoreBroken(
        f"{path} {why}. OpenClaw reads it as an empty store, so it is not overwritten: the keys in it may still be rescued.",
        hint="Repair the file by hand (or restore a backup), then run this again; `openclaw-triage check` shows what is wrong.",
    )


def read_store(path: Path, *, state: bool = False) -> StoreDoc | None:
    """The store at `path`, or None if there is none. Raises `StoreBroken` for anything OpenClaw would not load.

    `state` reads a 2026.4.7+ `auth-state.json` instead: an object with no `profiles` of its own.
    """
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise WriteError(f"{path} cannot be read: {exc.strerror}.") from None
    if not stat.S_ISREG(st.st_mode):
        raise _broken(path, "is not a regular file")
    try:  # a FIFO swapped in since the stat is refused, never waited on
        raw = read_bytes(path, limit=MAX_STORE_BYTES)
    except FileTooLarge:
        raise _broken(path, "is larger than 64 MB") from None
    except NotRegularFile:
        raise _broken(path, "is not a regular file") from None
    except OSError as exc:
        raise WriteError(f"{path} cannot be read: {exc.strerror}.") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _broken(path, f"is not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise _broken(path, "is empty")
    try:
        data = parse_json(text)
    except ParseError as exc:
        raise _broken(path, f"is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise _broken(path, "is not a JSON object")
    if not state and not isinstance(data.get("profiles"), dict):
        raise _broken(path, 'has no "profiles" object')
    return StoreDoc(path, raw, data, stat.S_IMODE(st.st_mode))


# --------------------------------------------------------------------------- edits


@dataclass(slots=True)
class Edit:
    """What an operation did to the document, in words (masked), and how to check it later."""

    changed: bool
    summary: str
    notes: list[str] = field(default_factory=list)
    verify: Callable[[dict[str, Any]], bool] = lambda _d: True


Operation = Callable[[dict[str, Any]], Edit]


def _insert_after(data: dict[str, Any], after: str, key: str, value: Any) -> None:
    """Add `key` right after `after` (where OpenClaw writes it), keeping every other key's position."""
    if key in data or after not in data:
        data[key] = value
        return
    items = list(data.items())
    data.clear()
    for k, v in items:
        data[k] = v
        if k == after:
            data[key] = value


def _profile_type(entry: dict[str, Any]) -> Any:
    return entry["type"] if "type" in entry else entry.get("mode")


def clean_ids(ids: list[str] | tuple[str, ...]) -> list[str]:
    """Trimmed, non-empty, first occurrence kept: OpenClaw's `normalizeStringEntries` + `dedupeProfileIds`."""
    out = [i.strip() for i in ids if isinstance(i, str) and i.strip()]
    return list(dict.fromkeys(out))


def check_order_ids(ids: list[str], key: str, known: dict[str, Any], where: str) -> None:
    """`openclaw models auth order set`'s checks: every id exists and belongs to the provider."""
    for profile_id in ids:
        cred = known.get(profile_id)
        if not isinstance(cred, dict):
            raise ProfileNotFound(
                f'Auth profile "{profile_id}" not found in {where}.',
                hint="`openclaw-triage check` lists the profiles that exist.",
            )
        cred_provider = cred.get("provider")
        if not isinstance(cred_provider, str) or normalize_provider(cred_provider, Era.JSON) != key:
            raise InvalidInput(f'Auth profile "{profile_id}" is for {cred_provider}, not {key}.')


def _order_map(data: dict[str, Any]) -> dict[str, Any] | None:
    order = data.get("order")
    if order is None:
        return None
    if not isinstance(order, dict):
        raise StoreBroken(
            f'the "order" entry of the store is a {type(order).__name__}, not an object; fix it by hand first.'
        )
    return order


def _shadowing_keys(order: dict[str, Any], key: str) -> list[str]:
    """Other order keys OpenClaw also matches to `key` (it uses the first one in file order)."""
    return [k for k in order if k != key and isinstance(k, str) and normalize_provider(k, Era.JSON) == key]


def set_order(
    provider: str,
    ids: list[str] | tuple[str, ...],
    *,
    known: Callable[[dict[str, Any]], dict[str, Any]] | None,
    where: str,
) -> Operation:
    """Store `ids` as the order override for `provider`.

    `known(data)` gives the profiles the agent sees (its store merged over main's), read
    inside the lock; every id must be one of them, as `openclaw models auth order set`
    insists. `known=None` skips that check (an order may deliberately name a future profile).
    """
    key = provider_key(provider)
    wanted = clean_ids(list(ids))
    if not wanted:
        raise InvalidInput("Missing profile ids. Provide one or more profile ids.")

    def op(data: dict[str, Any]) -> Edit:
        if known is not None:
            check_order_ids(wanted, key, known(data), where)
        order = _order_map(data)
        notes = []
        if order is not None:
            shadow = _shadowing_keys(order, key)
            keys = list(order)
            if shadow and keys.index(shadow[0]) < (keys.index(key) if key in order else len(keys)):
                notes.append(
                    f'the order key "{shadow[0]}" also means {key} and comes first, so OpenClaw keeps using it at run '
                    f"time; remove it from the store by hand."
                )
        if order is not None and order.get(key) == wanted:
            return Edit(False, f"The {key} order is already {', '.join(wanted)}.", notes)
        if order is None:
            order = {}
            _insert_after(data, "profiles", "order", order)
        order[key] = list(wanted)
        return Edit(
            True,
            f"Pinned the {key} profile order to {', '.join(wanted)}.",
            notes,
            verify=lambda d: isinstance(d.get("order"), dict) and d["order"].get(key) == wanted,
        )

    return op


def clear_order(provider: str) -> Operation:
    """Remove the stored order for `provider` (and an `order` object left empty), as `order clear` does."""
    key = provider_key(provider)

    def op(data: dict[str, Any]) -> Edit:
        order = _order_map(data)
        notes = []
        if order is not None and (shadow := _shadowing_keys(order, key)):
            notes.append(f'the order key "{shadow[0]}" also means {key} and was left as it is.')
        if order is None or key not in order:
            return Edit(False, f"There is no stored {key} order to clear.", notes)
        del order[key]
        if not order:
            del data["order"]
        return Edit(
            True,
            f"Cleared the stored {key} profile order.",
            notes,
            verify=lambda d: not (isinstance(d.get("order"), dict) and key in d["order"]),
        )

    return op


def upsert_secret(profile_id: str, provider: str, ctype: CredentialType, secret: str) -> Operation:
    """Create the profile, or replace only its secret, keeping every other field it has."""
    key = provider_key(provider)
    if ctype not in _SECRET_FIELD:
        raise InvalidInput(f"{ctype} profiles cannot be set by hand; sign in again with OpenClaw instead.")
    value_field, ref_field = _SECRET_FIELD[ctype], _REF_FIELD[ctype]
    masked = mask(secret, era="json")

    def op(data: dict[str, Any]) -> Edit:
        profiles = data["profiles"]
        existing = profiles.get(profile_id)
        notes: list[str] = []
        if existing is None:
            profiles[profile_id] = {"type": str(ctype), "provider": key, value_field: secret}
            return Edit(
                True,
                f"Added {profile_id} ({ctype}) with {masked}.",
                notes,
                verify=lambda d: _holds(d, profile_id, value_field, secret),
            )
        if not isinstance(existing, dict):
            raise InvalidInput(f"{profile_id} in the store is not an object; fix or remove it by hand first.")
        etype = _profile_type(existing)
        if etype != str(ctype):
            raise InvalidInput(
                f"{profile_id} is a {etype} profile, not {ctype}; it was not changed.",
                hint="Use its own type, another --profile-id, or remove it first.",
            )
        eprov = existing.get("provider")
        if not isinstance(eprov, str) or normalize_provider(eprov, Era.JSON) != key:
            raise InvalidInput(f"{profile_id} belongs to provider {eprov}, not {key}; it was not changed.")
        field_name = value_field
        if ctype is CredentialType.API_KEY and "key" not in existing and "apiKey" in existing:
            field_name = "apiKey"  # the legacy spelling OpenClaw also reads: keep the user's shape
        if existing.get(field_name) == secret and ref_field not in existing:
            return Edit(False, f"{profile_id} already holds {masked}.", notes)
        updated = dict(existing)
        updated[field_name] = secret
        if ref_field in updated:
            ref = updated.pop(ref_field)
            # masked: a key typed as a ref id would otherwise reach the output and the journal
            label = scrub(f"{ref.get('source')}:{ref.get('id')}") if isinstance(ref, dict) else "a reference"
            notes.append(
                f"removed its {ref_field} ({label}): OpenClaw prefers a reference over the key and drops the key "
                "on its next write when both exist."
            )
        if ctype is CredentialType.TOKEN and "expires" in updated:
            del updated["expires"]
            notes.append("removed the old token's expiry (it belonged to the previous token).")
        profiles[profile_id] = updated
        return Edit(
            True,
            f"Set the secret of {profile_id} ({ctype}) to {masked}.",
            notes,
            verify=lambda d: _holds(d, profile_id, field_name, secret),
        )

    return op


def _holds(data: dict[str, Any], profile_id: str, field_name: str, secret: str) -> bool:
    profiles = data.get("profiles")
    entry = profiles.get(profile_id) if isinstance(profiles, dict) else None
    return isinstance(entry, dict) and entry.get(field_name) == secret


def remove_profile(profile_id: str, *, where: str) -> Operation:
    """Delete a profile and every reference to it (orders, lastGood, usageStats), as `logout` does in 2026.9."""

    def op(data: dict[str, Any]) -> Edit:
        profiles = data["profiles"]
        if profile_id not in profiles:
            raise ProfileNotFound(f'Auth profile "{profile_id}" not found in {where}.')
        del profiles[profile_id]
        touched = _drop_references(data, profile_id)
        notes = [f"also removed it from {', '.join(dict.fromkeys(touched))}."] if touched else []
        return Edit(
            True,
            f"Removed {profile_id}.",
            notes,
            verify=lambda d: isinstance(d.get("profiles"), dict) and profile_id not in d["profiles"],
        )

    return op


def drop_references(profile_id: str) -> Operation:
    """Remove a profile's orders, lastGood and usageStats from a 2026.4.7+ `auth-state.json`."""

    def op(data: dict[str, Any]) -> Edit:
        touched = _drop_references(data, profile_id)
        if not touched:
            return Edit(False, f"{AUTH_STATE_FILE} names no {profile_id}.")
        return Edit(True, f"Removed {profile_id} from {', '.join(dict.fromkeys(touched))} in {AUTH_STATE_FILE}.")

    return op


def _drop_references(data: dict[str, Any], profile_id: str) -> list[str]:
    """Take `profile_id` out of the document's orders, lastGood and usageStats; what was touched."""
    touched = []
    order = data.get("order")
    if isinstance(order, dict):
        for prov in list(order):
            ids = order[prov]
            if isinstance(ids, list) and profile_id in ids:
                kept = [i for i in ids if i != profile_id]
                touched.append(f"the {prov} order")
                if kept:
                    order[prov] = kept
                else:
                    del order[prov]
        if not order:
            del data["order"]
    last_good = data.get("lastGood")
    if isinstance(last_good, dict):
        for prov in [p for p, v in last_good.items() if v == profile_id]:
            del last_good[prov]
            touched.append("lastGood")
    usage = data.get("usageStats")
    if isinstance(usage, dict) and profile_id in usage:
        del usage[profile_id]
        touched.append("its usage stats")
    return touched


# --------------------------------------------------------------------------- applying


@dataclass(frozen=True, slots=True)
class Applied:
    """The outcome of one locked edit: the bytes before and after, and what the edit said."""

    path: Path
    edit: Edit
    before: bytes | None
    after: bytes | None  # None when nothing was written
    mode_before: int | None
    mode_after: int | None
    backup: Path | None


def target_mode(mode_before: int | None) -> int:
    """Keep the file's mode, minus group/other access (OpenClaw chmods 0600 on every write)."""
    return 0o600 if mode_before is None else mode_before & ~0o077


_ATTEMPTS = 4  # reads and writes of one change when another program keeps writing the store without the lock
# Re-applications when their update landed in the file we replaced: each one is their write
# kept, so they go on far longer (giving up there would drop that update).
_LATE_ATTEMPTS = 20
_LAST = _ATTEMPTS + _LATE_ATTEMPTS - 1
_SETTLE_S = 1.0  # how long a store written this very moment may look broken (written in place) before we refuse


def _read_as_seen(path: Path, state: bool) -> tuple[StoreDoc | None, Seen]:
    """`read_store`, and the file's identity for exactly those bytes (for `write_atomic(expect=)`).

    OpenClaw's unlocked writers write in place (`writeFileSync`), so a store written this very
    moment may read as empty or cut: such a read is tried again for up to a second."""
    deadline = time.monotonic() + _SETTLE_S
    while True:
        try:
            doc = read_store(path, state=state)
        except StoreBroken:
            try:
                fresh = time.time() - path.stat().st_mtime < _SETTLE_S
            except OSError:
                fresh = False
            if not fresh or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
            continue
        seen, raw = observe(path)
        if raw == (doc.raw if doc else None):
            return doc, seen
        if time.monotonic() > deadline:
            raise StoreChanged(f"{path} keeps changing while we read it; nothing was changed.")


def _doc_from(path: Path, raw: bytes, mode: int, state: bool) -> StoreDoc | None:
    """What another program wrote into the store we replaced, as a document (None: not a whole store)."""
    try:
        data = parse_json(raw.decode("utf-8"))
    except (UnicodeDecodeError, ParseError):
        return None
    return (
        StoreDoc(path, raw, data, mode)
        if isinstance(data, dict) and (state or isinstance(data.get("profiles"), dict))
        else None
    )


def _parses(path: Path, raw: bytes, *, mode: int, state: bool) -> bool:
    """Whether `raw` is a whole store (what another program wrote late may come in pieces)."""
    return _doc_from(path, raw, mode, state) is not None


def _remember_added(late: dict[str, Any], base: dict[str, Any], carried: dict[str, Any]) -> None:
    """Note the profiles `late` (their store) has that `base` (the one we replaced it from) had not."""
    theirs, ours = late.get("profiles"), base.get("profiles")
    if isinstance(theirs, dict):
        known = ours if isinstance(ours, dict) else {}
        carried.update({pid: entry for pid, entry in theirs.items() if pid not in known})


def _carry(data: dict[str, Any], carried: dict[str, Any]) -> bool:
    """Add back the carried profiles a store read now lacks (never over one it has); whether any was."""
    profiles = data.get("profiles")
    added = False
    if carried and isinstance(profiles, dict):
        for pid, entry in carried.items():
            if pid not in profiles:
                profiles[pid] = entry
                added = True
    return added


def apply(
    path: Path,
    op: Operation,
    *,
    create: bool = True,
    backup: Callable[[bytes], Path] | None = None,
    lock_timeout: float = DEFAULT_TIMEOUT_S,
    intent: Callable[[Applied], None] | None = None,
    state: bool = False,
    abandon: Callable[[], None] | None = None,
) -> Applied:
    """Run `op` on the store at `path` under OpenClaw's lock and write the result atomically.

    `backup(previous_bytes)` runs inside the lock, before the write, so the old bytes are safe
    before they are replaced; then `intent(what is about to be written)` (the journal's record
    of the change, made before the change). A missing file is created (0600, dir 0700) when
    `create` is set. The write lands only if the store is still the bytes `op` saw; if a writer
    that takes no lock changed it, the store is read again and `op` applied again.
    With `state`, `path` is the `auth-state.json` beside the store, written under the store's
    own lock as 2026.4.7+ does (`updateAuthProfileStoreWithLock` locks `auth-profiles.json`).
    `abandon()` runs, still in the lock, when we give up before any of our writes landed: the
    intent recorded for it is then no change at all, not one that "may have landed".
    """
    landed = False
    if not path.parent.exists():
        if not create:
            raise ProfileNotFound(f"{path} does not exist.")
        try:
            make_dirs(path.parent)
        except OSError as exc:
            raise NotWritable(f"cannot create {path.parent}: {exc.strerror}. Nothing was changed.") from None
    theirs: tuple[StoreDoc, Seen] | None = None  # a store another program wrote into the file we replaced
    refused = 0
    # Profiles another program added in a file we replaced: until one of our writes carrying
    # them lands, they live only here. If that writer writes again meanwhile (it read our file,
    # without them), the store we read next lacks them: they are added back (`_carry`).
    carried: dict[str, Any] = {}
    landed_result: Applied | None = None
    saved: Path | None = None
    for attempt in range(_ATTEMPTS + _LATE_ATTEMPTS):
        with FileLock(lock_for(path), timeout=lock_timeout) as lock:
            # A store of theirs we displaced, or one lacking what they added there, must be written
            # even where our change is already in it (it is not on disk: their update is).
            must_write = theirs is not None
            doc, seen = theirs if theirs is not None else _read_as_seen(path, state)
            theirs = None
            if doc is not None and _carry(doc.data, carried):
                must_write = True
            if doc is None:
                if not create:
                    raise ProfileNotFound(f"{path} does not exist.")
                data: dict[str, Any] = {"version": 1} if state else {"version": 1, "profiles": {}}
            else:
                data = doc.data
            edit = op(data)
            if not edit.changed and landed_result is not None and not must_write:
                return landed_result  # ours landed and is still there (a refusal since changed nothing)
            if not edit.changed and not must_write:
                return Applied(path, edit, doc.raw if doc else None, None, doc.mode if doc else None, None, None)
            if not edit.changed and landed_result is not None:
                edit = landed_result.edit  # ours landed before and is in their store: what lands now is theirs
            out = dump_store(data)
            if backup is not None and doc is not None and landed_result is None:
                saved = backup(doc.raw)  # the bytes before our change; once it landed, never replaced
            mode = target_mode(doc.mode if doc else None)
            if intent is not None:  # what is about to land, against the bytes before our first write
                before = landed_result.before if landed_result is not None else (doc.raw if doc else None)
                intent(Applied(path, edit, before, out, doc.mode if doc else None, mode, saved))
            try:
                written = write_atomic(
                    path, out, mode=mode, before_replace=lock.verify, expect=seen if doc else ABSENT, exclusive=True,
                    complete=functools.partial(_parses, path, mode=mode, state=state),
                )  # fmt: skip
            except WriteError as exc:  # raised before the rename: this attempt wrote nothing
                refused += 1
                # With profiles carried from a write we displaced, giving up would lose them: go on.
                if isinstance(exc, StoreChanged) and (refused < _ATTEMPTS or (carried and attempt < _LAST)):
                    continue
                if not landed and abandon is not None:
                    abandon()
                raise
            landed = True
            if landed_result is None:  # what undo restores: the store before our first landed write
                landed_result = Applied(
                    path, edit, doc.raw if doc else None, out, doc.mode if doc else None, written.mode, saved
                )
            else:
                landed_result = replace(landed_result, after=out, mode_after=written.mode)
            if written.overwrote is not None and written.seen is not None and attempt < _LAST:
                late = _doc_from(path, written.overwrote, written.mode, state)
                if late is not None:  # their update went into the file we replaced: apply ours to it
                    theirs = (late, written.seen)
                    _remember_added(late.data, doc.data if doc is not None else {}, carried)
                    continue
        break
    assert landed_result is not None  # the loop ends by returning, raising, or after a landed write
    first = landed_result
    if first.mode_before is not None and written.mode != first.mode_before:
        first.edit.notes.append(
            f"tightened the file's permissions from {first.mode_before:o} to {written.mode:o} (it holds keys)."
        )
    return replace(first, after=out, mode_after=written.mode)


def restore(
    path: Path,
    previous: bytes | None,
    mode: int | None,
    *,
    check: Callable[[bytes | None], None],
    lock_timeout: float = DEFAULT_TIMEOUT_S,
) -> bytes | None:
    """Put `previous` back byte for byte (None: remove the file), under the lock.

    `check(current bytes)` runs first, inside the lock, and raises to refuse (e.g. `Conflict`
    when the file changed since our write). Returns the bytes that were replaced. A file
    changed by an unlocked writer between the check and the write is checked again.
    """
    from .atomic import remove_durably

    for attempt in range(_ATTEMPTS):
        with FileLock(lock_for(path), timeout=lock_timeout) as lock:
            seen, current = observe(path)
            check(current)
            if previous is None:
                lock.verify()
                remove_durably(path)
                return current
            try:
                write_atomic(
                    path,
                    previous,
                    mode=mode if mode is not None else 0o600,
                    before_replace=lock.verify,
                    expect=seen,
                    exclusive=True,
                )
            except StoreChanged:
                if attempt == _ATTEMPTS - 1:
                    raise
                continue
        break
    return current


def read_profiles(path: Path) -> dict[str, Any]:
    """The raw profile entries of a store for validation; a missing or broken store has none."""
    try:
        doc = read_store(path)
    except StoreBroken:
        return {}
    return dict(doc.data["profiles"]) if doc else {}


def same_file(a: Path, b: Path) -> bool:
    return os.path.abspath(a) == os.path.abspath(b)
