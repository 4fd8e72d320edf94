"""`openclaw-triage check` as a user runs it: a subprocess, its output and exit code."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from openclaw_triage.findings import CODES
from tests import fakekeys
from tests.builders import LegacyHome, api_key_profile, token_profile
from tests.support.cli import run_cli

ROOT = Path(__file__).resolve().parent.parent
API = fakekeys.api_key("cli")


@pytest.fixture
def healthy(tmp_path: Path) -> Path:
    LegacyHome(tmp_path).config(
        {"auth": {"profiles": {"anthropic:default": {"provider": "anthropic", "mode": "api_key"}}}}
    ).store({"profiles": {"anthropic:default": api_key_profile(API)}})
    return tmp_path


def test_check_healthy_exits_zero(healthy: Path) -> None:
    proc = run_cli(healthy, "check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "anthropic:default" in proc.stdout
    assert API[:8] + "..." + API[-8:] in proc.stdout
    assert API not in proc.stdout + proc.stderr


def test_check_json_contract(healthy: Path) -> None:
    proc = run_cli(healthy, "check", "--json")
    data = json.loads(proc.stdout)
    assert data["schemaVersion"] == 1
    assert data["openclaw"]["era"] == "json"
    assert data["openclaw"]["stateDir"] == str(healthy / ".openclaw")
    assert [p["label"] for p in data["profiles"]] == [f"anthropic:default={API[:8]}...{API[-8:]}"]
    assert data["order"]["anthropic"]["next"] == "anthropic:default"
    assert data["summary"]["exitCode"] == proc.returncode == 0
    assert API not in proc.stdout


def test_provider_filter_lists_only_that_providers_profiles(tmp_path: Path) -> None:
    openai = fakekeys.openai_key("cli")
    LegacyHome(tmp_path).config({}).store(
        {"profiles": {"anthropic:default": api_key_profile(API), "openai:default": api_key_profile(openai, "openai")}}
    )
    data = json.loads(run_cli(tmp_path, "check", "--json", "--provider", "Anthropic").stdout)
    assert [p["id"] for p in data["profiles"]] == ["anthropic:default"]
    assert list(data["order"]) == ["anthropic"]
    text = run_cli(tmp_path, "check", "--provider", "anthropic").stdout
    assert "anthropic:default" in text and "openai:default" not in text
    for everything in (run_cli(tmp_path, "check", "--json"), run_cli(tmp_path, "check", "--json", "--provider", " ")):
        assert {p["id"] for p in json.loads(everything.stdout)["profiles"]} == {"anthropic:default", "openai:default"}


def test_exit_code_1_on_error_and_2_on_warnings_only(tmp_path: Path) -> None:
    h = LegacyHome(tmp_path).config({})
    h.store({"profiles": {"anthropic:default": api_key_profile(API[:50] + " " + API[50:])}})
    assert run_cli(tmp_path, "check").returncode == 1
    h.store({"profiles": {"anthropic:default": api_key_profile(API), "anthropic:t": token_profile(API)}})
    proc = run_cli(tmp_path, "check", "--json")
    data = json.loads(proc.stdout)
    assert data["summary"]["errors"] == 0 and data["summary"]["warnings"] > 0
    assert proc.returncode == 2


def test_global_flags_work_before_and_after_the_command(
    healthy: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    state = str(healthy / ".openclaw")
    for args in (["--state-dir", state, "check", "--json"], ["check", "--json", "--state-dir", state]):
        data = json.loads(run_cli(elsewhere, *args).stdout)
        assert data["openclaw"]["stateDir"] == state


def test_bad_profile_name_is_a_usage_error(healthy: Path) -> None:
    proc = run_cli(healthy, "--profile", "bad.name", "check")
    assert proc.returncode == 64
    assert "invalid --profile" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_help_lists_the_commands(healthy: Path) -> None:
    proc = run_cli(healthy, "--help")
    assert proc.returncode == 0
    assert "check" in proc.stdout and "--state-dir" in proc.stdout and "--demo" in proc.stdout
    proc = run_cli(healthy, "check", "--help")
    assert "--json" in proc.stdout and "exit codes" in proc.stdout


def test_check_never_imports_textual_httpx_or_pydantic(healthy: Path) -> None:
    code = (
        "import sys, io, contextlib\n"
        "from openclaw_triage.cli.commands import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['check', '--json'])\n"
        "print(sorted(m for m in ('textual', 'httpx', 'pydantic', 'rich') if m in sys.modules))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"HOME": str(healthy), "PATH": "", "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_missing_install_is_one_clear_error_not_a_traceback(tmp_path: Path) -> None:
    """Nothing where OpenClaw looks: its own exit code, every place looked, how to point at one,
    and no diagnosis of a default config (no `auth.missing [openai]` to chase)."""
    proc = run_cli(tmp_path, "check")
    assert proc.returncode == 3
    assert "No OpenClaw install found here" in proc.stdout
    assert f"state dir {tmp_path / '.openclaw'} (default): missing" in proc.stdout
    assert "OPENCLAW_STATE_DIR" in proc.stdout and "--state-dir DIR" in proc.stdout and "--profile NAME" in proc.stdout
    assert "auth.missing" not in proc.stdout
    assert "Traceback" not in proc.stderr
    data = json.loads(run_cli(tmp_path, "check", "--json").stdout)
    codes = [f["code"] for f in data["findings"]]
    assert codes[0] == "install.not_found" and set(codes) <= {"install.not_found", "version.cli_not_found"}
    assert data["summary"]["exitCode"] == 3


def test_unreadable_store_is_reported(tmp_path: Path) -> None:
    # A folder where the file should be: unreadable whoever runs the test (root included).
    h = LegacyHome(tmp_path).config({})
    (h.state / "agents" / "main" / "agent" / "auth-profiles.json").mkdir(parents=True)
    proc = run_cli(tmp_path, "check")
    assert "not a regular file" in proc.stdout
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr


def test_every_code_is_documented() -> None:
    """Every finding code the package can emit is in CODES, and docs/findings.md is current."""
    used: set[str] = set()
    pattern = re.compile(r"^[a-z]+\.[a-z0-9_]+$")
    for path in (ROOT / "openclaw_triage").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                if (
                    name in ("add", "StoreIssue", "store_issue")
                    and isinstance(node.args[0].value, str)
                    and pattern.match(node.args[0].value)
                ):
                    used.add(node.args[0].value)
    assert used, "the scan found no finding codes"
    assert used <= set(CODES), sorted(used - set(CODES))
    sys.path.insert(0, str(ROOT / "scripts"))
    from gen_findings_doc import render

    assert (ROOT / "docs" / "findings.md").read_text() == render(), "run scripts/gen_findings_doc.py"


@pytest.mark.parametrize(("flag", "era"), [(["--demo"], "2026.3"), (["--demo", "2026.9"], "2026.9")])
def test_demo_flag_opens_the_app_on_a_fresh_copy(
    flag: list[str], era: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The README's first command: `openclaw-triage --demo` (the app itself is stubbed here)."""
    from openclaw_triage import cli
    from openclaw_triage.tui import app as tui_app

    seen: dict[str, object] = {}

    def fake_run(self) -> int:  # type: ignore[no-untyped-def]
        seen["era"] = self.snapshot.install.era.value
        seen["home"] = self.demo_home
        seen["profiles"] = len(self.snapshot.diagnosis.profiles)
        return 0

    monkeypatch.setattr(tui_app.TriageApp, "run", fake_run)
    monkeypatch.setenv("OPENCLAW_TRIAGE_STATE_DIR", str(tmp_path / "journal"))
    assert cli.main(flag) == 0
    assert seen["era"] == ("json" if era == "2026.3" else "sqlite")
    assert seen["profiles"] and seen["home"] is not None


def test_check_parser_fast_path_still_takes_global_flags_anywhere(healthy: Path) -> None:
    from openclaw_triage.cli.commands import _command_of

    assert _command_of(["--state-dir", "x", "check", "--json"]) == "check"
    assert _command_of(["--profile", "check", "probe"]) == "probe"  # a flag's value is not the command
    assert _command_of(["--demo"]) is None
