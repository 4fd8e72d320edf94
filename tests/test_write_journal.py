"""Backups, the journal and undo: private files, no secrets in names or text, exact and single undo."""

from __future__ import annotations

import json
import os
import re
import stat
import threading
from pathlib import Path
from typing import Any

import pytest

from openclaw_triage import write
from openclaw_triage.model import CredentialType, Install
from openclaw_triage.openclaw.install import inspect_install
from openclaw_triage.openclaw.locate import Options
from openclaw_triage.secret import Secret
from openclaw_triage.write import journal
from tests import fakekeys
from tests.builders import LegacyHome, api_key_profile, token_profile
from tests.states import secret_fragments

KEY = fakekeys.api_key("journal")
NEW_KEY = fakekeys.api_key("journal-new")
TOKEN = fakekeys.oauth_token("journal")
ID_RE = re.compile(r"^\d{8}T\d{12}Z-[0-9a-f]{8}$")


pytestmark = pytest.mark.usefixtures("triage_state")  # our journal in a temp dir


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    LegacyHome(h).config({}).store(
        {
            "profiles": {"anthropic:default": api_key_profile(KEY), "anthropic:manual": token_profile(TOKEN)},
            "usageStats": {"anthropic:default": {"lastUsed": 1}},
        }
    )
    return h


def inspect(home: Path) -> Install:
    return inspect_install(Options(), env={"HOME": str(home), "PATH": "/usr/bin:/bin", "OPENCLAW_GATEWAY_PORT": "9"})


def store_path(home: Path) -> Path:
    return home / ".openclaw/agents/main/agent/auth-profiles.json"


