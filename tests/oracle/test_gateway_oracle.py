"""A real OpenClaw 2026.3.13 gateway: detected, caught holding an old key, fixed by our reload.

`openclaw gateway run --bind loopback --port <free port>` in a private HOME built by the real
CLI, with `models.providers.anthropic.baseUrl` pointing at a loopback fake Anthropic that
records the `x-api-key` of every request (FACTS 2026.3 §8, fixtures/gateway_runtime/experiment.txt):

1. our detector finds it (its lock file, pid, `/health`, `/ready`);
2. a turn through the gateway sends the old key (401), and `check` shows the failure from its log;
3. the key changed on disk -> `gateway.stale_credentials`;
4. our `reload_secrets` (the real `openclaw secrets reload`) -> the finding is gone, and the next
   turn sends the new key.

The gateway's whole process group is killed in a `finally`; about a minute in all.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from openclaw_triage.diagnose.run import Diagnosis, diagnose
from openclaw_triage.model import Install
from openclaw_triage.openclaw.install import inspect_install
from openclaw_triage.openclaw.locate import Options
from openclaw_triage.runtime.gateway import detect, read_lock
from openclaw_triage.runtime.loopback import http_get
from openclaw_triage.write.live import reload_secrets
from tests import fakekeys
from tests.fakeanthropic import FakeAnthropic, Reply
from tests.oracle.conftest import OracleStates, mf
from tests.oracle.write_support import free_port

pytestmark = pytest.mark.oracle

ERA = "legacy-2026.3"
NEW = fakekeys.api_key("gateway-oracle-new")
START_TIMEOUT_S = 120


class Gateway:
    """A private copy of a built home, configured for the fake API, and its gateway process."""

    def __init__(self, states: OracleStates, root: Path, api: FakeAnthropic) -> None:
        built = states.get(ERA, "one_api_key")
        self.old = built.secrets["base_key"]
        self.home = root / "home"
        mf.copy_home(built.home, self.home)
        self.tmp = root / "tmp"
        self.tmp.mkdir()
        self.log = root / "logs" / "openclaw.log"
        self.port = free_port()
        self.cli = str(mf.wrapper(ERA))
        config = self.home / ".openclaw" / "openclaw.json"
        data = json.loads(config.read_text())
        data["models"] = {"providers": {"anthropic": {"baseUrl": api.url, "models": []}}}
        data["logging"] = {"file": str(self.log)}
        config.write_text(json.dumps(data, indent=2) + "\n")
        self.store = self.home / ".openclaw" / "agents" / "main" / "agent" / "auth-profiles.json"
        self.env = mf.isolated_env(self.home, {"TMPDIR": str(self.tmp), "OPENCLAW_GATEWAY_PORT": str(self.port)})
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        out = open(self.home.parent / "gateway.out", "wb")  # noqa: SIM115 - lives as long as the process
        self.proc = subprocess.Popen(
            [self.cli, "gateway", "run", "--bind", "loopback", "--port", str(self.port)],
            env=self.env,
            cwd=self.home,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: the CLI re-spawns node as openclaw-gateway
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if http_get(self.port, "/health", timeout=1.0).ok:
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.5)
        tail = (self.home.parent / "gateway.out").read_text(errors="replace")[-2000:]
        pytest.fail(f"the gateway did not come up on port {self.port}:\n{tail}")

    def stop(self) -> None:
        if self.proc is None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout=15)
                break
            except subprocess.TimeoutExpired:
                continue
        self.proc = None

    def inspect(self) -> Install:
        return inspect_install(Options(openclaw=self.cli), env=self.env)

    def diagnose(self) -> Diagnosis:
        return diagnose(self.inspect())

    def turn(self) -> None:
        """One agent turn through the gateway (not --local): the gateway sends the request."""
        proc = subprocess.run(
            [self.cli, "agent", "--agent", "main", "-m", "ping", "--json"],
            env=self.env,
            cwd=self.home,
            capture_output=True,
            timeout=180,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]

    def set_key_by_hand(self, key: str) -> None:
        """What the seed user did: the key fixed in auth-profiles.json, the gateway not told."""
        data = json.loads(self.store.read_text())
        data["profiles"]["anthropic:default"]["key"] = key
        self.store.write_text(json.dumps(data, indent=2) + "\n")


def codes(diag: Diagnosis) -> set[str]:
    return {f.code for f in diag.findings}


def test_a_real_gateway_detected_stale_and_reloaded(
    oracle_states: OracleStates, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENCLAW_TRIAGE_STATE_DIR", str(tmp_path / "triage-state"))
    with FakeAnthropic(keys={NEW: Reply.ok()}) as api:
        gw = Gateway(oracle_states, tmp_path, api)
        try:
            gw.start()

            # 1. Detected: the lock file (its real format), the pid, /health and /ready.
            status = detect(gw.inspect(), ready=True)
            assert status.running and status.lock is not None and status.pid is not None, status.evidence
            raw = json.loads(status.lock.path.read_text())
            assert set(raw) == {"pid", "createdAt", "configPath", "startTime"}
            assert raw["configPath"] == str(gw.home / ".openclaw" / "openclaw.json")
            lock = read_lock(status.lock.path)
            assert lock is not None and lock.alive and lock.same_process is True
            assert status.health is not None and status.health.body == {"ok": True, "status": "live"}
            assert status.ready is not None and status.ready.body is not None and status.ready.body["ready"] is True
            first = gw.diagnose()
            assert first.runtime.gateway.running and not codes(first) & {
                "gateway.not_running",
                "gateway.stale_credentials",
            }

            # 2. A turn sends the old key; check reads the failure from the gateway's own log.
            gw.turn()
            assert api.credentials()[-1] == gw.old
            failed = gw.diagnose()
            (failure,) = [f for f in failed.findings if f.code == "gateway.recent_auth_failures"]
            assert failure.subject == "anthropic:default" and "invalid x-api-key" in failure.message
            assert gw.old not in failure.message

            # 3. The key fixed on disk, the gateway not told: stale.
            time.sleep(1.5)  # past the usage write the failed turn made
            gw.set_key_by_hand(NEW)
            stale = gw.diagnose()
            (finding,) = [f for f in stale.findings if f.code == "gateway.stale_credentials"]
            assert finding.fix is not None and finding.fix.startswith("openclaw secrets reload")
            assert str(gw.store) in finding.message

            # 4. Our reload (the real `openclaw secrets reload`): fresh again, and the new key is used.
            result = reload_secrets(gw.inspect())
            assert result.ok, result.output
            assert "gateway.stale_credentials" not in codes(gw.diagnose())
            gw.turn()
            assert api.credentials()[-1] == NEW
            assert json.loads(gw.store.read_text())["profiles"]["anthropic:default"]["key"] == NEW
            assert "gateway.stale_credentials" not in codes(gw.diagnose())
        finally:
            gw.stop()
    assert not any(gw.tmp.glob("openclaw-*/gateway.*.lock"))  # removed on SIGTERM
