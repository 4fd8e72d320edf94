"""Helpers for the write-layer oracle tests: private copies of built homes, the real CLI, /proc watching.

Builds come from the oracle harness (`tests/oracle/conftest.py`, once per session); here we only
copy them (a write test must never touch the pristine home the read tests compare against), run
the real `openclaw` on the copy, and watch the command lines of every process it starts.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from openclaw_triage.model import Install
from openclaw_triage.openclaw.install import inspect_install
from openclaw_triage.openclaw.locate import Options
from openclaw_triage.write import cli_runner
from tests.oracle.conftest import Built, mf

_UNUSABLE_SUFFIX = re.compile(r" \[(cooldown|disabled(?::[^\] ]+)?) [^\]]+\]$")


def free_port() -> int:
    """A loopback port nobody listens on: our writes must not talk to someone else's gateway."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Home:
    """A private, writable copy of a built scenario, and the real CLI of its era pointed at it."""

    def __init__(self, built: Built, dest: Path) -> None:
        self.era = built.era
        self.home = dest
        mf.copy_home(built.home, dest)
        self.cli = str(mf.wrapper(built.era))
        self.env = mf.isolated_env(dest, {"OPENCLAW_GATEWAY_PORT": str(free_port())})

    @property
    def state_dir(self) -> Path:
        return self.home / ".openclaw"

    def inspect(self, agent: str | None = None) -> Install:
        return inspect_install(Options(openclaw=self.cli, agent=agent), env=self.env)

    def openclaw(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [self.cli, *args],
            env=self.env,
            cwd=self.home,
            capture_output=True,
            text=True,
            timeout=mf.CLI_TIMEOUT_S,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        if check and proc.returncode != 0:
            pytest.fail(f"openclaw {' '.join(args)} failed (rc {proc.returncode}):\n{proc.stderr[-2000:]}")
        return proc

    def status(self) -> dict[str, Any]:
        """`openclaw models status --json`: the providers' masked profile labels, cooldown times normalised."""
        doc = json.loads(self.openclaw("models", "status", "--json").stdout)
        return {
            e["provider"]: [_UNUSABLE_SUFFIX.sub(r" [\1]", label) for label in e["profiles"]["labels"]]
            for e in doc["auth"]["providers"]
        }

    def order(self, provider: str = "anthropic") -> list[str] | None:
        """`openclaw models auth order get --provider P --json`: the stored override, or None."""
        doc = json.loads(self.openclaw("models", "auth", "order", "get", "--provider", provider, "--json").stdout)
        return doc["order"]


def label(profile_id: str, secret: str, *, token: bool = False) -> str:
    """What `models status` prints for a stored secret (first 8 ... last 8)."""
    return f"{profile_id}={'token:' if token else ''}{secret[:8]}...{secret[-8:]}"


class ProcWatcher:
    """Records the command line of every process in the CLI's session while it runs.

    Our runner starts the CLI in a new session, so its wrapper script, the node it execs and
    anything node re-spawns share session id = the first pid. `/proc/<pid>/cmdline` is what
    any local user could read: the secret must never be in it.
    """

    def __init__(self) -> None:
        self.cmdlines: list[list[str]] = []
        self._threads: list[threading.Thread] = []

    def on_start(self, pid: int) -> None:
        thread = threading.Thread(target=self._watch, args=(pid,), daemon=True)
        thread.start()
        self._threads.append(thread)

    def _watch(self, sid: int) -> None:
        seen: set[tuple[int, str]] = set()
        while os.path.exists(f"/proc/{sid}"):
            for entry in os.listdir("/proc"):
                if not entry.isdigit():
                    continue
                try:
                    with open(f"/proc/{entry}/stat", "rb") as fh:
                        stat = fh.read().decode("utf-8", "replace")
                    fields = stat[stat.rindex(")") + 2 :].split()
                    if int(fields[3]) != sid:  # field 6 (session id), counted after "pid (comm) state"
                        continue
                    with open(f"/proc/{entry}/cmdline", "rb") as fh:
                        cmdline = fh.read().decode("utf-8", "replace")
                except (OSError, ValueError, IndexError):
                    continue
                if cmdline and (int(entry), cmdline) not in seen:
                    seen.add((int(entry), cmdline))
                    self.cmdlines.append(cmdline.split("\0"))
            time.sleep(0.02)

    def join(self) -> None:
        for thread in self._threads:
            thread.join(timeout=30)


@contextmanager
def watching_cli(monkeypatch: pytest.MonkeyPatch) -> Iterator[ProcWatcher]:
    """Every `CliRoute` the write layer builds reports its processes to one watcher."""
    watcher = ProcWatcher()
    original = cli_runner.CliRoute.run

    def run(self: cli_runner.CliRoute, *args: Any, **kwargs: Any) -> cli_runner.CliResult:
        self.on_start = watcher.on_start
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cli_runner.CliRoute, "run", run)
    try:
        yield watcher
    finally:
        watcher.join()
