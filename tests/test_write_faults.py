"""Hostile input, faults and races at the write layer (issue 16), as a user would meet them.

Locks that are no lock files, a read-only agent folder, an empty lock; a kill's leftover temp
file (keys in it); a config OpenClaw refuses; a writer that takes no lock (OpenClaw's own
`paste-token`, `onboard`, logins) racing ours; and `kill -9` of our writer at random moments.
The race and kill tests run real second processes, a bounded number of times.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from openclaw_triage import write
from openclaw_triage.model import Install
from openclaw_triage.openclaw.install import inspect_install
from openclaw_triage.openclaw.locate import Options
from openclaw_triage.write import journal, json_store
from openclaw_triage.write.atomic import write_atomic
from openclaw_triage.write.change import sha256_hex
from openclaw_triage.write.errors import ConfigBroken, LockBusy, NotWritable
from openclaw_triage.write.json_store import Edit
from openclaw_triage.write.lock import FileLock, lock_path_for
from tests import fakekeys
from tests.builders import LegacyHome, api_key_profile, token_profile
from tests.support.cli import ROOT, run_cli

KEY = fakekeys.api_key("faults")
TOKEN = fakekeys.oauth_token("faults")
STORE_REL = Path(".openclaw/agents/main/agent/auth-profiles.json")
ENV = {"OPENCLAW_GATEWAY_PORT": "9"}  # no gateway anybody listens on

pytestmark = pytest.mark.usefixtures("triage_state")


def _home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    LegacyHome(home).config({}).store(
        {"profiles": {"anthropic:default": api_key_profile(KEY), "anthropic:manual": token_profile(TOKEN)}}
    )
    return home


def _inspect(home: Path) -> Install:
    return inspect_install(Options(), env={"HOME": str(home), "PATH": "/usr/bin:/bin", **ENV})


def _temps(directory: Path) -> list[Path]:
    """Our temp copies of the store (keys in them); not the lock's payload temps."""
    return sorted(p for p in directory.glob(".auth-profiles.json.*.tmp") if ".json.lock." not in p.name)


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


# --------------------------------------------------------------------------- the lock


@pytest.mark.parametrize("kind", ["folder", "dangling symlink", "FIFO"])
def test_a_lock_path_that_is_no_lock_file_is_refused_at_once_and_left_alone(tmp_path: Path, kind: str) -> None:
    """It used to spin at full CPU forever (a dangling symlink) or wait out the timeout (a folder)."""
    store = _home(tmp_path) / STORE_REL
    before = store.read_bytes()
    lock = lock_path_for(store)
    if kind == "folder":
        lock.mkdir()
    elif kind == "dangling symlink":
        lock.symlink_to(tmp_path / "nowhere")
    else:
        os.mkfifo(lock)
    outcome: list[BaseException] = []

    def pin() -> None:
        try:
            json_store.apply(store, json_store.clear_order("anthropic"), lock_timeout=5)
        except BaseException as exc:  # collected for the main thread
            outcome.append(exc)

    started, cpu = time.monotonic(), _cpu()
    worker = threading.Thread(target=pin, daemon=True)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "the lock loop never ended"
    assert time.monotonic() - started < 2 and _cpu() - cpu < 1
    assert len(outcome) == 1 and isinstance(outcome[0], LockBusy)
    word = {"folder": "a folder", "dangling symlink": "a symlink", "FIFO": "a FIFO"}[kind]
    assert f"is {word}, not a lock file" in str(outcome[0]) and "remove it" in str(outcome[0])
    assert os.path.lexists(lock), "what the user put there is never deleted"
    assert store.read_bytes() == before


def test_a_lock_that_vanishes_at_every_look_honours_the_deadline(tmp_path: Path) -> None:
    """The create says 'exists' and the look says 'gone', again and again: back off, stop at the deadline."""
    store = _home(tmp_path) / STORE_REL
    lock = FileLock(store, timeout=0.5)
    calls = [0]

    def never(self: FileLock) -> bool:
        calls[0] += 1
        return False

    cpu = _cpu()
    started = time.monotonic()
    original = FileLock._create
    try:
        FileLock._create = never  # type: ignore[method-assign]
        with pytest.raises(LockBusy):
            lock.acquire()
    finally:
        FileLock._create = original  # type: ignore[method-assign]
    assert 0.45 < time.monotonic() - started < 2
    assert calls[0] < 200 and _cpu() - cpu < 0.5, f"{calls[0]} tries in 0.5 s: a spin"


