"""`openclaw-triage key set | order pin | order clear | undo | history` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

from openclaw_triage import cli
from tests import fakekeys
from tests.builders import CurrentHome, LegacyHome, api_key_profile, token_profile
from tests.states import secret_fragments
from tests.support.cli import Ran, run_cli
from tests.test_write_sqlite import FAKE_OPENCLAW_2026_9

ROOT = Path(__file__).resolve().parent.parent
KEY = fakekeys.api_key("cli-w")
NEW = fakekeys.api_key("cli-w-new")
TOKEN = fakekeys.oauth_token("cli-w")


def run(home: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None) -> Ran:
    """A separate process with no controlling terminal: a prompt cannot reach /dev/tty, as in CI."""
    full_env = {"OPENCLAW_TRIAGE_STATE_DIR": str(home / "triage-state"), "OPENCLAW_GATEWAY_PORT": "9", **(env or {})}
    return run_cli(home, *args, stdin=stdin, env=full_env, separate_process=True)


def leaks(proc: subprocess.CompletedProcess[str], *secrets: str) -> list[str]:
    text = proc.stdout + proc.stderr
    return [f for s in secrets for f in secret_fragments(s) if f in text]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    LegacyHome(tmp_path).config({}).store(
        {"profiles": {"anthropic:default": api_key_profile(KEY), "anthropic:manual": token_profile(KEY)}}
    )
    return tmp_path


def store(home: Path) -> Path:
    return home / ".openclaw/agents/main/agent/auth-profiles.json"


def test_key_set_from_stdin(home: Path) -> None:
    proc = run(
        home, "key", "set", "--stdin", "--yes", "--no-probe", "--profile-id", "anthropic:default", stdin=f'  "{NEW}"\n'
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(store(home).read_text())["profiles"]["anthropic:default"]["key"] == NEW
    assert f"{NEW[:8]}...{NEW[-8:]}" in proc.stdout and "undo with: openclaw-triage undo " in proc.stdout
    assert "wrapped in quotes" in proc.stderr  # what was cleaned is said
    assert not leaks(proc, NEW, KEY)


def test_key_set_defaults_a_token_to_anthropic_manual(home: Path) -> None:
    """The token profile OpenClaw's paste-token names `anthropic:manual` is where a setup token goes."""
    proc = run(home, "key", "set", "--stdin", "--yes", "--no-probe", stdin=TOKEN + "\n")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(store(home).read_text())["profiles"]["anthropic:manual"]["token"] == TOKEN
    assert "anthropic:manual (token)" in proc.stdout and not leaks(proc, TOKEN, KEY)


@pytest.mark.parametrize(
    ("secret", "extra", "expect"),
    [
        (fakekeys.refresh_token(), [], "refresh token"),
        (fakekeys.admin_key(), [], "Admin API key"),
        (fakekeys.openrouter_key(), [], "OpenRouter"),
        (NEW[:50] + " " + NEW[50:], [], "space"),
        (NEW[:50] + NEW[54:], [], "expected 108"),
        (TOKEN, ["--type", "api_key"], "--type token --profile-id anthropic:manual"),
        (NEW, ["--type", "token"], "--type api_key --profile-id anthropic:default"),
        (NEW, ["--profile-id", "anthropic:manual"], "anthropic:manual is a token profile"),
        ("sk-ant-api03-...AA", [], "refused"),
        ("", [], "Nothing was pasted"),
    ],
    ids=[
        "refresh",
        "admin",
        "openrouter",
        "space",
        "shortened",
        "token-as-key",
        "key-as-token",
        "wrong-profile",
        "masked",
        "empty",
    ],
)
def test_key_set_refusals_change_nothing(home: Path, secret: str, extra: list[str], expect: str) -> None:
    before = store(home).read_bytes()
    proc = run(home, "key", "set", "--stdin", "--yes", "--no-probe", *extra, stdin=secret + "\n")
    assert proc.returncode == 1
    assert expect in proc.stderr and "Nothing was changed" in proc.stderr
    assert store(home).read_bytes() == before
    assert not (home / "triage-state" / "journal").exists() or not any((home / "triage-state/journal").iterdir())
    if secret:
        assert not leaks(proc, secret)


