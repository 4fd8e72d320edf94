"""Stand-ins for a running OpenClaw gateway, in the formats the real one uses.

- `write_lock`: the lock file 2026.3 writes while it runs (`$TMPDIR/openclaw-<uid>/gateway.<sha256(configPath)[:8]>.lock`,
  `{"pid","createdAt","configPath","startTime"}`; FACTS 2026.3 §8, fixtures/gateway_runtime/gateway-lock.txt);
- `FakeGateway`: a loopback HTTP server answering `/health` and `/ready` with OpenClaw's bodies;
- `log_line`/`console_line`: gateway log lines as OpenClaw's tslog file logger and console print them
  (the JSON shape was captured from a real 2026.3.13 gateway run).
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import socket
import threading
import time
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def iso(epoch: float) -> str:
    """`2026-11-24T18:50:45.451Z`, as JavaScript's `toISOString()`."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + f".{int(epoch * 1000) % 1000:03d}Z"


def write_lock(tmpdir: Path, config_path: Path, pid: int, **extra: Any) -> Path:
    """A 2026.3 gateway lock for `config_path` under `tmpdir` (the gateway's TMPDIR)."""
    name = f"gateway.{hashlib.sha256(str(config_path).encode()).hexdigest()[:8]}.lock"
    path = tmpdir / f"openclaw-{os.getuid()}" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"pid": pid, "createdAt": iso(time.time() - 60), "configPath": str(config_path), **extra}
    if record.get("startTime") is None:
        record.pop("startTime", None)
    path.write_text(json.dumps(record))
    return path


class FakeGateway:
    """`/health` -> 200 `{"ok":true,"status":"live"}`, `/ready` -> 200 `{"ready":true,...}` on 127.0.0.1:port."""

    def __init__(self, port: int, *, health_status: int = 200) -> None:
        self.port = port
        self.paths: list[str] = []
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake.paths.append(self.path)
                if self.path == "/health" and health_status == 200:
                    status, body = 200, {"ok": True, "status": "live"}
                elif self.path == "/ready":
                    status, body = 200, {"ready": True, "failing": [], "uptimeMs": 335}
                else:
                    status, body = health_status if self.path == "/health" else 404, {"error": "not found"}
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.HTTPServer(("127.0.0.1", port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeGateway:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def log_line(epoch: float, subsystem: str | None, message: str, meta: dict[str, Any] | None = None) -> str:
    """One JSON line of OpenClaw's file log (tslog: numbered arguments, `_meta`, `time`)."""
    record: dict[str, Any] = {}
    args: list[Any] = []
    if subsystem:
        args.append(json.dumps({"subsystem": subsystem}, separators=(",", ":")))
    if meta:
        args.append(meta)
    args.append(message)
    for i, arg in enumerate(args):
        record[str(i)] = arg
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + f".{int(epoch * 1000) % 1000:03d}"
    record["_meta"] = {
        "runtime": "node",
        "hostname": "unknown",
        "name": args[0] if subsystem else "openclaw",
        "date": stamp + "Z",
        "logLevelName": "WARN",
    }
    record["time"] = stamp + "+00:00"
    return json.dumps(record)


def failure_lines(epoch: float, profile_id: str, run_id: str, error: str, request_hash: str) -> list[str]:
    """The three lines a failed embedded run logs (agent end, failure state, failover decision)."""
    profile = "sha256:" + hashlib.sha256(profile_id.encode()).hexdigest()[:12]
    end = {
        "event": "embedded_run_agent_end",
        "runId": run_id,
        "isError": True,
        "error": error,
        "failoverReason": "auth",
        "provider": "anthropic",
        "httpCode": "401",
        "requestIdHash": request_hash,
    }
    state = {
        "event": "auth_profile_failure_state_updated",
        "runId": run_id,
        "profileId": profile,
        "provider": "anthropic",
        "reason": "auth",
        "windowType": "cooldown",
        "errorCount": 1,
    }
    decision = {"event": "embedded_run_failover_decision", "runId": run_id, "decision": "surface_error"}
    return [
        log_line(epoch, "agent/embedded", "embedded run agent end", end),
        log_line(epoch + 0.02, "agent/embedded", "auth profile failure state updated", state),
        log_line(epoch + 0.03, "agent/embedded", "embedded run failover decision", decision),
    ]


def console_line(epoch: float, subsystem: str | None, message: str) -> str:
    """One line as the gateway prints it (launchd's gateway.log, journald): `<ISO> [subsystem] message`."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + f".{int(epoch * 1000) % 1000:03d}+00:00"
    return f"{stamp} [{subsystem}] {message}" if subsystem else f"{stamp} {message}"
