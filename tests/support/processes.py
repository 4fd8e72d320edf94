"""Real processes for tests that need a live pid (a gateway's, a lock holder's), a dead one, or one
killed at an exact point of a write."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
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


_KILLED_AT_RENAME = """
import os, signal, sys
target, when, home, code = sys.argv[1:5]
rename = os.replace

def replace(src, dst, *args, **kwargs):  # kill -9 at the rename that lands `target`, before or after it
    if os.path.realpath(dst) == target and when == "before":
        os.kill(os.getpid(), signal.SIGKILL)
    rename(src, dst, *args, **kwargs)
    if os.path.realpath(dst) == target:
        os.kill(os.getpid(), signal.SIGKILL)

os.replace = replace
from openclaw_triage import write
from openclaw_triage.openclaw.install import inspect_install
from openclaw_triage.openclaw.locate import Options
install = inspect_install(Options(), env={"HOME": home, "PATH": "/usr/bin:/bin", "OPENCLAW_GATEWAY_PORT": "9"})
exec(code)
print("not killed", flush=True)
"""


def killed_at_rename(target: Path, when: str, home: Path, code: str) -> None:
    """Run `code` (it sees `write` and `install`, the install in `home`) in a process of its own
    that is killed with SIGKILL right `when` ("before" or "after") a rename lands `target`: a
    `kill -9` at that exact point of a write, in our own environment (journal and all)."""
    proc = subprocess.run(
        [sys.executable, "-c", _KILLED_AT_RENAME, os.path.realpath(target), when, str(home), code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        timeout=60,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, f"not killed at {target}: {proc.stdout}{proc.stderr}"
