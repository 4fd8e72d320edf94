"""Runtime fixes that only OpenClaw itself can make: reload a gateway's keys, approve a DM pairing.

Each action runs the real `openclaw` CLI of the install (secrets never in argv, output
scrubbed), blocks until it is done (a few seconds) and returns an `ActionResult`; it never
raises for a failed command, so a TUI worker thread can call it and show the result.

- `reload_secrets`: 2026.3 `openclaw secrets reload` (the gateway re-reads every store; FACTS
  2026.3 §8); 2026.9 `openclaw gateway call models.authRefresh` per agent (FACTS 2026.9 §8).
  A successful reload is recorded in our state dir, so `check` knows the gateway's keys are
  fresh even when its log is elsewhere.
- `approve_pairing`: `openclaw pairing approve discord <CODE>`; we never edit the pairing file.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..model import Era, Install
from ..openclaw.commands import reload_gateway
from ..runtime.reloads import record_reload

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


DEFAULT_TIMEOUT_S = 60.0
Progress = Callable[[str], None] | None


@dataclass(frozen=True, slots=True)
class ActionResult:
    """What happened: ok or not, the command as the user could type it, and OpenClaw's (scrubbed) words."""

    ok: bool
    action: str  # "secrets reload" | "auth refresh" | "pairing approve"
    command: str  # never holds a secret
    message: str  # one line for a status bar
    output: str = ""  # the CLI's scrubbed stdout+stderr
    seconds: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "action": self.action,
            "command": self.command,
            "message": self.message,
            "output": self.output,
            "seconds": round(self.seconds, 2),
            **({"details": self.details} if self.details else {}),
        }


def _run(install: Install, args: list[str], *, what: str, timeout: float, progress: Progress) -> Any:
    from ..scrub import scrubber_for
    from .cli_runner import env_for, run_openclaw
    from .errors import CliFailed, CliTimeout

    try:
        return run_openclaw(
            install.cli.path or "openclaw",
            args,
            env=env_for(install),
            timeout=timeout,
            progress=progress,
            label=what,
            scrubber=scrubber_for(install),
            cwd=install.state_dir,
        )
    except (CliFailed, CliTimeout) as exc:
        return exc


def _no_cli(action: str, command: str) -> ActionResult:
    return ActionResult(
        False,
        action,
        command,
        f"No openclaw CLI was found: run `{command}` yourself where the gateway runs (or pass --openclaw PATH).",
    )


def _failed(action: str, command: str, result: Any, started: float) -> ActionResult:
    from .errors import WriteError

    if isinstance(result, WriteError):
        return ActionResult(
            False, action, command, result.message, getattr(result, "output", "") or "", time.monotonic() - started
        )
    words = result.output.strip().splitlines()
    last = words[-1] if words else f"exit code {result.returncode}"
    return ActionResult(False, action, command, f"`{command}` failed: {last}", result.output, result.seconds)


# --- reload ----------------------------------------------------------------------------------


def reload_secrets(install: Install, *, timeout: float = DEFAULT_TIMEOUT_S, progress: Progress = None) -> ActionResult:
    """Make the running gateway drop its cached keys and load the stores as they are now."""
    if install.era is Era.JSON:
        return _reload_json(install, timeout, progress)
    return _refresh_sqlite(install, timeout, progress)


def _reload_json(install: Install, timeout: float, progress: Progress) -> ActionResult:
    command = reload_gateway(install.era, install.default_agent_id)
    if not install.cli.path:
        return _no_cli("secrets reload", command)
    started = time.monotonic()
    result = _run(
        install, ["secrets", "reload"], what="Reloading the gateway's secrets", timeout=timeout, progress=progress
    )
    if not hasattr(result, "returncode") or result.returncode != 0 or "Secrets reloaded" not in result.output:
        return _failed("secrets reload", command, result, started)
    record_reload(install, "secrets reload")
    return ActionResult(
        True, "secrets reload", command, "The gateway reloaded its secrets.", result.output, result.seconds
    )


def _refresh_sqlite(install: Install, timeout: float, progress: Progress) -> ActionResult:
    agents = [a.agent_id for a in install.agents if any(layer.exists for layer in a.layers)] or [
        install.default_agent_id
    ]
    command = "; ".join(reload_gateway(install.era, a) for a in agents)
    if not install.cli.path:
        return _no_cli("auth refresh", command)
    started = time.monotonic()
    outputs = []
    for agent in agents:
        params = json.dumps({"operation": "update", "agentId": agent}, separators=(",", ":"))
        args = ["gateway", "call", "models.authRefresh", "--params", params, "--json"]
        result = _run(
            install,
            args,
            what=f"Refreshing the gateway's credentials of agent {agent}",
            timeout=timeout,
            progress=progress,
        )
        if not hasattr(result, "returncode") or result.returncode != 0 or '"refreshed"' not in result.stdout:
            return _failed("auth refresh", command, result, started)
        outputs.append(result.output)
    record_reload(install, "auth refresh")
    return ActionResult(
        True,
        "auth refresh",
        command,
        f"The gateway refreshed the credentials of {', '.join(agents)}.",
        "\n".join(outputs),
        time.monotonic() - started,
    )


# --- pairing ---------------------------------------------------------------------------------


def approve_pairing(
    install: Install,
    code: str,
    *,
    notify: bool = False,
    timeout: float = DEFAULT_TIMEOUT_S,
    progress: Progress = None,
) -> ActionResult:
    """Approve a Discord DM pairing request by its code, through `openclaw pairing approve discord`."""
    from ..runtime.discord import discord_status, valid_code

    code = code.strip().upper()
    command = f"openclaw pairing approve discord {code}" + (" --notify" if notify else "")
    if not valid_code(code):
        return ActionResult(
            False,
            "pairing approve",
            command,
            "That is not a pairing code (8 characters of A-Z and 2-9, no I, O, 0, 1).",
        )
    status = discord_status(install)
    known = {r.code: r for r in status.requests}
    request = known.get(code)
    if request is not None and request.expired(status.now):
        return ActionResult(
            False,
            "pairing approve",
            command,
            f"The request with code {code} expired (an hour after it was made): ask the user to DM the bot again for a new code.",
        )
    if not install.cli.path:
        return _no_cli("pairing approve", command)
    started = time.monotonic()
    args = ["pairing", "approve", "discord", code, *(["--notify"] if notify else [])]
    result = _run(install, args, what=f"Approving Discord pairing {code}", timeout=timeout, progress=progress)
    if not hasattr(result, "returncode") or result.returncode != 0 or "Approved" not in result.output:
        return _failed("pairing approve", command, result, started)
    who = f" ({request.name or request.user_id})" if request is not None else ""
    return ActionResult(
        True,
        "pairing approve",
        command,
        f"Approved Discord pairing {code}{who}: their DMs now reach the bot.",
        result.output,
        result.seconds,
        {"code": code, "userId": request.user_id if request else None},
    )
