"""The paste-safe report: every secret of every fixture absent, host details only on request,
and the seed thread's questions answered without being asked."""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

import pytest

from openclaw_triage.cli.commands import main
from openclaw_triage.diagnose.run import diagnose
from openclaw_triage.openclaw.install import inspect_install
from openclaw_triage.openclaw.locate import Options
from openclaw_triage.output.report import render_report
from tests import fakekeys, states
from tests.builders import LegacyHome, api_key_profile, token_profile
from tests.gateway_fakes import failure_lines, free_port, iso, write_lock
from tests.support.processes import sleeping_process

GATEWAY_TOKEN = "63603c981044e8636ea360d36bb7776276325fa45ca7c6ad"
DISCORD_TOKEN = "MzQzMjkxNDQ3NTM3NTg5MTA3.rWyDb6.OCX_ZvfBF8P7RP-XdJUhzndcXvayY6QUuYMrpf"
ENV_KEY = fakekeys.api_key("report-env")
LOG_KEY = fakekeys.oauth_token("report-log")


def _decorate(state_dir: Path, tmp: Path) -> list[str]:
    """Add the runtime secrets a real install has: gateway and Discord tokens, a key in .env,
    a pending pairing, a gateway log line that echoes a key. Returns the secrets added."""
    path = state_dir / "openclaw.json"
    cfg = json.loads(path.read_text()) if path.exists() else {}
    cfg.setdefault("gateway", {})["auth"] = {"mode": "token", "token": GATEWAY_TOKEN}
    cfg["gateway"]["port"] = free_port()
    cfg["channels"] = {"discord": {"enabled": True, "token": DISCORD_TOKEN, "dmPolicy": "pairing"}}
    cfg["logging"] = {"file": str(tmp / "gw.log")}
    path.write_text(json.dumps(cfg, indent=2))
    (state_dir / ".env").write_text(f"ANTHROPIC_API_KEY={ENV_KEY}\n")
    creds = state_dir / "credentials"
    creds.mkdir(exist_ok=True)
    now = time.time()
    request = {
        "id": "234567890123456789",
        "code": "K7QW3ZPA",
        "createdAt": iso(now - 60),
        "lastSeenAt": iso(now - 60),
        "meta": {"name": "alice"},
    }
    (creds / "discord-pairing.json").write_text(json.dumps({"version": 1, "requests": [request]}))
    (tmp / "gw.log").write_text(
        "\n".join(
            failure_lines(now - 30, "anthropic:default", "r1", f"HTTP 401 invalid x-api-key {LOG_KEY}", "sha256:1")
        )
        + "\n"
    )
    return [GATEWAY_TOKEN, DISCORD_TOKEN, ENV_KEY, LOG_KEY]


ALL_STATES = states.list_states()


@pytest.mark.parametrize(("era", "scenario"), ALL_STATES, ids=[f"{e}/{s}" for e, s in ALL_STATES])
def test_no_secret_of_any_fixture_leaks(era: str, scenario: str, tmp_path: Path) -> None:
    state = states.load_state(era, scenario, tmp_path / "home")
    added = _decorate(state.state_dir, tmp_path)
    env = {"HOME": str(state.home), "PATH": "/usr/bin:/bin", **state.scenario.get("captureEnv", {})}
    install = inspect_install(Options(openclaw="none"), env=env)
    diag = diagnose(install)
    text = render_report(diag, include_host=True)  # even with host details, no secret
    assert "## Findings" in text and "## Agent main" in text
    for secret in [*state.secrets.values(), *added]:
        for fragment in states.secret_fragments(secret):
            assert fragment not in text, f"{fragment[:12]}… leaked"
    if era == "legacy-2026.3":  # 2026.9 keeps pairing requests in its state database, not this file
        assert "K7QW3ZPA" in text  # the pairing code is not a secret: it is what the user must type


def _seedlike(root: Path) -> tuple[Path, Path]:
    """The seed thread's install: an API key and its copy as a token, a running gateway with old keys."""
    home = root / "home"
    key = fakekeys.api_key("seed")
    h = LegacyHome(home).config(
        {
            "agents": {
                "defaults": {"model": "anthropic/claude-sonnet-4-6"},
                "list": [{"id": "main", "default": True}, {"id": "work"}],
            },
            "bindings": [{"agentId": "work", "match": {"channel": "discord"}}],
            "gateway": {"port": free_port(), "mode": "local", "auth": {"mode": "token", "token": GATEWAY_TOKEN}},
            "channels": {"discord": {"enabled": True, "token": DISCORD_TOKEN}},
            "logging": {"file": str(root / "gw.log")},
        }
    )
    h.store({"profiles": {"anthropic:default": api_key_profile(key), "anthropic:manual": token_profile(key)}})
    return home, root / "tmp"


