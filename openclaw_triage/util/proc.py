"""Is a process alive, and is it still the process a lock file named (Linux `/proc`)?

Lock files name a pid; a pid is reused once its process is gone, so OpenClaw also records the
process's start time (field 22 of `/proc/<pid>/stat`, `getProcessStartTime`) and compares it.
Off Linux there is no `/proc`: a live pid is taken at its word.
"""

from __future__ import annotations

import os


def pid_alive(pid: int) -> bool:
    """A running, non-zombie process (EPERM counts as alive: it exists, owned by someone else)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    stat = _proc_stat(pid)
    return stat is None or stat[0] not in ("Z", "X")  # a zombie or a dead task holds nothing


def _proc_stat(pid: int) -> list[str] | None:
    """`/proc/<pid>/stat` fields after the command name (state first); None off Linux."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            raw = fh.read().decode("ascii", "replace")
    except OSError:
        return None
    close = raw.rfind(")")
    return raw[close + 1 :].split() if close >= 0 else None


def start_ticks(pid: int) -> int | None:
    """Field 22 of `/proc/<pid>/stat` (start time in clock ticks), as OpenClaw records it."""
    fields = _proc_stat(pid)
    if not fields or len(fields) < 20:
        return None
    try:
        value = int(fields[19])
    except ValueError:
        return None
    return value if value >= 0 else None
