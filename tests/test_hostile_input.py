"""Hostile or broken files on the read side (issue 16): each is a finding or a quiet skip, never a
traceback, a hang, a write beside the user's files, or a leaked key.

FIFOs are read under `deadline` (SIGALRM interrupts a blocked `open()`), so a regression fails the
test instead of hanging the suite. Tests run as root here, where `chmod 000` stops nothing: a
symlink loop (ELOOP) and a file where a folder should be (ENOTDIR) stand in, and the real
permission case runs in a subprocess as `nobody` when `setpriv` can do that.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from openclaw_triage.util import safe_read
from openclaw_triage.util.jsonio import ParseError, parse_json, parse_json5, read_text
from tests import fakekeys
from tests.builders import CurrentHome, LegacyHome, api_key_profile, write_json
from tests.fakeanthropic import Reply
from tests.probe_server import ProbeReply, ProbeServer, refused_port
from tests.support.cli import ROOT, Ran, run_cli
from tests.support.processes import deadline

KEY = fakekeys.api_key("hostile")
OTHER = fakekeys.api_key("hostile-2")
EXIT_CODES = {0, 1, 2, 3}
READ_COMMANDS = (
    ("check",),
    ("check", "--json"),
    ("sessions",),
    ("sessions", "--json"),
    ("report",),
    ("gateway", "status"),
    ("probe", "--timeout", "2"),
)


def run(home: Path, *args: str) -> Ran:
    with deadline(30, " ".join(args)):
        ran = run_cli(home, *args)
    assert ran.returncode in EXIT_CODES, (args, ran.returncode, ran.stderr[-2000:])
    assert "Traceback" not in ran.stderr
    no_key(args, ran.stdout + ran.stderr)
    return ran


def no_key(what: object, output: str, keys: tuple[str, ...] = (KEY, OTHER)) -> None:
    """Fail without pytest's introspection, which would print the key it found."""
    if any(key in output for key in keys):
        pytest.fail(f"{what} printed a full key", pytrace=False)


def codes(ran: Ran) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for finding in json.loads(ran.stdout)["findings"]:
        out.setdefault(finding["code"], []).append(finding)
    return out


def profile_ids_of(ran: Ran) -> set[str]:
    return {p["id"] for p in json.loads(ran.stdout)["profiles"]}


def offline_config(**extra: Any) -> dict[str, Any]:
    """A probe that has nowhere to go (a refused loopback port): fast and offline."""
    return {"models": {"providers": {"anthropic": {"baseUrl": f"http://127.0.0.1:{refused_port()}"}}}, **extra}


def legacy(home: Path, profiles: dict[str, Any] | None = None, **config: Any) -> LegacyHome:
    h = LegacyHome(home).config(config or offline_config())
    h.store({"profiles": {"anthropic:default": api_key_profile(KEY), **(profiles or {})}})
    return h


def current(home: Path, profiles: dict[str, Any] | None = None, **config: Any) -> CurrentHome:
    h = CurrentHome(home).config(config or offline_config())
    h.agent_db(store={"profiles": {"anthropic:default": api_key_profile(KEY), **(profiles or {})}})
    return h


# --------------------------------------------------------------------------- 4: a profile type that is a list or an object


@pytest.mark.parametrize("era", ["2026.3", "2026.9"])
@pytest.mark.parametrize("bad_type", [["api_key"], {"kind": "api_key"}, 7, None, True])
def test_a_profile_type_of_the_wrong_kind_drops_that_entry_only(tmp_path: Path, era: str, bad_type: Any) -> None:
    broken = {"anthropic:broken": {"type": bad_type, "provider": "anthropic", "key": OTHER}}
    (legacy if era == "2026.3" else current)(tmp_path, broken)
    ran = run(tmp_path, "check", "--json")
    dropped = codes(ran)["profile.entry_dropped"]
    assert [f["subject"] for f in dropped] == ["anthropic:broken"]
    assert "anthropic:default" in profile_ids_of(ran)