def test_the_report_answers_the_seed_threads_questions(tmp_path: Path) -> None:
    home, tmp = _seedlike(tmp_path)
    with sleeping_process() as proc:
        write_lock(tmp, home / ".openclaw" / "openclaw.json", proc.pid, createdAt=iso(time.time() - 300))
        now = time.time()
        (tmp_path / "gw.log").write_text(
            "\n".join(
                failure_lines(
                    now - 30,
                    "anthropic:manual",
                    "r1",
                    "HTTP 401 authentication_error: invalid x-api-key (request_id: sha256:c6bb760e0b67)",
                    "sha256:c6bb760e0b67",
                )
            )
            + "\n"
        )
        env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "TMPDIR": str(tmp)}
        text = render_report(diagnose(inspect_install(Options(openclaw="none"), env=env)))
    answers = {
        "which version": "**OpenClaw**: 2026.3.13",
        "API key or setup token, and its mask": "anthropic:default = API key sk-ant-a",
        "the same key stored twice": "profiles.duplicate_secret",
        "the order override": "anthropic order override: (none)",
        "a proxy baseUrl?": "**Base URL**: https://api.anthropic.com (default)",
        "local or remote gateway, running?": "**Gateway**: local, **running** since",
        "restarted after the key changed?": "**Gateway has the current keys**",
        "the exact 401 and its request id": "invalid x-api-key (request_id: sha256:c6bb760e0b67)",
        "which agent, and a second one with an empty store": "**Agent work**",
        "which channel goes to that agent": "routed from discord",
        "the gateway's environment": "## The gateway's environment",
        "Discord pairing": "## Channels",
        "every finding with its fix": "  - fix: `",
        "the key's length (a shortened key)": "108 chars",
    }
    missing = [q for q, needle in answers.items() if needle not in text]
    assert not missing, missing


def test_host_details_only_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home, _ = _seedlike(tmp_path)
    user, host = "alicetester", "alices-mac-mini"
    monkeypatch.setenv("USER", user)
    monkeypatch.setattr(platform, "node", lambda: host + ".local")
    cfg_path = home / ".openclaw" / "openclaw.json"
    cfg = json.loads(cfg_path.read_text())
    cfg["agents"]["list"][1]["agentDir"] = f"/Users/{user}/agents/work"  # a path outside HOME that names the user
    cfg["meta"]["note"] = f"{host}"
    cfg_path.write_text(json.dumps(cfg))
    diag = diagnose(inspect_install(Options(openclaw="none"), env={"HOME": str(home), "PATH": "/usr/bin:/bin"}))
    hidden = render_report(diag)
    assert user not in hidden and host not in hidden and str(home) not in hidden
    assert "/Users/<user>/agents/work" in hidden and "~/.openclaw/openclaw.json" in hidden
    shown = render_report(diag, include_host=True)
    assert user in shown and host in shown and str(home) not in shown


def test_report_command_writes_a_private_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home, _ = _seedlike(tmp_path)
    monkeypatch.setenv("HOME", str(home))
    out = tmp_path / "report.md"
    rc = main(["--openclaw", "none", "report", "-o", str(out)])
    assert rc == 2  # the check's exit code: warnings (the duplicate secret)
    assert out.read_text().startswith("# OpenClaw triage report") and (os.stat(out).st_mode & 0o777) == 0o600
    assert DISCORD_TOKEN not in out.read_text() and GATEWAY_TOKEN not in out.read_text()
    assert "Wrote" in capsys.readouterr().err


def test_report_with_a_probe_shows_anthropics_request_ids(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.fakeanthropic import FakeAnthropic, Reply

    key = fakekeys.api_key("probed")
    home = tmp_path / "home"
    with FakeAnthropic(keys={key: Reply.invalid_key()}) as api:
        h = LegacyHome(home).config({"models": {"providers": {"anthropic": {"baseUrl": api.url, "models": []}}}})
        h.store({"profiles": {"anthropic:default": api_key_profile(key)}})
        monkeypatch.setenv("HOME", str(home))
        monkeypatch.setenv("NO_PROXY", "*")
        rc = main(["--openclaw", "none", "report", "--probe"])
        out = capsys.readouterr().out
        request_id = api.requests[0].request_id
    assert rc == 1 and "## Live API probe" in out and request_id in out and "probe.invalid_key" in out
    assert key not in out


@pytest.mark.parametrize(("default", "noted"), [("work", True), ("main", False)])
def test_the_report_says_which_agent_models_status_shows(tmp_path: Path, default: str, noted: bool) -> None:
    """2026.3's `models status` without --agent reads agents/main, whatever agent is the default:
    a user comparing its output with ours must be told to add --agent."""
    home = LegacyHome(tmp_path).config({"agents": {"list": [{"id": "main"}, {"id": "work", "default": True}]}})
    if default == "main":
        home.config({"agents": {"list": [{"id": "main", "default": True}, {"id": "work"}]}})
    home.store({"profiles": {"anthropic:default": api_key_profile(fakekeys.api_key("agents"))}}, agent=default)
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path)}
    text = render_report(diagnose(inspect_install(Options(openclaw="none"), env=env)))
    assert ("`openclaw models status --agent work`" in text) is noted
