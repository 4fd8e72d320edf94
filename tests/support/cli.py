"""Running `openclaw-triage` the way a user does, with a private HOME and environment.

`run_cli` calls `main(argv)` in this process (fast, and a failure shows the traceback); with
`separate_process=True` it runs `python -m openclaw_triage` instead, for what only a process
boundary shows: what gets imported, the exit status of the interpreter, and no controlling
terminal (`start_new_session`: a prompt cannot reach /dev/tty, as in CI).
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True, slots=True)
class Ran:
    """What a run printed and returned (the fields a `CompletedProcess` has)."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def cli_env(home: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a run: a private HOME, no colour, the real PATH, plus `env`."""
    full = {"HOME": str(home), "PATH": os.environ.get("PATH", ""), "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}
    full.update(env or {})
    return full


class _Stdin(io.StringIO):
    def isatty(self) -> bool:
        return False


def run_cli(
    home: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None, separate_process: bool = False
) -> Ran:
    """Run the CLI in `home` (its cwd and HOME) with exactly `cli_env(home, env)` as its environment."""
    full_env = cli_env(home, env)
    if separate_process:
        proc = subprocess.run(
            [sys.executable, "-m", "openclaw_triage", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=full_env,
            cwd=home,
            timeout=60,
            check=False,
            start_new_session=True,
        )
        return Ran(tuple(args), proc.returncode, proc.stdout, proc.stderr)
    from openclaw_triage.cli import main

    saved_env, saved_cwd, saved_stdin = dict(os.environ), os.getcwd(), sys.stdin
    out, err = io.StringIO(), io.StringIO()
    os.environ.clear()
    os.environ.update(full_env)
    os.chdir(home)
    sys.stdin = _Stdin(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        os.chdir(saved_cwd)
        sys.stdin = saved_stdin
    return Ran(tuple(args), int(code or 0), out.getvalue(), err.getvalue())


def fake_openclaw(where: Path, version: str) -> str:
    """An `openclaw` whose package.json names `version`: what `check` reads instead of starting
    Node. It is never meant to run (it exits 1), so a test says which release is installed
    without installing one."""
    pkg = where / f"openclaw-{version}"
    pkg.mkdir(parents=True, exist_ok=True)
    (pkg / "package.json").write_text(f'{{"name": "openclaw", "version": "{version}"}}\n')
    exe = pkg / "openclaw.mjs"
    exe.write_text("#!/bin/sh\nexit 1\n")
    exe.chmod(0o755)
    return str(exe)
