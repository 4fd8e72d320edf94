"""2026.3: a running gateway caches keys and writes them back; after our write we make it reload.

A fake `openclaw` (2026.3) records `secrets reload`; the gateway is faked by its lock file (a
live pid) or by a tiny HTTP server answering `/health`, exactly the two signs `gateway.py` reads.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from openclaw_triage import write
from openclaw_triage.model import CredentialType, Install
from openclaw_triage.openclaw.install import inspect_install
from openclaw_triage.openclaw.locate import Options
from openclaw_triage.runtime import gateway
from openclaw_triage.secret import Secret
from tests import fakekeys
from tests.builders import LegacyHome, api_key_profile

OLD = fakekeys.api_key("gw-old")
NEW = fakekeys.api_key("gw-new")

FAKE_OPENCLAW_2026_3 = textwrap.dedent(
    """\
    #!{python}
    # A stand-in for openclaw 2026.3.13: `--version` and `secrets reload` only.
    import json, os, sys
    args = sys.argv[1:]
    if args == ["--version"]:
        print("OpenClaw 2026.3.13 (61d171a)")
        sys.exit(0)
    log = os.environ["FAKE_LOG"]
    with open(log, "a") as fh:
        fh.write(json.dumps(args) + "\\n")
    calls = sum(1 for _ in open(log))
    writeback = os.environ.get("FAKE_WRITEBACK")  # "path|bytes-file|times": the gateway writes old bytes back
    if writeback:
        store, old, times = writeback.split("|")
        if calls <= int(times):
            open(store, "wb").write(open(old, "rb").read())
    if os.environ.get("FAKE_RELOAD_FAILS"):
        print("Error: gateway closed (1006)", file=sys.stderr)
        sys.exit(1)
    print("Secrets reloaded.")
    """
)


pytestmark = pytest.mark.usefixtures("triage_state")  # our journal in a temp dir


class Env:
    def __init__(self, tmp_path: Path) -> None:
        self.home = tmp_path / "home"
        self.tmpdir = tmp_path / "tmp"
        self.tmpdir.mkdir()
        self.log = tmp_path / "openclaw.log"
        self.cli = tmp_path / "bin" / "openclaw"
        self.cli.parent.mkdir()
        self.cli.write_text(FAKE_OPENCLAW_2026_3.format(python=sys.executable))
        self.cli.chmod(0o755)
        LegacyHome(self.home).config({})
        self.store = LegacyHome(self.home).store({"profiles": {"anthropic:default": api_key_profile(OLD)}})
        self.vars = {
            "HOME": str(self.home),
            "PATH": "/usr/bin:/bin",
            "TMPDIR": str(self.tmpdir),
            "OPENCLAW_GATEWAY_PORT": "9",
            "FAKE_LOG": str(self.log),
        }

    def inspect(self) -> Install:
        return inspect_install(Options(openclaw=str(self.cli)), env=self.vars)

    def calls(self) -> list[list[str]]:
        return [json.loads(line) for line in self.log.read_text().splitlines()] if self.log.exists() else []

    def gateway_lock(self, pid: int) -> Path:
        config = str(self.home / ".openclaw" / "openclaw.json")
        name = f"gateway.{hashlib.sha256(config.encode()).hexdigest()[:8]}.lock"
        path = self.tmpdir / f"openclaw-{os.getuid()}" / name
        path.parent.mkdir()
        path.write_text(json.dumps({"pid": pid, "createdAt": "x", "configPath": config, "startTime": 1}))
        return path


@pytest.fixture
def env(tmp_path: Path) -> Env:
    return Env(tmp_path)


def test_no_gateway_means_no_reload(env: Env) -> None:
    install = env.inspect()
    assert install.era.value == "json" and install.cli.path == str(env.cli)
    change = write.set_key(install, "anthropic", "anthropic:default", Secret(NEW), type=CredentialType.API_KEY)
    assert env.calls() == [] and not any("gateway" in n for n in change.notes)


def test_a_running_gateway_is_told_to_reload(env: Env, child: subprocess.Popen[bytes]) -> None:
    env.gateway_lock(child.pid)
    change = write.set_key(env.inspect(), "anthropic", "anthropic:default", Secret(NEW), type=CredentialType.API_KEY)
    assert env.calls() == [["secrets", "reload"]]
    assert any(n.startswith("gateway secrets reloaded") and str(child.pid) in n for n in change.notes)
    assert json.loads(env.store.read_text())["profiles"]["anthropic:default"]["key"] == NEW


def test_a_lock_of_a_dead_gateway_is_ignored(env: Env) -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    env.gateway_lock(proc.pid)
    write.set_order(env.inspect(), "anthropic", ["anthropic:default"])
    assert env.calls() == []


def test_the_old_copy_written_back_is_overwritten_again(env: Env, child: subprocess.Popen[bytes]) -> None:
    """FACTS 2026.3 §8: the gateway's usage write put the old key back; we reapply once and re-reload."""
    old_bytes = env.store.parent / "old-bytes"
    old_bytes.write_bytes(env.store.read_bytes())
    env.vars["FAKE_WRITEBACK"] = f"{env.store}|{old_bytes}|1"
    env.gateway_lock(child.pid)
    change = write.set_key(env.inspect(), "anthropic", "anthropic:default", Secret(NEW), type=CredentialType.API_KEY)
    assert env.calls() == [["secrets", "reload"], ["secrets", "reload"]]
    assert json.loads(env.store.read_text())["profiles"]["anthropic:default"]["key"] == NEW
    assert any(n.startswith("gateway secrets reloaded") for n in change.notes)
    # The journal knows the final bytes, so the undo is not refused as "changed since".
    write.undo(change.id)
    assert json.loads(env.store.read_text())["profiles"]["anthropic:default"]["key"] == OLD


