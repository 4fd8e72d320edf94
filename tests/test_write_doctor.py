"""The upgrade fix (`openclaw doctor --fix`) as one change: backed up, journaled first, undone exactly.

The real doctor runs in `tests/oracle/test_doctor_fix.py` on 2026.6.5, 2026.7.35 and 2026.8.2.
Here a stand-in `openclaw` does to the committed 2026.8.2 upgrade state what the real one was
seen doing (rename the JSON store aside, create the databases, rewrite `openclaw.json`), so the
write layer's promises can be tested where the real CLI cannot be made to misbehave: a later
change, a kill mid-run, a running gateway, a doctor that changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from openclaw_triage import write
from openclaw_triage.actions import DoctorFix
from openclaw_triage.diagnose.run import diagnose
from openclaw_triage.model import Install
from openclaw_triage.openclaw.install import inspect_install
from openclaw_triage.openclaw.locate import Options
from openclaw_triage.write.doctor import INTERRUPTED_NOTE
from openclaw_triage.write.errors import Conflict, Unsupported
from tests.gateway_fakes import write_lock
from tests.states import StateHome, load_state
from tests.support.cli import fake_openclaw, run_cli

pytestmark = pytest.mark.usefixtures("triage_state")

# What 2026.8.2's doctor was seen doing to this state (tests/oracle/test_doctor_fix.py proves it).
DOCTOR = """#!/bin/sh
set -e
PATH=/usr/bin:/bin
[ "$1 $2 $3" = "doctor --fix --non-interactive" ] || exit 2
[ -n "$DOCTOR_NOOP" ] && exit 0
a=agents/main/agent
mv $a/auth-profiles.json $a/auth-profiles.json.migrated-test
mv $a/auth-state.json $a/auth-state.json.migrated-test
mkdir -p state plugin-skills/canvas
printf 'SQLite format 3\\000imported' > state/openclaw.sqlite
printf 'agent db' > $a/openclaw-agent.sqlite
printf '{"doctored": true}\\n' > openclaw.json
[ -n "$DOCTOR_HANG" ] && { echo $$ > "$DOCTOR_HANG"; exec sleep 60; }
exit "${DOCTOR_RC:-0}"
"""


def _tree(root: Path) -> dict[str, tuple[str, int]]:
    """Every file under `root`: its content digest (a link's target) and mode."""
    out = {}
    for path in sorted(root.rglob("*")):
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode):
            out[str(path.relative_to(root))] = ("link:" + os.readlink(path), 0)
        elif stat.S_ISREG(st.st_mode):
            out[str(path.relative_to(root))] = (hashlib.sha256(path.read_bytes()).hexdigest(), stat.S_IMODE(st.st_mode))
    return out


class Upgraded:
    """The committed 2026.5.28 store under 2026.8.2, and a stand-in 2026.8.2 `openclaw`."""

    def __init__(self, tmp: Path, **env: str) -> None:
        self.state: StateHome = load_state("release-2026.8.2", "upgraded_in_place", tmp / "home")
        self.cli = fake_openclaw(tmp / "bin", "2026.8.2")
        Path(self.cli).write_text(DOCTOR)
        self.env = {"HOME": str(self.state.home), "PATH": os.environ["PATH"], **env}
        self.root = self.state.state_dir

    def inspect(self) -> Install:
        return inspect_install(Options(openclaw=self.cli), env=self.env)

    def codes(self) -> set[str]:
        return {f.code for f in diagnose(self.inspect(), now_ms=time.time() * 1000, runtime=False).findings}


def test_the_upgrade_findings_offer_the_doctor_as_their_fix(tmp_path: Path) -> None:
    home = Upgraded(tmp_path)
    found = diagnose(home.inspect(), now_ms=time.time() * 1000, runtime=False).findings
    offered = {f.code for f in found if isinstance(f.action, DoctorFix)}
    assert {"store.legacy_unmigrated", "config.rejected", "order.empty"} <= offered
    rejected = next(f for f in found if f.code == "config.rejected")
    assert rejected.to_json()["action"]["kind"] == "openclaw.doctor_fix"


