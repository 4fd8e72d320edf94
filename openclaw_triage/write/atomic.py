"""Replace a file so that no reader ever sees half of it, and a crash leaves old or new, never neither.

OpenClaw 2026.3 writes `auth-profiles.json` in place, and reads a partial file as an empty
store; we write a temp file beside the target, fsync it, rename it over the target and fsync
the directory. The file mode and owner are kept. A symlink is never replaced by a file: we
write to the file it resolves to, so the link (often a dotfiles setup) stays intact.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import WriteError

DEFAULT_MODE = 0o600


@dataclass(frozen=True, slots=True)
class Written:
    """Where the bytes went and with which mode (the target of a symlink, not the link)."""

    path: Path
    mode: int
    mode_before: int | None


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
) -> Written:
    """Atomically make `path` (or the file its symlink points to) hold exactly `data`.

    `mode`: the permission bits to give; default: keep the current file's, or 0600 for a new
    file. `before_replace` runs after the temp file is durable and just before the rename (the
    caller re-checks its lock there). Temp names come from random bytes, never from content.
    """
    target = resolve_target(path)
    directory = target.parent
    try:
        st: os.stat_result | None = target.stat()
    except FileNotFoundError:
        st = None
    mode_before = stat.S_IMODE(st.st_mode) if st else None
    final_mode = mode if mode is not None else (mode_before if mode_before is not None else DEFAULT_MODE)
    tmp = directory / f".{target.name}.{secrets.token_hex(6)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    except PermissionError:
        raise WriteError(f"cannot write in {directory}: permission denied.") from None
    except OSError as exc:
        raise WriteError(f"cannot write in {directory}: {exc.strerror}.") from None
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
        finally:
            os.close(fd)
        if before_replace is not None:
            before_replace()
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(directory)
    return Written(target, final_mode, mode_before)


def remove_durably(path: Path | str) -> None:
    """Unlink a file (the undo of a file we created) and make that durable."""
    target = resolve_target(path)
    try:
        os.unlink(target)
    except FileNotFoundError:
        return
    fsync_dir(target.parent)