def test_a_gateway_that_keeps_writing_back_is_reported(env: Env, child: subprocess.Popen[bytes]) -> None:
    old_bytes = env.store.parent / "old-bytes"
    old_bytes.write_bytes(env.store.read_bytes())
    env.vars["FAKE_WRITEBACK"] = f"{env.store}|{old_bytes}|9"
    env.gateway_lock(child.pid)
    change = write.set_key(env.inspect(), "anthropic", "anthropic:default", Secret(NEW), type=CredentialType.API_KEY)
    assert any(n.startswith("WARNING") and "gateway stop" in n for n in change.notes)


def test_a_failed_reload_is_reported_not_raised(env: Env, child: subprocess.Popen[bytes]) -> None:
    env.vars["FAKE_RELOAD_FAILS"] = "1"
    env.gateway_lock(child.pid)
    change = write.set_order(env.inspect(), "anthropic", ["anthropic:default"])
    assert change.changed and any("secrets reload` failed" in n for n in change.notes)


def test_without_a_cli_the_user_is_told_to_reload(env: Env, child: subprocess.Popen[bytes]) -> None:
    env.gateway_lock(child.pid)
    install = inspect_install(Options(), env=env.vars)
    assert install.cli.path is None
    change = write.set_order(install, "anthropic", ["anthropic:default"])
    assert any("openclaw secrets reload" in n for n in change.notes)


class _Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"ok": True, "status": "live"}).encode() if self.path == "/health" else b""
        self.send_response(200 if body else 404)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_gateway_found_by_its_health_endpoint(env: Env) -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        env.vars["OPENCLAW_GATEWAY_PORT"] = str(server.server_address[1])
        install = env.inspect()
        state = gateway.detect_process(
            install.config.path, install.state_dir, install.seen_env, server.server_address[1]
        )
        assert state.running and "/health" in state.evidence
        change = write.set_order(install, "anthropic", ["anthropic:default"])
        assert env.calls() == [["secrets", "reload"]] and change.notes
    finally:
        server.shutdown()


def test_port_resolution() -> None:
    assert gateway.gateway_port({"OPENCLAW_GATEWAY_PORT": "19001"}, {"gateway": {"port": 1}}) == 19001
    assert gateway.gateway_port({}, {"gateway": {"port": 18800}}) == 18800
    assert gateway.gateway_port({"OPENCLAW_GATEWAY_PORT": "x"}, {}) == 18789
