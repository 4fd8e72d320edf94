"""Shared pytest fixtures."""

from __future__ import annotations

import itertools
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.fakeanthropic import FakeAnthropic
from tests.states import StateHome, load_state
from tests.support.processes import sleeping_process


# ---- a live process that is not us: a gateway's pid, a lock holder's --------------------------
@pytest.fixture
def child() -> Iterator[subprocess.Popen[bytes]]:
    """A live child process (killed after the test) to stand for a gateway or a lock holder."""
    with sleeping_process() as proc:
        yield proc


# ---- the write layer's journal and backups ----------------------------------------------------
@pytest.fixture
def triage_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """openclaw-triage's own state (journal, backups) in a temp dir, never the user's."""
    root = tmp_path / "triage-state"
    monkeypatch.setenv("OPENCLAW_TRIAGE_STATE_DIR", str(root))
    return root


# ---- oracle harness: committed OpenClaw states and the fake Anthropic server -----------------
# Owned by the oracle harness (tests/states.py, tests/fakeanthropic.py); keep it self-contained.
@pytest.fixture
def openclaw_state(tmp_path: Path) -> Callable[[str, str], StateHome]:
    """Load a committed state (`tests/fixtures/states/<era>/<scenario>`) into a private HOME:
    `openclaw_state("current-2026.9", "cooldown").state_dir`."""
    counter = itertools.count()

    def load(era: str, scenario: str) -> StateHome:
        return load_state(era, scenario, tmp_path / f"home-{next(counter)}-{scenario}")

    return load


@pytest.fixture
def fake_anthropic() -> Iterator[FakeAnthropic]:
    """A running fake Anthropic API; every credential gets 401 until `set_key` says otherwise."""
    with FakeAnthropic() as api:
        yield api


# ---- end oracle harness ------------------------------------------------------------------------
