"""Beyond the stores: the running gateway, its environment, its log and the Discord channel.

`collect(install)` gathers the picture (cheap by default: what `check` can afford; `full=True`
adds `/ready`, the whole of today's and yesterday's log and the journal, for `gateway status`
and the report); `diagnose.checks.runtime` turns it into findings, so every `Diagnosis`
carries its `runtime` for the app's panes and the report.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from ..model import Install
from .gateway import GatewayStatus, detect

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from typing import Any

    from .discord import DiscordStatus
    from .gateway_log import GatewayLog
    from .service_env import ServiceEnv, VarCheck


@dataclass(slots=True, eq=False)  # a picture, never compared (eq costs `check` time)
class Runtime:
    """The install's runtime picture; every secret in it is masked or held as `Secret`."""

    gateway: GatewayStatus
    discord: DiscordStatus | None  # None: no channels.discord in the config
    service_env: ServiceEnv | None = None
    env_checks: list[VarCheck] = field(default_factory=list)
    log: GatewayLog | None = None
    now: float = 0.0
    full: bool = False

    def to_json(self, era: str) -> dict[str, Any]:
        svc = self.service_env
        return {
            "gateway": self.gateway.to_json(),
            "serviceEnv": None
            if svc is None
            else {
                "service": svc.service,
                "pid": svc.pid,
                "seen": svc.seen,
                "sources": [
                    {"kind": s.kind, "location": s.location, "names": s.names, "error": s.error} for s in svc.sources
                ],
            },
            "envChecks": [c.to_json(era) for c in self.env_checks],
            "log": self.log.to_json() if self.log is not None else None,
            "discord": self.discord.to_json() if self.discord is not None else None,
        }


def collect(install: Install, *, full: bool = False, now: float | None = None) -> Runtime:
    """Detect the gateway, check its keys are fresh, read its environment, its log and Discord.

    Modules are imported only when there is something for them to read (`check` is timed).
    """
    now = time.time() if now is None else now
    gateway = detect(install, http=True, ready=full)
    log = None
    if full or gateway.started_at is not None:
        from .gateway_log import read_gateway_log

        log = read_gateway_log(install, now=now, since=None if full else gateway.started_at, journal=full)
    if gateway.started_at is not None:
        from .stale import check_stale

        reloads = list(log.reloads) if log is not None else []
        if check_stale(gateway, install, reloads):
            from .reloads import recorded_reloads

            check_stale(gateway, install, reloads + recorded_reloads(gateway.lock))
    service, checks = None, []
    if gateway.mode == "local" and (gateway.pid or full or _service_defined(install)):
        from .service_env import compare, read_service_env

        service = read_service_env(install, gateway.pid)
        checks = compare(install, service)
    discord = None
    if _discord_configured(install):
        from .discord import discord_status

        discord = discord_status(install, now)
    return Runtime(gateway, discord, service, checks, log, now, full)


def _service_defined(install: Install) -> bool:
    """A systemd user unit or launchd agent for the gateway exists (a cheap look before reading it)."""
    try:
        units = os.listdir(install.home / ".config" / "systemd" / "user")
    except OSError:
        units = []
    if any(n.startswith("openclaw-gateway") for n in units):
        return True
    try:
        agents = os.listdir(install.home / "Library" / "LaunchAgents")
    except OSError:
        return False
    return any(n.startswith("ai.openclaw.") for n in agents)


def _discord_configured(install: Install) -> bool:
    channels = install.config.data.get("channels")
    return isinstance(channels, dict) and isinstance(channels.get("discord"), dict)
