"""`undo` without an id takes back the latest change on THIS install, never another one's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openclaw_triage import write
from openclaw_triage.openclaw.install import inspect_install
from openclaw_triage.openclaw.locate import Options
from openclaw_triage.write.errors import NothingToUndo
from tests import fakekeys
from tests.builders import LegacyHome, api_key_profile


def make(home: Path) -> Path:
    LegacyHome(home).config({}).store(
        {
            "profiles": {
                "anthropic:a": api_key_profile(fakekeys.api_key("a")),
                "anthropic:b": api_key_profile(fakekeys.api_key("b")),
            }
        }
    )
    return home


def install_of(home: Path):  # type: ignore[no-untyped-def]
    return inspect_install(
        Options(state_dir=str(home / ".openclaw"), openclaw="none"), env={"HOME": str(home), "PATH": ""}
    )


def order(home: Path) -> object:
    return json.loads((home / ".openclaw/agents/main/agent/auth-profiles.json").read_text()).get("order")


@pytest.fixture(autouse=True)
def journal_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENCLAW_TRIAGE_STATE_DIR", str(tmp_path / "journal"))


def test_undo_on_another_install_does_not_touch_the_first(tmp_path: Path) -> None:
    real, demo = make(tmp_path / "real"), make(tmp_path / "demo")
    write.set_order(install_of(real), "anthropic", ["anthropic:b", "anthropic:a"])
    assert order(real) == {"anthropic": ["anthropic:b", "anthropic:a"]}
    with pytest.raises(NothingToUndo, match="no change left to undo on"):
        write.undo(install=install_of(demo))
    assert order(real) == {"anthropic": ["anthropic:b", "anthropic:a"]}
    write.undo(install=install_of(real))
    assert order(real) is None
