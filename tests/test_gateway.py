"""Finding this install's gateway: lock files of both eras, liveness, loopback HTTP, remote mode, stale keys.

The gateway is faked by what `openclaw_triage.runtime.gateway` reads: a lock file in the real format
(FACTS 2026.3 §8, 2026.9 §8) naming a live child process, and a tiny loopback HTTP server
answering `/health` and `/ready` as OpenClaw does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from openclaw_triage.diagnose.run import diagnose
from openclaw_triage.findings import Severity
from openclaw_triage.model import Install
from openclaw_triage.openclaw.install import inspect_install
from openclaw_triage.openclaw.locate import Options
from openclaw_triage.runtime import gateway
from openclaw_triage.runtime.loopback import http_get
from openclaw_triage.runtime.stale import check_stale
from tests import fakekeys
from tests.builders import CurrentHome, LegacyHome, api_key_profile
from tests.gateway_fakes import FakeGateway, free_port, iso, write_lock

KEY = fakekeys.api_key("gw-test")


class Home:
    """A 2026.3 home with one key, a private TMPDIR, and a port nobody else uses."""

    def __init__(self, root: Path, config: dict | None = None) -> None:
        self.home = root / "home"
        self.tmp = root / "tmp"
        self.tmp.mkdir(parents=True)
        self.port = free_port()
        self.legacy = LegacyHome(self.home).config(config or {})
        self.store = self.legacy.store({"profiles": {"anthropic:default": api_key_profile(KEY)}})
        self.env = {"HOME": str(self.home), "PATH": "/usr/bin:/bin", "TMPDIR": str(self.tmp)}
        self.env["OPENCLAW_GATEWAY_PORT"] = str(self.port)

    @property
    def config_path(self) -> Path:
        return self.home / ".openclaw" / "openclaw.json"

    def inspect(self) -> Install:
        return inspect_install(Options(openclaw="none"), env=self.env)

    def lock(self, pid: int, **extra: object) -> Path:
        return write_lock(self.tmp, self.config_path, pid, **extra)


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path)


# --- port and mode ------------------------------------------------------------------------


def test_port_precedence() -> None:
    assert gateway.port_and_origin({"OPENCLAW_GATEWAY_PORT": "19001"}, {"gateway": {"port": 1}}) == (
        19001,
        "OPENCLAW_GATEWAY_PORT",
    )
    assert gateway.port_and_origin({}, {"gateway": {"port": 18800}}) == (18800, "gateway.port")
    assert gateway.port_and_origin({"OPENCLAW_GATEWAY_PORT": "x"}, {"gateway": {"port": True}}) == (18789, "default")


def test_remote_mode_is_a_warning_with_its_url(home: Home) -> None:
    home.legacy.config({"gateway": {"mode": "remote", "remote": {"url": "wss://gw.example.net:18789"}}})
    diag = diagnose(home.inspect())
    (finding,) = [f for f in diag.findings if f.code == "gateway.remote"]
    assert finding.severity is Severity.WARNING and "wss://gw.example.net:18789" in finding.message
    assert not any(f.code == "gateway.not_running" for f in diag.findings)
    assert diag.runtime.gateway.mode == "remote"


# --- locks ----------------------------------------------------------------------------------


def test_not_running_is_a_note(home: Home) -> None:
    diag = diagnose(home.inspect())
    (finding,) = [f for f in diag.findings if f.code == "gateway.not_running"]
    assert finding.severity is Severity.INFO and str(home.port) in finding.message
    assert diag.exit_code == 0  # a note does not change the exit code


def test_a_2026_3_lock_with_a_live_pid_is_the_running_gateway(home: Home, child: subprocess.Popen[bytes]) -> None:
    path = home.lock(child.pid, startTime=gateway.start_ticks(child.pid))
    status = gateway.detect(home.inspect())
    assert status.running and status.pid == child.pid and status.lock is not None and status.lock.path == path
    assert status.lock.same_process is True and str(child.pid) in status.evidence
    assert status.started_at is not None and 55 < time.time() - status.started_at < 120  # write_lock: a minute ago
    # The file name is sha256(configPath)[:8], as OpenClaw names it.
    import hashlib

    assert path.name == f"gateway.{hashlib.sha256(str(home.config_path).encode()).hexdigest()[:8]}.lock"


def test_a_recycled_pid_is_not_the_gateway(home: Home, child: subprocess.Popen[bytes]) -> None:
    """OpenClaw's own test: a live pid whose start ticks differ from the recorded ones is dead."""
    home.lock(child.pid, startTime=1)
    status = gateway.detect(home.inspect())
    assert not status.running and status.stale_locks and status.stale_locks[0].pid_alive
    assert "gone" in status.evidence