def test_an_empty_lock_counts_as_stale_after_30_s_as_openclaw_counts_it_and_we_say_so(tmp_path: Path) -> None:
    """OpenClaw's isStaleLock: no payload, then the mtime decides (30 s). We follow it, and explain the wait."""
    store = _home(tmp_path) / STORE_REL
    lock = lock_path_for(store)
    lock.write_bytes(b"")
    with pytest.raises(LockBusy) as info:
        json_store.apply(store, json_store.clear_order("anthropic"), lock_timeout=0.3)
    assert "The lock is empty" in str(info.value) and "30 s" in str(info.value)
    old = time.time() - 31
    os.utime(lock, (old, old))
    applied = json_store.apply(
        store, json_store.set_order("anthropic", ["anthropic:manual"], known=None, where="x"), lock_timeout=2
    )
    assert applied.after is not None and not lock.exists()


_LOCKER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from openclaw_triage.write.lock import FileLock
    print("ready", flush=True)
    while True:
        with FileLock(Path(sys.argv[1]), timeout=5):
            pass
    """
)


def test_our_lock_is_never_left_empty_by_a_kill(tmp_path: Path) -> None:
    """Its content is in it from the moment it exists (a hard link of a written temp file)."""
    store = _home(tmp_path) / STORE_REL
    lock = lock_path_for(store)
    rng = random.Random(16)
    for _ in range(15):
        child = subprocess.Popen(
            [sys.executable, "-c", _LOCKER, str(store)],
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert child.stdout is not None and child.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0, 0.05))
        child.send_signal(signal.SIGKILL)
        child.wait()
        if lock.exists():
            payload = json.loads(lock.read_text())
            assert payload["pid"] == child.pid
            lock.unlink()  # its holder is dead; the next taker would remove it as stale
    leftovers = list(store.parent.glob(".auth-profiles.json.lock.*.tmp"))  # a kill's payload temps: no keys in them
    for temp in leftovers:
        old = time.time() - 10
        os.utime(temp, (old, old))  # no longer possibly another taker's, mid-create
    assert json_store.apply(store, json_store.clear_order("anthropic"), lock_timeout=2).after is None
    assert not list(store.parent.glob(".auth-profiles.json.lock.*.tmp"))


def test_a_lock_folder_that_is_a_file_is_a_refusal_not_a_traceback(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "agent"
    not_a_folder.write_text("a file where the agent folder should be")
    with pytest.raises(NotWritable) as info:
        FileLock(not_a_folder / "auth-profiles.json", timeout=1).acquire()
    assert "is not a folder" in str(info.value) and "Nothing was changed" in str(info.value)


@pytest.fixture
def world_readable_home() -> Iterator[Path]:
    """A home another user can read but not write (pytest's tmp dirs are root's own, 0700)."""
    home = Path(tempfile.mkdtemp(prefix="triage-ro-"))
    try:
        LegacyHome(home).config({}).store(
            {"profiles": {"anthropic:default": api_key_profile(KEY), "anthropic:manual": token_profile(TOKEN)}}
        )
        for folder in [home, *[p for p in home.rglob("*") if p.is_dir()]]:
            os.chmod(folder, 0o755)
        for path in home.rglob("*"):
            if path.is_file():
                os.chmod(path, 0o644)
        state = home / "triage-state"
        state.mkdir()
        os.chown(state, 65534, 65534)
        yield home
    finally:
        shutil.rmtree(home, ignore_errors=True)


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root and setpriv")
def test_order_pin_in_a_read_only_agent_folder_says_so_and_exits_like_any_refusal(world_readable_home: Path) -> None:
    home = world_readable_home
    store = home / STORE_REL
    before = store.read_bytes()
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    env |= {**ENV, "OPENCLAW_TRIAGE_STATE_DIR": str(home / "triage-state")}
    as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    probe = subprocess.run([*as_nobody, sys.executable, "-c", "pass"], capture_output=True, env=env, check=False)
    if probe.returncode != 0:
        pytest.skip("cannot run python as nobody here")
    proc = subprocess.run(
        [*as_nobody, sys.executable, "-m", "openclaw_triage", "order", "pin", "--provider", "anthropic",
         "anthropic:manual"],
        capture_output=True, text=True, env=env, cwd=home, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "permission denied" in proc.stderr and "Nothing was changed" in proc.stderr
    assert store.read_bytes() == before


# --------------------------------------------------------------------------- leftover temp files


def test_a_kills_leftover_temp_is_reported_by_check_and_removed_by_the_next_write(tmp_path: Path) -> None:
    home = _home(tmp_path)
    store = home / STORE_REL
    agent_dir = store.parent
    leftover = agent_dir / ".auth-profiles.json.0123456789ab.tmp"
    leftover.write_bytes(store.read_bytes())  # what a kill between the temp write and the rename leaves
    os.chmod(leftover, 0o600)
    old = time.time() - 60
    os.utime(leftover, (old, old))
    elsewhere = tmp_path / "not-ours.json"
    elsewhere.write_text("{}")
    link = agent_dir / ".auth-profiles.json.ba9876543210.tmp"
    link.symlink_to(elsewhere)  # our pattern, but a symlink: never followed, never removed
    theirs = agent_dir / "auth-profiles.json.6f1c1d7e-0d0b-4bb8-a6c5-9f3a2b1c0d9e.tmp"  # OpenClaw's temp naming
    theirs.write_text("{}")

    ran = run_cli(home, "check", "--json", env=ENV)
    found = [f for f in json.loads(ran.stdout)["findings"] if f["code"] == "fs.leftover_temp"]
    assert [f["subject"] for f in found] == [str(leftover)]
    assert KEY not in ran.stdout and KEY[20:40] not in ran.stdout

    write.set_order(_inspect(home), "anthropic", ["anthropic:manual"])
    assert not leftover.exists()
    assert link.is_symlink() and elsewhere.read_text() == "{}"
    assert theirs.exists()
    ran = run_cli(home, "check", "--json", env=ENV)
    assert "fs.leftover_temp" not in ran.stdout


def test_a_fresh_temp_beside_a_file_nobody_locked_is_left_to_its_writer(tmp_path: Path) -> None:
    target = tmp_path / "entry.json"
    fresh = tmp_path / ".entry.json.00112233aabb.tmp"
    fresh.write_text("being written")
    write_atomic(target, b"{}")
    assert fresh.exists(), "a temp younger than a moment may be another writer's, mid-write"
    old = time.time() - 10
    os.utime(fresh, (old, old))
    write_atomic(target, b"{}")
    assert not fresh.exists()


# --------------------------------------------------------------------------- a config OpenClaw refuses


def _break_config(config: Path, how: str) -> None:
    folder = config.parent
    if how == "truncated":
        config.write_text('{"meta": {"lastTouchedVersion": "2026.3.13"}, "agents": {')
    elif how == "binary":
        config.write_bytes(b"\x00\x01\xffPK\x03\x04")
    elif how == "include cycle":
        (folder / "a.json5").write_text('{"$include": "./b.json5"}')
        (folder / "b.json5").write_text('{"$include": "./a.json5"}')
        config.write_text('{"meta": {"lastTouchedVersion": "2026.3.13"}, "agents": {"$include": "./a.json5"}}')
    elif how == "escaping include":
        config.write_text('{"meta": {"lastTouchedVersion": "2026.3.13"}, "agents": {"$include": "../../etc/x.json"}}')
    else:
        config.write_text("[1, 2, 3]")


@pytest.mark.parametrize("how", ["truncated", "binary", "include cycle", "escaping include", "top-level array"])
def test_order_pin_refuses_while_openclaw_json_is_one_openclaw_refuses_to_load(
    tmp_path: Path, triage_state: Path, how: str
) -> None:
    home = _home(tmp_path)
    store = home / STORE_REL
    before = store.read_bytes()
    config = home / ".openclaw/openclaw.json"
    _break_config(config, how)
    install = _inspect(home)
    assert install.config.error
    with pytest.raises(ConfigBroken) as info:
        write.set_order(install, "anthropic", ["anthropic:manual"])
    assert str(config) in str(info.value) and "Nothing was changed" in str(info.value)
    assert store.read_bytes() == before
    assert not list(triage_state.glob("journal/*.json"))


def test_the_cli_says_why_it_refused_a_broken_config(tmp_path: Path) -> None:
    home = _home(tmp_path)
    store = home / STORE_REL
    before = store.read_bytes()
    _break_config(home / ".openclaw/openclaw.json", "include cycle")
    ran = run_cli(home, "order", "pin", "--provider", "anthropic", "anthropic:manual", env=ENV)
    assert ran.returncode == 1 and "✓" not in ran.stdout
    assert "Circular include" in ran.stderr and "OpenClaw refuses to start with it" in ran.stderr
    assert store.read_bytes() == before


# --------------------------------------------------------------------------- a writer without the lock


def test_a_store_written_between_our_read_and_our_rename_is_read_again_not_overwritten(tmp_path: Path) -> None:
    store = _home(tmp_path) / STORE_REL
    calls = [0]

    def pin_while_openclaw_pastes(data: dict[str, Any]) -> Edit:
        calls[0] += 1
        if calls[0] == 1:  # OpenClaw's paste-token lands now, in place and without the lock
            theirs = json.loads(store.read_text())
            theirs["profiles"]["openai:default"] = {"type": "api_key", "provider": "openai", "key": "sk-proj-x"}
            with open(store, "w", encoding="utf-8") as fh:
                fh.write(json.dumps(theirs, indent=2) + "\n")
        data["order"] = {"anthropic": ["anthropic:manual"]}
        return Edit(True, "pinned")

    json_store.apply(store, pin_while_openclaw_pastes)
    final = json.loads(store.read_text())
    assert calls[0] == 2
    assert "openai:default" in final["profiles"], "their update survived"
    assert final["order"] == {"anthropic": ["anthropic:manual"]}, "and ours landed on top of it"


def test_a_write_given_up_on_leaves_no_intent_that_may_have_landed(tmp_path: Path) -> None:
    store = _home(tmp_path) / STORE_REL
    intents: list[bytes | None] = []
    abandoned: list[bool] = []

    def pin_while_openclaw_keeps_writing(data: dict[str, Any]) -> Edit:
        theirs = json.loads(store.read_text())  # every attempt, their in-place write lands first
        theirs["profiles"][f"openai:{len(intents)}"] = {"type": "api_key", "provider": "openai", "key": "sk-proj-x"}
        with open(store, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(theirs, indent=2) + "\n")
        data["order"] = {"anthropic": ["anthropic:manual"]}
        return Edit(True, "pinned")

    with pytest.raises(write.StoreChanged):
        json_store.apply(
            store,
            pin_while_openclaw_keeps_writing,
            intent=lambda pending: intents.append(pending.after),
            abandon=lambda: abandoned.append(True),
        )
    assert intents and abandoned == [True], "the journal is told that nothing landed"
    final = json.loads(store.read_text())
    assert "order" not in final and f"openai:{len(intents) - 1}" in final["profiles"]


_UNLOCKED_WRITER = textwrap.dedent(
    """
    # OpenClaw's saveJsonFile without the lock (paste-token, onboard, logins): read, add, write IN PLACE,
    # as one command after another would, only much faster (every 2 to 20 ms).
    import json, os, random, sys, time
    store, rounds, go = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    while not os.path.exists(go):
        time.sleep(0.001)
    done = 0
    while done < rounds:
        try:
            data = json.loads(open(store, encoding="utf-8").read())
        except ValueError:
            continue  # caught our rename's other side? no: only their own in-place writes tear, never ours
        data["profiles"][f"w:{done}"] = {"type": "api_key", "provider": "w", "key": "x"}
        with open(store, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(data, indent=2) + "\\n")
        done += 1
        time.sleep(random.uniform(0.002, 0.02))
    print("done", flush=True)
    """
)


def test_an_unlocked_writer_racing_our_writes_loses_no_update(tmp_path: Path) -> None:
    store = _home(tmp_path) / STORE_REL
    rounds = 200
    go = tmp_path / "go"
    writer = subprocess.Popen(
        [sys.executable, "-c", _UNLOCKED_WRITER, str(store), str(rounds), str(go)], stdout=subprocess.PIPE, text=True
    )
    orders = [["anthropic:default", "anthropic:manual"], ["anthropic:manual", "anthropic:default"]]
    refused = 0
    go.touch()
    for i in range(rounds):
        try:
            json_store.apply(store, json_store.set_order("anthropic", orders[i % 2], known=None, where="x"))
        except write.StoreChanged:
            refused += 1  # a refusal loses nothing; a rename over their update would
        assert writer.poll() is None or i > rounds // 4, "the writer finished before the race began"
    out, _ = writer.communicate(timeout=30)
    assert out.strip() == "done"
    final = json.loads(store.read_text())
    lost = [n for n in range(rounds) if f"w:{n}" not in final["profiles"]]
    assert not lost, f"{len(lost)} of the unlocked writer's {rounds} updates were lost"
    assert refused < rounds / 4
    assert not _temps(store.parent)


# --------------------------------------------------------------------------- kill -9 of our writer


_PINNER = textwrap.dedent(
    """
    # `order pin` again and again, alternating two orders, until killed.
    import sys
    from openclaw_triage import write
    from openclaw_triage.openclaw.install import inspect_install
    from openclaw_triage.openclaw.locate import Options
    env = {"HOME": sys.argv[1], "PATH": "/usr/bin:/bin", "OPENCLAW_GATEWAY_PORT": "9"}
    install = inspect_install(Options(), env=env)
    orders = [["anthropic:default", "anthropic:manual"], ["anthropic:manual", "anthropic:default"]]
    print("ready", flush=True)
    i = 0
    while True:
        write.set_order(install, "anthropic", orders[i % 2])
        i += 1
    """
)


def test_kill_9_at_random_moments_loses_nothing_and_every_landed_change_stays_undoable(
    tmp_path: Path, triage_state: Path
) -> None:
    home = _home(tmp_path)
    store = home / STORE_REL
    initial = store.read_bytes()
    rng = random.Random(1613)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENCLAW_TRIAGE_STATE_DIR": str(triage_state)}
    recovered = 0
    for _ in range(30):
        child = subprocess.Popen([sys.executable, "-c", _PINNER, str(home)], stdout=subprocess.PIPE, env=env)
        assert child.stdout is not None and child.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0.0, 0.25))
        child.send_signal(signal.SIGKILL)
        child.wait()
        lock_path_for(store).unlink(missing_ok=True)  # a dead holder's lock; the next taker removes it as stale anyway
        recovered += len(journal.pending_ids())
        entries = [e for e in write.history() if e.file == str(store)]  # the next run: intents are settled
        assert not journal.pending_ids()
        current = store.read_bytes()
        json.loads(current)  # whole, never torn
        assert sha256_hex(current) == (entries[0].after_sha256 if entries else sha256_hex(initial)), (
            "the store holds a change the journal cannot reach"
        )
    assert recovered > 0, "no kill landed inside a change; the test proves nothing"
    install = _inspect(home)
    write.set_order(install, "anthropic", ["anthropic:manual"])  # the next run
    assert not _temps(store.parent), "a temp file with keys survived the next run"
    undone = write.undo(install=install)
    assert undone.changed and sha256_hex(store.read_bytes()) != sha256_hex(b"")


# --------------------------------------------------------------------------- lock order


_UNDO_OR_PIN = textwrap.dedent(
    """
    # `order pin` or `undo` again and again, from the moment `go` exists; LockBusy fails the run.
    import os, sys, time
    from openclaw_triage import write
    from openclaw_triage.openclaw.install import inspect_install
    from openclaw_triage.openclaw.locate import Options
    home, what, rounds, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    install = inspect_install(Options(), env={"HOME": home, "PATH": "/usr/bin:/bin", "OPENCLAW_GATEWAY_PORT": "9"})
    orders = [["anthropic:default", "anthropic:manual"], ["anthropic:manual", "anthropic:default"]]
    while not os.path.exists(go):
        time.sleep(0.001)
    for i in range(rounds):
        if what == "pin":
            write.set_order(install, "anthropic", orders[i % 2])
        else:
            try:
                write.undo(install=install)
            except write.UndoRefused:  # nothing left, or changed since: a refusal, not a wait
                pass
    print("done", flush=True)
    """
)


def test_an_undo_and_a_write_in_two_processes_never_wait_on_each_other(tmp_path: Path, triage_state: Path) -> None:
    """Both take OpenClaw's lock before the journal's: one waits for the other's few milliseconds,
    never for a lock the other waits on (which ended in LockBusy after 10 s)."""
    home = _home(tmp_path)
    write.set_order(_inspect(home), "anthropic", ["anthropic:manual"])  # something to undo from the start
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _UNDO_OR_PIN, str(home), what, "100", str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for what in ("pin", "undo")
    ]
    time.sleep(0.5)  # both started and waiting
    started = time.monotonic()
    go.touch()
    outcomes = [proc.communicate(timeout=120) for proc in procs]
    took = time.monotonic() - started
    for (out, err), proc in zip(outcomes, procs, strict=True):
        assert proc.returncode == 0 and out.strip() == "done", err[-2000:]
    assert took < 30, f"{took:.1f} s: a process waited out a lock"
    undos = [e for e in write.history() if e.action == "undo"]
    assert undos, "no undo ran beside the writes; the test proves nothing"
    assert not journal.pending_ids()


# --------------------------------------------------------------------------- the late-write path, step by step
# The race above, made deterministic: the first write lands while an unlocked writer's update went
# into the file it replaced (`Written.overwrote`), then that writer writes again in place before our
# next check. `write_atomic` is wrapped only to make those two moments happen; every byte is real.


def _store_bytes(profiles: dict[str, Any], **top: Any) -> bytes:
    return (json.dumps({"version": 1, "profiles": profiles, **top}, indent=2) + "\n").encode()


def _racing(monkeypatch: pytest.MonkeyPatch, late: dict[str, Any], again: dict[str, Any]) -> list[int]:
    from openclaw_triage.write import atomic

    real = atomic.write_atomic
    calls: list[int] = []

    def racing(path: Path, data: bytes, **kwargs: Any) -> atomic.Written:
        calls.append(1)
        if len(calls) == 1:  # lands; their update went into the file we replaced
            written = real(path, data, **kwargs)
            return atomic.Written(written.path, written.mode, written.mode_before, written.seen, _store_bytes(**late))
        if len(calls) == 2:  # they read our file and write it again in place, before our check
            doc = json.loads(Path(path).read_text())
            doc.update(again)
            Path(path).write_text(json.dumps(doc, indent=2) + "\n")
            raise write.StoreChanged("changed")
        return real(path, data, **kwargs)

    monkeypatch.setattr(json_store, "write_atomic", racing)
    return calls


def test_the_backup_keeps_the_bytes_before_our_change_through_the_late_write_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b, x = api_key_profile(KEY), api_key_profile(fakekeys.api_key("late-b")), api_key_profile(fakekeys.api_key("x"))
    path = tmp_path / "auth-profiles.json"
    original = _store_bytes({"anthropic:a": a, "anthropic:b": b})
    path.write_bytes(original)
    _racing(monkeypatch, {"profiles": {"anthropic:a": a, "anthropic:b": b, "openai:x": x}}, {"lastGood": {}})
    backups: list[bytes] = []
    op = json_store.set_order("anthropic", ["anthropic:b"], known=None, where="x")
    applied = json_store.apply(path, op, backup=lambda raw: backups.append(raw) or tmp_path / "bk")
    assert backups == [original], "undo must put back the store before our change, not one holding it"
    assert applied.before == original and applied.edit.changed
    final = json.loads(path.read_text())
    assert final["order"] == {"anthropic": ["anthropic:b"]} and "openai:x" in final["profiles"]


def test_a_change_that_landed_is_reported_landed_after_a_refusal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = api_key_profile(KEY), api_key_profile(fakekeys.api_key("late-b"))
    path = tmp_path / "auth-profiles.json"
    path.write_bytes(_store_bytes({"anthropic:a": a, "anthropic:b": b}))
    _racing(monkeypatch, {"profiles": {"anthropic:a": a, "anthropic:b": b}}, {"lastGood": {"anthropic": "anthropic:a"}})
    op = json_store.set_order("anthropic", ["anthropic:b"], known=None, where="x")
    applied = json_store.apply(path, op)
    assert applied.edit.changed and applied.after is not None, "our order landed: it must not read 'nothing to change'"
    assert json.loads(path.read_text())["order"] == {"anthropic": ["anthropic:b"]}