def test_the_doctor_runs_backed_up_and_undo_puts_the_state_dir_back_exactly(tmp_path: Path) -> None:
    home = Upgraded(tmp_path)
    os.chmod(home.root / "openclaw.json", 0o640)
    before = _tree(home.root)
    change = write.apply(home.inspect(), DoctorFix())
    assert change.changed and change.undoable
    assert "changed or moved" in change.summary and "created" in change.summary
    assert not (home.root / "agents/main/agent/auth-profiles.json").exists()
    assert (home.root / "state/openclaw.sqlite").exists()

    backup = Path(change.backup or "")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o700
    kept = {str(p.relative_to(backup / "files")) for p in (backup / "files").rglob("*") if p.is_file()}
    assert kept == {"openclaw.json", "agents/main/agent/auth-profiles.json", "agents/main/agent/auth-state.json"}
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in (backup / "files").rglob("*") if p.is_file())

    entry = write.history()[0]
    text = json.dumps(entry.to_json())
    assert all(secret not in text for secret in home.state.secrets.values())

    undone = write.undo(install=home.inspect())
    assert "back as it was before openclaw doctor --fix" in undone.summary
    assert _tree(home.root) == before, "every file as it was, modes included; nothing the doctor made is left"
    assert not (home.root / "state").exists() and not (home.root / "plugin-skills").exists()
    assert "store.legacy_unmigrated" in home.codes()


def test_undo_refuses_when_a_file_the_doctor_wrote_changed_since(tmp_path: Path) -> None:
    home = Upgraded(tmp_path)
    write.apply(home.inspect(), DoctorFix())
    (home.root / "openclaw.json").write_text('{"edited": "later"}\n')
    with pytest.raises(Conflict, match=r"openclaw\.json"):
        write.undo(install=home.inspect())
    assert (home.root / "openclaw.json").read_text() == '{"edited": "later"}\n', "a refused undo changes nothing"
    write.undo(install=home.inspect(), force=True)
    assert (home.root / "agents/main/agent/auth-profiles.json").exists()


def test_a_doctor_that_changes_nothing_leaves_no_change_and_no_backup(tmp_path: Path, triage_state: Path) -> None:
    home = Upgraded(tmp_path, DOCTOR_NOOP="1")
    before = _tree(home.root)
    change = write.apply(home.inspect(), DoctorFix())
    assert not change.changed and "nothing to repair" in change.summary
    assert _tree(home.root) == before
    assert write.history() == []
    assert not any((triage_state / "backups").glob("*.statedir"))


def test_refused_while_a_gateway_of_the_install_runs(tmp_path: Path) -> None:
    home = Upgraded(tmp_path)
    write_lock(home.root / "tmp", home.root / "openclaw.json", os.getpid())
    before = _tree(home.root)
    with pytest.raises(Unsupported, match="gateway of this install is running"):
        write.apply(home.inspect(), DoctorFix())
    assert _tree(home.root) == before and write.history() == []


def test_refused_on_a_release_that_reads_its_json_store(tmp_path: Path) -> None:
    state = load_state("release-2026.5.28", "order_pinned_to_token", tmp_path / "home")
    cli = fake_openclaw(tmp_path / "bin", "2026.5.28")
    install = inspect_install(Options(openclaw=cli), env={"HOME": str(state.home), "PATH": os.environ["PATH"]})
    with pytest.raises(Unsupported, match="nothing for `openclaw doctor --fix` to import"):
        write.apply(install, DoctorFix())


