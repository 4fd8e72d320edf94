"""The reload action and the `gateway`/`discord` commands, with a fake `openclaw` that records its argv.

The real CLI is exercised in tests/oracle/test_gateway_oracle.py; here a stand-in answers as
2026.3.13 (`Secrets reloaded.`) or 2026.9.6 (`{"refreshed": true}`) do.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from openclaw_triage.cli.commands import main
from openclaw_triage.diagnose.run import diagnose
from openclaw_triage.model import Install
from openclaw_triage.openclaw.commands import reload_gateway
from openclaw_triage.openclaw.install import inspect_install
from openclaw_triage.openclaw.locate import Options
from openclaw_triage.runtime import gateway
from openclaw_triage.runtime.reloads import recorded_reloads
from openclaw_triage.write.live import reload_secrets
from tests import fakekeys
from tests.builders import CurrentHome, LegacyHome, api_key_profile
from tests.gateway_fakes import free_port, iso, write_lock

KEY = fakekeys.api_key("act")

FAKE_OPENCLAW = textwrap.dedent(
    """\
    #!{python}
    import json, os, sys
    args = sys.argv[1:]
    if args == ["--version"]:
        print("OpenClaw {version} (61d171a)")
        sys.exit(0)
    with open(os.environ["FAKE_LOG"], "a") as fh:
        fh.write(json.dumps(args) + "\\n")
    if os.environ.get("FAKE_FAILS"):
        print("Error: gateway closed (1006 abnormal closure (no close frame)): no close reason", file=sys.stderr)
        sys.exit(1)
    if args == ["secrets", "reload"]:
        print("Secrets reloaded.")
    elif args[:3] == ["gateway", "call", "models.authRefresh"]:
        print(json.dumps({{"refreshed": True}}))
    else:
        sys.exit(2)
    """
)


pytestmark = pytest.mark.usefixtures("triage_state")  # our journal in a temp dir


class Setup:
    def __init__(self, root: Path, version: str = "2026.3.13") -> None:
        self.root = root
        self.home = root / "home"
        self.tmp = root / "tmp"
        self.tmp.mkdir()
        self.log = root / "cli.log"
        self.cli = root / "bin" / "openclaw"
        self.cli.parent.mkdir()
        self.cli.write_text(FAKE_OPENCLAW.format(python=sys.executable, version=version))
        self.cli.chmod(0o755)
        self.env = {
            "HOME": str(self.home),
            "PATH": "/usr/bin:/bin",
            "TMPDIR": str(self.tmp),
            "FAKE_LOG": str(self.log),
            "OPENCLAW_GATEWAY_PORT": str(free_port()),
        }

    def legacy(self) -> Path:
        LegacyHome(self.home).config({})
        return LegacyHome(self.home).store({"profiles": {"anthropic:default": api_key_profile(KEY)}})

    def start(self, pid: int, ago_s: float = 120) -> None:
        write_lock(
            self.tmp,
            self.home / ".openclaw" / "openclaw.json",
            pid,
            createdAt=iso(time.time() - ago_s),
            startTime=gateway.start_ticks(pid),
        )

    def inspect(self) -> Install:
        return inspect_install(Options(openclaw=str(self.cli)), env=self.env)

    def calls(self) -> list[list[str]]:
        return [json.loads(line) for line in self.log.read_text().splitlines()] if self.log.exists() else []


def test_reload_makes_the_stale_finding_go(tmp_path: Path, child: subprocess.Popen[bytes]) -> None:
    s = Setup(tmp_path)
    store = s.legacy()
    s.start(child.pid)
    store.write_text(store.read_text())  # changed after the start
    assert any(f.code == "gateway.stale_credentials" for f in diagnose(s.inspect()).findings)
    result = reload_secrets(s.inspect())
    assert result.ok and result.command == "openclaw secrets reload" and s.calls() == [["secrets", "reload"]]
    assert recorded_reloads(gateway.detect(s.inspect(), http=False).lock)
    diag = diagnose(s.inspect())
    assert not any(f.code == "gateway.stale_credentials" for f in diag.findings)
    assert diag.runtime.gateway.loaded_how == "secrets reload (by openclaw-triage)"


def test_a_failed_reload_is_reported_not_raised(tmp_path: Path, child: subprocess.Popen[bytes]) -> None:
    s = Setup(tmp_path)
    s.legacy()
    s.start(child.pid)
    s.env["FAKE_FAILS"] = "1"
    result = reload_secrets(s.inspect())
    assert not result.ok and "gateway closed" in result.message
    assert recorded_reloads(gateway.detect(s.inspect(), http=False).lock) == []


def test_2026_9_refreshes_each_agent(tmp_path: Path) -> None:
    s = Setup(tmp_path, "2026.9.6")
    h = CurrentHome(s.home).config(
        {"agents": {"entries": {"main": {}, "work": {}}, "defaults": {"systemAgent": {"agentId": "main"}}}}
    )
    h.shared_store({"profiles": {"anthropic:default": api_key_profile(KEY)}})
    h.agent_db("work")
    install = s.inspect()
    assert install.era.value == "sqlite"
    assert (
        reload_gateway(install.era, "work")
        == 'openclaw gateway call models.authRefresh --params \'{"operation":"update","agentId":"work"}\''
    )
    result = reload_secrets(install)
    assert result.ok, result.message
    params = [json.loads(c[4]) for c in s.calls()]
    assert {p["agentId"] for p in params} == {"main", "work"} and all(
        c[:3] == ["gateway", "call", "models.authRefresh"] for c in s.calls()
    )


# --- commands --------------------------------------------------------------------------------


def _run(s: Setup, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    for key, value in s.env.items():
        monkeypatch.setenv(key, value)
    rc = main(["--openclaw", str(s.cli), *argv])
    return rc, capsys.readouterr().out


def test_gateway_status_command(
    tmp_path: Path, child: subprocess.Popen[bytes], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    s = Setup(tmp_path)
    store = s.legacy()
    rc, out = _run(s, monkeypatch, capsys, "gateway", "status", "--json")
    assert rc == 3 and json.loads(out)["gateway"]["running"] is False
    s.start(child.pid)
    store.write_text(store.read_text())
    rc, out = _run(s, monkeypatch, capsys, "gateway", "status")
    assert rc == 2 and "running" in out and "gateway.stale_credentials" in out and KEY not in out
    rc, out = _run(s, monkeypatch, capsys, "gateway", "reload")
    assert rc == 0 and "reloaded" in out
    rc, out = _run(s, monkeypatch, capsys, "gateway", "status", "--json")
    doc = json.loads(out)
    assert rc == 0 and doc["gateway"]["staleCredentials"] == [] and doc["gateway"]["pid"] == child.pid


def test_gateway_reload_without_a_gateway(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    s = Setup(tmp_path)
    s.legacy()
    rc, out = _run(s, monkeypatch, capsys, "gateway", "reload")
    assert rc == 1 and "No gateway is running" in out and s.calls() == []


def test_discord_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    s = Setup(tmp_path)
    s.legacy()
    rc, out = _run(s, monkeypatch, capsys, "discord", "status")
    assert rc == 3 and "not configured" in out
    LegacyHome(s.home).config({"channels": {"discord": {"enabled": True}}})
    rc, out = _run(s, monkeypatch, capsys, "discord", "status", "--json")
    doc = json.loads(out)
    assert rc == 1 and doc["accounts"][0]["tokenSource"] == "none"
    assert [f["code"] for f in doc["findings"]] == ["discord.token_missing"]
    rc, out = _run(s, monkeypatch, capsys, "discord", "approve", "nope")
    assert rc == 1 and "not a pairing code" in out