def test_a_dead_pid_leaves_a_stale_lock(home: Home) -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    home.lock(proc.pid)
    status = gateway.detect(home.inspect())
    assert not status.running and len(status.stale_locks) == 1


def test_another_installs_lock_is_ignored(home: Home, child: subprocess.Popen[bytes], tmp_path: Path) -> None:
    write_lock(home.tmp, tmp_path / "elsewhere" / "openclaw.json", child.pid)
    assert not gateway.detect(home.inspect()).running


def test_a_2026_9_lock_in_the_state_dir(tmp_path: Path, child: subprocess.Popen[bytes]) -> None:
    """2026.9 keeps `gateway.<hash>.lock` and `gateway.state.lock` under `<stateDir>/tmp/openclaw-<uid>/`,
    padded with spaces, with the port it listens on."""
    h = CurrentHome(tmp_path / "home").config({"agents": {"entries": {"main": {}}}})
    h.shared_store({"profiles": {"anthropic:default": api_key_profile(KEY)}})
    lock_dir = h.state / "tmp" / f"openclaw-{os.getuid()}"
    lock_dir.mkdir(parents=True)
    record = {
        "pid": child.pid,
        "ownerId": "dac9a769-71c4-4f59-b613-03f205bc5d7e",
        "cronOwnerProjection": "dynamic-default-v1",
        "createdAt": iso(time.time() - 30),
        "configPath": str(h.state / "openclaw.json"),
        "stateDir": str(h.state),
        "port": 19189,
        "startTime": gateway.start_ticks(child.pid),
    }
    for name in ("gateway.57292ead.lock", "gateway.state.lock"):
        (lock_dir / name).write_text(json.dumps(record, indent=2) + " " * 40)
    install = inspect_install(Options(openclaw="none"), env={"HOME": str(h.home), "PATH": "/usr/bin:/bin"})
    status = gateway.detect(install, http=False)
    assert status.running and status.pid == child.pid
    assert (status.port, status.port_origin) == (19189, "lock file")
    assert len(gateway.find_locks(gateway.install_config_paths(install), install.state_dir, install.seen_env)) == 1


def test_the_fixture_lock_format_parses(tmp_path: Path) -> None:
    """The lock text captured from a real 2026.3 gateway (fixtures/gateway_runtime/gateway-lock.txt)."""
    text = '{"pid":370,"createdAt":"2026-11-24T18:50:45.451Z","configPath":"/x/.openclaw/openclaw.json","startTime":743328}'
    path = tmp_path / "gateway.b164c6d0.lock"
    path.write_text(text)
    lock = gateway.read_lock(path)
    assert lock is not None and lock.pid == 370 and lock.start_ticks == 743328
    assert lock.created_at == pytest.approx(1795546245.451)
    assert lock.config_path == "/x/.openclaw/openclaw.json"
    path.write_text("[1]")
    assert gateway.read_lock(path) is None


# --- loopback HTTP --------------------------------------------------------------------------


def test_health_and_ready_over_loopback(home: Home) -> None:
    with FakeGateway(home.port) as fake:
        assert http_get(home.port, "/health").body == {"ok": True, "status": "live"}
        status = gateway.detect(home.inspect(), ready=True)
        assert status.running and "/health" in status.evidence and status.pid is None
        assert status.ready is not None and status.ready.body is not None and status.ready.body["ready"] is True
        assert fake.paths == ["/health", "/health", "/ready"]


def test_something_else_on_the_port_is_not_a_gateway(home: Home) -> None:
    with FakeGateway(home.port, health_status=404):
        status = gateway.detect(home.inspect())
    assert not status.running and "something else" in status.evidence


def test_no_request_when_nothing_listens(home: Home) -> None:
    assert gateway.port_open(home.port) is False
    status = gateway.detect(home.inspect())
    assert status.health is None and status.listening is False


