"""Discord: token (masked), dmPolicy, allowFrom, pending pairing requests, approving through the CLI.

Pairing files are written in the real CLI's format (FACTS 2026.3 §9, fixtures/h_discord/
discord-pairing.before.json): `{"version":1,"requests":[{id, code, createdAt, lastSeenAt, meta}]}`,
with one live and one expired request. We read them and never rewrite them.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import textwrap
import time
from pathlib import Path

import pytest

from openclaw_triage.diagnose.run import diagnose
from openclaw_triage.findings import Severity
from openclaw_triage.model import Install
from openclaw_triage.openclaw.install import inspect_install
from openclaw_triage.openclaw.locate import Options
from openclaw_triage.runtime.discord import discord_status, valid_code
from openclaw_triage.write.live import approve_pairing
from tests import fakekeys
from tests.builders import CurrentHome, LegacyHome, api_key_profile
from tests.gateway_fakes import free_port, iso

DISCORD_TOKEN = "MzQzMjkxNDQ3NTM3NTg5MTA3.rWyDb6.OCX_ZvfBF8P7RP-XdJUhzndcXvayY6QUuYMrpf"  # the fixture's fake
ENV_TOKEN = "MTE0OTk5OTk5OTk5OTk5OTk5OQ.GaBcDe.fake-env-token-0123456789abcdefghijk"
NOW = time.time()
LIVE, EXPIRED = "K7QW3ZPA", "M4XR8TNB"

FAKE_OPENCLAW = textwrap.dedent(
    """\
    #!{python}
    import json, os, sys
    args = sys.argv[1:]
    if args == ["--version"]:
        print("OpenClaw 2026.3.13 (61d171a)")
        sys.exit(0)
    with open(os.environ["FAKE_LOG"], "a") as fh:
        fh.write(json.dumps(args) + "\\n")
    if args[:3] == ["pairing", "approve", "discord"]:
        if args[3] != "K7QW3ZPA":
            print("Error: No pending pairing request found for code: " + args[3], file=sys.stderr)
            sys.exit(1)
        print("Approved discord sender 234567890123456789.")
        sys.exit(0)
    sys.exit(2)
    """
)


def pairing_file(now: float = NOW) -> dict:
    return {
        "version": 1,
        "requests": [
            {
                "id": "234567890123456789",
                "code": LIVE,
                "createdAt": iso(now - 600),
                "lastSeenAt": iso(now - 300),
                "meta": {"tag": "alice#0", "name": "alice", "accountId": "default"},
            },
            {
                "id": "345678901234567890",
                "code": EXPIRED,
                "createdAt": iso(now - 7200),
                "lastSeenAt": iso(now - 7200),
                "meta": {"tag": "old#0", "name": "old", "accountId": "default"},
            },
        ],
    }


class Home:
    def __init__(self, root: Path, discord: dict | None) -> None:
        self.home = root / "home"
        cfg: dict = {
            "gateway": {
                "port": free_port(),
                "auth": {"mode": "token", "token": "4697f32b289c669c664116d0e3b1baeef5dcdeb1ac1e01ce"},
            }
        }
        if discord is not None:
            cfg["channels"] = {"discord": discord}
        self.legacy = LegacyHome(self.home).config(cfg)
        self.legacy.store({"profiles": {"anthropic:default": api_key_profile(fakekeys.api_key("dc"))}})
        self.creds = self.home / ".openclaw" / "credentials"
        self.creds.mkdir(mode=0o700)
        self.log = root / "cli.log"
        self.cli = root / "openclaw"
        self.cli.write_text(FAKE_OPENCLAW.format(python=sys.executable))
        self.cli.chmod(0o755)
        self.env = {"HOME": str(self.home), "PATH": "/usr/bin:/bin", "FAKE_LOG": str(self.log)}

    def pairing(self, data: dict) -> Path:
        path = self.creds / "discord-pairing.json"
        path.write_text(json.dumps(data, indent=2) + "\n")
        return path

    def inspect(self, cli: bool = False) -> Install:
        return inspect_install(Options(openclaw=str(self.cli) if cli else "none"), env=self.env)

    def calls(self) -> list[list[str]]:
        return [json.loads(line) for line in self.log.read_text().splitlines()] if self.log.exists() else []


def test_status_from_the_fixture_format(tmp_path: Path) -> None:
    h = Home(
        tmp_path, {"enabled": True, "token": DISCORD_TOKEN, "dmPolicy": "pairing", "allowFrom": ["123456789012345678"]}
    )
    path = h.pairing(pairing_file())
    (h.creds / "discord-default-allowFrom.json").write_text(
        json.dumps({"version": 1, "allowFrom": ["234567890123456789"]})
    )
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    status = discord_status(h.inspect(), now=NOW)
    (account,) = status.accounts
    assert (account.token_source, account.dm_policy, account.allow_from, account.allow_from_store) == (
        "config",
        "pairing",
        1,
        1,
    )
    assert account.token_masked == "MzQzMjkx...QUuYMrpf"
    assert [r.code for r in status.pending] == [LIVE] and [r.code for r in status.expired] == [EXPIRED]
    live = status.pending[0]
    assert live.name == "alice" and live.expires_at == pytest.approx(NOW - 600 + 3600, abs=1)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before  # never rewritten
    assert DISCORD_TOKEN not in json.dumps(status.to_json())


def test_findings_pending_pairing_and_no_expired_one(tmp_path: Path) -> None:
    h = Home(tmp_path, {"enabled": True, "token": DISCORD_TOKEN})
    h.pairing(pairing_file())
    diag = diagnose(h.inspect(), now_ms=NOW * 1000)
    (finding,) = [f for f in diag.findings if f.code == "discord.pairing_pending"]
    assert finding.severity is Severity.WARNING and finding.fix == f"openclaw pairing approve discord {LIVE}"
    assert finding.action is not None and finding.action.kind == "pairing.approve" and finding.action.code == LIVE
    assert "expires in 50 min" in finding.message
    assert not any(f.code == "discord.token_missing" for f in diag.findings)


def test_token_missing_and_the_env_fallback(tmp_path: Path) -> None:
    h = Home(tmp_path, {"enabled": True})
    (finding,) = [f for f in diagnose(h.inspect()).findings if f.code == "discord.token_missing"]
    assert finding.severity is Severity.ERROR and "DISCORD_BOT_TOKEN" in finding.message
    h.env["DISCORD_BOT_TOKEN"] = "Bot " + ENV_TOKEN
    status = discord_status(h.inspect())
    assert (
        status.accounts[0].token_source == "env"
        and status.accounts[0].token_masked == ENV_TOKEN[:8] + "..." + ENV_TOKEN[-8:]
    )
    assert not any(f.code == "discord.token_missing" for f in diagnose(h.inspect()).findings)


def test_defaults_and_disabled(tmp_path: Path) -> None:
    h = Home(tmp_path, {"token": DISCORD_TOKEN})
    status = discord_status(h.inspect())
    assert status.enabled and status.accounts[0].dm_policy == "pairing" and status.pending == []
    h.legacy.config({"channels": {"discord": {"enabled": False}}})
    assert not any(f.code.startswith("discord.") for f in diagnose(h.inspect()).findings)


def test_no_discord_configured(tmp_path: Path) -> None:
    h = Home(tmp_path, None)
    assert diagnose(h.inspect()).runtime.discord is None
    assert not discord_status(h.inspect()).configured


def test_a_broken_pairing_file_is_reported_not_raised(tmp_path: Path) -> None:
    h = Home(tmp_path, {"token": DISCORD_TOKEN})
    (h.creds / "discord-pairing.json").write_text("{not json")
    status = discord_status(h.inspect())
    assert status.requests == [] and status.pairing_error is not None


def test_2026_9_reads_the_state_database(tmp_path: Path) -> None:
    h = CurrentHome(tmp_path / "home").config(
        {"agents": {"entries": {"main": {}}}, "channels": {"discord": {"token": DISCORD_TOKEN}}}
    )
    db = h.shared_store({"profiles": {}})
    conn = sqlite3.connect(db)
    conn.execute(
        "CREATE TABLE channel_pairing_requests(channel_key TEXT, account_id TEXT, request_id TEXT, code TEXT, "
        "created_at TEXT, last_seen_at TEXT, meta_json TEXT)"
    )
    conn.execute(
        "CREATE TABLE channel_pairing_allow_entries(channel_key TEXT, account_id TEXT, entry TEXT, sort_order INT, updated_at INT)"
    )
    conn.execute(
        "INSERT INTO channel_pairing_requests VALUES ('discord', 'default', '2345', ?, ?, ?, ?)",
        (LIVE, iso(NOW - 60), iso(NOW - 60), json.dumps({"name": "alice"})),
    )
    conn.execute("INSERT INTO channel_pairing_allow_entries VALUES ('discord', 'default', '999', 0, 0)")
    conn.commit()
    conn.close()
    install = inspect_install(Options(openclaw="none"), env={"HOME": str(h.home), "PATH": ""})
    status = discord_status(install, now=NOW)
    assert [r.code for r in status.pending] == [LIVE] and status.pending[0].name == "alice"
    assert status.accounts[0].allow_from_store == 1 and "channel_pairing_requests" in (status.pairing_source or "")


def test_routes_from_bindings(tmp_path: Path) -> None:
    h = Home(tmp_path, {"token": DISCORD_TOKEN})
    cfg = json.loads((h.home / ".openclaw" / "openclaw.json").read_text())
    cfg["agents"] = {"list": [{"id": "main", "default": True}, {"id": "work"}]}
    cfg["bindings"] = [{"agentId": "work", "match": {"channel": "discord", "accountId": "default"}}]
    (h.home / ".openclaw" / "openclaw.json").write_text(json.dumps(cfg))
    os.makedirs(h.home / ".openclaw" / "agents" / "work" / "agent")
    h.legacy.store({"profiles": {}}, agent="main")  # nothing to inherit: work has no credentials at all
    diag = diagnose(h.inspect())
    assert diag.runtime.discord.routes_to == ["work"]
    (finding,) = [f for f in diag.findings if f.code == "agent.no_auth"]
    assert "bindings[] route discord (account default) to it" in finding.message


# --- approving ------------------------------------------------------------------------------


def test_approve_runs_the_real_command(tmp_path: Path) -> None:
    h = Home(tmp_path, {"token": DISCORD_TOKEN})
    path = h.pairing(pairing_file(time.time()))
    before = path.read_bytes()
    result = approve_pairing(h.inspect(cli=True), "k7qw3zpa")
    assert result.ok and result.command == f"openclaw pairing approve discord {LIVE}"
    assert h.calls() == [["pairing", "approve", "discord", LIVE]]
    assert "alice" in result.message and path.read_bytes() == before  # the CLI owns the file


def test_approve_refuses_bad_and_expired_codes(tmp_path: Path) -> None:
    h = Home(tmp_path, {"token": DISCORD_TOKEN})
    h.pairing(pairing_file(time.time()))
    assert not approve_pairing(h.inspect(cli=True), "K7QW3ZP0").ok  # 0 is not in the alphabet
    expired = approve_pairing(h.inspect(cli=True), EXPIRED)
    assert not expired.ok and "expired" in expired.message
    unknown = approve_pairing(h.inspect(cli=True), "ABCDEFGH")  # unknown to us: the CLI decides
    assert not unknown.ok and "No pending pairing request" in unknown.message
    assert h.calls() == [["pairing", "approve", "discord", "ABCDEFGH"]]
    assert not valid_code("short") and valid_code("abcdefgh")


def test_approve_without_a_cli_says_what_to_run(tmp_path: Path) -> None:
    h = Home(tmp_path, {"token": DISCORD_TOKEN})
    h.pairing(pairing_file(time.time()))
    result = approve_pairing(h.inspect(), LIVE)
    assert not result.ok and f"openclaw pairing approve discord {LIVE}" in result.message