@pytest.mark.parametrize("era", ["2026.3", "2026.9"])
@pytest.mark.parametrize("command", READ_COMMANDS, ids=" ".join)
def test_a_list_as_profile_type_in_every_command(tmp_path: Path, era: str, command: tuple[str, ...]) -> None:
    broken = {"anthropic:broken": {"type": ["token"], "provider": "anthropic", "token": OTHER}}
    (legacy if era == "2026.3" else current)(tmp_path, broken)
    run(tmp_path, *command)


def test_a_key_pasted_into_the_type_field_is_not_printed(tmp_path: Path) -> None:
    legacy(tmp_path, {"anthropic:x": {"type": OTHER, "provider": "anthropic"}})
    ran = run(tmp_path, "check", "--json")
    assert "108-character string" in codes(ran)["profile.entry_dropped"][0]["message"]


@pytest.mark.parametrize(
    "where",
    [{"keyRef": {"source": "env", "provider": "default", "id": OTHER}}, {"email": OTHER}],
    ids=["keyRef.id", "email"],
)
def test_a_key_typed_into_a_ref_id_or_the_email_is_not_printed(tmp_path: Path, where: dict[str, Any]) -> None:
    legacy(tmp_path, {"anthropic:x": {"type": "api_key", "provider": "anthropic", **where}})
    run(tmp_path, "check", "--json")


# --------------------------------------------------------------------------- 5: a baseUrl Node's URL parser refuses


BAD_URLS = ["http://127.0.0.1:99999", "http://[::1", "https://[zz]:443/", "http://proxy.local:port/"]


@pytest.mark.parametrize("url", BAD_URLS)
def test_an_invalid_base_url_is_a_finding(tmp_path: Path, url: str) -> None:
    legacy(tmp_path, models={"providers": {"anthropic": {"baseUrl": url}}})
    ran = run(tmp_path, "check", "--json")
    (finding,) = codes(ran)["config.base_url_invalid"]
    assert finding["severity"] == "error" and finding["subject"] == "models.providers.anthropic.baseUrl"
    assert "every request for anthropic fails" in finding["message"]
    assert ran.returncode == 1


@pytest.mark.parametrize("command", [("report",), ("gateway", "status"), ("probe",), ("probe", "--json")], ids=" ".join)
def test_an_invalid_base_url_in_the_other_commands(tmp_path: Path, command: tuple[str, ...]) -> None:
    legacy(tmp_path, models={"providers": {"anthropic": {"baseUrl": "http://127.0.0.1:99999"}}})
    ran = run(tmp_path, *command)
    if command[0] == "probe":
        assert ran.returncode == 1 and "not a valid http(s) URL" in ran.stdout


def test_an_invalid_base_url_left_in_models_json(tmp_path: Path) -> None:
    h = legacy(tmp_path, agents={"defaults": {}})
    write_json(h.state / "agents/main/agent/models.json", {"providers": {"anthropic": {"baseUrl": "http://[::1"}}})
    (finding,) = codes(run(tmp_path, "check", "--json"))["config.base_url_invalid"]
    assert "models.json" in finding["subject"]


# --------------------------------------------------------------------------- 6: permission denied, symlink loops, ENOTDIR


def test_the_state_db_as_a_symlink_loop_is_named(tmp_path: Path) -> None:
    h = current(tmp_path)
    (h.state / "state").mkdir()
    os.symlink("openclaw.sqlite", h.state / "state" / "openclaw.sqlite")
    ran = run(tmp_path, "check", "--json")
    unreadable = codes(ran)["store.unreadable"]
    assert any(f["subject"].endswith("state/openclaw.sqlite") for f in unreadable)
    assert ran.returncode == 1


@pytest.mark.parametrize("era", ["2026.3", "2026.9"])
def test_an_agent_store_as_a_symlink_loop_is_named(tmp_path: Path, era: str) -> None:
    h = (legacy if era == "2026.3" else current)(tmp_path)
    agent = h.state / "agents/main/agent"
    name = "auth-profiles.json" if era == "2026.3" else "openclaw-agent.sqlite"
    if isinstance(h, CurrentHome):  # keep the era visible on disk: the shared state DB says SQLite
        h.shared_store({"profiles": {}})
    (agent / name).unlink()
    os.symlink(name, agent / name)
    for command in READ_COMMANDS:
        run(tmp_path, *command)
    assert any(f["subject"].endswith(name) for f in codes(run(tmp_path, "check", "--json"))["store.unreadable"])


