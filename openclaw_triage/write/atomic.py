"""Replace a file so that no reader ever sees half of it, and a crash leaves old or new, never neither.

OpenClaw 2026.3 writes `auth-profiles.json` in place, and reads a partial file as an empty
store; we write a temp file beside the target, fsync it, rename it over the target and fsync
the directory. The file mode and owner are kept. A symlink is never replaced by a file: we
write to the file it resolves to, so the link (often a dotfiles setup) stays intact.

Faults (issue 16):

- A kill between the temp write and the rename leaves `.<name>.<12 hex>.tmp` beside the file,
  0600 and holding whatever we were writing (every key of a store). The next write to that
  file removes such leftovers (`clean_leftovers`): only names of our exact pattern
  (`util.tempfiles`, which `check` uses to mention one), only regular files (never through a
  symlink), only older than a moment, or any age when the caller holds the file's lock (no
  writer of ours is then mid-write). OpenClaw's own temps (`<name>.<uuid>.tmp`) are not ours.
- OpenClaw writes `auth-profiles.json` without the lock in places (`saveJsonFile` from
  `paste-token`, `onboard`, the logins: `writeFileSync` in place). `expect` makes the rename
  conditional on the file still being the bytes we read (device, inode, size, mtime_ns,
  SHA-256), checked after our temp is durable, just before `os.replace`; otherwise
  `StoreChanged`, and the caller re-reads and re-applies. A writer that opened the old file
  before the rename and wrote it after our check wrote into the inode we replaced: we keep it
  open across the rename and hand what it got back (`Written.overwrote`), so that update is
  not lost either. A writer that renames a file of its own over the store in the moment between
  that check and our rename is not seen (the window is measured in `_still_as_read`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..util.safe_read import read_open
from ..util.tempfiles import LEFTOVER_AGE_S, leftover_temps, temp_name
from .errors import StoreChanged, WriteError

DEFAULT_MODE = 0o600
_MAX_READ = 64 * 1024 * 1024


def clean_leftovers(directory: Path, target_name: str, *, older_than: float = LEFTOVER_AGE_S) -> list[Path]:
    """Remove what `leftover_temps` finds for `target_name` (a kill's leftovers); returns what went."""
    removed = []
    for path in leftover_temps(directory, target_name, older_than=older_than):
        with contextlib.suppress(OSError):
            os.unlink(path)  # unlink never follows a symlink, and the name was a regular file
            removed.append(path)
    return removed


@dataclass(frozen=True, slots=True)
class Seen:
    """A file as we read it: enough to tell, just before we replace it, whether anyone wrote it since."""

    dev: int
    ino: int
    size: int
    mtime_ns: int
    sha256: str

    @staticmethod
    def of(st: os.stat_result, data: bytes) -> Seen:
        return Seen(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, hashlib.sha256(data).hexdigest())


ABSENT = Seen(-1, -1, -1, -1, "")  # `expect=ABSENT`: the file must still not exist


def _read_fd(fd: int) -> tuple[os.stat_result, bytes]:
    """The file behind `fd`, read whole from offset 0, with a stat that belongs to those bytes.
    Past `_MAX_READ` it is cut (a store that large is never ours to compare equal)."""
    return read_open(fd, limit=_MAX_READ, truncate=True, steady=True)


def observe(path: Path | str) -> tuple[Seen, bytes | None]:
    """The file as it is now (`ABSENT`, None when there is none): its identity and its bytes."""
    try:
        fd = os.open(resolve_target(path), os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return ABSENT, None
    except OSError as exc:
        raise WriteError(f"{path} cannot be read: {exc.strerror}.") from None
    try:
        st, data = _read_fd(fd)
    except OSError as exc:  # a FIFO or a folder swapped in since `resolve_target` looked
        raise WriteError(f"{path} cannot be read: {exc.strerror}.") from None
    finally:
        os.close(fd)
    return Seen.of(st, data), data


def _changed(target: Path) -> StoreChanged:
    return StoreChanged(
        f"{target} was changed by another program while we were writing it (OpenClaw writes it without a "
        "lock during `paste-token`, `onboard` and logins); nothing was changed.",
        hint="Try again in a moment; `openclaw-triage check` shows what is in it now.",
    )


@dataclass(frozen=True, slots=True)
class Written:
    """Where the bytes went and with which mode (the target of a symlink, not the link).

    `seen`: the file as we left it. `overwrote`: what another program wrote into the file we
    replaced after our last look (it opened it before our rename); None almost always."""

    path: Path
    mode: int
    mode_before: int | None
    seen: Seen | None = None
    overwrote: bytes | None = None


def resolve_target(path: Path | str) -> Path:
    """The real file behind `path`; refuses a non-regular file (a directory, a FIFO, a dangling link)."""
    real = Path(os.path.realpath(path))
    try:
        st = real.stat()
    except FileNotFoundError:
        if os.path.islink(path):
            raise WriteError(
                f"{path} is a symlink to {real}, which does not exist; refusing to write through it."
            ) from None
        return real
    if not stat.S_ISREG(st.st_mode):
        raise WriteError(f"{real} is not a regular file; refusing to replace it.")
    return real


def fsync_dir(directory: Path) -> None:
    """Make the rename durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _owner_for_new(directory: Path) -> tuple[int, int] | None:
    """Whom a new entry in `directory` should belong to when root makes it: the directory's
    owner, so `sudo openclaw-triage` fixing a user's install leaves nothing the user cannot read.
    None when not root, or when the directory is root's own."""
    if os.geteuid() != 0:
        return None
    try:
        st = directory.stat()
    except OSError:
        return None
    return None if (st.st_uid, st.st_gid) == (0, 0) else (st.st_uid, st.st_gid)


def give_to_folder_owner(fd: int, directory: Path) -> None:
    """As root, hand a file or folder just made in `directory` (open as `fd`) to that folder's
    owner. Through the descriptor, never the path: the user could swap the path for a symlink."""
    owner = _owner_for_new(directory)
    if owner is not None:
        os.fchown(fd, *owner)


def make_dirs(directory: Path, mode: int = 0o700) -> None:
    """Make `directory` and every missing folder above it, each with `mode` (OpenClaw's folders
    are 0700); as root, each new folder belongs to the owner of the folder it is made in."""
    missing: list[Path] = []
    current = directory
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=mode)
        except FileExistsError:
            continue
        if _owner_for_new(folder.parent) is None:
            continue
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
        try:
            give_to_folder_owner(fd, folder.parent)
        finally:
            os.close(fd)


def write_atomic(
    path: Path | str,
    data: bytes,
    *,
    mode: int | None = None,
    before_replace: Callable[[], None] | None = None,
    expect: Seen | None = None,
    exclusive: bool = False,
    complete: Callable[[bytes], bool] | None = None,
) -> Written:
    """Atomically make `path` (or the file its symlink points to) hold exactly `data`.

    `mode`: the permission bits to give; default: keep the current file's, or 0600 for a new
    file. `before_replace` runs after the temp file is durable and just before the rename (the
    caller re-checks its lock there). `expect`: the file as the caller read it (`ABSENT`: it
    did not exist); if it is not that any more, `StoreChanged` and nothing is written.
    `exclusive`: the caller holds the file's lock, so a temp of ours beside it is a leftover
    whatever its age. `complete(bytes)`: whether what another program wrote late into the file we
    replaced is whole (it may write it in pieces); it is waited for until it is. Temp names come from random bytes, never from content.
    """
    target = resolve_target(path)
    directory = target.parent
    clean_leftovers(directory, target.name, older_than=0.0 if exclusive else LEFTOVER_AGE_S)
    try:
        st: os.stat_result | None = target.stat()
    except FileNotFoundError:
        st = None
    mode_before = stat.S_IMODE(st.st_mode) if st else None
    final_mode = mode if mode is not None else (mode_before if mode_before is not None else DEFAULT_MODE)
    tmp = directory / temp_name(target.name)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    except PermissionError:
        raise WriteError(f"cannot write in {directory}: permission denied.") from None
    except OSError as exc:
        raise WriteError(f"cannot write in {directory}: {exc.strerror}.") from None
    old_fd: int | None = None
    try:
        try:
            view = memoryview(data)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            os.fchmod(fd, final_mode)
            if st is not None and os.geteuid() == 0 and (st.st_uid, st.st_gid) != (0, 0):
                os.fchown(fd, st.st_uid, st.st_gid)  # root fixing a user's file must not take it over
            elif st is None:
                give_to_folder_owner(fd, directory)  # a new file in a user's folder is the user's
            os.fsync(fd)
            ours = os.fstat(fd)
        finally:
            os.close(fd)
        if before_replace is not None:
            before_replace()
        if expect is not None:
            old_fd, old_st = _still_as_read(target, expect)
            if old_fd is not None:  # and once more, as cheaply as can be, right before the rename
                last = os.fstat(old_fd)
                if (last.st_size, last.st_mtime_ns) != (old_st.st_size, old_st.st_mtime_ns):
                    raise _changed(target)
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise WriteError(f"cannot replace {target}: {exc.strerror}; nothing was changed.") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if old_fd is not None:
            os.close(old_fd)
        raise
    fsync_dir(directory)
    overwrote = None
    if old_fd is not None:
        try:
            overwrote = _late_write(old_fd, old_st, complete, expect.sha256 if expect is not None else None)
        finally:
            os.close(old_fd)
    return Written(target, final_mode, mode_before, Seen.of(ours, data), overwrote)


_LATE_WAIT_S = 0.2
_EMPTY_WAIT_S = 5.0
_STEADY_S = 0.003


def _late_write(
    fd: int, as_checked: os.stat_result, complete: Callable[[bytes], bool] | None = None, sha256: str | None = None
) -> bytes | None:
    """What another program wrote into the file we just replaced, after our check (None: nothing).

    Its open truncated the file before our rename (`writeFileSync` opens with O_TRUNC), so a
    change shows at once; its bytes may follow a moment later: wait until they stop changing.
    A file still empty, or not yet `complete`, is a writer between its truncate and its last
    write (descheduled on a busy machine, it can stay there for a while): its bytes are waited
    for longer, or its update would be lost."""
    st, data = _read_fd(fd)
    same = (st.st_size, st.st_mtime_ns) == (as_checked.st_size, as_checked.st_mtime_ns)
    # By content when it is known: a rewrite of the same size within one clock tick keeps both.
    if (sha256 is not None and hashlib.sha256(data).hexdigest() == sha256) or (sha256 is None and same):
        return None

    def whole(data: bytes) -> bool:
        return bool(data) and (complete is None or complete(data))

    started = steady_since = time.monotonic()
    while True:
        now = time.monotonic()
        if now - started >= (_LATE_WAIT_S if whole(data) else _EMPTY_WAIT_S):
            break
        time.sleep(0.002)
        again, data_again = _read_fd(fd)
        if (again.st_size, again.st_mtime_ns) != (st.st_size, st.st_mtime_ns):
            st, data, steady_since = again, data_again, time.monotonic()
        elif whole(data) and time.monotonic() - steady_since >= _STEADY_S:
            break  # a write in several pieces pauses between them: unchanged for a while, it is done
    return data


def _still_as_read(target: Path, expect: Seen) -> tuple[int | None, os.stat_result]:
    """Raise `StoreChanged` unless `target` is still what was read; keep the old file open (its fd).

    The window this leaves (issue 16): the check and our `os.replace` are two steps. A writer
    that replaces the store by renaming a file of its own over it (not an in-place write), and
    whose rename lands after the `os.open` below and before our `os.replace`, is not seen: our
    descriptor holds the file its rename displaced, which it left unchanged, so `_late_write`
    finds nothing either; our rename then displaces their file, and their update is lost (ours
    lands on the bytes before it). The window is the reading and hashing of the store plus one
    `fstat`: measured about 0.02 ms for a store of a few profiles and 1.6 ms (2.7 ms at worst)
    for 10,000 profiles (2 MB), on a 2-core VM. No rename closes it: `renameat2` can refuse an
    existing target (RENAME_NOREPLACE) or swap two names (RENAME_EXCHANGE), never replace only a
    given inode, and swapping then checking what came out would show an OpenClaw reader our store
    without their update until we re-applied ours on theirs. So it is left as it is. (A renamer
    landing after our rename displaces ours: their race with any writer, ours included.)"""
    try:
        fd = os.open(target, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        if expect == ABSENT:
            return None, os.stat_result((0,) * 10)
        raise _changed(target) from None
    except OSError as exc:
        raise WriteError(f"{target} cannot be read: {exc.strerror}.") from None
    try:
        st, data = _read_fd(fd)
        if Seen.of(st, data) != expect:
            raise _changed(target)
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def remove_durably(path: Path | str) -> None:
    """Unlink a file (the undo of a file we created) and make that durable."""
    target = resolve_target(path)
    try:
        os.unlink(target)
    except FileNotFoundError:
        return
    fsync_dir(target.parent)
