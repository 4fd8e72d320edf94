"""The gateway's own environment against what its credentials need; values only ever masked.

The "gateway" is a child process started with a chosen environment and named by a lock file,
so `/proc/<pid>/environ` is really read; service definitions are real systemd unit and launchd
plist files in a hand-built HOME.
"""

from __future__ import annotations

import contextlib
import plistlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from openclaw_triage.diagnose.run import diagnose
from openclaw_triage.findings import Finding, Severity
from openclaw_triage.model import Install
from openclaw_triage.openclaw.install import inspect_install
from openclaw_triage.openclaw.locate import Options
from openclaw_triage.runtime import gateway
from openclaw_triage.runtime.service_env import compare, needed_vars, parse_systemd_unit, proc_environ, read_service_env
from tests import fakekeys
from tests.builders import LegacyHome, api_key_profile
from tests.gateway_fakes import free_port, write_lock
from tests.support.processes import sleeping_process

SHELL_KEY = fakekeys.api_key("shell")
SERVICE_KEY = fakekeys.api_key("service-old")
STORED_KEY = fakekeys.api_key("stored")
REF = {
    "type": "api_key",
    "provider": "anthropic",
    "keyRef": {"source": "env", "provider": "default", "id": "ANTHROPIC_API_KEY"},
}


class Setup:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.home = root / "home"
        self.tmp = root / "tmp"
        self.tmp.mkdir(parents=True)
        self.legacy = LegacyHome(self.home).config({})
        self.shell: dict[str, str] = {}
        self.children = contextlib.ExitStack()

    def store(self, profiles: dict) -> None:
        self.legacy.store({"profiles": profiles})

    def gateway(self, env: dict[str, str]) -> subprocess.Popen[bytes]:
        """A child process with exactly `env`, registered as this install's running gateway."""
        proc = self.children.enter_context(sleeping_process({"PATH": "/usr/bin:/bin", **env}, say_up=True))
        assert proc.stdout is not None and proc.stdout.readline() == b"up\n"  # exec'd: /proc shows its own environ
        write_lock(
            self.tmp, self.home / ".openclaw" / "openclaw.json", proc.pid, startTime=gateway.start_ticks(proc.pid)
        )
        return proc

    def inspect(self) -> Install:
        env = {
            "HOME": str(self.home),
            "PATH": "/usr/bin:/bin",
            "TMPDIR": str(self.tmp),
            "OPENCLAW_GATEWAY_PORT": str(free_port()),
            **self.shell,
        }
        return inspect_install(Options(openclaw="none"), env=env)

    def findings(self, code: str) -> list[Finding]:
        return [f for f in diagnose(self.inspect()).findings if f.code == code]


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    s = Setup(tmp_path)
    with s.children:
        yield s


def _assert_no_value(text: str, *values: str) -> None:
    for value in values:
        assert value not in text


# --- the running process ----------------------------------------------------------------------


def test_proc_environ_of_a_child_started_with_a_chosen_env(setup: Setup) -> None:
    proc = setup.gateway({"ANTHROPIC_API_KEY": SERVICE_KEY, "MARK": "1"})
    env = proc_environ(proc.pid)
    assert env is not None and env["ANTHROPIC_API_KEY"] == SERVICE_KEY and env["MARK"] == "1"
    assert proc_environ(2**22 + 7) is None


def test_a_key_only_in_your_shell_is_missing_in_the_gateway(setup: Setup) -> None:
    """Research mode 8: a keyRef to ANTHROPIC_API_KEY, exported in the shell, absent from the service."""
    setup.store({"anthropic:default": REF})
    setup.shell = {"ANTHROPIC_API_KEY": SHELL_KEY}
    setup.gateway({"HOME": str(setup.home)})
    (finding,) = setup.findings("env.missing_in_service")
    assert finding.severity is Severity.ERROR and finding.subject == "ANTHROPIC_API_KEY"
    assert "keyRef of anthropic:default" in finding.message and "restart" in (finding.fix or "")
    assert SHELL_KEY[:8] + "..." + SHELL_KEY[-8:] in finding.message
    _assert_no_value(finding.message + (finding.fix or ""), SHELL_KEY)


