"""Is a gateway running for this install, where, and since when?

Read-only, standard library only, cheap enough for `check`:

- the lock file a gateway keeps while it runs: `$TMPDIR/openclaw-<uid>/gateway.<hash>.lock`
  (2026.3) or `<stateDir>/tmp/openclaw-<uid>/gateway.*.lock` (2026.9), JSON with the pid,
  `createdAt` (its start) and `startTime` (Linux start ticks, so a recycled pid is not taken
  for the gateway); we match it by its `configPath`, so another install's gateway never counts;
- loopback `GET /health` (and `/ready` when asked) on the configured port, only when the lock
  or the port says something may listen, with a short timeout and no HTTP library;
- `gateway.mode: remote`, where fixes made here change nothing.

Whether it still holds the credentials on disk is `gateway_stale`'s question.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Era, Install
from ..util.isotime import parse_iso
from ..util.jsonio import as_object, as_text
from ..util.proc import pid_alive, start_ticks
from ..util.safe_read import read_bytes

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any

    from .loopback import HttpAnswer

DEFAULT_PORT = 18789
_MAX_LOCK_BYTES = 64 * 1024


# --- port and mode ----------------------------------------------------------------------


def port_and_origin(env: Mapping[str, str], config: Mapping[str, Any]) -> tuple[int, str]:
    """The port a gateway of this install listens on, and where that came from.

    Both eras: `OPENCLAW_GATEWAY_PORT`, then config `gateway.port`, then 18789 (`--port` only
    exists on the command line that started it; the 2026.9 lock file records the real one).
    """
    raw = (env.get("OPENCLAW_GATEWAY_PORT") or "").strip()
    if raw.isdigit() and 0 < int(raw) < 65536:
        return int(raw), "OPENCLAW_GATEWAY_PORT"
    gateway = config.get("gateway") if isinstance(config, dict) else None
    port = gateway.get("port") if isinstance(gateway, dict) else None
    if isinstance(port, int) and not isinstance(port, bool) and 0 < port < 65536:
        return port, "gateway.port"
    return DEFAULT_PORT, "default"


def gateway_port(env: Mapping[str, str], config: Mapping[str, Any]) -> int:
    return port_and_origin(env, config)[0]


def gateway_config(config: Mapping[str, Any]) -> dict[str, Any]:
    gateway = config.get("gateway") if isinstance(config, dict) else None
    return gateway if isinstance(gateway, dict) else {}


def remote_url(config: Mapping[str, Any]) -> str | None:
    """`gateway.remote.url` when `gateway.mode` is remote (credentials live on that host)."""
    gateway = gateway_config(config)
    if gateway.get("mode") != "remote":
        return None
    remote = gateway.get("remote")
    url = remote.get("url") if isinstance(remote, dict) else None
    return url.strip() if isinstance(url, str) and url.strip() else "(gateway.remote.url not set)"


# --- processes ----------------------------------------------------------------------------


# --- lock files ---------------------------------------------------------------------------


@dataclass(slots=True)
class GatewayLock:
    """One gateway lock file and what its process looks like now."""

    path: Path
    pid: int | None
    created_at: float | None  # epoch seconds: when the gateway started
    config_path: str | None
    state_dir: str | None  # 2026.9 only
    port: int | None  # 2026.9 only
    start_ticks: int | None
    pid_alive: bool  # the pid exists (it might be a recycled one)
    same_process: bool | None  # the pid's start ticks match (None: not recorded, or not Linux)

    @property
    def alive(self) -> bool:
        """The gateway that wrote it still runs (OpenClaw's own test: pid alive, same start time)."""
        return self.pid_alive and self.same_process is not False


def _tmpdirs(env: Mapping[str, str], sandbox: Path | None = None) -> list[Path]:
    """Node's `os.tmpdir()`: TMPDIR (trailing slash dropped), else /tmp; the install's and ours
    (a demo's own `tmp` only: the host's gateways are not the demo's)."""
    if sandbox is not None:
        return [sandbox / "tmp"]
    out = []
    for value in (env.get("TMPDIR"), os.environ.get("TMPDIR"), "/tmp"):
        if value and value.strip():
            out.append(Path(value.strip().rstrip("/") or "/"))
    return list(dict.fromkeys(out))


def lock_dirs(state_dir: Path, env: Mapping[str, str], sandbox: Path | None = None) -> list[Path]:
    """Where gateway locks live: `$TMPDIR/openclaw-<uid>` (2026.3), `<stateDir>/tmp/openclaw-<uid>` (2026.9)."""
    name = f"openclaw-{os.getuid()}" if hasattr(os, "getuid") else "openclaw"
    return [*(d / name for d in _tmpdirs(env, sandbox)), state_dir / "tmp" / name]


def read_lock(path: Path) -> GatewayLock | None:
    """Parse one lock file; None when it is not a gateway lock (OpenClaw ignores those too)."""
    try:
        data = json.loads(read_bytes(path, limit=_MAX_LOCK_BYTES).decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    pid = data.get("pid")
    pid = pid if isinstance(pid, int) and not isinstance(pid, bool) else None
    ticks = data.get("startTime")
    ticks = ticks if isinstance(ticks, int) and not isinstance(ticks, bool) else None
    port = data.get("port")
    port = port if isinstance(port, int) and not isinstance(port, bool) and 0 < port < 65536 else None
    alive = pid is not None and pid_alive(pid)
    same = None
    if alive and ticks is not None:
        now_ticks = start_ticks(pid)  # type: ignore[arg-type]
        same = None if now_ticks is None else now_ticks == ticks
    return GatewayLock(
        path=path,
        pid=pid,
        created_at=parse_iso(data.get("createdAt")),
        config_path=as_text(data.get("configPath")),
        state_dir=as_text(data.get("stateDir")),
        port=port,
        start_ticks=ticks,
        pid_alive=alive,
        same_process=same,
    )


def _norm(path: str | Path) -> str:
    return os.path.normpath(os.path.abspath(str(path)))


def find_locks(
    config_paths: Iterable[Path], state_dir: Path, env: Mapping[str, str], sandbox: Path | None = None
) -> list[GatewayLock]:
    """Every gateway lock whose `configPath` is this install's config; live ones first, newest first.

    The file name is `sha256(configPath)[:8]`, so matching the recorded path is the same test
    without hashing; 2026.9's `gateway.state.lock` repeats the same record and is folded in.
    """
    wanted = {_norm(p) for p in config_paths}
    found: dict[tuple[Any, Any], GatewayLock] = {}
    for directory in lock_dirs(state_dir, env, sandbox):
        try:
            names = sorted(n for n in os.listdir(directory) if n.startswith("gateway.") and n.endswith(".lock"))
        except OSError:
            continue
        for name in names:
            lock = read_lock(directory / name)
            if lock is None or lock.config_path is None or _norm(lock.config_path) not in wanted:
                continue
            found.setdefault((lock.pid, lock.created_at), lock)
    return sorted(found.values(), key=lambda lk: (not lk.alive, -(lk.created_at or 0)))


def install_config_paths(install: Install) -> list[Path]:
    """The config path a gateway of this install hashes: as resolved, and the state dir default."""
    return list(dict.fromkeys([install.config.path, install.state_dir / "openclaw.json"]))


# --- loopback -------------------------------------------------------------------------------


def port_open(port: int, timeout: float = 0.3) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:port (refused at once when nothing listens).

    A connect on loopback costs microseconds; reading /proc/net/tcp can cost milliseconds.
    """
    try:
        import _socket as sock_mod
    except ImportError:  # pragma: no cover - every CPython has it
        import socket as sock_mod  # type: ignore[no-redef]
    try:
        sock = sock_mod.socket(sock_mod.AF_INET, sock_mod.SOCK_STREAM)
    except OSError:
        return False
    try:
        sock.settimeout(timeout)
        return sock.connect_ex(("127.0.0.1", port)) == 0
    except OSError:
        return False
    finally:
        sock.close()


def looks_like_gateway(answer: HttpAnswer | None) -> bool:
    """`/health` answered as OpenClaw does: 200 `{"ok":true,"status":"live"}`."""
    body = answer.body if answer is not None else None
    return bool(
        answer and answer.ok and isinstance(body, dict) and (body.get("ok") is True or body.get("status") == "live")
    )


# --- the whole picture ----------------------------------------------------------------------


@dataclass(slots=True)
class CredentialChange:
    """A credential source that changed after the gateway last loaded its keys."""

    what: str  # "auth store", "state database", ".env", "config"
    path: str
    changed_at: float  # epoch seconds
    needs_restart: bool = False  # a reload does not re-read it (process env, a config with reloads off)


@dataclass(slots=True, eq=False)  # a picture, never compared (eq costs `check` time)
class GatewayStatus:
    """Everything we know about this install's gateway; see `detect`."""

    mode: str  # local | remote
    port: int
    port_origin: str
    bind: str
    remote_url: str | None = None
    lock: GatewayLock | None = None
    stale_locks: list[GatewayLock] = field(default_factory=list)  # locks of processes that are gone
    listening: bool | None = None
    health: HttpAnswer | None = None
    ready: HttpAnswer | None = None
    running: bool = False
    evidence: str = ""
    auth_mode: str | None = None  # gateway.auth.mode
    token_masked: str | None = None  # gateway.auth.token, masked
    loaded_at: float | None = None  # when it last (re)loaded credentials, as far as we know
    loaded_how: str | None = None  # "started", "secrets reload", "config hot reload", ...
    changes: list[CredentialChange] = field(default_factory=list)

    @property
    def pid(self) -> int | None:
        return self.lock.pid if self.lock is not None else None

    @property
    def started_at(self) -> float | None:
        return self.lock.created_at if self.lock is not None else None

    @property
    def stale(self) -> bool:
        return self.running and bool(self.changes)

    def to_json(self) -> dict[str, Any]:
        lock = self.lock
        return {
            "mode": self.mode,
            "remoteUrl": self.remote_url,
            "port": self.port,
            "portOrigin": self.port_origin,
            "bind": self.bind,
            "running": self.running,
            "evidence": self.evidence,
            "pid": self.pid,
            "startedAt": self.started_at,
            "lockFile": str(lock.path) if lock else None,
            "staleLockFiles": [str(s.path) for s in self.stale_locks],
            "listening": self.listening,
            "health": _answer_json(self.health),
            "ready": _answer_json(self.ready),
            "authMode": self.auth_mode,
            "token": self.token_masked,
            "loadedAt": self.loaded_at,
            "loadedHow": self.loaded_how,
            "staleCredentials": [
                {"what": c.what, "path": c.path, "changedAt": c.changed_at, "needsRestart": c.needs_restart}
                for c in self.changes
            ],
        }


def _answer_json(answer: HttpAnswer | None) -> dict[str, Any] | None:
    if answer is None:
        return None
    return {"path": answer.path, "status": answer.status, "body": answer.body, "error": answer.error}


def detect(
    install: Install,
    *,
    http: bool = True,
    ready: bool = False,
    timeout: float = 0.3,
) -> GatewayStatus:
    """Find this install's gateway. Cheap: a directory listing, a file read, /proc, and at most
    one or two loopback requests (only when a live lock or a listening port says to)."""
    config = install.config.data
    gw = gateway_config(config)
    port, origin = port_and_origin(install.seen_env, config)
    auth = as_object(gw.get("auth"))
    status = GatewayStatus(
        mode="remote" if gw.get("mode") == "remote" else "local",
        port=port,
        port_origin=origin,
        bind=str(gw.get("bind") or "loopback"),
        remote_url=remote_url(config),
        auth_mode=as_text(auth.get("mode")),
        token_masked=_masked_token(auth.get("token"), install.era),
    )
    # A demo's port is the host's: what answers there is the user's own gateway, not the demo's.
    http = http and install.sandbox is None
    paths = install_config_paths(install)
    return _look(status, paths, install.state_dir, install.seen_env, http, ready, timeout, sandbox=install.sandbox)


def detect_process(
    config_path: Path,
    state_dir: Path,
    env: Mapping[str, str],
    port: int,
    *,
    timeout: float = 0.5,
    sandbox: Path | None = None,
) -> GatewayStatus:
    """The same look from recorded paths alone (the write layer, and undo long after the read).

    One deliberate difference: a lock whose pid is alive counts even if the pid may have been
    recycled, because a needless `secrets reload` costs a second while a missed one lets a
    running 2026.3 gateway write its old keys back.
    """
    status = GatewayStatus(mode="local", port=port, port_origin="recorded", bind="loopback")
    paths = list(dict.fromkeys([config_path, state_dir / "openclaw.json"]))
    return _look(status, paths, state_dir, env, sandbox is None, False, timeout, recycled_counts=True, sandbox=sandbox)


def _look(
    status: GatewayStatus,
    config_paths: list[Path],
    state_dir: Path,
    env: Mapping[str, str],
    http: bool,
    ready: bool,
    timeout: float,
    *,
    recycled_counts: bool = False,
    sandbox: Path | None = None,
) -> GatewayStatus:
    """Lock files first (a live one is the gateway), then loopback if that is worth asking."""
    locks = find_locks(config_paths, state_dir, env, sandbox)
    running = [lk for lk in locks if (lk.pid_alive if recycled_counts else lk.alive)]
    status.stale_locks = [lk for lk in locks if lk not in running]
    status.lock = running[0] if running else None
    if status.lock is not None and status.lock.port:
        status.port, status.port_origin = status.lock.port, "lock file"
    if http:
        _probe_http(status, ready=ready, timeout=timeout)
    _decide(status)
    return status


def _masked_token(value: Any, era: Era) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    from ..keys import mask

    return mask(value, era=era)


def _probe_http(status: GatewayStatus, *, ready: bool, timeout: float) -> None:
    status.listening = port_open(status.port, timeout)
    if status.lock is None and not status.listening:
        return  # nothing to ask: no live lock and no listener
    from .loopback import http_get

    status.health = http_get(status.port, "/health", timeout=timeout)
    if ready and status.health.status is not None:
        status.ready = http_get(status.port, "/ready", timeout=timeout)


def _decide(status: GatewayStatus) -> None:
    lock = status.lock
    if lock is not None:
        status.running = True
        status.evidence = f"its lock file {lock.path} names the running process {lock.pid}"
        if status.health is not None and not looks_like_gateway(status.health):
            status.evidence += f" (but {status.health.summary()})"
        return
    if looks_like_gateway(status.health):
        status.running = True
        status.evidence = f"a gateway answers on 127.0.0.1:{status.port}/health"
        return
    why = "no gateway lock with a live process"
    if status.stale_locks:
        why = f"its lock file {status.stale_locks[0].path} names a process that is gone"
    if status.health is not None and status.health.status is not None:
        why += f", and 127.0.0.1:{status.port} answers something else ({status.health.summary()})"
    else:
        why += f" and nothing answers on 127.0.0.1:{status.port}/health"
    status.evidence = why
