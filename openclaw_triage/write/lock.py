"""OpenClaw 2026.3's own lock files, so our writes and OpenClaw's never interleave.

OpenClaw guards a file with a plain `<realpath(dirname)>/<name>.lock` beside it, created with
O_EXCL and holding pretty JSON `{"pid": N, "createdAt": "<ISO UTC>"}`. Two schemes use that
shape with different rules, and `LockScheme` holds what differs:

- `AUTH_PROFILES` (`src/plugin-sdk/file-lock.ts`, on `auth-profiles.json`): stale when its pid
  is dead, its `createdAt` unparsable or more than 30 s old, or the lock file's mtime more than
  30 s old; retried with a short exponential back-off.
- `SESSION_STORE` (`session-write-lock.ts`, on `sessions.json`): the payload adds `starttime`
  (the process's start, `getProcessStartTime`), so a recycled pid counts as dead; the mtime
  only decides when neither pid nor createdAt can be read; retried every `min(1000, 50·n)` ms.

What is the same, and so lives once in `FileLock`: threads of this process share one lock per
path (the TUI writes from worker threads) and it is re-entrant, like OpenClaw's `HELD_LOCKS`; a
lock judged stale is removed only if it is still the very file we judged (a released lock is
often replaced at once, by a file with the same inode number); a lock we cannot read is waited
on until the timeout, never spun on; ours is removed on release only if it is still ours. We
hold a lock for milliseconds (OpenClaw steals any lock older than 30 s, even from a live pid).

Faults (issue 16). Every turn of the acquire loop looks at the deadline and backs off, whatever
it found (a lock path that vanishes at each look, a dangling symlink, a lock removed as stale
again and again). A lock path that is not a regular file (a folder, a symlink, a FIFO) is no
lock OpenClaw makes (`fs.open(lockPath, "wx")` in `acquireFileLock`): it is never deleted and
never opened for reading (a FIFO would block), and we refuse at once, saying what it is. A
folder we cannot create the lock in (read-only, not a folder, no permission) is a refusal
(`NotWritable`), not a traceback. OpenClaw writes its payload after the O_EXCL create, so a
kill between the two leaves an empty lock that even OpenClaw counts as stale only when its
mtime is 30 s old (`isStaleLock`: no payload, then `Date.now() - stat.mtimeMs > staleMs`); we
keep that rule for others' locks, and make ours with its content already in it: the payload
goes to a temp file that is hard-linked to the lock name (`link` fails with EEXIST as O_EXCL
does), so a kill leaves no lock or a whole one, never an empty one.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import random
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from ..util.proc import pid_alive, start_ticks
from ..util.safe_read import read_with_stat
from ..util.tempfiles import temp_name
from .atomic import clean_leftovers
from .errors import LockBusy, LockLost, NotWritable

STALE_AFTER_S = 30.0
DEFAULT_TIMEOUT_S = 10.0
_FIRST_DELAY_S = 0.005
_MAX_DELAY_S = 0.25
_MAX_LOCK_BYTES = 4096


def lock_path_for(target: Path | str) -> Path:
    """`<realpath(dirname(target))>/<basename>.lock`: the directory is resolved, the name is not."""
    resolved = os.path.abspath(target)
    directory = os.path.dirname(resolved)
    with contextlib.suppress(OSError):
        directory = os.path.realpath(directory, strict=True)
    return Path(directory) / (os.path.basename(resolved) + ".lock")


def iso_now() -> str:
    """`new Date().toISOString()`: millisecond precision, `Z` suffix."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def _iso_seconds(text: str) -> float | None:
    """A lock's `createdAt` as epoch seconds (None: not a date `Date.parse` would take)."""
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


def _read_small(path: Path) -> tuple[os.stat_result, bytes]:
    """A lock file's stat and first bytes through one descriptor (`safe_read`: never blocks on
    a FIFO in its place; `OSError` for anything but a regular file)."""
    return read_with_stat(path, limit=_MAX_LOCK_BYTES, truncate=True)


