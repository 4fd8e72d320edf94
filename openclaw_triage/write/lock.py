"""OpenClaw 2026.3's own lock on `auth-profiles.json`, so our writes and OpenClaw's never interleave.

OpenClaw (`src/plugin-sdk/file-lock.ts`) guards the store with a plain file
`<realpath(dirname)>/auth-profiles.json.lock`, created with O_EXCL, holding pretty JSON
`{"pid": N, "createdAt": "<ISO UTC>"}`. A lock counts as stale when its pid is dead, or its
`createdAt` is unparsable or more than 30 s old, or the lock file's mtime is more than 30 s
old; a stale lock is deleted and the acquisition retried. We follow the same rules, wait with
a short back-off up to a total timeout, and hold the lock for milliseconds only (OpenClaw
steals any lock older than 30 s, even from a live process).

Threads of this process share one lock per path (the TUI writes from worker threads): a
thread-level lock is taken first, and the file lock is re-entrant like OpenClaw's.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from ..runtime.gateway import pid_alive
from .errors import LockBusy, LockLost

STALE_AFTER_S = 30.0
DEFAULT_TIMEOUT_S = 10.0
_FIRST_DELAY_S = 0.005
_MAX_DELAY_S = 0.25


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


def _parse_iso(text: str) -> float | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class LockInfo:
    """What a lock file says about its holder (`None` fields: unreadable or absent)."""

    pid: int | None
    created_at: str | None
    mtime: float | None


def read_lock(path: Path) -> LockInfo:
    """The payload as OpenClaw's `readLockPayload` accepts it: a numeric pid and a string createdAt, or nothing."""
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return LockInfo(None, None, mtime)
    if not isinstance(data, dict):
        return LockInfo(None, None, mtime)
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
        created = _parse_iso(info.created_at)
        if created is None or now - created > stale_after:
            return True
    if info.mtime is None:
        # Vanished between our look and now: its holder released it. That is not "stale" (a
        # stale verdict would make us delete whatever lock replaces it); the caller just retries.
        return False
    return now - info.mtime > stale_after


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


class FileLock:
    """`with FileLock(store_path):` holds OpenClaw's lock on `store_path` for the block.

    Raises `LockBusy` after `timeout` seconds of a live, fresh lock held by someone else.
    """

    def __init__(
        self, target: Path | str, *, timeout: float = DEFAULT_TIMEOUT_S, stale_after: float = STALE_AFTER_S
    ) -> None:
        self.target = Path(target)
        self.path = lock_path_for(target)
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
        delay = _FIRST_DELAY_S
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
            except FileExistsError:
                if self._remove_if_stale():
                    continue
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise self._busy() from None
                time.sleep(min(delay * (1 + random.random()), remaining))
                delay = min(delay * 2, _MAX_DELAY_S)
                continue
            try:
                payload = json.dumps({"pid": os.getpid(), "createdAt": iso_now()}, indent=2).encode()
                os.write(fd, payload)
                st = os.fstat(fd)
                self._holder.identity = (st.st_dev, st.st_ino)
                self._holder.payload = payload
            except BaseException:
                os.close(fd)
                _unlink_quietly(self.path)
                raise
            os.close(fd)
            return

    def _remove_if_stale(self) -> bool:
        """Delete a stale lock; True if the caller should retry at once."""
        before = _fingerprint(self.path)
        if before is None:
            return True
        if not is_stale(self.path, stale_after=self.stale_after):
            return False
        # Only the very file we judged: another writer may have released it and made a new one,
        # and a new lock file often gets the same inode number, so compare everything we can.
        if _fingerprint(self.path) != before:
            return True
        _unlink_quietly(self.path)
        self.stolen_stale += 1
        return True

    def _busy(self) -> LockBusy:
        info = read_lock(self.path)
        holder = f"process {info.pid}" if info.pid else "another process"
        return LockBusy(
            f"{self.target} is locked by {holder} ({self.path.name}); gave up after {self.timeout:g} s.",
            hint="OpenClaw is probably writing it right now: try again in a moment. A lock older than "
            f"{STALE_AFTER_S:g} s is removed automatically.",
        )

    # -- holding and release -------------------------------------------------------------------

    def _still_ours(self) -> bool:
        try:
            st = os.stat(self.path)
            with open(self.path, "rb") as fh:
                content = fh.read(4096)
        except FileNotFoundError:
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


def _fingerprint(path: Path) -> tuple[int, int, int, int, bytes] | None:
    """Identity of a lock file: device, inode, mtime (ns), size and content; None if gone."""
    try:
        st = os.stat(path)
        with open(path, "rb") as fh:
            content = fh.read(4096)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size, content)


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