def test_an_old_key_in_the_service_shadows_your_shell(setup: Setup) -> None:
    setup.store({"anthropic:default": REF})
    setup.shell = {"ANTHROPIC_API_KEY": SHELL_KEY}
    setup.gateway({"ANTHROPIC_API_KEY": SERVICE_KEY})
    (finding,) = setup.findings("env.shadowing_key")
    assert finding.severity is Severity.WARNING
    assert SERVICE_KEY[-8:] in finding.message and SHELL_KEY[-8:] in finding.message
    _assert_no_value(finding.message, SHELL_KEY, SERVICE_KEY)
    assert not setup.findings("env.missing_in_service")


def test_the_same_value_everywhere_is_fine(setup: Setup) -> None:
    setup.store({"anthropic:default": REF})
    setup.shell = {"ANTHROPIC_API_KEY": SHELL_KEY}
    setup.gateway({"ANTHROPIC_API_KEY": SHELL_KEY})
    install = setup.inspect()
    service = read_service_env(install, gateway.detect(install, http=False).pid)
    (check,) = [c for c in compare(install, service) if c.need.name == "ANTHROPIC_API_KEY"]
    assert check.state == "ok" and check.service_origin is not None and check.service_origin.startswith("process")
    assert not setup.findings("env.shadowing_key") and not setup.findings("env.missing_in_service")


def test_a_stored_profile_wins_over_the_services_env_key(setup: Setup) -> None:
    """Stored profiles win over ANTHROPIC_API_KEY: an env key that differs is noted, not an error."""
    setup.store({"anthropic:default": api_key_profile(STORED_KEY)})
    setup.gateway({"ANTHROPIC_API_KEY": SERVICE_KEY})
    (finding,) = setup.findings("env.shadowing_key")
    assert finding.severity is Severity.INFO and "stored profiles win" in finding.message
    _assert_no_value(finding.message, SERVICE_KEY, STORED_KEY)


def test_the_dotenv_counts_for_the_gateway(setup: Setup) -> None:
    """`~/.openclaw/.env` is loaded by the gateway at start, so a key there is not missing."""
    setup.store({"anthropic:default": REF})
    setup.shell = {"ANTHROPIC_API_KEY": SHELL_KEY}
    (setup.home / ".openclaw" / ".env").write_text(f"ANTHROPIC_API_KEY={SHELL_KEY}\n")
    setup.gateway({})
    assert not setup.findings("env.missing_in_service") and not setup.findings("env.shadowing_key")


def test_process_env_wins_over_dotenv(setup: Setup) -> None:
    """Research mode 17: an old key in the service environment wins over a fixed one in .env."""
    setup.store({"anthropic:default": REF})
    (setup.home / ".openclaw" / ".env").write_text(f"ANTHROPIC_API_KEY={SHELL_KEY}\n")
    setup.gateway({"ANTHROPIC_API_KEY": SERVICE_KEY})
    (finding,) = setup.findings("env.shadowing_key")
    assert finding.severity is Severity.WARNING and ".env" in finding.message
    _assert_no_value(finding.message, SHELL_KEY, SERVICE_KEY)


def test_a_config_var_the_gateway_lacks(setup: Setup) -> None:
    setup.legacy.config({"models": {"providers": {"anthropic": {"baseUrl": "${PROXY_URL}", "models": []}}}})
    setup.store({"anthropic:default": api_key_profile(STORED_KEY)})
    setup.shell = {"PROXY_URL": "http://127.0.0.1:9"}
    setup.gateway({})
    (finding,) = setup.findings("env.missing_in_service")
    assert finding.subject == "PROXY_URL" and "${PROXY_URL} in openclaw.json" in finding.message


