"""Is a gateway running for an install we just wrote to (so it must reload its cached keys)?

A 2026.3 gateway loads `auth-profiles.json` at start and never watches it; its next usage
write, built from memory, puts the *old* key back (FACTS 2026.3 §8). After a JSON-era write
the write layer therefore asks here and runs `openclaw secrets reload`.

The detection itself is `openclaw_triage.runtime.gateway` (lock file matched by config path, loopback
`/health`); this module keeps the narrow interface the write layer and undo use, which work
from recorded paths rather than an inspected install. One deliberate difference: here a lock
whose pid is alive counts even if the pid may have been recycled, because a needless
`secrets reload` costs a second while a missed one lets the gateway write old keys back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..runtime import gateway as _gw
from ..runtime import loopback

DEFAULT_PORT = _gw.DEFAULT_PORT
gateway_port = _gw.gateway_port


@dataclass(frozen=True, slots=True)
class GatewayState:
    running: bool
    evidence: str  # "lock file … (pid 123)", "/health on 127.0.0.1:18789", or why we think it is not running
    port: int
    pid: int | None = None


def health(port: int, timeout: float = 0.5) -> bool:
    """Whether something answers `GET /health` like an OpenClaw gateway on loopback."""
    return _gw.looks_like_gateway(loopback.http_get(port, "/health", timeout=timeout))


def detect(
    config_path: Path,
    state_dir: Path,
    env: Mapping[str, str],
    port: int,
    *,
    probe_http: bool = True,
) -> GatewayState:
    """Running if its lock names a live pid, or (no lock) its port answers `/health`."""
    paths = list(dict.fromkeys([config_path, state_dir / "openclaw.json"]))
    for lock in _gw.find_locks(paths, state_dir, env):
        if lock.pid is not None and lock.pid_alive:
            return GatewayState(True, f"its lock file {lock.path} names the running process {lock.pid}", port, lock.pid)
    if probe_http and health(port):
        return GatewayState(True, f"a gateway answers on 127.0.0.1:{port}/health", port)
    return GatewayState(False, "no gateway lock with a live process and nothing answers on its port", port)