def test_state_dir_defaults_to_platformdirs(monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    monkeypatch.delenv("OPENCLAW_TRIAGE_STATE_DIR")
    assert journal.state_root() == Path(platformdirs.user_state_dir("openclaw-triage"))


def test_backups_and_journal_are_private_and_named_without_secrets(home: Path, triage_state: Path) -> None:
    install = inspect(home)
    changes = [
        write.set_key(install, "anthropic", "anthropic:default", Secret(NEW_KEY), type=CredentialType.API_KEY),
        write.set_order(install, "anthropic", ["anthropic:manual", "anthropic:default"]),
        write.remove_profile(install, "anthropic:manual"),
    ]
    write.undo()
    for directory in (triage_state, triage_state / "journal", triage_state / "backups"):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    files = [p for p in triage_state.rglob("*") if p.is_file()]
    assert len(files) >= 7
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        name = path.name.split(".")[0]
        assert path.name == ".journal.lock" or ID_RE.match(name), path.name
        for secret in (KEY, NEW_KEY, TOKEN):
            for fragment in secret_fragments(secret):
                assert fragment not in path.name
    # Journal text holds masks only; the backups are the only place keys live.
    for path in (triage_state / "journal").glob("*.json"):
        text = path.read_text()
        for secret in (KEY, NEW_KEY, TOKEN):
            assert secret not in text and secret[13:60] not in text
    assert any(NEW_KEY[:8] + "..." + NEW_KEY[-8:] in p.read_text() for p in (triage_state / "journal").glob("*.json"))
    for change in changes:
        assert change.backup is not None and change.backup.parent == triage_state / "backups"
        assert TOKEN in change.backup.read_text()  # the previous bytes, secrets and all
        assert ID_RE.match(change.id)


def test_undo_restores_bytes_exactly_and_only_once(home: Path) -> None:
    path = store_path(home)
    original = path.read_bytes()
    install = inspect(home)
    change = write.set_key(install, "anthropic", "anthropic:default", Secret(NEW_KEY), type=CredentialType.API_KEY)
    assert path.read_bytes() != original
    undone = write.undo(change.id)
    assert path.read_bytes() == original
    assert undone.action == "undo" and not undone.undoable and change.id in undone.summary
    with pytest.raises(write.UndoRefused, match="already undone"):
        write.undo(change.id)
    with pytest.raises(write.UndoRefused, match="itself an undo"):
        write.undo(undone.id)
    with pytest.raises(write.NothingToUndo):
        write.undo()
    assert path.read_bytes() == original
    entries = write.history()
    assert [e.action for e in entries] == ["undo", "set_key"]
    assert entries[1].undone_by == undone.id and entries[0].undo_of == change.id


def test_undo_without_id_takes_the_latest_and_walks_back(home: Path) -> None:
    path = store_path(home)
    states = [path.read_bytes()]
    install = inspect(home)
    write.set_order(install, "anthropic", ["anthropic:default"])
    states.append(path.read_bytes())
    write.set_key(install, "anthropic", "anthropic:default", Secret(NEW_KEY), type=CredentialType.API_KEY)
    states.append(path.read_bytes())
    write.undo()
    assert path.read_bytes() == states[1]
    write.undo()
    assert path.read_bytes() == states[0]


def test_undo_refuses_when_the_file_changed_since_unless_forced(home: Path) -> None:
    path = store_path(home)
    original = path.read_bytes()
    change = write.set_order(inspect(home), "anthropic", ["anthropic:default"])
    # OpenClaw records usage after a run: the file changes behind our back.
    data = json.loads(path.read_text())
    data["usageStats"]["anthropic:default"]["lastUsed"] = 2
    path.write_text(json.dumps(data, indent=2) + "\n")
    later = path.read_bytes()
    with pytest.raises(write.Conflict, match="changed after change") as info:
        write.undo(change.id)
    assert "--force" in str(info.value)
    assert path.read_bytes() == later
    assert not write.history()[0].undone_by
    forced = write.undo(change.id, force=True)
    assert path.read_bytes() == original
    assert forced.backup is not None and forced.backup.read_bytes() == later  # the discarded state is kept
    assert any("forced" in n for n in forced.notes)


def test_unknown_and_malformed_ids_are_refused_clearly() -> None:
    with pytest.raises(write.JournalError, match="no change"):
        write.undo("20990101T000000000000Z-deadbeef")
    with pytest.raises(write.JournalError, match="not a change id"):
        write.undo("../../etc/passwd")


def test_concurrent_writers_from_threads_lose_nothing(home: Path) -> None:
    """The TUI calls the API from worker threads: every change lands and is journaled."""
    install = inspect(home)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            write.set_key(
                install,
                "anthropic",
                f"anthropic:t{n}",
                Secret(fakekeys.api_key(f"thread{n}")),
                type=CredentialType.API_KEY,
            )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    profiles = json.loads(store_path(home).read_text())["profiles"]
    assert all(profiles[f"anthropic:t{n}"]["key"] == fakekeys.api_key(f"thread{n}") for n in range(8))
    assert len(write.history()) == 8


def test_progress_and_changes_never_carry_the_secret(home: Path) -> None:
    said: list[str] = []
    change = write.set_key(
        inspect(home),
        "anthropic",
        "anthropic:new",
        Secret("  " + NEW_KEY + "\n"),
        type=CredentialType.API_KEY,
        progress=said.append,
    )
    assert said and change.notes[0].startswith("cleaned before saving")
    blob = json.dumps([said, change.summary, change.notes, repr(change)])
    for fragment in secret_fragments(NEW_KEY):
        assert fragment not in blob


def test_history_lists_entries_as_json_ready_dicts(home: Path) -> None:
    write.set_order(inspect(home), "anthropic", ["anthropic:default"])
    (entry,) = write.history()
    data: dict[str, Any] = entry.to_json()
    assert data["action"] == "set_order" and data["era"] == "json" and data["agent"] == "main"
    assert data["file"] == str(store_path(home)) and os.path.exists(data["backup"])
    assert journal.JournalEntry.from_json(data) == entry


def test_a_key_pasted_as_the_profile_id_is_refused_and_not_echoed(home: Path, triage_state: Path) -> None:
    before = store_path(home).read_bytes()
    with pytest.raises(write.InvalidInput, match="looks like a key") as info:
        write.set_key(inspect(home), "anthropic", NEW_KEY, Secret(NEW_KEY), type=CredentialType.API_KEY)
    assert NEW_KEY not in str(info.value) and store_path(home).read_bytes() == before
    assert not (triage_state / "journal").exists() or not any((triage_state / "journal").iterdir())


def test_error_messages_never_carry_anything_key_shaped() -> None:
    exc = write.CliFailed(f"failed for {KEY}", output=f"openclaw said {TOKEN}", hint=f"try {NEW_KEY}")
    text = str(exc)
    for secret in (KEY, TOKEN, NEW_KEY):
        assert secret not in text and f"{secret[:8]}...{secret[-8:]}" in text
