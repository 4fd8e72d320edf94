"""OpenClaw 2026.3's lock on auth-profiles.json, as our writer honours it (notes §9, file-lock.ts).

Includes the race test: our writer against a concurrent writer in another process that speaks
the same lock protocol (written independently below, the way OpenClaw's file-lock.ts does it),
1,000 rounds each, and not one lost update.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from openclaw_triage.util.proc import start_ticks
from openclaw_triage.write import json_store
from openclaw_triage.write.errors import LockBusy, LockLost
from openclaw_triage.write.json_store import Edit
from openclaw_triage.write.lock import (
    AUTH_PROFILES,
    SESSION_STORE,
    FileLock,
    LockScheme,
    is_stale,
    lock_path_for,
    read_lock,
)
from tests import fakekeys
from tests.builders import LegacyHome, api_key_profile
from tests.support.processes import dead_pid


def _old(path: Path, seconds: float) -> None:
    t = time.time() - seconds
    os.utime(path, (t, t))


def _iso(seconds_ago: float) -> str:
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC) - timedelta(seconds=seconds_ago)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return LegacyHome(tmp_path).store({"profiles": {"anthropic:default": api_key_profile(fakekeys.api_key("lock"))}})


def test_lock_path_resolves_the_directory_not_the_file(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "linkdir").symlink_to(real)
    assert lock_path_for(tmp_path / "linkdir" / "auth-profiles.json") == real / "auth-profiles.json.lock"
    # A symlinked *file* gets its lock beside the link (OpenClaw realpaths only the directory).
    (real / "target.json").write_text("{}")
    (real / "auth-profiles.json").symlink_to(real / "target.json")
    assert lock_path_for(real / "auth-profiles.json") == real / "auth-profiles.json.lock"


def test_payload_is_openclaws_pretty_json_and_release_unlinks(store: Path) -> None:
    with FileLock(store) as lock:
        raw = lock.path.read_text()
        data = json.loads(raw)
        assert list(data) == ["pid", "createdAt"] and data["pid"] == os.getpid()
        assert raw == json.dumps(data, indent=2)  # JSON.stringify(x, null, 2), no newline
        assert data["createdAt"].endswith("Z") and len(data["createdAt"]) == 24
        assert not is_stale(lock.path)
    assert not lock.path.exists()


@pytest.mark.parametrize(
    ("payload", "age", "stale"),
    [
        ("dead", 0, True),  # pid dead
        ("live-old-created", 0, True),  # createdAt > 30 s old although the pid is alive
        ("live-bad-created", 0, True),  # createdAt unparsable
        ("live", 31, True),  # lock mtime > 30 s old, valid payload
        ("empty", 31, True),  # unreadable payload, old mtime
        ("empty", 0, False),  # just created, payload not written yet: not stale
        ("live", 0, False),
        ("zero-pid", 0, False),  # pid 0 skips the pid check (JS `payload?.pid &&`)
    ],
)
def test_stale_rules(tmp_path: Path, child: subprocess.Popen[bytes], payload: str, age: float, stale: bool) -> None:
    lock = tmp_path / "auth-profiles.json.lock"
    contents = {
        "dead": {"pid": dead_pid(), "createdAt": _iso(0)},
        "live-old-created": {"pid": child.pid, "createdAt": _iso(31)},
        "live-bad-created": {"pid": child.pid, "createdAt": "yesterday-ish"},
        "live": {"pid": child.pid, "createdAt": _iso(0)},
        "zero-pid": {"pid": 0, "createdAt": _iso(0)},
    }
    lock.write_text("" if payload == "empty" else json.dumps(contents[payload], indent=2))
    if age:
        _old(lock, age)
    assert is_stale(lock) is stale


def test_a_stale_lock_is_removed_and_we_proceed(store: Path) -> None:
    lock_file = lock_path_for(store)
    lock_file.write_text(json.dumps({"pid": dead_pid(), "createdAt": _iso(0)}, indent=2))
    started = time.monotonic()
    with FileLock(store, timeout=2) as lock:
        assert read_lock(lock.path).pid == os.getpid()
        assert lock.stolen_stale == 1
    assert time.monotonic() - started < 1


def test_a_live_fresh_lock_makes_us_wait_then_give_up_clearly(store: Path, child: subprocess.Popen[bytes]) -> None:
    lock_file = lock_path_for(store)
    lock_file.write_text(json.dumps({"pid": child.pid, "createdAt": _iso(0)}, indent=2))
    before = store.read_bytes()
    started = time.monotonic()
    with pytest.raises(LockBusy) as info:
        json_store.apply(store, json_store.clear_order("anthropic"), lock_timeout=0.4)
    waited = time.monotonic() - started
    assert 0.35 < waited < 2
    assert f"process {child.pid}" in str(info.value)
    assert store.read_bytes() == before
    assert lock_file.exists(), "someone else's live lock must not be touched"


def test_we_get_the_lock_once_the_holder_releases_it(store: Path) -> None:
    """Another process holds the lock for 0.5 s (as OpenClaw's `order set` would); we wait and then write."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(lock_path_for(store))], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    started = time.monotonic()
    applied = json_store.apply(
        store, json_store.set_order("anthropic", ["anthropic:default"], known=None, where="x"), lock_timeout=10
    )
    waited = time.monotonic() - started
    holder.wait(timeout=10)
    assert applied.after is not None and 0.3 < waited < 5
    assert json.loads(store.read_text())["order"] == {"anthropic": ["anthropic:default"]}


_HOLDER = textwrap.dedent(
    """
    import json, os, sys, time
    from datetime import datetime, timezone
    path = sys.argv[1]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    os.write(fd, json.dumps({"pid": os.getpid(), "createdAt": now}, indent=2).encode())
    os.close(fd)
    print("held", flush=True)
    time.sleep(0.5)
    os.unlink(path)
    """
)


def test_reentrant_in_one_thread_and_exclusive_between_threads(store: Path) -> None:
    lock = FileLock(store)
    with lock, FileLock(store):  # re-entrant, like OpenClaw's HELD_LOCKS
        assert lock.path.exists()
    assert not lock.path.exists()

    counter = store.parent / "counter"
    counter.write_text("0")

    def bump() -> None:
        for _ in range(50):
            with FileLock(store):
                value = int(counter.read_text())
                counter.write_text(str(value + 1))

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counter.read_text() == "200"


def test_a_lock_taken_over_while_held_means_no_write(store: Path) -> None:
    before = store.read_bytes()

    def op(data: dict[str, object]) -> Edit:
        # Someone judged our lock stale and replaced it while we were editing.
        path = lock_path_for(store)
        path.unlink()
        path.write_text(json.dumps({"pid": 1, "createdAt": _iso(0)}))
        data["hijacked"] = True
        return Edit(True, "x")

    with pytest.raises(LockLost):
        json_store.apply(store, op)
    assert store.read_bytes() == before
    assert lock_path_for(store).exists(), "the other writer's lock stays"
    assert not list(store.parent.glob(".auth-profiles.json.*.tmp"))


# --------------------------------------------------------------------------- the race


_RIVAL = textwrap.dedent(
    """
    # An independent writer speaking OpenClaw's lock protocol (file-lock.ts), writing IN PLACE
    # like OpenClaw's saveJsonFile: O_EXCL lock with {pid, createdAt}, re-read, write, unlink.
    import json, os, sys, time
    from datetime import datetime, timezone
    store, rounds, go = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    lock = os.path.join(os.path.realpath(os.path.dirname(store)), os.path.basename(store) + ".lock")
    while not os.path.exists(go):
        time.sleep(0.001)
    torn = 0
    for _ in range(rounds):
        while True:
            try:
                fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
                break
            except FileExistsError:
                time.sleep(0.0005)
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        os.write(fd, json.dumps({"pid": os.getpid(), "createdAt": now}, indent=2).encode())
        os.close(fd)
        try:
            data = json.loads(open(store, encoding="utf-8").read())
        except ValueError:
            torn += 1
            os.unlink(lock)
            continue
        prof = data["profiles"]["anthropic:default"]
        prof["theirs"] = prof.get("theirs", 0) + 1
        with open(store, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(data, indent=2) + "\\n")
        os.unlink(lock)
    print(torn)
    """
)


def test_race_against_another_writer_loses_no_update(store: Path, tmp_path: Path) -> None:
    rounds = 1000
    go = tmp_path / "go"
    rival = subprocess.Popen(
        [sys.executable, "-c", _RIVAL, str(store), str(rounds), str(go)], stdout=subprocess.PIPE, text=True
    )

    def bump(data: dict[str, object]) -> Edit:
        prof = data["profiles"]["anthropic:default"]  # type: ignore[index]
        prof["ours"] = prof.get("ours", 0) + 1  # type: ignore[union-attr]
        return Edit(True, "bump")

    started = time.monotonic()
    go.touch()
    for _ in range(rounds):
        json_store.apply(store, bump, lock_timeout=10)
    out, _ = rival.communicate(timeout=60)
    elapsed = time.monotonic() - started
    data = json.loads(store.read_text())
    prof = data["profiles"]["anthropic:default"]
    assert out.strip() == "0", "the rival read a torn file"
    assert (prof["ours"], prof["theirs"]) == (rounds, rounds)
    assert prof["key"] == fakekeys.api_key("lock")
    assert not lock_path_for(store).exists()
    assert not list(store.parent.glob(".auth-profiles.json.*.tmp"))
    assert elapsed < 30


@pytest.mark.parametrize("scheme", [AUTH_PROFILES, SESSION_STORE], ids=lambda s: s.name)
def test_a_lock_that_cannot_be_read_is_waited_on_until_the_timeout_never_spun_on(
    store: Path, scheme: LockScheme
) -> None:
    """A lock path that is a folder (or unreadable): `LockBusy` when the timeout is up, for both schemes."""
    lock_path_for(store).mkdir()
    outcome: list[BaseException] = []

    def take() -> None:
        try:
            with FileLock(store, scheme=scheme, timeout=0.5):
                pass
        except BaseException as exc:  # collected for the main thread
            outcome.append(exc)

    worker = threading.Thread(target=take, daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "the lock loop ignored its own timeout"
    assert len(outcome) == 1 and isinstance(outcome[0], LockBusy)


def test_the_session_scheme_writes_openclaws_payload_with_the_process_start(store: Path) -> None:
    with FileLock(store, scheme=SESSION_STORE) as lock:
        payload = json.loads(lock.path.read_text())
        assert payload["pid"] == os.getpid() and payload["createdAt"].endswith("Z")
        assert payload["starttime"] == start_ticks(os.getpid())
    assert not lock.path.exists()
