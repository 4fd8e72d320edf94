"""Is a 2026.3 gateway running for this install, and make it forget its cached keys.

A 2026.3 gateway loads `auth-profiles.json` at start and never watches it; its next usage
write, built from memory, puts the *old* key back (FACTS 2026.3 §8). After a JSON-era write
we therefore look for it (its lock file `$TMPDIR/openclaw-<uid>/gateway.<sha256(configPath)[:8]>.lock`
with a live pid, or `/health` answering on its port) and run `openclaw secrets reload`.
Standard library only: `check` and the write path must not pay for an HTTP client import.
"""

from __future__ import annotations

import hashlib
import json
import os
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .lock import pid_alive

DEFAULT_PORT = 18789


@dataclass(frozen=True, slots=True)
class GatewayState:
    running: bool
    evidence: str  # "lock file … (pid 123)", "/health on 127.0.0.1:18789", or why we think it is not running
    port: int
    pid: int | None = None


def gateway_port(env: Mapping[str, str], config: Mapping[str, Any]) -> int:
    """`OPENCLAW_GATEWAY_PORT`, then config `gateway.port`, then 18789 (as the 2026.3 CLI resolves it)."""
    raw = (env.get("OPENCLAW_GATEWAY_PORT") or "").strip()
    if raw.isdigit() and 0 < int(raw) < 65536:
        return int(raw)
    gateway = config.get("gateway") if isinstance(config, Mapping) else None
    port = gateway.get("port") if isinstance(gateway, Mapping) else None
    if isinstance(port, int) and not isinstance(port, bool) and 0 < port < 65536:
        return port
    return DEFAULT_PORT


def _tmpdirs(env: Mapping[str, str]) -> list[Path]:
    """Node's `os.tmpdir()`: TMPDIR (trailing slash dropped), else /tmp; ours and the install's."""
    out = []
    for value in (env.get("TMPDIR"), os.environ.get("TMPDIR"), "/tmp"):
        if value and value.strip():
            text = value.strip()
            out.append(Path(text.rstrip("/") or "/"))
    return list(dict.fromkeys(out))


def lock_paths(config_path: Path, state_dir: Path, env: Mapping[str, str]) -> list[Path]:
    """Where a gateway for this config would keep its lock (the config path is hashed as a string)."""
    names = []
    for candidate in (str(config_path), str(state_dir / "openclaw.json")):
        names.append(f"gateway.{hashlib.sha256(candidate.encode()).hexdigest()[:8]}.lock")
    uid = os.getuid()
    return [d / f"openclaw-{uid}" / n for d in _tmpdirs(env) for n in dict.fromkeys(names)]


def health(port: int, timeout: float = 0.5) -> bool:
    """Whether something answers `GET /health` like an OpenClaw gateway on loopback."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=timeout) as resp:
            if resp.status != 200:
                return False
            body = json.loads(resp.read(4096) or b"{}")
    except (OSError, ValueError, urllib.error.URLError):
        return False
    return isinstance(body, dict) and (body.get("ok") is True or body.get("status") == "live")


def detect(
    config_path: Path,
    state_dir: Path,
    env: Mapping[str, str],
    port: int,
    *,
    probe_http: bool = True,
) -> GatewayState:
    """Running if its lock names a live pid, or (no lock) its port answers `/health`."""
    for path in lock_paths(config_path, state_dir, env):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        pid = data.get("pid") if isinstance(data, dict) else None
        if isinstance(pid, int) and not isinstance(pid, bool) and pid_alive(pid):
            return GatewayState(True, f"its lock file {path} names the running process {pid}", port, pid)
    if probe_http and health(port):
        return GatewayState(True, f"a gateway answers on 127.0.0.1:{port}/health", port)
    return GatewayState(False, "no gateway lock with a live process and nothing answers on its port", port)
