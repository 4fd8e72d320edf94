"""The SQLite-era route: every change goes through the real `openclaw` CLI, never into the database.

OpenClaw 2026.6+ validates writes, keeps `openclaw.json` in sync and notifies a running
gateway only when its own CLI writes (FACTS 2026.9 §3, §5). So we run that CLI with the
environment the install was inspected with, and hand it secrets on stdin only: the argv of a
process is world-readable in `/proc`. Each call costs about 7 s; `progress` hears about it.
What it prints passes the run's one scrubber (`scrub.scrubber_for(install)`), with the secrets
of the call itself added to it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..model import CredentialType, Install
from ..scrub import Scrubber, scrubber_for
from .errors import CliFailed, CliTimeout, Unsupported

DEFAULT_TIMEOUT_S = 60.0
_HEARTBEAT_S = 3.0
# Variables that decide which install the CLI acts on; recorded for undo (paths only, no secrets).
_LOCATION_VARS = (
    "HOME",
    "OPENCLAW_HOME",
    "OPENCLAW_STATE_DIR",
    "OPENCLAW_CONFIG_PATH",
    "OPENCLAW_PROFILE",
    "OPENCLAW_AGENT_DIR",
    "PI_CODING_AGENT_DIR",
    "OPENCLAW_OAUTH_DIR",
    "OPENCLAW_GATEWAY_PORT",
    "CLAWDBOT_STATE_DIR",
    "CLAWDBOT_CONFIG_PATH",
    "TMPDIR",
)

Progress = Callable[[str], None] | None


def say(progress: Progress, text: str) -> None:
    """Report progress; a broken callback must never break the write."""
    if progress is None:
        return
    with contextlib.suppress(Exception):
        progress(text)


def env_for(install: Install) -> dict[str, str]:
    """The environment `inspect_install` resolved this install with (flags applied), colour off."""
    env = dict(install.seen_env)
    env["NO_COLOR"] = "1"
    env.pop("FORCE_COLOR", None)
    return env


def location_overrides(install: Install) -> dict[str, str]:
    """The variables that point a later CLI run (an undo) at this same install, paths pinned."""
    out = {k: install.seen_env[k] for k in _LOCATION_VARS if install.seen_env.get(k)}
    out["OPENCLAW_STATE_DIR"] = str(install.state_dir)
    out["OPENCLAW_CONFIG_PATH"] = str(install.config.path)
    return out


def env_from_overrides(overrides: Mapping[str, str]) -> dict[str, str]:
    """Our own environment pointed at a recorded install (used by undo, long after the inspection)."""
    env = dict(os.environ)
    for var in ("OPENCLAW_PROFILE", "OPENCLAW_AGENT_DIR", "PI_CODING_AGENT_DIR", "OPENCLAW_HOME"):
        env.pop(var, None)
    env.update(overrides)
    env["NO_COLOR"] = "1"
    env.pop("FORCE_COLOR", None)
    return env


@dataclass(frozen=True, slots=True)
class CliResult:
    """One finished CLI call; stdout and stderr are already scrubbed of the secrets we know."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return "\n".join(part.strip() for part in (self.stdout, self.stderr) if part.strip())


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        try:
            proc.wait(timeout=2)
            return
        except subprocess.TimeoutExpired:
            continue


def run_openclaw(
    cli: str,
    args: Sequence[str],
    *,
    env: Mapping[str, str],
    scrubber: Scrubber,
    stdin_secret: str | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    progress: Progress = None,
    label: str = "",
    known_secrets: Sequence[str] = (),
    cwd: Path | None = None,
    on_start: Callable[[int], None] | None = None,
) -> CliResult:
    """Run `cli args`, the secret (if any) on stdin followed by Enter; never raises for a non-zero exit.

    Its output is masked by `scrubber` (the run's: `scrubber_for(install)`) plus `known_secrets`
    and the secret on stdin. `on_start(pid)` runs once the process exists (tests read its
    `/proc/<pid>/cmdline`).
    """
    label = label or "openclaw " + " ".join(args[:3])
    extra = [*known_secrets, *([stdin_secret] if stdin_secret else [])]
    redact = scrubber.plus(extra) if extra else scrubber
    data = (stdin_secret + "\n").encode("utf-8") if stdin_secret is not None else None
    started = time.monotonic()
    say(progress, f"{label} …")
    try:
        proc = subprocess.Popen(
            [cli, *args],
            stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env),
            cwd=str(cwd) if cwd and cwd.is_dir() else None,
            start_new_session=True,  # a timeout kills the CLI and the node it re-spawns
        )
    except OSError as exc:
        raise CliFailed(
            f"cannot run {cli}: {exc.strerror}.", hint="Pass the openclaw binary with --openclaw PATH."
        ) from None
    if on_start is not None:
        on_start(proc.pid)
    try:
        out, err = _wait(proc, data, started, timeout, progress, label, redact)
    except BaseException:  # Ctrl-C or a timeout: never leave the CLI (in its own session) running
        _kill_group(proc)
        raise
    seconds = time.monotonic() - started
    return CliResult(tuple(args), proc.returncode, redact(_decode(out)), redact(_decode(err)), seconds)


