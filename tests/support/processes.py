"""Real processes for tests that need a live pid (a gateway's, a lock holder's) or a dead one."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


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


@contextmanager
def deadline(seconds: float, what: str = "the command") -> Iterator[None]:
    """Fail instead of blocking forever (a FIFO opened for reading): SIGALRM interrupts the block,
    and running out the clock fails even when the code under test turned the interruption into a
    message of its own (the CLI reports unexpected errors and exits)."""

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"{what} still running after {seconds} s (blocked on a FIFO?)")

    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if time.monotonic() - started >= seconds:
        raise TimeoutError(f"{what} ran until its {seconds} s deadline")