# --- service definitions -----------------------------------------------------------------------


def test_systemd_unit_parsing() -> None:
    text = """
[Unit]
Description=OpenClaw Gateway
[Service]
Environment=HOME=/home/a "ANTHROPIC_API_KEY=sk-ant-x y" \\
  OPENCLAW_GATEWAY_PORT=18789
Environment="PATH=%h/bin:/usr/bin"
EnvironmentFile=-%h/.openclaw/.env
EnvironmentFile=/etc/openclaw.env
ExecStart=/usr/bin/node dist/index.js gateway
"""
    env, files = parse_systemd_unit(text, Path("/home/a"))
    assert env == {
        "HOME": "/home/a",
        "ANTHROPIC_API_KEY": "sk-ant-x y",
        "OPENCLAW_GATEWAY_PORT": "18789",
        "PATH": "/home/a/bin:/usr/bin",
    }
    assert files == [(Path("/home/a/.openclaw/.env"), True), (Path("/etc/openclaw.env"), False)]


def test_systemd_unit_without_a_running_process(setup: Setup) -> None:
    """No gateway running: the unit (and its drop-ins, EnvironmentFile) is what the service will start with."""
    setup.store({"anthropic:default": REF})
    setup.shell = {"ANTHROPIC_API_KEY": SHELL_KEY}
    units = setup.home / ".config" / "systemd" / "user"
    units.mkdir(parents=True)
    envfile = setup.root / "gw.env"
    envfile.write_text(f"ANTHROPIC_API_KEY={SERVICE_KEY}\n")
    (units / "openclaw-gateway.service").write_text(f"[Service]\nEnvironmentFile={envfile}\nEnvironment=FOO=1\n")
    install = setup.inspect()
    service = read_service_env(install)
    assert service.service == "systemd user unit openclaw-gateway.service" and service.seen
    (check,) = [c for c in compare(install, service) if c.need.name == "ANTHROPIC_API_KEY"]
    assert (
        check.state == "differs"
        and check.service_origin is not None
        and "openclaw-gateway.service" in check.service_origin
    )
    assert setup.findings("env.shadowing_key")
    # A drop-in overrides the EnvironmentFile value.
    dropin = units / "openclaw-gateway.service.d"
    dropin.mkdir()
    (dropin / "override.conf").write_text(f"[Service]\nEnvironment=ANTHROPIC_API_KEY={SHELL_KEY}\n")
    assert not setup.findings("env.shadowing_key")


def test_launchd_plist(setup: Setup) -> None:
    setup.store({"anthropic:default": REF})
    setup.shell = {"ANTHROPIC_API_KEY": SHELL_KEY}
    agents = setup.home / "Library" / "LaunchAgents"
    agents.mkdir(parents=True)
    with open(agents / "ai.openclaw.gateway.plist", "wb") as fh:
        plistlib.dump({"Label": "ai.openclaw.gateway", "EnvironmentVariables": {"HOME": str(setup.home)}}, fh)
    install = setup.inspect()
    assert read_service_env(install).service == "launchd agent ai.openclaw.gateway.plist"
    (finding,) = setup.findings("env.missing_in_service")
    assert "launchd agent" in finding.message


def test_needed_vars(setup: Setup) -> None:
    setup.store({"anthropic:default": REF, "anthropic:inline": api_key_profile("${INLINE_KEY}")})
    setup.legacy.config({"channels": {"discord": {"enabled": True}}})
    got = {n.name: n.required for n in needed_vars(setup.inspect())}
    assert got["ANTHROPIC_API_KEY"] is True  # the keyRef reads it
    assert got["ANTHROPIC_OAUTH_TOKEN"] is False  # stored anthropic profiles exist: the fallback is only compared
    assert got["INLINE_KEY"] is True and got["DISCORD_BOT_TOKEN"] is True