def _wait(
    proc: subprocess.Popen[bytes],
    data: bytes | None,
    started: float,
    timeout: float,
    progress: Progress,
    label: str,
    redact: Scrubber,
) -> tuple[bytes, bytes]:
    """Feed stdin, collect output, report progress every few seconds, stop at the timeout."""
    pending = data
    while True:
        left = timeout - (time.monotonic() - started)
        if left <= 0:
            _kill_group(proc)
            out, err = proc.communicate()
            raise CliTimeout(
                f"{label} did not finish within {timeout:g} s and was stopped; the change may or may not have been made.",
                output=redact(_decode(out) + _decode(err)),
                hint="Run `openclaw-triage check` to see the current state.",
            )
        try:
            return proc.communicate(input=pending, timeout=min(_HEARTBEAT_S, left))
        except subprocess.TimeoutExpired:
            pending = None  # already sent; communicate() keeps feeding it
            say(progress, f"{label} … still running ({time.monotonic() - started:.0f} s)")


def _decode(data: bytes | None) -> str:
    return (data or b"").decode("utf-8", "replace")


@dataclass(slots=True)
class CliRoute:
    """The `openclaw models auth …` commands for one install and agent."""

    cli: str
    env: dict[str, str]
    scrubber: Scrubber  # the run's (`scrubber_for` the install); `known_secrets` are added per call
    agent: str | None = None  # passed as --agent only when it is not the default agent
    progress: Progress = None
    timeout: float = DEFAULT_TIMEOUT_S
    cwd: Path | None = None
    known_secrets: list[str] = field(default_factory=list)
    on_start: Callable[[int], None] | None = None

    @classmethod
    def for_install(
        cls, install: Install, agent: str, *, progress: Progress = None, timeout: float = DEFAULT_TIMEOUT_S
    ) -> CliRoute:
        if not install.cli.path:
            raise Unsupported(
                f"OpenClaw {install.cli.version or '2026.6+'} keeps credentials in SQLite, which only the openclaw CLI "
                "may change, and no openclaw CLI was found.",
                hint="Pass its path with --openclaw PATH (or put openclaw on PATH).",
            )
        return cls(
            cli=install.cli.path,
            env=env_for(install),
            scrubber=scrubber_for(install),
            agent=agent if agent != install.default_agent_id else None,
            progress=progress,
            timeout=timeout,
            cwd=install.state_dir,
        )

    def _agent_args(self) -> list[str]:
        return ["--agent", self.agent] if self.agent else []

    def run(
        self, args: list[str], *, what: str, stdin_secret: str | None = None, expect: str | None = None
    ) -> CliResult:
        """Run one command; raise `CliFailed` (with the CLI's scrubbed output) unless it succeeded."""
        result = run_openclaw(
            self.cli,
            args,
            env=self.env,
            scrubber=self.scrubber,
            stdin_secret=stdin_secret,
            timeout=self.timeout,
            progress=self.progress,
            label=what,
            known_secrets=self.known_secrets,
            cwd=self.cwd,
            on_start=self.on_start,
        )
        ok = result.returncode == 0 and (expect is None or expect in result.stdout + result.stderr)
        if not ok:
            raise CliFailed(
                f"`openclaw {' '.join(args)}` failed (exit code {result.returncode}); nothing was changed by us.",
                output=result.output,
                returncode=result.returncode,
            )
        return result

    def paste(self, ctype: CredentialType, provider: str, profile_id: str, secret: str) -> CliResult:
        command = "paste-api-key" if ctype is CredentialType.API_KEY else "paste-token"
        args = ["models", "auth", command, "--provider", provider, "--profile-id", profile_id, *self._agent_args()]
        return self.run(args, what=f"Saving {profile_id} with openclaw models auth {command}", stdin_secret=secret)

    def order_set(self, provider: str, ids: Sequence[str]) -> CliResult:
        args = ["models", "auth", "order", "set", "--provider", provider, *self._agent_args(), *ids]
        return self.run(args, what="Setting the order with openclaw models auth order set")

    def order_clear(self, provider: str) -> CliResult:
        args = ["models", "auth", "order", "clear", "--provider", provider, *self._agent_args()]
        return self.run(args, what="Clearing the order with openclaw models auth order clear")

    def logout(self, profile_id: str) -> CliResult:
        args = ["models", "auth", "logout", profile_id, *self._agent_args(), "--yes"]
        return self.run(args, what=f"Removing {profile_id} with openclaw models auth logout")

    def secrets_reload(self) -> CliResult:
        return self.run(["secrets", "reload"], what="Reloading the gateway's secrets (openclaw secrets reload)")


_UNCONFIRMED = (
    "OpenClaw also updated openclaw.json and says no gateway confirmed applying it (it says so whenever no gateway "
    "answered, running or not): if a gateway is running and keeps using the old credentials, `openclaw gateway restart`."
)


def warnings_from(result: CliResult, limit: int = 2) -> list[str]:
    """The CLI's own warnings worth passing on (already scrubbed), the gateway-confirmation notice explained."""
    lines = [ln.strip() for ln in result.stderr.splitlines() if ln.strip()]
    keep = [ln for ln in lines if any(w in ln for w in ("Gateway", "gateway", "warning", "Warning"))]
    return [_UNCONFIRMED if "has not confirmed" in ln else f"openclaw: {ln}" for ln in keep[:limit]]
