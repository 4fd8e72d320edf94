"""Reading a file the user's install names, without letting its kind hang or sink the tool.

Every path we read comes from a hand-editable install: `openclaw.json` and its `$include`s,
`.env` files, stores, session files, logs. Any of them can be a FIFO (a plain `open()` waits
forever for a writer), a device, a socket, a directory or a runaway file. So every read goes
through `read_bytes`: it opens with `O_NONBLOCK` (a FIFO opens at once instead of blocking),
`fstat()`s the descriptor it got (not the path: no swap between the check and the read), and
reads only a regular file, only up to a size cap. `regular_file` answers the same question for
a path we hand to SQLite, which would block on a FIFO just the same.

The write layer reads through the same loop (`read_open`: a lock file's payload, a store
just before we replace it, with `steady` so its stat belongs to its bytes).

Refusals are `OSError`s with a readable `strerror` (no file content), so the callers' existing
"cannot be read (…)" paths report them. Symlinks are followed, as OpenClaw follows them
(`fs.readFileSync`), unless `follow_symlinks=False`.
"""

from __future__ import annotations

import errno
import os
import stat
import time

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from typing import Any

DEFAULT_LIMIT = 64 * 1024 * 1024
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


class NotRegularFile(OSError):
    """The path is there but is not a regular file (a FIFO, directory, device or socket)."""


class FileTooLarge(OSError):
    """A regular file larger than the reader's cap; the file is not read."""


def kind_of(mode: int) -> str:
    """`a FIFO (named pipe)`, `a directory`…: what a non-regular file is, for a message."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def check_regular(st: os.stat_result, path: Any = None) -> None:
    """Raise `NotRegularFile` unless `st` is a regular file's."""
    if not stat.S_ISREG(st.st_mode):
        kind = kind_of(st.st_mode)
        code = errno.EISDIR if stat.S_ISDIR(st.st_mode) else errno.EINVAL
        raise NotRegularFile(code, f"is {kind}, not a regular file", *(() if path is None else (os.fspath(path),)))


def read_bytes(path: Any, *, limit: int = DEFAULT_LIMIT, truncate: bool = False, follow_symlinks: bool = True) -> bytes:
    """The whole content of the regular file `path`, at most `limit` bytes, else an `OSError`.

    Never blocks on a FIFO, never reads a device or a directory, never reads past `limit`
    (`FileTooLarge`, whatever size the file claims or grows to while we read; with `truncate`
    its first `limit` bytes instead).
    """
    return read_with_stat(path, limit=limit, truncate=truncate, follow_symlinks=follow_symlinks)[1]


def read_with_stat(
    path: Any,
    *,
    limit: int = DEFAULT_LIMIT,
    truncate: bool = False,
    follow_symlinks: bool = True,
    steady: bool = False,
) -> tuple[os.stat_result, bytes]:
    """`read_bytes`, and the `fstat` of the descriptor the bytes came from (a lock file's
    identity and content, say, from one open: no swap between the look and the read)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= os.O_NOFOLLOW
    fd = os.open(os.fspath(path), flags)
    try:
        return read_open(fd, limit=limit, truncate=truncate, steady=steady, path=path)
    finally:
        os.close(fd)


_STEADY_TRIES = 50


def read_open(
    fd: int, *, limit: int = DEFAULT_LIMIT, truncate: bool = False, steady: bool = False, path: Any = None
) -> tuple[os.stat_result, bytes]:
    """The regular file open as `fd`, read from its start (its offset is left alone), and its `fstat`.

    The one reading loop of the package: the refusals of `read_bytes` (`NotRegularFile`,
    `FileTooLarge` unless `truncate`). With `steady`, a file written while we read it is read
    again (up to 50 times) until its size and mtime are the same before and after, so the
    stat returned belongs to the bytes returned (what a writer's "is it still as I read it"
    check compares).
    """
    for _ in range(_STEADY_TRIES if steady else 1):
        st = os.fstat(fd)
        check_regular(st, path)
        if st.st_size > limit and not truncate:
            raise FileTooLarge(errno.EFBIG, f"is larger than {_size(limit)}", *_named(path))
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.pread(fd, min(1024 * 1024, limit + 1 - size), size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        data = b"".join(chunks)
        if size > limit:
            if not truncate:
                raise FileTooLarge(errno.EFBIG, f"is larger than {_size(limit)}", *_named(path))
            data = data[:limit]
        if not steady:
            return st, data
        after = os.fstat(fd)
        if (st.st_size, st.st_mtime_ns) == (after.st_size, after.st_mtime_ns):
            return after, data
        time.sleep(0.001)  # written while we read: read again
    return after, data


def _named(path: Any) -> tuple[str, ...]:
    return () if path is None else (os.fspath(path),)


def read_tail(path: Any, size: int) -> tuple[bytes, int]:
    """The last `size` bytes of the regular file `path` and the file's whole size (a log's tail)."""
    fd = os.open(os.fspath(path), os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        check_regular(st, path)
        total = st.st_size
        start = max(0, total - size)
        chunks: list[bytes] = []
        got = 0
        while got < size:
            chunk = os.pread(fd, min(1024 * 1024, size - got), start + got)
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks), total
    finally:
        os.close(fd)


def regular_file(path: Any) -> os.stat_result | None:
    """The `stat` of `path` when it is a regular file (symlinks followed); None when it is absent.

    Raises `NotRegularFile` for a FIFO, directory, device or socket, and the `OSError` of the
    `stat` itself (permission denied, a symlink loop, a file where a folder should be). For a
    database path: check it with this before `sqlite3.connect`, which would block on a FIFO.
    """
    try:
        st = os.stat(os.fspath(path))
    except FileNotFoundError:
        return None
    check_regular(st, path)
    return st


def present(path: Any) -> bool:
    """There, even if we may not look at it (permission denied, a symlink loop): for a reader
    that goes on to open it and report why it cannot. Only a missing path (or a file where a
    folder should be) is absent. Never raises."""
    try:
        os.stat(os.fspath(path))
    except (FileNotFoundError, NotADirectoryError):
        return False
    except (OSError, ValueError):
        return True
    return True


def exists_sync(path: Any) -> bool:
    """Node's `fs.existsSync`, which OpenClaw uses to find its files: false on any error
    (permission denied, a symlink loop), never raises."""
    try:
        os.stat(os.fspath(path))
    except (OSError, ValueError):
        return False
    return True


def is_file_sync(path: Any) -> bool:
    """A regular file we can see (symlinks followed); false on any error, never raises."""
    try:
        return stat.S_ISREG(os.stat(os.fspath(path)).st_mode)
    except (OSError, ValueError):
        return False


def is_dir_sync(path: Any) -> bool:
    """A directory we can see (symlinks followed); false on any error, never raises."""
    try:
        return stat.S_ISDIR(os.stat(os.fspath(path)).st_mode)
    except (OSError, ValueError):
        return False


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n} bytes"


def copy_regular(src: Any, dst: Any) -> int:
    """Copy the regular file `src` to a new file `dst` (mode 0600, must not exist); its size.

    For reading a copy where reading the original would write beside it (a SQLite WAL with no
    `-shm`). The same refusals as `read_bytes`; no size cap (the caller chose to copy it).
    """
    fd = os.open(os.fspath(src), os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        check_regular(os.fstat(fd), src)
        out = os.open(os.fspath(dst), os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
        try:
            total = 0
            while chunk := os.read(fd, 1024 * 1024):
                view = memoryview(chunk)
                while view:
                    view = view[os.write(out, view) :]
                total += len(chunk)
            return total
        finally:
            os.close(out)
    finally:
        os.close(fd)
