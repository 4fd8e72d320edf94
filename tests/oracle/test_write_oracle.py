"""Oracle tests of the write layer: after our writes, the real OpenClaw sees exactly what we meant.

2026.3: we edit `auth-profiles.json` ourselves; `openclaw models auth order get --json` and
`models status --json` must show the intended order and keys, the file keeps its other
profiles, usage stats, unknown fields and mode, every undo restores it byte for byte, and our
writer racing the real `order set` loses nothing on either side. 2026.9: our writes are the real
CLI's writes; we check the resulting state the same way and that no secret ever appears in the
command line of any process the CLI starts. Scenarios are built once per session by the harness.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from openclaw_triage import write
from openclaw_triage.model import CredentialType, Era
from openclaw_triage.secret import Secret
from openclaw_triage.write import json_store
from openclaw_triage.write.json_store import Edit
from openclaw_triage.write.jsonfmt import dump_store
from tests import fakekeys
from tests.oracle.conftest import Built, OracleStates
from tests.oracle.write_support import Home, label, watching_cli
from tests.states import secret_fragments

pytestmark = [pytest.mark.oracle, pytest.mark.usefixtures("triage_state")]

NEW = fakekeys.api_key("oracle-write-new")
BACKUP = fakekeys.api_key("oracle-write-backup")
TOKEN = fakekeys.oauth_token("oracle-write")
STORE = Path("agents/main/agent/auth-profiles.json")


@pytest.fixture(scope="session")
def legacy(oracle_states: OracleStates) -> Built:
    """2026.3: two API-key profiles, one in cooldown, one disabled (usageStats to keep)."""
    return oracle_states.get("legacy-2026.3", "cooldown")


@pytest.fixture(scope="session")
def current(oracle_states: OracleStates) -> Built:
    """2026.9: onboarded with one API key in the shared (state DB) store."""
    return oracle_states.get("current-2026.9", "one_api_key")


def _leaks(text: str, *secrets: str) -> list[str]:
    return [f for s in secrets for f in secret_fragments(s) if f in text]


def _journal_text(root: Path) -> str:
    return "\n".join(p.read_text() for p in sorted((root / "journal").glob("*.json")))


# --------------------------------------------------------------------------- 2026.3


def test_legacy_writes_are_what_openclaw_reads(legacy: Built, tmp_path: Path, triage_state: Path) -> None:
    h = Home(legacy, tmp_path / "home")
    store = h.state_dir / STORE
    data = json.loads(store.read_text())
    data["profiles"]["anthropic:default"]["x-note"] = "an unknown profile field"
    data["x-triage-test"] = {"kept": True}
    store.write_bytes(dump_store(data))
    original = store.read_bytes()
    base, backup = legacy.secrets["base_key"], legacy.secrets["backup_key"]
    install = h.inspect()
    assert install.era is Era.JSON

    changes = [write.set_order(install, "anthropic", ["anthropic:backup", "anthropic:default"])]
    assert h.order() == ["anthropic:backup", "anthropic:default"]

    changes.append(write.set_key(install, "anthropic", "anthropic:default", Secret(NEW), type=CredentialType.API_KEY))
    changes.append(write.set_key(install, "anthropic", "anthropic:manual", Secret(TOKEN), type=CredentialType.TOKEN))
    assert h.status()["anthropic"] == [
        label("anthropic:default", NEW) + " [cooldown]",
        label("anthropic:backup", backup) + " [disabled:auth_permanent]",
        label("anthropic:manual", TOKEN, token=True),
    ]
    now = json.loads(store.read_text())
    assert now["usageStats"] == data["usageStats"]
    assert now["x-triage-test"] == {"kept": True}
    assert now["profiles"]["anthropic:default"]["x-note"] == "an unknown profile field"
    assert stat.S_IMODE(store.stat().st_mode) == 0o600

    changes.append(write.clear_order(install, "anthropic"))
    assert h.order() is None

    for _ in changes:
        write.undo()
    assert store.read_bytes() == original
    assert h.status()["anthropic"] == [
        label("anthropic:default", base) + " [cooldown]",
        label("anthropic:backup", backup) + " [disabled:auth_permanent]",
    ]
    text = json.dumps([[c.summary, c.notes] for c in changes]) + _journal_text(triage_state)
    assert not _leaks(text, NEW, TOKEN, base, backup)


def test_legacy_writer_races_the_real_order_set(legacy: Built, tmp_path: Path) -> None:
    """Our writes land while the real `openclaw models auth order set` runs: neither loses the other's."""
    h = Home(legacy, tmp_path / "home")
    store = h.state_dir / STORE
    data = json.loads(store.read_text())
    data["x-top-level"] = "kept by us"
    store.write_bytes(dump_store(data))

    def bump(data: dict[str, Any]) -> Edit:
        profile = data["profiles"]["anthropic:default"]
        profile["x-race"] = profile.get("x-race", 0) + 1
        return Edit(True, "bump")

    ours = 0
    rounds = [
        ["anthropic:backup", "anthropic:default"],
        ["anthropic:default", "anthropic:backup"],
        ["anthropic:backup"],
    ]
    for wanted in rounds:
        proc = subprocess.Popen(
            [h.cli, "models", "auth", "order", "set", "--provider", "anthropic", *wanted],
            env=h.env,
            cwd=h.home,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        while proc.poll() is None:
            json_store.apply(store, bump)
            ours += 1
            time.sleep(0.005)
        out, err = proc.communicate()
        assert proc.returncode == 0, err[-2000:]
        assert "Order override: " + ", ".join(wanted) in out
        data = json.loads(store.read_text())
        assert data["order"] == {"anthropic": wanted}, "our writes lost OpenClaw's order"
        assert data["profiles"]["anthropic:default"]["x-race"] == ours, "OpenClaw's write lost ours"
        assert data["profiles"]["anthropic:default"]["key"] == legacy.secrets["base_key"]
        assert not (store.parent / "auth-profiles.json.lock").exists()
        # FACTS 2026.3 §3: OpenClaw's own writer keeps only its five top-level keys.
        assert "x-top-level" not in data
    assert ours > 50


# --------------------------------------------------------------------------- 2026.9


def test_current_writes_go_through_the_real_cli(
    current: Built, tmp_path: Path, triage_state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = Home(current, tmp_path / "home")
    base = current.secrets["base_key"]
    install = h.inspect()
    assert install.era is Era.SQLITE
    said: list[str] = []
    with watching_cli(monkeypatch) as watcher:
        changes = [
            write.set_key(
                install,
                "anthropic",
                "anthropic:backup",
                Secret(BACKUP),
                type=CredentialType.API_KEY,
                progress=said.append,
            ),
            write.set_order(install, "anthropic", ["anthropic:backup", "anthropic:default"], progress=said.append),
            write.set_key(
                install, "anthropic", "anthropic:manual", Secret(TOKEN), type=CredentialType.TOKEN, progress=said.append
            ),
        ]
        assert h.order() == ["anthropic:backup", "anthropic:default"]
        assert sorted(h.status()["anthropic"]) == sorted(
            [
                label("anthropic:default", base),
                label("anthropic:backup", BACKUP),
                label("anthropic:manual", TOKEN, token=True),
            ]
        )
        changes.append(write.clear_order(install, "anthropic", progress=said.append))
        assert h.order() is None

        # The CLI's own refusal comes back as a WriteError carrying OpenClaw's words.
        with pytest.raises(write.CliFailed) as info:
            write.set_order(install, "anthropic", ["anthropic:nope"], validate=False)
        assert "anthropic:nope" in info.value.output

        undone = [write.undo(progress=said.append) for _ in changes]
    assert [u.action for u in undone] == ["undo"] * 4
    assert h.order() is None
    assert h.status()["anthropic"] == [label("anthropic:default", base)]

    # The secrets went in on stdin: no process the CLI started ever had one in its command line.
    cmdlines = [" ".join(c) for c in watcher.cmdlines]
    assert any("paste-api-key" in c for c in cmdlines) and any("paste-token" in c for c in cmdlines)
    assert not _leaks("\n".join(cmdlines), BACKUP, TOKEN, base)
    text = json.dumps([said, [[c.summary, c.notes] for c in [*changes, *undone]], str(info.value)])
    assert not _leaks(text + _journal_text(triage_state), BACKUP, TOKEN, base)
    for backup in (triage_state / "backups").glob("*"):
        assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert os.path.isdir(triage_state / "journal")