def _payload(path: Path) -> dict[str, Any]:
    """The lock's JSON object; `{}` for anything unreadable (a crashed writer leaves it empty)."""
    try:
        data = json.loads(_read_small(path)[1].decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _not_a_lock(path: Path) -> str | None:
    """What the lock path is when it is no lock file OpenClaw makes (None: a regular file, or nothing)."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if stat.S_ISREG(st.st_mode):
        return None
    if stat.S_ISLNK(st.st_mode):
        return "a symlink"
    if stat.S_ISDIR(st.st_mode):
        return "a folder"
    return "a FIFO" if stat.S_ISFIFO(st.st_mode) else "not a regular file"


# --------------------------------------------------------------------------- auth-profiles.json


@dataclass(frozen=True, slots=True)
class LockInfo:
    """What a lock file says about its holder (`None` fields: unreadable or absent)."""

    pid: int | None
    created_at: str | None
    mtime: float | None


def read_lock(path: Path) -> LockInfo:
    """The payload as OpenClaw's `readLockPayload` accepts it: a numeric pid and a string createdAt, or nothing."""
    mtime = _mtime(path)
    data = _payload(path)
    pid, created = data.get("pid"), data.get("createdAt")
    if isinstance(pid, bool) or not isinstance(pid, int | float) or not isinstance(created, str):
        return LockInfo(None, None, mtime)
    if isinstance(pid, float):
        pid = int(pid) if pid.is_integer() else -1  # `Number.isInteger` fails: treated as a dead pid
    return LockInfo(pid, created, mtime)


def is_stale(path: Path, *, stale_after: float = STALE_AFTER_S, now: float | None = None) -> bool:
    """OpenClaw's `isStaleLock`, in its order: dead pid, bad or old createdAt, old mtime (or vanished)."""
    now = time.time() if now is None else now
    info = read_lock(path)
    if info.pid is not None and info.pid != 0 and not pid_alive(info.pid):
        return True
    if info.created_at is not None:
        created = _iso_seconds(info.created_at)
        if created is None or now - created > stale_after:
            return True
    if info.mtime is None:
        # Vanished between our look and now: its holder released it. That is not "stale" (a
        # stale verdict would make us delete whatever lock replaces it); the caller just retries.
        return False
    return now - info.mtime > stale_after


def _auth_delay(attempt: int) -> float:
    return float(min(_FIRST_DELAY_S * 2.0 ** (attempt - 1), _MAX_DELAY_S)) * (1 + random.random())


# --------------------------------------------------------------------------- sessions.json


@dataclass(frozen=True, slots=True)
class LockVerdict:
    stale: bool
    reasons: tuple[str, ...]
    pid: int | None


def _valid_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def inspect_session_lock(path: Path, *, stale_after: float = STALE_AFTER_S, now: float | None = None) -> LockVerdict:
    """`inspectLockPayload` + `shouldReclaimContendedLockFile`, in OpenClaw's order."""
    now = time.time() if now is None else now
    payload = _payload(path)
    raw_pid = payload.get("pid")
    pid = raw_pid if isinstance(raw_pid, int) and not isinstance(raw_pid, bool) and raw_pid > 0 else None
    reasons: list[str] = []
    if pid is None:
        reasons.append("missing-pid")
    elif not pid_alive(pid):
        reasons.append("dead-pid")
    elif _valid_number(payload.get("starttime")):
        current = start_ticks(pid)
        if current is not None and current != payload["starttime"]:
            reasons.append("recycled-pid")
    created = payload.get("createdAt")
    created_at = _iso_seconds(created) if isinstance(created, str) else None
    if created_at is None:
        reasons.append("invalid-createdAt")
    elif max(0.0, now - created_at) > stale_after:
        reasons.append("too-old")
    if not reasons:
        return LockVerdict(False, (), pid)
    if all(r in ("missing-pid", "invalid-createdAt") for r in reasons):
        try:
            mtime = path.stat().st_mtime
        except FileNotFoundError:
            return LockVerdict(False, tuple(reasons), pid)  # released meanwhile: just retry
        except OSError:
            return LockVerdict(True, tuple(reasons), pid)
        return LockVerdict(max(0.0, now - mtime) > stale_after, tuple(reasons), pid)
    return LockVerdict(True, tuple(reasons), pid)


def _session_payload() -> dict[str, Any]:
    payload: dict[str, Any] = {"pid": os.getpid(), "createdAt": iso_now()}
    start = start_ticks(os.getpid())
    if start is not None:
        payload["starttime"] = start
    return payload


# --------------------------------------------------------------------------- the schemes


@dataclass(frozen=True, slots=True)
class LockScheme:
    """What differs between OpenClaw's lock files: the payload, the staleness rule, the wait."""

    name: str
    payload: Callable[[], dict[str, Any]]
    stale: Callable[[Path, float], bool]  # (lock path, stale after s)
    delay: Callable[[int], float]  # seconds to wait before attempt n + 1
    busy_hint: str


AUTH_PROFILES = LockScheme(
    "auth-profiles",
    lambda: {"pid": os.getpid(), "createdAt": iso_now()},
    lambda path, after: is_stale(path, stale_after=after),
    _auth_delay,
    "OpenClaw is probably writing it right now: try again in a moment. A lock older than "
    f"{STALE_AFTER_S:g} s is removed automatically.",
)
SESSION_STORE = LockScheme(
    "sessions",
    _session_payload,
    lambda path, after: inspect_session_lock(path, stale_after=after).stale,
    lambda attempt: min(1000, 50 * attempt) / 1000,
    "OpenClaw is writing the session store right now (a chat is answering): try again in a moment.",
)


class _Holder:
    """In-process state of one lock path: which thread holds it and how often (re-entrancy)."""

    def __init__(self) -> None:
        self.mutex = threading.RLock()
        self.count = 0
        self.identity: tuple[int, int] | None = None  # (st_dev, st_ino) of the lock file we created
        self.payload: bytes = b""  # and what we wrote in it (an inode number can be reused at once)
        self.acquired_at = 0.0


_HOLDERS: dict[str, _Holder] = {}
_HOLDERS_GUARD = threading.Lock()


def _holder(lock_path: Path) -> _Holder:
    with _HOLDERS_GUARD:
        return _HOLDERS.setdefault(str(lock_path), _Holder())


def lock_for(path: Path) -> Path:
    """The file whose lock guards `path`: 2026.4.7+ writes `auth-state.json` under the lock of
    the `auth-profiles.json` beside it (`updateAuthProfileStoreWithLock`); anything else, its own."""
    from ..openclaw.layouts import AUTH_STATE_FILE
    from ..openclaw.locate import STORE_FILE

    return path.with_name(STORE_FILE) if path.name == AUTH_STATE_FILE else path


class FileLock:
    """`with FileLock(path):` holds OpenClaw's lock on `path` for the block (`scheme`: whose rules).

    Raises `LockBusy` after `timeout` seconds of a live, fresh (or unreadable) lock held by
    someone else.
    """

    def __init__(
        self,
        target: Path | str,
        *,
        scheme: LockScheme = AUTH_PROFILES,
        timeout: float = DEFAULT_TIMEOUT_S,
        stale_after: float = STALE_AFTER_S,
    ) -> None:
        self.target = Path(target)
        self.path = lock_path_for(target)
        self.scheme = scheme
        self.timeout = timeout
        self.stale_after = stale_after
        self.stolen_stale = 0  # how many stale locks we removed (for tests and notes)
        self._holder = _holder(self.path)

    # -- acquisition ---------------------------------------------------------------------------

    def acquire(self) -> None:
        deadline = time.monotonic() + self.timeout
        if not self._holder.mutex.acquire(timeout=max(self.timeout, 0.0)):
            raise self._busy()
        try:
            if self._holder.count > 0:  # re-entrant within this thread, as OpenClaw's HELD_LOCKS
                self._holder.count += 1
                return
            self._acquire_file(deadline)
            self._holder.count = 1
            self._holder.acquired_at = time.monotonic()
        except BaseException:
            self._holder.mutex.release()
            raise

    def _acquire_file(self, deadline: float) -> None:
        attempt = 0
        _make_lock_dir(self.path, self.target)
        clean_leftovers(self.path.parent, self.path.name)  # a kill's leftover payload temps (no keys in them)
        while True:
            attempt += 1
            if self._create():
                return
            what = _not_a_lock(self.path)
            if what is not None:
                raise LockBusy(
                    f"{self.path} is {what}, not a lock file; nothing was changed.",
                    hint=f"OpenClaw never makes it so: remove it (`rm -ri '{self.path}'`), then try again.",
                )
            retry_now = self._remove_if_stale() and attempt == 1
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._busy()
            if not retry_now:  # every other turn backs off: nothing we find here may make us spin
                time.sleep(min(self.scheme.delay(attempt), remaining))

    def _create(self) -> bool:
        """Make our lock file, content and all, if there is none (False: one exists). The payload
        is written to a temp file first and hard-linked to the lock name, so nobody ever sees our
        lock empty; where hard links are not supported, O_EXCL and write, as OpenClaw does."""
        payload = json.dumps(self.scheme.payload(), indent=2).encode()
        tmp = self.path.parent / temp_name(self.path.name)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise _not_writable(self.path, self.target, exc) from None
        try:
            try:
                os.write(fd, payload)
                st = os.fstat(fd)
            finally:
                os.close(fd)
            try:
                os.link(tmp, self.path, follow_symlinks=False)
            except FileExistsError:
                return False
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.EXDEV):
                    raise _not_writable(self.path, self.target, exc) from None
                return self._create_in_place(payload)
        finally:
            _unlink_quietly(tmp)
        self._holder.identity = (st.st_dev, st.st_ino)
        self._holder.payload = payload
        return True

    def _create_in_place(self, payload: bytes) -> bool:
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        except FileExistsError:
            return False
        except OSError as exc:
            raise _not_writable(self.path, self.target, exc) from None
        try:
            os.write(fd, payload)
            st = os.fstat(fd)
        except BaseException:
            os.close(fd)
            _unlink_quietly(self.path)
            raise
        os.close(fd)
        self._holder.identity = (st.st_dev, st.st_ino)
        self._holder.payload = payload
        return True

    def _remove_if_stale(self) -> bool:
        """Delete a stale lock; True if it is gone now (it vanished, or we removed it)."""
        try:
            before = _fingerprint(self.path)
        except FileNotFoundError:
            return True
        except OSError:  # unreadable (no permission): wait for it, never spin on it
            return False
        if not self.scheme.stale(self.path, self.stale_after):
            return False
        # Only the very file we judged: another writer may have released it and made a new one,
        # and a new lock file often gets the same inode number, so compare everything we can.
        try:
            if _fingerprint(self.path) != before:
                return False
        except OSError:
            return False
        try:
            _unlink_quietly(self.path)
        except OSError:  # a stale lock we may not remove: wait, and say so when the time is up
            return False
        self.stolen_stale += 1
        return True

    def _busy(self) -> LockBusy:
        info = read_lock(self.path)
        holder = f"process {info.pid}" if info.pid else "another process"
        hint = self.scheme.busy_hint
        try:
            st, content = _read_small(self.path)
        except PermissionError:
            hint = f"{self.path} cannot be read (permission denied); if no OpenClaw runs, remove it."
        except OSError:
            pass
        else:
            if not content.strip():
                left = max(0.0, self.stale_after - (time.time() - st.st_mtime))
                hint = (
                    f"The lock is empty: a process was killed while taking it. OpenClaw, and we, count it as "
                    f"stale {self.stale_after:g} s after it was made, in {left:.0f} s; try again then."
                )
        return LockBusy(
            f"{self.target} is locked by {holder} ({self.path.name}); gave up after {self.timeout:g} s.",
            hint=hint,
        )

    # -- holding and release -------------------------------------------------------------------

    def _still_ours(self) -> bool:
        try:
            st, content = _read_small(self.path)
        except OSError:
            return False
        return (st.st_dev, st.st_ino) == self._holder.identity and content == self._holder.payload

    def verify(self) -> None:
        """Raise `LockLost` if our lock file is gone or replaced (someone judged us stale)."""
        if not self._still_ours():
            raise LockLost(
                f"the lock on {self.target} was taken over by another process while we held it; nothing was written.",
                hint="Try again; if it keeps happening, stop the OpenClaw gateway first.",
            )

    @property
    def held_for(self) -> float:
        return time.monotonic() - self._holder.acquired_at if self._holder.count else 0.0

    def release(self) -> None:
        holder = self._holder
        try:
            if holder.count <= 0:
                return
            holder.count -= 1
            if holder.count > 0:
                return
            if self._still_ours():
                _unlink_quietly(self.path)
            holder.identity = None
            holder.payload = b""
        finally:
            holder.mutex.release()

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def _fingerprint(path: Path) -> tuple[int, int, int, int, bytes]:
    """Identity of a lock file: device, inode, mtime (ns), size and content. Raises OSError."""
    st, content = _read_small(path)
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size, content)


def _not_writable(lock: Path, target: Path, exc: OSError) -> NotWritable:
    """A lock we cannot create, said as what it means: nothing can be written there."""
    why = {
        errno.EROFS: "the file system is read-only",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ENOTDIR: f"{lock.parent} is not a folder",
        errno.EEXIST: f"{lock.parent} is not a folder",
        errno.ENOENT: f"{lock.parent} does not exist",
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is used up",
    }.get(exc.errno or 0, exc.strerror or type(exc).__name__)
    return NotWritable(
        f"cannot take the lock on {target}: {why} ({lock.parent}). Nothing was changed.",
        hint="Run this as the user who owns the OpenClaw folder, on a writable disk.",
    )


def _make_lock_dir(lock: Path, target: Path) -> None:
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _not_writable(lock, target, exc) from None


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
