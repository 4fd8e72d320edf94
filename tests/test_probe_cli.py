"""`openclaw-triage probe` and `check --probe` as a user runs them, against a loopback fake."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests import fakekeys
from tests.builders import LegacyHome, api_key_profile, token_profile
from tests.fakeanthropic import Reply
from tests.probe_server import HungServer, ProbeServer
from tests.support.cli import Ran, run_cli

ROOT = Path(__file__).resolve().parent.parent
GOOD = fakekeys.api_key("cli-good")
BAD = fakekeys.api_key("cli-bad")
OAT = fakekeys.oauth_token("cli-oat")
HEALTHY = {"auth": {"profiles": {"anthropic:default": {"provider": "anthropic", "mode": "api_key"}}}}


def cli(home: Path, *args: str) -> Ran:
    """Run the CLI with a clean environment (no proxy variables, no colour)."""
    return run_cli(home, *args)


def install(home: Path, url: str, profiles: dict[str, dict[str, str]], **config: object) -> LegacyHome:
    h = LegacyHome(home).config({"models": {"providers": {"anthropic": {"baseUrl": url, "models": []}}}, **config})
    h.store({"profiles": profiles})
    return h


def no_secret(proc: subprocess.CompletedProcess[str], *secrets: str) -> None:
    for secret in secrets:
        assert secret not in proc.stdout + proc.stderr
        assert secret[15:60] not in proc.stdout + proc.stderr


def test_all_ok_exits_zero_with_host_latency_and_request_id(tmp_path: Path) -> None:
    with ProbeServer({GOOD: Reply.ok()}) as api:
        install(tmp_path, api.url, {"anthropic:default": api_key_profile(GOOD)})
        proc = cli(tmp_path, "probe")
        host = f"127.0.0.1:{api.port}"
    assert proc.returncode == 0, proc.stdout + proc.stderr
    line = next(x for x in proc.stdout.splitlines() if x.strip().startswith("anthropic:default"))
    assert host in line and "✓ ok" in line and " ms" in line and "req_fake_000001" in line
    assert proc.stderr == ""  # no progress when stderr is not a terminal
    no_secret(proc, GOOD)


def test_any_error_exits_one_and_only_warnings_exit_two(tmp_path: Path) -> None:
    with ProbeServer({GOOD: Reply.ok(), BAD: Reply.invalid_key(), OAT: Reply.rate_limited("7")}) as api:
        h = install(
            tmp_path, api.url, {"anthropic:default": api_key_profile(GOOD), "anthropic:bad": api_key_profile(BAD)}
        )
        failing = cli(tmp_path, "probe")
        h.store({"profiles": {"anthropic:default": api_key_profile(GOOD), "anthropic:tok": token_profile(OAT)}})
        busy = cli(tmp_path, "probe")
    assert failing.returncode == 1
    assert "✗ invalid_key" in failing.stdout and "invalid x-api-key" in failing.stdout and "fix: " in failing.stdout
    assert busy.returncode == 2 and "! rate_limited" in busy.stdout and "retry after 7 s" in busy.stdout
    no_secret(failing, GOOD, BAD)
    no_secret(busy, OAT)


def test_json_contract(tmp_path: Path) -> None:
    with ProbeServer({GOOD: Reply.ok(), BAD: Reply.invalid_key()}) as api:
        install(tmp_path, api.url, {"anthropic:default": api_key_profile(GOOD), "anthropic:bad": api_key_profile(BAD)})
        proc = cli(tmp_path, "probe", "--json")
        host = f"127.0.0.1:{api.port}"
    data = json.loads(proc.stdout)
    assert data["schemaVersion"] == 1 and data["deep"] is False
    assert data["openclaw"]["era"] == "json" and data["openclaw"]["agent"] == "main"
    ok, bad = data["results"]
    assert (ok["profileId"], ok["code"], ok["status"], ok["auth"], ok["sent"]) == (
        "anthropic:default",
        "probe.ok",
        200,
        "x-api-key",
        True,
    )
    assert ok["host"] == host and ok["requestId"] and ok["orgId"] and ok["latencyMs"] > 0
    assert (bad["code"], bad["errorType"], bad["errorMessage"]) == (
        "probe.invalid_key",
        "authentication_error",
        "invalid x-api-key",
    )
    assert bad["finding"]["severity"] == "error" and bad["finding"]["fix"]
    assert data["summary"] == {"ok": 1, "errors": 1, "warnings": 0, "info": 1, "exitCode": 1} and proc.returncode == 1
    no_secret(proc, GOOD, BAD)


def test_one_profile_deep_and_the_alias(tmp_path: Path) -> None:
    with ProbeServer({GOOD: Reply.ok(), BAD: Reply.invalid_key()}, post={GOOD: Reply.billing()}) as api:
        install(tmp_path, api.url, {"anthropic:default": api_key_profile(GOOD), "anthropic:bad": api_key_profile(BAD)})
        proc = cli(tmp_path, "probe", "--profile", "anthropic:default", "--deep")
        alias = cli(tmp_path, "probe", "--profile-id", "anthropic:default", "--json")
        assert BAD not in api.credentials()
    assert proc.returncode == 1 and "billing" in proc.stdout and "credit balance is too low" in proc.stdout
    assert "anthropic:bad" not in proc.stdout
    assert [r["profileId"] for r in json.loads(alias.stdout)["results"]] == ["anthropic:default"]


def test_openclaw_profile_flag_still_works_before_the_command(tmp_path: Path) -> None:
    with ProbeServer({GOOD: Reply.ok()}) as api:
        install(tmp_path, api.url, {"anthropic:default": api_key_profile(GOOD)})
        (tmp_path / ".openclaw").rename(tmp_path / ".openclaw-work")
        proc = cli(tmp_path, "--profile", "work", "probe", "--profile", "anthropic:default", "--json")
    assert proc.returncode == 0, proc.stderr
    assert [r["code"] for r in json.loads(proc.stdout)["results"]] == ["probe.ok"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["probe", "--profile", "anthropic:nope"], "no auth profile 'anthropic:nope'"),
        (["probe", "--provider", "nosuch"], "speaks only these providers"),
        (["probe", "--timeout", "0"], "--timeout"),
    ],
)
def test_bad_usage_is_64(tmp_path: Path, args: list[str], says: str) -> None:
    LegacyHome(tmp_path).config({}).store({"profiles": {"anthropic:default": api_key_profile(GOOD)}})
    proc = cli(tmp_path, *args)
    assert proc.returncode == 64 and says in proc.stderr and "Traceback" not in proc.stderr


def test_nothing_to_probe_is_not_success(tmp_path: Path) -> None:
    LegacyHome(tmp_path).config({}).store({"profiles": {}})
    proc = cli(tmp_path, "probe")
    assert proc.returncode == 1 and "No auth profile to probe" in proc.stdout


def test_timeout_flag_with_a_hung_server(tmp_path: Path) -> None:
    with HungServer() as hung:
        install(tmp_path, hung.url, {"anthropic:default": api_key_profile(GOOD)})
        proc = cli(tmp_path, "probe", "--timeout", "0.3")
    assert proc.returncode == 2 and "! timeout" in proc.stdout and "0.3 s" in proc.stdout


def test_check_probe_joins_the_report_and_the_exit_code(tmp_path: Path) -> None:
    with ProbeServer({GOOD: Reply.invalid_key()}, post={}) as api:
        install(tmp_path, api.url, {"anthropic:default": api_key_profile(GOOD)}, **HEALTHY)
        offline = cli(tmp_path, "check", "--json")
        assert api.seen == []  # check alone never sends anything
        live = cli(tmp_path, "check", "--probe", "--json")
        text = cli(tmp_path, "check", "--probe")
    assert offline.returncode == 2  # only the base-URL-override warning
    data = json.loads(live.stdout)
    probe = [f for f in data["findings"] if f["code"].startswith("probe.")]
    assert [f["code"] for f in probe] == ["probe.invalid_key"]
    assert live.returncode == data["summary"]["exitCode"] == 1
    assert "probe.invalid_key  [anthropic:default]" in text.stdout and text.returncode == 1
    no_secret(live, GOOD)
    no_secret(text, GOOD)


def test_check_deep_reaches_billing(tmp_path: Path) -> None:
    with ProbeServer({GOOD: Reply.ok()}, post={GOOD: Reply.billing()}) as api:
        install(tmp_path, api.url, {"anthropic:default": api_key_profile(GOOD)}, **HEALTHY)
        proc = cli(tmp_path, "check", "--probe", "--deep", "--json")
        assert [s.method for s in api.seen] == ["GET", "POST"]
    codes = [f["code"] for f in json.loads(proc.stdout)["findings"]]
    assert "probe.billing" in codes and proc.returncode == 1


def test_check_probe_does_not_count_a_broken_key_twice(tmp_path: Path) -> None:
    spaced = fakekeys.api_key("twice")
    spaced = spaced[:40] + " " + spaced[40:]
    LegacyHome(tmp_path).config(
        {"models": {"providers": {"anthropic": {"baseUrl": "http://127.0.0.1:9", "models": []}}}}
    ).store({"profiles": {"anthropic:default": api_key_profile(spaced)}})
    proc = subprocess.run(
        [sys.executable, "-m", "openclaw_triage", "check", "--probe", "--json"],
        env={"HOME": str(tmp_path), "PATH": "", "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    data = json.loads(proc.stdout)
    by_code = {f["code"]: f for f in data["findings"]}
    assert by_code["key.whitespace"]["severity"] == "error"
    assert by_code["probe.skipped"]["severity"] == "info"
    assert data["summary"]["errors"] == sum(1 for f in data["findings"] if f["severity"] == "error")