def test_key_set_without_yes_and_without_a_terminal_is_not_confirmed(home: Path) -> None:
    before = store(home).read_bytes()
    proc = run(home, "key", "set", "--stdin", "--no-probe", stdin=NEW + "\n")
    assert proc.returncode == 1 and "not confirmed" in proc.stderr and "--yes" in proc.stderr
    assert store(home).read_bytes() == before and not leaks(proc, NEW)


def test_key_set_needs_a_source_and_help_mentions_the_probe(home: Path) -> None:
    proc = run(home, "key", "set", "--yes")
    assert proc.returncode == 2 and "--stdin" in proc.stderr
    help_text = run(home, "key", "set", "--help").stdout
    flat = " ".join(help_text.split())
    assert "--no-probe" in flat and "a dead key is refused" in flat


def test_order_pin_clear_undo_history(home: Path) -> None:
    original = store(home).read_bytes()
    pinned = run(home, "order", "pin", "--provider", "anthropic", "anthropic:default")
    assert pinned.returncode == 0 and "Pinned the anthropic profile order to anthropic:default." in pinned.stdout
    assert json.loads(store(home).read_text())["order"] == {"anthropic": ["anthropic:default"]}
    missing = run(home, "order", "pin", "--provider", "anthropic", "anthropic:nope")
    assert missing.returncode == 1 and 'Auth profile "anthropic:nope" not found' in missing.stderr
    cleared = run(home, "order", "clear", "--provider", "anthropic")
    assert cleared.returncode == 0 and "Cleared" in cleared.stdout
    assert store(home).read_bytes() == original
    history = run(home, "history")
    lines = history.stdout.splitlines()
    assert len(lines) == 2 and "Cleared" in lines[0] and "Pinned" in lines[1]
    assert run(home, "undo").returncode == 0
    assert json.loads(store(home).read_text())["order"] == {"anthropic": ["anthropic:default"]}
    entries = json.loads(run(home, "history", "--json").stdout)
    assert [e["action"] for e in entries] == ["undo", "clear_order", "set_order"]
    again = run(home, "undo", entries[1]["id"])
    assert again.returncode == 1 and "already undone" in again.stderr
    assert run(home, "undo", entries[2]["id"]).returncode == 0
    assert store(home).read_bytes() == original


def test_bad_usage_exits_64(home: Path) -> None:
    proc = run(home, "--profile", "bad name", "order", "clear", "--provider", "anthropic")
    assert proc.returncode == 64


def test_key_set_on_a_sqlite_install_runs_the_cli_with_the_key_on_stdin(tmp_path: Path) -> None:
    h = CurrentHome(tmp_path)
    h.config({})
    h.shared_store({"profiles": {"anthropic:default": api_key_profile(KEY)}})
    fake = tmp_path / "openclaw"
    fake.write_text(FAKE_OPENCLAW_2026_9.format(python=sys.executable))
    fake.chmod(0o755)
    log = tmp_path / "log"
    proc = run(
        tmp_path,
        "--openclaw",
        str(fake),
        "key",
        "set",
        "--stdin",
        "--yes",
        "--no-probe",
        "--profile-id",
        "anthropic:default",
        stdin=NEW + "\n",
        env={"FAKE_LOG": str(log)},
    )
    assert proc.returncode == 0, proc.stderr
    (call,) = [json.loads(line) for line in log.read_text().splitlines()]
    assert call["stdin"] == NEW + "\n"
    assert not [f for f in secret_fragments(NEW) if f in json.dumps(call["cmdline"]) + json.dumps(call["argv"])]
    assert "paste-api-key" in proc.stderr  # progress, masked
    assert not leaks(proc, NEW, KEY)


# --------------------------------------------------------------------------- in-process: the clipboard