@pytest.mark.parametrize("era", ["2026.3", "2026.9"])
def test_a_file_where_the_agent_folder_should_be(tmp_path: Path, era: str) -> None:
    h = (legacy if era == "2026.3" else current)(tmp_path)
    shutil.rmtree(h.state / "agents/main/agent")
    (h.state / "agents/main/agent").write_text("not a folder")
    for command in READ_COMMANDS:
        run(tmp_path, *command)


def test_present_and_exists_sync_never_raise(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    os.symlink("loop", loop)
    (tmp_path / "file").write_text("x")
    assert safe_read.present(loop) and not safe_read.exists_sync(loop)  # there, but unusable
    assert not safe_read.present(tmp_path / "file" / "below") and not safe_read.exists_sync(tmp_path / "file" / "x")
    assert not safe_read.is_file_sync(loop) and not safe_read.is_dir_sync(loop)
    with pytest.raises(OSError):
        safe_read.regular_file(loop)


def _setpriv() -> str | None:
    tool = shutil.which("setpriv")
    if tool is None or os.geteuid() != 0:
        return None
    probe = subprocess.run([tool, "--reuid=65534", "--regid=65534", "--clear-groups", "true"], check=False)
    return tool if probe.returncode == 0 else None


SETPRIV = _setpriv()


@pytest.mark.skipif(SETPRIV is None, reason="needs root and setpriv to run as nobody (chmod 000 does not stop root)")
@pytest.mark.parametrize("era", ["2026.3", "2026.9"])
@pytest.mark.parametrize("locked", ["agents/main/agent", ".", "agents"])
def test_folders_at_mode_000_as_a_normal_user(tmp_path: Path, era: str, locked: str) -> None:
    home = tmp_path / "home"
    h = (legacy if era == "2026.3" else current)(home)
    for path in [tmp_path, *home.rglob("*"), home]:
        os.chown(path, 65534, 65534, follow_symlinks=False)
    os.chmod(tmp_path, 0o755)
    os.chmod(h.state / locked, 0)
    env = {
        "HOME": str(home),
        "PATH": "/usr/bin:/bin",
        "NO_COLOR": "1",
        "PYTHONPATH": str(ROOT),
        "OPENCLAW_TRIAGE_STATE_DIR": str(tmp_path / "triage"),
    }
    assert SETPRIV is not None
    for command in (("check", "--json"), ("sessions",), ("report",)):
        proc = subprocess.run(
            [
                SETPRIV,
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                sys.executable,
                "-m",
                "openclaw_triage",
                *command,
            ],
            env=env,
            cwd="/",
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if "Permission denied" in proc.stderr and "python" in proc.stderr.lower() and proc.returncode == 126:
            pytest.skip("nobody cannot run this Python")
        assert proc.returncode in EXIT_CODES and "Traceback" not in proc.stderr, proc.stderr[-2000:]
        no_key(command, proc.stdout + proc.stderr)
        if command == ("check", "--json") and locked != "agents":
            found = json.loads(proc.stdout)["findings"]
            assert any("Permission denied" in f["message"] for f in found), [f["code"] for f in found]


# --------------------------------------------------------------------------- 7: a probe answer nested too deeply


def test_one_unreadable_probe_answer_is_that_profiles_result_only(tmp_path: Path) -> None:
    deep = "[" * 50_000 + "]" * 50_000
    keys = [fakekeys.api_key(f"deep-{i}") for i in range(6)]
    replies: dict[str, Reply] = {k: Reply.ok() for k in keys}
    replies[keys[2]] = ProbeReply(200, raw_body=deep)
    with ProbeServer(replies) as api:
        profiles = {f"anthropic:p{i}": api_key_profile(k) for i, k in enumerate(keys)}
        LegacyHome(tmp_path).config({"models": {"providers": {"anthropic": {"baseUrl": api.url}}}}).store(
            {"profiles": profiles}
        )
        with deadline(60):
            ran = run_cli(tmp_path, "probe", "--json")
    assert "Traceback" not in ran.stderr
    results = {r["profileId"]: r for r in json.loads(ran.stdout)["results"]}
    assert len(results) == 6
    assert results["anthropic:p2"]["code"] == "probe.unexpected"
    assert "unreadable answer" in results["anthropic:p2"]["finding"]["message"]
    assert all(r["code"] == "probe.ok" for pid, r in results.items() if pid != "anthropic:p2")
    no_key("probe --json", ran.stdout + ran.stderr, tuple(keys))


def test_classify_names_a_deep_answer_unreadable() -> None:
    from openclaw_triage.probe.classify import STEP_MODELS, classify_response

    outcome = classify_response(STEP_MODELS, 200, {}, '{"a":' * 5000 + "1" + "}" * 5000)
    assert (outcome.code, outcome.detail) == ("probe.unexpected", "unreadable")


# --------------------------------------------------------------------------- 9: FIFOs and folders in place of files


FIFO_PLACES = [
    ("2026.3", "openclaw.json"),
    ("2026.3", ".env"),
    ("2026.3", "logs/config-audit.jsonl"),
    ("2026.3", "agents/main/agent/auth-profiles.json"),
    ("2026.3", "agents/main/agent/auth.json"),
    ("2026.3", "agents/main/agent/models.json"),
    ("2026.3", "agents/main/sessions/sessions.json"),
    ("2026.3", "credentials/oauth.json"),
    ("2026.9", "openclaw.json"),
    ("2026.9", ".env"),
    ("2026.9", "logs/config-audit.jsonl"),
    ("2026.9", "state/openclaw.sqlite"),
    ("2026.9", "agents/main/agent/openclaw-agent.sqlite"),
    ("2026.9", "agents/main/agent/openclaw-agent.sqlite-wal"),
    ("2026.9", "agents/main/agent/models.json"),
    ("2026.9", "credentials/discord-pairing.json"),
]


@pytest.mark.parametrize(("era", "rel"), FIFO_PLACES, ids=str)
@pytest.mark.parametrize("kind", ["fifo", "dir"])
def test_a_fifo_or_folder_in_place_of_a_file_never_blocks(tmp_path: Path, era: str, rel: str, kind: str) -> None:
    h = (legacy if era == "2026.3" else current)(tmp_path)
    path = h.state / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
    for command in READ_COMMANDS:
        run(tmp_path, *command)
    if rel in ("openclaw.json", "state/openclaw.sqlite", "agents/main/agent/openclaw-agent.sqlite"):
        found = codes(run(tmp_path, "check", "--json"))
        named = [f for fs in found.values() for f in fs if rel in f["subject"] or rel in f["message"]]
        assert named, sorted(found)


def test_a_fifo_in_an_include(tmp_path: Path) -> None:
    h = legacy(tmp_path, **{"$include": "./part.json5", **offline_config()})
    os.mkfifo(h.state / "part.json5")
    ran = run(tmp_path, "check", "--json")
    (finding,) = codes(ran)["config.parse_error"]
    assert "part.json5" in finding["message"]


def test_read_bytes_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with deadline(5), pytest.raises(safe_read.NotRegularFile, match="FIFO"):
        safe_read.read_bytes(fifo)
    with pytest.raises(OSError, match="directory"):
        safe_read.read_bytes(tmp_path)
    with pytest.raises(safe_read.NotRegularFile, match="character device"):
        safe_read.read_bytes("/dev/zero")
    big = tmp_path / "big"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(safe_read.FileTooLarge):
        safe_read.read_bytes(big, limit=1024)
    assert safe_read.read_bytes(big, limit=1024, truncate=True) == b"x" * 1024
    with pytest.raises(ParseError, match="larger"):
        read_text(big, limit=1024)


def test_json_nested_too_deeply_is_a_parse_error() -> None:
    for text in ("[" * 200 + "]" * 200, '{"a":' * 100_000 + "1" + "}" * 100_000):
        with pytest.raises(ParseError, match="nested"):
            parse_json(text)
        with pytest.raises(ParseError):
            parse_json5(text)
    assert parse_json("[" * 100 + "]" * 100)


def test_a_config_nested_too_deeply_is_a_parse_error(tmp_path: Path) -> None:
    h = legacy(tmp_path)
    (h.state / "openclaw.json").write_text('{"a":' * 5000 + "1" + "}" * 5000)
    (finding,) = codes(run(tmp_path, "check", "--json"))["config.parse_error"]
    assert "nested" in finding["message"]


# --------------------------------------------------------------------------- 15: a WAL without -shm is read, nothing is written


def _wal_only_state(home: Path) -> Path:
    """An agent DB whose newest rows are only in its `-wal`, with no `-shm` beside it (a crash, a copy)."""
    h = current(home)
    db = h.state / "agents/main/agent/openclaw-agent.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    store = {
        "version": 1,
        "profiles": {"anthropic:default": api_key_profile(KEY), "anthropic:wal": api_key_profile(OTHER)},
    }
    conn.execute("UPDATE auth_profile_store SET store_json = ? WHERE store_key = 'primary'", (json.dumps(store),))
    conn.commit()
    saved = home / "saved"
    saved.mkdir()
    for suffix in ("", "-wal"):
        shutil.copy(str(db) + suffix, saved / f"db{suffix}")
    conn.close()  # checkpoints and removes the -wal and -shm
    for suffix in ("", "-wal"):
        shutil.copy(saved / f"db{suffix}", str(db) + suffix)
    shutil.rmtree(saved)
    assert Path(str(db) + "-wal").stat().st_size > 0 and not Path(str(db) + "-shm").exists()
    return db


def _tree(root: Path) -> list[tuple[str, int, int, int]]:
    return sorted(
        (str(p.relative_to(root)), p.lstat().st_size, p.lstat().st_mtime_ns, p.lstat().st_mode) for p in root.rglob("*")
    )


def test_a_wal_without_shm_is_read_and_nothing_is_written_beside_it(tmp_path: Path) -> None:
    db = _wal_only_state(tmp_path)
    before = _tree(tmp_path / ".openclaw")
    ran = run(tmp_path, "check", "--json")
    profile_ids = profile_ids_of(ran)
    assert "anthropic:wal" in profile_ids  # the row only the WAL holds
    for command in READ_COMMANDS:
        run(tmp_path, *command)
    assert _tree(tmp_path / ".openclaw") == before
    assert not Path(str(db) + "-shm").exists()


# --------------------------------------------------------------------------- 17: sessions and check agree on an unusable store


@pytest.mark.parametrize("content", ["null", "[]", "{", '"text"', "\udcff"])
def test_an_unusable_sessions_json_is_a_warning_in_both(tmp_path: Path, content: str) -> None:
    h = legacy(tmp_path)
    path = h.state / "agents/main/sessions/sessions.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    check = run(tmp_path, "check", "--json")
    (finding,) = codes(check)["session.store_unreadable"]
    assert finding["severity"] == "warning" and finding["subject"] == str(path)
    sessions = run(tmp_path, "sessions")
    assert str(path) in sessions.stdout
    assert check.returncode == sessions.returncode == 2
    assert run(tmp_path, "sessions", "--json").returncode == 2


def test_an_agent_db_symlink_loop_is_an_unreadable_session_store(tmp_path: Path) -> None:
    h = current(tmp_path)
    h.shared_store({"profiles": {"anthropic:default": api_key_profile(KEY)}})
    db = h.state / "agents/main/agent/openclaw-agent.sqlite"
    db.unlink()
    os.symlink(db.name, db)
    ran = run(tmp_path, "sessions", "--json")
    (agent,) = json.loads(ran.stdout)["agents"]
    assert [i["code"] for i in agent["issues"]] == ["session.store_unreadable"]
    assert ran.returncode == 2
