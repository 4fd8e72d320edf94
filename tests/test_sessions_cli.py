"""`openclaw-triage sessions [--json]` and `sessions unpin` as a user runs them; no secret in any output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import fakekeys
from tests.builders import CurrentHome, LegacyHome, api_key_profile
from tests.session_builders import entry, sessions_path, write_session_nodes, write_sessions_json
from tests.test_write_cli import leaks, run

GOOD = fakekeys.api_key("scli-good")
BROKEN = fakekeys.api_key("scli-broken")[:-4]
CFG = {
    "auth": {
        "profiles": {
            "anthropic:default": {"provider": "anthropic", "mode": "api_key"},
            "anthropic:work": {"provider": "anthropic", "mode": "api_key"},
        }
    }
}


@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    h = LegacyHome(tmp_path).config(CFG)
    h.store(
        {
            "profiles": {"anthropic:default": api_key_profile(GOOD), "anthropic:work": api_key_profile(BROKEN)},
            "order": {"anthropic": ["anthropic:default", "anthropic:work"]},
        }
    )
    write_sessions_json(
        h.state,
        {
            "agent:main:main": entry("m"),
            "agent:main:discord:channel:1": entry(
                "d1", pin="anthropic:work", source="user", channel="discord", display="#help"
            ),
            "agent:main:discord:channel:2": entry("d2", pin="anthropic:work", count=0, channel="discord"),
        },
    )
    return tmp_path


def test_sessions_json(legacy: Path) -> None:
    proc = run(legacy, "sessions", "--json")
    assert proc.returncode == 1, proc.stderr  # a chat whose user pin breaks it
    doc = json.loads(proc.stdout)
    assert doc["era"] == "json"
    (agent,) = doc["agents"]
    assert agent["agent"] == "main" and agent["format"] == "sessions.json"
    rows = {s["key"]: s for s in agent["sessions"]}
    d1 = rows["agent:main:discord:channel:1"]
    assert (d1["label"], d1["channel"], d1["pin"]["profileId"], d1["pin"]["source"]) == (
        "#help",
        "discord",
        "anthropic:work",
        "user",
    )
    assert d1["verdict"]["code"] == "session.pin_unusable" and d1["verdict"]["first"] == "anthropic:default"
    assert rows["agent:main:discord:channel:2"]["verdict"]["code"] == "session.pin_behind_order"
    assert rows["agent:main:main"]["verdict"] is None
    assert agent["pinnedCounts"] == {"anthropic:work": {"user": 1, "auto": 1}}
    assert not leaks(proc, GOOD, BROKEN)


def test_sessions_text_and_check(legacy: Path) -> None:
    proc = run(legacy, "sessions")
    assert "anthropic:work (user)" in proc.stdout and "#help" in proc.stdout
    assert "sessions unpin --session agent:main:discord:channel:1" in proc.stdout
    check = run(legacy, "check", "--json")
    codes = {(f["code"], f["subject"]) for f in json.loads(check.stdout)["findings"]}
    assert ("session.pin_unusable", "agent:main:discord:channel:1") in codes
    assert not leaks(proc, GOOD, BROKEN) and not leaks(check, GOOD, BROKEN)


def test_unpin_and_undo_from_the_command_line(legacy: Path) -> None:
    path = sessions_path(legacy / ".openclaw")
    before = path.read_bytes()
    refused = run(legacy, "sessions", "unpin", "--session", "agent:main:discord:channel:1")
    assert refused.returncode == 1 and "not confirmed" in refused.stderr and path.read_bytes() == before
    proc = run(legacy, "sessions", "unpin", "--profile", "anthropic:work", "--yes")
    assert proc.returncode == 0, proc.stderr
    assert "Unpinned 2 chats (anthropic:work)" in proc.stdout and "undo with: openclaw-triage undo" in proc.stdout
    assert "authProfileOverride" not in path.read_text()
    undo = run(legacy, "undo")
    assert undo.returncode == 0, undo.stderr
    assert path.read_bytes() == before
    history = run(legacy, "history")
    assert "Unpinned 2 chats" in history.stdout
    assert not leaks(proc, GOOD, BROKEN) and not leaks(undo, GOOD, BROKEN)


def test_unpin_usage_errors(legacy: Path) -> None:
    assert run(legacy, "sessions", "unpin").returncode == 2  # argparse: one of the three is required
    assert run(legacy, "sessions", "unpin", "--all", "--profile", "x").returncode == 2
    proc = run(legacy, "sessions", "unpin", "--session", "agent:main:nope", "--yes")
    assert proc.returncode == 1 and "no chat session agent:main:nope" in proc.stderr


def test_unpin_on_2026_9_gives_the_chat_command(tmp_path: Path) -> None:
    h = CurrentHome(tmp_path).config(
        {**CFG, "agents": {"entries": {"main": {}}, "defaults": {"model": "anthropic/claude-opus-5"}}}
    )
    h.shared_store(
        {"profiles": {"anthropic:default": api_key_profile(GOOD), "anthropic:work": api_key_profile(BROKEN)}}
    )
    h.agent_db("main")
    write_session_nodes(
        h.state, {"agent:main:main": entry("n", pin="anthropic:work", source="user", model="claude-opus-5")}
    )
    listing = run(tmp_path, "sessions")
    assert "/model anthropic/claude-opus-5@anthropic:default" in listing.stdout
    proc = run(tmp_path, "sessions", "unpin", "--all", "--yes")
    assert proc.returncode == 1
    assert "no way to clear a chat's pin from outside the chat" in proc.stderr
    assert "agent:main:main: /model anthropic/claude-opus-5@anthropic:default" in proc.stderr
    assert not leaks(proc, GOOD, BROKEN) and not leaks(listing, GOOD, BROKEN)
