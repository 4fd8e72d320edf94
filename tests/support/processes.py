"""Real processes for tests that need a live pid (a gateway's, a lock holder's) or a dead one."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def sleeping_process(env: dict[str, str] | None = None, *, say_up: bool = False) -> Iterator[subprocess.Popen[bytes]]:
    """A child that sleeps a minute (killed on exit): its pid is alive and is not ours.

    With `say_up`, it prints "up" once running (read it to know its environment is in place).
    """
    code = ("print('up', flush=True); " if say_up else "") + "import time; time.sleep(60)"
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE if say_up else None)
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def dead_pid() -> int:
    """The pid of a process that has exited (and was reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid
