"""Reading OpenClaw's gateway log: failures matched to profiles, request ids, reloads, masking, bounds.

Lines are written in the real formats: the tslog JSON lines of `/tmp/openclaw/openclaw-<date>.log`
(shape captured from a 2026.3.13 gateway) and the console lines of launchd's `gateway.log`
(fixtures/gateway_runtime/gateway-run.txt).
"""

from __future__ import annotations

import hashlib
import subprocess
import time
from pathlib import Path

import pytest

from openclaw_triage.diagnose.run import diagnose
from openclaw_triage.findings import Severity
from openclaw_triage.model import Install
from openclaw_triage.openclaw.install import inspect_install
from openclaw_triage.openclaw.locate import Options
from openclaw_triage.runtime import gateway
from openclaw_triage.runtime.gateway_log import log_paths, profile_hash, read_gateway_log
from openclaw_triage.util.isotime import local_date
from tests import fakekeys
from tests.builders import LegacyHome, api_key_profile
from tests.gateway_fakes import console_line, failure_lines, free_port, iso, log_line, write_lock

KEY = fakekeys.api_key("log-main")
WORK = fakekeys.api_key("log-work")
NOW = 1_795_546_300.0  # 2026-11-24T18:51:40Z


def test_profile_hash_matches_openclaw() -> None:
    """`profile=sha256:154a23a3efe6` in fixtures/gateway_runtime/gateway-run.txt is anthropic:default."""
    assert profile_hash("anthropic:default") == "sha256:154a23a3efe6"


@pytest.fixture
def install(tmp_path: Path) -> Install:
    home = tmp_path / "home"
    h = LegacyHome(home).config({"logging": {"file": str(tmp_path / "logs" / "openclaw.log")}})
    h.store({"profiles": {"anthropic:default": api_key_profile(KEY), "anthropic:work": api_key_profile(WORK)}})
    return inspect_install(Options(openclaw="none"), env={"HOME": str(home), "PATH": "/usr/bin:/bin"})


def _write(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines))
    return path


def test_json_lines_give_the_last_error_per_profile(install: Install, tmp_path: Path) -> None:
    lines = [
        log_line(NOW - 100, "gateway", "listening on ws://127.0.0.1:18790, ws://[::1]:18790 (PID 370)"),
        *failure_lines(
            NOW - 60,
            "anthropic:default",
            "run-1",
            "HTTP 401 authentication_error: invalid x-api-key (request_id: sha256:daf40b3bb8b4)",
            "sha256:daf40b3bb8b4",
        ),
        log_line(
            NOW - 59,
            None,
            "HTTP 401 authentication_error: invalid x-api-key (request_id: req_011CZ74WBjtboJP7FKPaWTg3)",
        ),
        *failure_lines(
            NOW - 30,
            "anthropic:default",
            "run-2",
            "HTTP 401 authentication_error: invalid x-api-key (request_id: sha256:25289d6dae93)",
            "sha256:25289d6dae93",
        ),
        *failure_lines(
            NOW - 20,
            "anthropic:gone",
            "run-3",
            "HTTP 401 authentication_error: invalid x-api-key",
            "sha256:aaaaaaaaaaaa",
        ),
        log_line(NOW - 10, None, "Secrets reloaded."),
        log_line(NOW - 5, "gateway/reload", "config hot reload applied (agents.defaults.heartbeat)"),
        "not json at all",
    ]
    _write(tmp_path / "logs" / "openclaw.log", lines)
    log = read_gateway_log(install, now=NOW)
    mine = log.for_profile("anthropic:default")
    assert mine is not None and mine.count == 2 and mine.reason == "auth" and mine.window == "cooldown"
    assert mine.last_at == pytest.approx(NOW - 30 + 0.02, abs=0.01)
    assert mine.error is not None and "invalid x-api-key" in mine.error and mine.request_id == "sha256:25289d6dae93"
    assert log.for_profile("anthropic:work") is None
    (other,) = [f for f in log.failures if f.profile_id is None]
    assert other.profile_hash == "sha256:" + hashlib.sha256(b"anthropic:gone").hexdigest()[:12]
    assert [how for _, how in log.reloads] == ["secrets reload", "config hot reload"]
    assert log.starts == [(pytest.approx(NOW - 100, abs=0.01), 370)]


def test_a_raw_request_id_printed_by_a_run_is_kept(install: Install, tmp_path: Path) -> None:
    lines = [
        *failure_lines(
            NOW - 60,
            "anthropic:work",
            "run-1",
            "HTTP 401 authentication_error: invalid x-api-key",
            "sha256:daf40b3bb8b4",
        ),
        log_line(
            NOW - 59.9,
            None,
            "HTTP 401 authentication_error: invalid x-api-key (request_id: req_011CZ74WBjtboJP7FKPaWTg3)",
        ),
    ]
    _write(tmp_path / "logs" / "openclaw.log", lines)
    work = read_gateway_log(install, now=NOW).for_profile("anthropic:work")
    assert work is not None and work.request_id == "req_011CZ74WBjtboJP7FKPaWTg3"