def test_a_silent_listener_costs_at_most_the_timeout(home: Home) -> None:
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", home.port))
    server.listen(1)
    try:
        start = time.perf_counter()
        answer = http_get(home.port, "/health", timeout=0.2)
        assert answer.status is None and "no answer" in (answer.error or "")
        assert time.perf_counter() - start < 1.0
    finally:
        server.close()


# --- stale credentials ----------------------------------------------------------------------


def _started(home: Home, child: subprocess.Popen[bytes], ago_s: float) -> None:
    home.lock(child.pid, createdAt=iso(time.time() - ago_s), startTime=gateway.start_ticks(child.pid))


def test_a_key_edited_after_the_start_is_stale(home: Home, child: subprocess.Popen[bytes]) -> None:
    _started(home, child, 120)
    home.store.write_text(home.store.read_text())  # touched now, 2 minutes after the start
    diag = diagnose(home.inspect())
    (finding,) = [f for f in diag.findings if f.code == "gateway.stale_credentials"]
    assert finding.severity is Severity.WARNING and str(home.store) in finding.message
    assert finding.fix is not None and finding.fix.startswith("openclaw secrets reload")
    assert finding.action is not None and finding.action.kind == "gateway.reload"
    assert diag.runtime.gateway.stale


def test_a_store_older_than_the_start_is_fresh(home: Home, child: subprocess.Popen[bytes]) -> None:
    old = time.time() - 600
    os.utime(home.store, (old, old))
    _started(home, child, 120)
    assert not any(f.code == "gateway.stale_credentials" for f in diagnose(home.inspect()).findings)


def test_the_gateways_own_usage_write_is_not_a_change(home: Home, child: subprocess.Popen[bytes]) -> None:
    """OpenClaw stamps lastUsed and writes in the same millisecond: a usage write carries the keys it holds."""
    _started(home, child, 120)
    now_ms = int(time.time() * 1000)
    home.legacy.store(
        {
            "profiles": {"anthropic:default": api_key_profile(KEY)},
            "usageStats": {"anthropic:default": {"lastUsed": now_ms}},
        }
    )
    assert not any(f.code == "gateway.stale_credentials" for f in diagnose(home.inspect()).findings)


def test_a_reload_after_the_change_makes_it_fresh(home: Home, child: subprocess.Popen[bytes]) -> None:
    _started(home, child, 120)
    install = home.inspect()
    status = gateway.detect(install, http=False)
    assert check_stale(status, install)
    status = gateway.detect(install, http=False)
    assert check_stale(status, install, [(time.time() + 5, "secrets reload")]) == []
    assert status.loaded_how == "secrets reload"


def test_a_changed_dotenv_needs_a_restart(home: Home, child: subprocess.Popen[bytes]) -> None:
    old = time.time() - 600
    os.utime(home.store, (old, old))
    _started(home, child, 120)
    (home.home / ".openclaw" / ".env").write_text("OTHER_VAR=1\n")
    (finding,) = [f for f in diagnose(home.inspect()).findings if f.code == "gateway.stale_credentials"]
    assert finding.fix is not None and finding.fix.startswith("openclaw gateway restart") and finding.action is None


def test_2026_9_uses_the_credential_rows_updated_at(tmp_path: Path, child: subprocess.Popen[bytes]) -> None:
    h = CurrentHome(tmp_path / "home").config({"agents": {"entries": {"main": {}}}})
    db = h.shared_store({"profiles": {"anthropic:default": api_key_profile(KEY)}})
    import sqlite3

    conn = sqlite3.connect(db)
    conn.execute(
        "UPDATE config_machine_state SET updated_at_ms = ? WHERE state_key = 'authProfiles.store'",
        (int(time.time() * 1000),),
    )
    conn.commit()
    conn.close()
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    write_lock(tmp, h.state / "openclaw.json", child.pid, createdAt=iso(time.time() - 300))
    env = {"HOME": str(h.home), "PATH": "/usr/bin:/bin", "TMPDIR": str(tmp), "OPENCLAW_GATEWAY_PORT": str(free_port())}
    diag = diagnose(inspect_install(Options(openclaw="none"), env=env))
    (finding,) = [f for f in diag.findings if f.code == "gateway.stale_credentials"]
    assert "models.authRefresh" in (finding.fix or "") and "state database" in finding.message
