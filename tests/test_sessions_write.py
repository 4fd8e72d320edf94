"""Unpinning chats: only the pin fields go, every other byte stays, undo puts them back, locks are honoured."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from openclaw_triage import write
from openclaw_triage.model import Install
from openclaw_triage.openclaw.install import inspect_install
from openclaw_triage.openclaw.locate import Options
from openclaw_triage.util.proc import start_ticks
from openclaw_triage.write import sessions as sw
from openclaw_triage.write.intents import RECOVERED_NOTE
from openclaw_triage.write.jsonfmt import stringify
from openclaw_triage.write.lock import inspect_session_lock, iso_now
from tests import fakekeys
from tests.builders import CurrentHome, LegacyHome, api_key_profile
from tests.session_builders import NOW_MS, entry, sessions_path, write_session_nodes, write_sessions_json
from tests.support.processes import killed_at_rename

GOOD = fakekeys.api_key("unpin-good")
WORK = fakekeys.api_key("unpin-work")
CFG = {
    "auth": {
        "profiles": {
            "anthropic:default": {"provider": "anthropic", "mode": "api_key"},
            "anthropic:work": {"provider": "anthropic", "mode": "api_key"},
        }
    }
}


@pytest.fixture(autouse=True)
def _journal_here_and_no_gateway(triage_state: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENCLAW_GATEWAY_PORT", "9")


def store() -> dict:
    return {
        "agent:main:main": entry("s-main", heavy=True),
        "agent:main:discord:channel:1": entry(
            "s-d1", pin="anthropic:work", source="user", channel="discord", display="#support", heavy=True
        ),
        "agent:main:discord:channel:2": entry("s-d2", pin="anthropic:work", count=3, channel="discord", x=1.5e-7),
        "agent:main:telegram:direct:3": entry("s-t3", pin="anthropic:default", source="auto", count=0, note="é ✓"),
    }


@pytest.fixture
def home(tmp_path: Path) -> LegacyHome:
    h = LegacyHome(tmp_path / "home").config(CFG)
    h.store(
        {
            "profiles": {"anthropic:default": api_key_profile(GOOD), "anthropic:work": api_key_profile(WORK)},
            "order": {"anthropic": ["anthropic:default", "anthropic:work"]},
        }
    )
    write_sessions_json(h.state, store(), mode=0o640)
    return h


def inspect(h: LegacyHome | CurrentHome) -> Install:
    return inspect_install(Options(), env={"HOME": str(h.home), "PATH": "/usr/bin:/bin"})


def entries(h: LegacyHome) -> dict:
    return json.loads(sessions_path(h.state).read_text())


def test_unpin_one_chat_changes_only_its_three_fields(home: LegacyHome, triage_state: Path) -> None:
    path = sessions_path(home.state)
    before = path.read_bytes()
    change = write.unpin(inspect(home), session_key="agent:main:discord:channel:1")
    after = path.read_bytes()
    assert change.changed and change.undoable and change.sessions == ("agent:main:discord:channel:1",)
    assert change.summary == "Unpinned agent:main:discord:channel:1 (was anthropic:work, user)."
    expected = store()
    for name in ("authProfileOverride", "authProfileOverrideSource"):
        del expected["agent:main:discord:channel:1"][name]
    assert after == stringify(expected).encode()  # OpenClaw's serialisation: no trailing newline
    assert not after.endswith(b"\n")
    # every other entry is byte-identical: the text outside the changed entry did not move
    old_entry = stringify(store()["agent:main:discord:channel:1"], "  ")
    new_entry = stringify(expected["agent:main:discord:channel:1"], "  ")
    assert before.decode().replace(old_entry, new_entry) == after.decode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert not Path(str(path) + ".lock").exists()
    assert any("next anthropic request uses anthropic:default" in n for n in change.notes)
    # undo puts the pin back where it was: the file is the original, byte for byte
    undone = write.undo()
    assert path.read_bytes() == before and undone.action == "undo"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    journal = "".join(p.read_text() for p in (triage_state / "journal").glob("*.json"))
    assert GOOD not in journal and WORK not in journal


def test_unpin_by_profile_and_all(home: LegacyHome) -> None:
    change = write.unpin(inspect(home), profile_id="anthropic:work")
    assert set(change.sessions) == {"agent:main:discord:channel:1", "agent:main:discord:channel:2"}
    now = entries(home)
    assert "authProfileOverrideCompactionCount" not in now["agent:main:discord:channel:2"]
    assert now["agent:main:telegram:direct:3"]["authProfileOverride"] == "anthropic:default"
    assert now["agent:main:discord:channel:2"]["x"] == 1.5e-7
    change = write.unpin(inspect(home), all=True)
    assert change.sessions == ("agent:main:telegram:direct:3",)
    assert not any("authProfileOverride" in e for e in entries(home).values())
    again = write.unpin(inspect(home), all=True)
    assert not again.changed and again.summary == "No chat pinned has a pin to clear."
    write.undo()
    write.undo()
    assert entries(home) == store()


def test_key_match_is_case_insensitive_and_unknown_keys_are_refused(home: LegacyHome) -> None:
    change = write.unpin(inspect(home), session_key=["AGENT:MAIN:DISCORD:CHANNEL:2 "])
    assert change.sessions == ("agent:main:discord:channel:2",)
    with pytest.raises(write.InvalidInput, match="no chat session agent:main:nope"):
        write.unpin(inspect(home), session_key="agent:main:nope")
    unpinned = write.unpin(inspect(home), session_key="agent:main:main")
    assert not unpinned.changed
    with pytest.raises(write.InvalidInput, match="exactly one"):
        write.unpin(inspect(home), session_key="agent:main:main", all=True)
    with pytest.raises(write.InvalidInput, match="exactly one"):
        write.unpin(inspect(home))


def test_undo_after_openclaw_wrote_an_auto_pin_and_conflicts(home: LegacyHome) -> None:
    key = "agent:main:discord:channel:1"
    write.unpin(inspect(home), session_key=key)
    # OpenClaw's next turn in that chat: an automatic pin, other fields updated
    data = entries(home)
    data[key].update(authProfileOverride="anthropic:default", authProfileOverrideSource="auto")
    data[key]["authProfileOverrideCompactionCount"] = 0
    data[key]["updatedAt"] = NOW_MS + 1
    write_sessions_json(home.state, data)
    write.undo()
    now = entries(home)[key]
    assert (now["authProfileOverride"], now["authProfileOverrideSource"]) == ("anthropic:work", "user")
    assert "authProfileOverrideCompactionCount" not in now and now["updatedAt"] == NOW_MS + 1
    # a chat reset since (new sessionId) is not silently pinned again
    write.unpin(inspect(home), session_key=key)
    data = entries(home)
    data[key]["sessionId"] = "s-new"
    write_sessions_json(home.state, data)
    with pytest.raises(write.Conflict, match="reset since"):
        write.undo()
    assert "authProfileOverride" not in entries(home)[key]
    write.undo(force=True)
    assert entries(home)[key]["authProfileOverride"] == "anthropic:work"


def test_a_broken_store_is_never_overwritten(home: LegacyHome) -> None:
    path = sessions_path(home.state)
    path.write_bytes(b'{"agent:main:main": {"authProfileOverride": "x"')
    with pytest.raises(write.StoreBroken):
        write.unpin(inspect(home), all=True)
    assert path.read_bytes() == b'{"agent:main:main": {"authProfileOverride": "x"'


def test_current_era_is_refused_with_the_chat_command(tmp_path: Path) -> None:
    h = CurrentHome(tmp_path).config(
        {**CFG, "agents": {"entries": {"main": {}}, "defaults": {"model": "anthropic/claude-opus-5"}}}
    )
    h.shared_store({"profiles": {"anthropic:default": api_key_profile(GOOD), "anthropic:work": api_key_profile(WORK)}})
    h.agent_db("main")
    db = write_session_nodes(
        h.state, {"agent:main:main": entry("n", pin="anthropic:work", source="user", model="claude-opus-5")}
    )
    before = db.read_bytes()
    with pytest.raises(write.Unsupported) as info:
        write.unpin(inspect(h), session_key="agent:main:main")
    text = str(info.value)
    assert "no way to clear a chat's pin" in text
    assert "agent:main:main: /model anthropic/claude-opus-5@anthropic:default" in text
    assert db.read_bytes() == before and GOOD not in text and WORK not in text


# --------------------------------------------------------------------------- the session store lock


def test_a_live_lock_is_waited_for_and_a_stale_one_removed(home: LegacyHome) -> None:
    path = sessions_path(home.state)
    lock = Path(str(path) + ".lock")
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        payload = {"pid": holder.pid, "createdAt": iso_now(), "starttime": start_ticks(holder.pid)}
        lock.write_text(json.dumps(payload, indent=2))
        with pytest.raises(write.LockBusy, match=f"process {holder.pid}"):
            sw.unpin_file(path, lambda k, e: True, lock_timeout=0.3, busy_wait=0)
        assert lock.exists() and "authProfileOverride" in path.read_text()
        # the holder lets go while we wait: we get the lock
        threading.Timer(0.4, lock.unlink).start()
        result = sw.unpin_file(path, lambda k, e: k == "agent:main:discord:channel:1", lock_timeout=5, busy_wait=0)
        assert [r.key for r in result.removed] == ["agent:main:discord:channel:1"]
    finally:
        holder.kill()
        holder.wait()
    # a dead holder's lock is stale, and so is a recycled pid (same pid, other start time)
    lock.write_text(json.dumps({"pid": holder.pid, "createdAt": iso_now()}, indent=2))
    assert inspect_session_lock(lock).reasons == ("dead-pid",)
    lock.write_text(json.dumps({"pid": os.getpid(), "createdAt": iso_now(), "starttime": 1}, indent=2))
    assert inspect_session_lock(lock).reasons == ("recycled-pid",)
    result = sw.unpin_file(path, lambda k, e: True, lock_timeout=1, busy_wait=0)
    assert len(result.removed) == 2 and not lock.exists()


def test_lock_payload_is_openclaws(home: LegacyHome) -> None:
    path = sessions_path(home.state)
    with sw.session_lock(path) as held:
        raw = held.path.read_text()
        data = json.loads(raw)
        assert set(data) == {"pid", "createdAt", "starttime"} and data["pid"] == os.getpid()
        assert not raw.endswith("\n") and raw.startswith('{\n  "pid": ')
        assert not inspect_session_lock(held.path).stale
        with sw.session_lock(path):  # re-entrant in this thread
            pass
        assert held.path.exists()
    assert not held.path.exists()
    # an unreadable lock is stale only once its mtime is old
    lock = Path(str(path) + ".lock")
    lock.write_text("garbage")
    assert not inspect_session_lock(lock).stale
    old = time.time() - 60
    os.utime(lock, (old, old))
    assert inspect_session_lock(lock).stale


def test_a_chat_answering_right_now_is_waited_for_then_noted(home: LegacyHome) -> None:
    path = sessions_path(home.state)
    transcript_lock = path.parent / "s-d1.jsonl.lock"
    transcript_lock.write_text(json.dumps({"pid": os.getpid(), "createdAt": iso_now()}, indent=2))
    result = sw.unpin_file(path, lambda k, e: k == "agent:main:discord:channel:1", busy_wait=0.3)
    assert result.busy == ["agent:main:discord:channel:1"]
    threading.Timer(0.3, transcript_lock.unlink).start()
    data = entries(home)
    data["agent:main:discord:channel:1"]["authProfileOverride"] = "anthropic:work"
    write_sessions_json(home.state, data)
    result = sw.unpin_file(path, lambda k, e: k == "agent:main:discord:channel:1", busy_wait=3)
    assert result.busy == [] and [r.key for r in result.removed] == ["agent:main:discord:channel:1"]


def test_spans_follow_json_parse(home: LegacyHome) -> None:
    text = '  {"a": 1, "b": {"c": [1, 2]}, "a": 2}  '
    spans = sw.top_level_spans(text)
    assert [(s.key, text[s.start : s.end]) for s in spans] == [("a", "1"), ("b", '{"c": [1, 2]}'), ("a", "2")]
    assert sw.last_spans(spans)["a"].value == 2
    for bad in ('{"a": 1,}', "[]", '{"a": NaN}', '{"a": 1} x', "{"):
        with pytest.raises(Exception, match="JSON"):
            sw.top_level_spans(bad)
    assert sw.top_level_spans("{}") == []


# --------------------------------------------------------------------------- kill -9 mid-change (issue 16)

D1 = "agent:main:discord:channel:1"


def test_an_unpin_killed_right_after_its_write_is_in_history_and_undoable(home: LegacyHome) -> None:
    path = sessions_path(home.state)
    before = path.read_bytes()
    killed_at_rename(path, "after", home.home, f"write.unpin(install, session_key={D1!r})")
    assert "authProfileOverride" not in entries(home)[D1], "the unpin landed"
    (entry,) = write.history()  # the next run finds it: journaled before it was written
    assert entry.action == "unpin" and entry.profile_id is None and RECOVERED_NOTE in entry.notes
    write.undo()
    assert path.read_bytes() == before


def test_an_unpin_killed_right_before_its_write_leaves_no_trace(home: LegacyHome, triage_state: Path) -> None:
    path = sessions_path(home.state)
    before = path.read_bytes()
    killed_at_rename(path, "before", home.home, f"write.unpin(install, session_key={D1!r})")
    assert write.history() == [] and path.read_bytes() == before
    assert not list((triage_state / "backups").iterdir()), "the backup of a change that never happened went too"
    assert not list((triage_state / "journal").iterdir())


def test_an_unpin_whose_chat_moved_on_before_the_next_run_is_judged_by_its_pins(home: LegacyHome) -> None:
    """OpenClaw rewrites sessions.json every turn: the bytes say nothing, the pins do."""
    killed_at_rename(sessions_path(home.state), "after", home.home, f"write.unpin(install, session_key={D1!r})")
    now = entries(home)
    now["agent:main:main"]["inputTokens"] = 99  # another chat's turn, before the next run of ours
    write_sessions_json(home.state, now)
    (entry,) = write.history()
    assert RECOVERED_NOTE in entry.notes
    write.undo()
    assert entries(home)[D1]["authProfileOverride"] == "anthropic:work"


def test_an_undo_of_an_unpin_killed_between_marking_and_recording_is_whole_at_the_next_run(
    home: LegacyHome, triage_state: Path
) -> None:
    before = sessions_path(home.state).read_bytes()
    change = write.unpin(inspect(home), session_key=D1)
    mark = triage_state / "journal" / f"{change.id}.json"
    killed_at_rename(mark, "after", home.home, "write.undo()")  # the change is marked undone; the undo unrecorded
    history = {e.id: e for e in write.history()}
    undone_by = history[change.id].undone_by
    assert undone_by in history and history[undone_by].undo_of == change.id, "no dangling undone_by"
    assert sessions_path(home.state).read_bytes() == before


def test_an_undo_of_an_unpin_killed_before_its_write_leaves_the_change_undoable(home: LegacyHome) -> None:
    before = sessions_path(home.state).read_bytes()
    change = write.unpin(inspect(home), session_key=D1)
    killed_at_rename(sessions_path(home.state), "before", home.home, "write.undo()")
    assert [e.id for e in write.history()] == [change.id] and not write.history()[0].undone_by
    write.undo()
    assert sessions_path(home.state).read_bytes() == before