def test_console_lines_of_launchd_and_journald(install: Install, tmp_path: Path) -> None:
    """The format of fixtures/gateway_runtime/gateway-run.txt (launchd's gateway.log is the same)."""
    path = _write(
        tmp_path / "gateway.log",
        [
            console_line(
                NOW - 60,
                "agent/embedded",
                "embedded run agent end: runId=562af472 isError=true model=claude-opus-4-6 provider=anthropic error=HTTP 401 authentication_error: invalid x-api-key (request_id: sha256:c6bb760e0b67)",
            ),
            console_line(
                NOW - 60,
                "agent/embedded",
                "auth profile failure state updated: runId=562af472 profile=sha256:154a23a3efe6 provider=anthropic reason=auth window=cooldown reused=false",
            ),
            console_line(NOW - 50, None, "Secrets reloaded."),
        ],
    )
    log = read_gateway_log(install, now=NOW, paths=[path])
    mine = log.for_profile("anthropic:default")
    assert mine is not None and mine.error is not None and mine.error.startswith("HTTP 401")
    assert mine.request_id == "sha256:c6bb760e0b67" and mine.window == "cooldown"
    assert log.reloads and log.reloads[0][1] == "secrets reload"


def test_secrets_in_log_text_are_masked(install: Install, tmp_path: Path) -> None:
    leaked = (
        f"HTTP 401 authentication_error: invalid x-api-key {KEY} Bearer {fakekeys.oauth_token('x')} sk-or-v1-{'a' * 40}"
    )
    _write(
        tmp_path / "logs" / "openclaw.log", failure_lines(NOW - 60, "anthropic:default", "run-1", leaked, "sha256:1")
    )
    error = read_gateway_log(install, now=NOW).for_profile("anthropic:default").error  # type: ignore[union-attr]
    assert error is not None and "invalid x-api-key" in error
    assert KEY not in error and fakekeys.oauth_token("x") not in error and "a" * 40 not in error
    assert KEY[:8] + "..." + KEY[-8:] in error  # masked as models status masks it


def test_since_keeps_only_events_of_this_gateway(install: Install, tmp_path: Path) -> None:
    _write(
        tmp_path / "logs" / "openclaw.log",
        [
            *failure_lines(NOW - 600, "anthropic:default", "old", "HTTP 401", "sha256:1"),
            *failure_lines(NOW - 60, "anthropic:work", "new", "HTTP 401", "sha256:2"),
        ],
    )
    log = read_gateway_log(install, now=NOW, since=NOW - 300)
    assert [f.profile_id for f in log.failures] == ["anthropic:work"]


def test_reading_is_bounded_to_the_tail(install: Install, tmp_path: Path) -> None:
    filler = [log_line(NOW - 500, "tools", "x" * 200) for _ in range(2000)]
    tail = failure_lines(NOW - 60, "anthropic:default", "run-1", "HTTP 401", "sha256:1")
    path = _write(
        tmp_path / "logs" / "openclaw.log",
        [*failure_lines(NOW - 700, "anthropic:work", "early", "HTTP 401", "sha256:0"), *filler, *tail],
    )
    log = read_gateway_log(install, now=NOW, max_bytes=64 * 1024)
    assert log.files[0].truncated and log.files[0].read_bytes <= 64 * 1024 and log.files[0].size == path.stat().st_size
    assert [f.profile_id for f in log.failures] == ["anthropic:default"]


def test_rolling_paths_are_today_and_yesterday(tmp_path: Path) -> None:
    home = tmp_path / "home"
    LegacyHome(home).config({})
    install = inspect_install(Options(openclaw="none"), env={"HOME": str(home), "PATH": "", "TMPDIR": str(tmp_path)})
    paths = [str(p) for p in log_paths(install, NOW)]
    assert f"/tmp/openclaw/openclaw-{local_date(NOW)}.log" in paths
    assert f"/tmp/openclaw/openclaw-{local_date(NOW - 86400)}.log" in paths
    assert str(tmp_path / f"openclaw-{__import__('os').getuid()}" / f"openclaw-{local_date(NOW)}.log") in paths
    assert str(home / "Library" / "Logs" / "openclaw" / "gateway.log") in paths


def test_check_reports_failures_since_the_running_gateway_started(
    tmp_path: Path, child: subprocess.Popen[bytes]
) -> None:
    home = tmp_path / "home"
    log_file = tmp_path / "logs" / "openclaw.log"
    h = LegacyHome(home).config({"logging": {"file": str(log_file)}})
    store = h.store({"profiles": {"anthropic:default": api_key_profile(KEY)}})
    old = time.time() - 3600
    __import__("os").utime(store, (old, old))
    tmp = tmp_path / "tmp"
    now = time.time()
    write_lock(
        tmp,
        home / ".openclaw" / "openclaw.json",
        child.pid,
        createdAt=iso(now - 120),
        startTime=gateway.start_ticks(child.pid),
    )
    _write(
        log_file,
        [
            *failure_lines(now - 1000, "anthropic:default", "before-start", "HTTP 401 old", "sha256:1"),
            *failure_lines(
                now - 30,
                "anthropic:default",
                "run-1",
                "HTTP 401 authentication_error: invalid x-api-key",
                "sha256:25289d6dae93",
            ),
        ],
    )
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "TMPDIR": str(tmp), "OPENCLAW_GATEWAY_PORT": str(free_port())}
    diag = diagnose(inspect_install(Options(openclaw="none"), env=env))
    (finding,) = [f for f in diag.findings if f.code == "gateway.recent_auth_failures"]
    assert finding.severity is Severity.WARNING and finding.subject == "anthropic:default"
    assert "1 time(s)" in finding.message and "sha256:25289d6dae93" in finding.message


def test_check_does_not_read_logs_without_a_running_gateway(install: Install, tmp_path: Path) -> None:
    _write(
        tmp_path / "logs" / "openclaw.log",
        failure_lines(time.time() - 30, "anthropic:default", "r", "HTTP 401", "sha256:1"),
    )
    diag = diagnose(install)
    assert diag.runtime.log is None
    assert not any(f.code == "gateway.recent_auth_failures" for f in diag.findings)