def test_a_kill_while_the_doctor_runs_leaves_a_change_undo_can_reach(tmp_path: Path, triage_state: Path) -> None:
    marker = tmp_path / "doctor-running"
    home = Upgraded(tmp_path, DOCTOR_HANG=str(marker))
    before = _tree(home.root)
    code = (
        "import os, sys\n"
        "from openclaw_triage import write\n"
        "from openclaw_triage.actions import DoctorFix\n"
        "from openclaw_triage.openclaw.install import inspect_install\n"
        "from openclaw_triage.openclaw.locate import Options\n"
        f"env = {home.env!r}\n"
        f"write.apply(inspect_install(Options(openclaw={home.cli!r}), env=env), DoctorFix())\n"
    )
    env = {**os.environ, "OPENCLAW_TRIAGE_STATE_DIR": str(triage_state)}
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while not marker.exists() or not marker.read_text().strip():
            assert proc.poll() is None and time.monotonic() < deadline, "the stand-in doctor never started"
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
        os.kill(int(marker.read_text()), signal.SIGKILL)  # the doctor runs in a session of its own
    finally:
        proc.wait(timeout=10)
    [entry] = write.history()
    assert INTERRUPTED_NOTE in entry.notes
    with pytest.raises(Conflict, match=r"interrupted.*removes the \d+ made since \(.*openclaw\.sqlite"):
        write.undo(install=home.inspect())
    write.undo(install=home.inspect(), force=True)
    assert _tree(home.root) == before


def test_the_command_line_runs_it_and_undoes_it(tmp_path: Path, triage_state: Path) -> None:
    home = Upgraded(tmp_path)
    env = {"OPENCLAW_TRIAGE_STATE_DIR": str(triage_state)}
    ran = run_cli(home.state.home, "--openclaw", home.cli, "doctor-fix", env=env)
    assert ran.returncode == 0, ran.stderr
    assert "Ran openclaw doctor --fix (2026.8.2)" in ran.stdout
    assert all(secret not in ran.stdout + ran.stderr for secret in home.state.secrets.values())
    undone = run_cli(home.state.home, "--openclaw", home.cli, "undo", env=env)
    assert undone.returncode == 0, undone.stderr
    assert (home.root / "agents/main/agent/auth-profiles.json").exists()


def test_a_file_that_cannot_be_backed_up_stops_the_fix_before_the_doctor_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk that fills while the state dir is copied: an unbacked file would later look like one
    the doctor made, and undo would remove it. The fix is refused and nothing runs."""
    import errno
    import shutil

    home = Upgraded(tmp_path)
    (home.root / "credentials").mkdir()
    (home.root / "credentials/whatsapp-creds.json").write_text('{"session": "the only copy"}')
    before = _tree(home.root)
    real = shutil.copyfile

    def disk_full(src: object, dst: object, *args: object, **kwargs: object) -> object:
        if str(src).endswith("whatsapp-creds.json"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, dst, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(shutil, "copyfile", disk_full)
    with pytest.raises(Unsupported, match="cannot be backed up"):
        write.apply(home.inspect(), DoctorFix())
    assert _tree(home.root) == before and write.history() == []


def test_an_edited_journal_cannot_steer_undo_outside_the_state_dir(tmp_path: Path) -> None:
    from openclaw_triage.write import journal
    from openclaw_triage.write.errors import UndoRefused

    home = Upgraded(tmp_path)
    victim = tmp_path / "outside.txt"
    victim.write_text("not OpenClaw's")
    write.apply(home.inspect(), DoctorFix())
    entry = write.history()[0]
    path = journal.journal_dir() / f"{entry.id}.json"
    data = json.loads(path.read_text())
    data["undo"]["created"].append("../../outside.txt")
    path.write_text(json.dumps(data))
    with pytest.raises(UndoRefused, match="outside"):
        write.undo(install=home.inspect())
    assert victim.read_text() == "not OpenClaw's"


def test_refused_when_the_agent_dir_lies_outside_the_state_dir(tmp_path: Path) -> None:
    """The doctor writes there too, and the backup covers the state dir only."""
    import shutil

    home = Upgraded(tmp_path)
    elsewhere = tmp_path / "elsewhere-agents"
    shutil.move(str(home.root / "agents"), elsewhere)
    os.symlink(elsewhere, home.root / "agents")
    with pytest.raises(Unsupported, match="outside"):
        write.apply(home.inspect(), DoctorFix())
    assert (elsewhere / "main/agent/auth-profiles.json").exists() and write.history() == []