def _main(home: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("OPENCLAW_TRIAGE_STATE_DIR", str(home / "triage-state"))
    monkeypatch.setenv("OPENCLAW_GATEWAY_PORT", "9")
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    return cli.main(list(args))


def test_key_set_from_the_clipboard(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = types.ModuleType("pyperclip")
    fake.paste = lambda: NEW + "\r\n"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pyperclip", fake)
    rc = _main(
        home, monkeypatch, "key", "set", "--clipboard", "--yes", "--no-probe", "--profile-id", "anthropic:default"
    )
    out = capsys.readouterr()
    assert rc == 0, out.err
    assert json.loads(store(home).read_text())["profiles"]["anthropic:default"]["key"] == NEW
    assert not [f for f in secret_fragments(NEW) if f in out.out + out.err]


def test_an_unavailable_clipboard_is_a_clear_error(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = types.ModuleType("pyperclip")

    def broken() -> str:
        raise RuntimeError("no copy/paste mechanism")

    fake.paste = broken  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pyperclip", fake)
    before = store(home).read_bytes()
    assert _main(home, monkeypatch, "key", "set", "--clipboard", "--yes", "--no-probe") == 1
    assert "cannot read the clipboard" in capsys.readouterr().err
    assert store(home).read_bytes() == before


def test_check_does_not_import_the_write_layer() -> None:
    code = (
        "import sys; from openclaw_triage import cli; cli.build_parser(); "
        "print(sorted(m for m in sys.modules if m.startswith(('openclaw_triage.write', 'platformdirs', 'pyperclip'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert out.strip() == "[]"


def test_key_set_asks_anthropic_first_and_keeps_a_dead_key_out(tmp_path: Path) -> None:
    from tests.fakeanthropic import FakeAnthropic, Reply

    dead = fakekeys.api_key("cli-w-dead")
    with FakeAnthropic(keys={NEW: Reply.ok()}) as api:
        config = {"models": {"providers": {"anthropic": {"baseUrl": api.url, "models": []}}}}
        LegacyHome(tmp_path).config(config).store({"profiles": {"anthropic:default": api_key_profile(KEY)}})
        path = tmp_path / ".openclaw" / "agents" / "main" / "agent" / "auth-profiles.json"
        before = path.read_bytes()
        proc = run(tmp_path, "key", "set", "--stdin", "--yes", stdin=dead + "\n")
        assert proc.returncode == 1
        assert "not saved" in proc.stderr and "probe.invalid_key" in proc.stderr and "--no-probe" in proc.stderr
        assert path.read_bytes() == before
        proc = run(tmp_path, "key", "set", "--stdin", "--yes", stdin=NEW + "\n")
        assert proc.returncode == 0, proc.stderr
        assert "Anthropic accepted it" in proc.stderr
        assert json.loads(path.read_text())["profiles"]["anthropic:default"]["key"] == NEW
        assert [r.credential for r in api.requests] == [dead, NEW]
        assert not leaks(proc, NEW, dead)


def test_the_agent_no_auth_fix_gives_that_agent_a_key_and_leaves_main_alone(tmp_path: Path) -> None:
    """The fix `check` prints for an agent without credentials, run as printed (stdin for the clipboard)."""
    from openclaw_triage.diagnose.run import diagnose
    from openclaw_triage.openclaw.install import inspect_install
    from openclaw_triage.openclaw.locate import Options

    h = LegacyHome(tmp_path).config({"agents": {"list": [{"id": "main", "default": True}, {"id": "work"}]}})
    h.store({"profiles": {}}, agent="main")
    (tmp_path / ".openclaw/agents/work/agent").mkdir(parents=True)
    env = {"HOME": str(tmp_path), "PATH": ""}

    def no_auth() -> list[str]:
        diag = diagnose(inspect_install(Options(openclaw="none"), env=env), runtime=False)
        return [f.fix or "" for f in diag.findings if f.code == "agent.no_auth"]

    (fix,) = no_auth()
    command = fix.split("  ")[0].split()
    assert command[:3] == ["openclaw-triage", "key", "set"] and "--profile-id" in command
    args = [a for a in command[1:] if a != "--clipboard"]
    proc = run(tmp_path, *args, "--stdin", "--yes", "--no-probe", stdin=NEW + "\n")
    assert proc.returncode == 0, proc.stderr
    work = json.loads((tmp_path / ".openclaw/agents/work/agent/auth-profiles.json").read_text())
    assert work["profiles"]["anthropic:work"]["key"] == NEW
    assert json.loads(store(tmp_path).read_text())["profiles"] == {}  # main's store is untouched
    assert no_auth() == []
