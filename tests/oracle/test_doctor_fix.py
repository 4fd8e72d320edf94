"""The upgrade fix, live: each SQLite release's own `openclaw doctor --fix`, through the write layer.

A store 2026.5.28 wrote (an API key, a setup token, the order pinned to the token), upgraded in
place: 2026.6.5 and 2026.7.35 read it as empty, 2026.8.2 refuses every auth command and the
config as well. The app's one-key fix runs the release's own doctor; afterwards that release's
`order get` and `models status` must see both profiles and the order, and our reading must agree
(no store error left). Undo must give the state dir back as it was (OpenClaw's logs and lock
files aside, which every command of it writes), and the release must again see what it saw.
"""

from __future__ import annotations

import hashlib
import stat
import subprocess
import time
from pathlib import Path

import pytest

from openclaw_triage import write
from openclaw_triage.actions import DoctorFix
from openclaw_triage.diagnose.run import diagnose
from tests.oracle.conftest import OracleStates
from tests.oracle.write_support import Home

pytestmark = [pytest.mark.oracle, pytest.mark.usefixtures("triage_state")]

SQLITE_RELEASES = ("release-2026.6.5", "release-2026.7.35", "release-2026.8.2")


def _tree(root: Path) -> dict[str, str]:
    """Content digests of everything but OpenClaw's logs and lock files."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if rel.parts[0] in ("logs", "tmp"):
            continue
        st = path.lstat()
        if stat.S_ISREG(st.st_mode):
            out[str(rel)] = hashlib.sha256(path.read_bytes()).hexdigest() + f" {stat.S_IMODE(st.st_mode):o}"
        elif stat.S_ISDIR(st.st_mode):
            out[str(rel) + "/"] = "dir"
    return out


def _order_or_refusal(h: Home) -> list[str] | str | None:
    proc: subprocess.CompletedProcess[str] = h.openclaw(
        "models", "auth", "order", "get", "--provider", "anthropic", "--json", check=False
    )
    if proc.returncode != 0:
        return "refused: " + ("doctor --fix" if "doctor --fix" in proc.stdout + proc.stderr else proc.stderr[-200:])
    return h.order()


@pytest.mark.parametrize("era", SQLITE_RELEASES)
def test_the_upgrade_fix_imports_the_old_store_and_undo_gives_it_back(
    era: str, oracle_states: OracleStates, tmp_path: Path
) -> None:
    h = Home(oracle_states.get(era, "upgraded_in_place"), tmp_path / "home")
    seen_before = _order_or_refusal(h)
    assert seen_before in (None, [], "refused: doctor --fix"), "the release does not see the old store's order"
    install = h.inspect()
    found = diagnose(install, now_ms=time.time() * 1000, runtime=False).findings
    fix = next(f.action for f in found if f.code == "store.legacy_unmigrated")
    assert isinstance(fix, DoctorFix)
    before = _tree(h.state_dir)

    change = write.apply(install, fix)
    assert change.changed and change.undoable
    assert h.order() == ["anthropic:manual"], "the release now applies the order the old store pinned"
    labels = " ".join(h.status().get("anthropic", []))
    assert "anthropic:default" in labels and "anthropic:manual" in labels
    after = diagnose(h.inspect(), now_ms=time.time() * 1000, runtime=False)
    codes = {f.code for f in after.findings}
    assert not codes & {"store.legacy_unmigrated", "config.rejected", "order.empty", "order.missing_profile"}
    assert set(after.agent.effective.profiles) == {"anthropic:default", "anthropic:manual"}
    assert after.orders["anthropic"].effective[:1] == ["anthropic:manual"]

    write.undo(install=h.inspect())
    assert _tree(h.state_dir) == before, "undo gives back every file the doctor changed, and removes what it made"
    assert _order_or_refusal(h) == seen_before
    assert "store.legacy_unmigrated" in {
        f.code for f in diagnose(h.inspect(), now_ms=time.time() * 1000, runtime=False).findings
    }


def test_the_doctor_removes_the_profile_2026_8_retired_and_undo_brings_it_back(
    oracle_states: OracleStates, tmp_path: Path
) -> None:
    """2026.8.2 over its own state with a token pasted as anthropic:claude-cli: the doctor removes
    that profile (the Claude CLI's own login untouched); undo puts it back."""
    h = Home(oracle_states.get("release-2026.8.2", "claude_cli_retired"), tmp_path / "home")

    def ids() -> list[str]:
        return sorted(label.split("=", 1)[0] for label in h.status().get("anthropic", []))

    assert ids() == ["anthropic:claude-cli", "anthropic:manual"]
    found = diagnose(h.inspect(), now_ms=time.time() * 1000, runtime=False).findings
    fix = next(f.action for f in found if f.code == "profile.retired")
    assert isinstance(fix, DoctorFix)

    write.apply(h.inspect(), fix)
    assert ids() == ["anthropic:manual"]
    after = diagnose(h.inspect(), now_ms=time.time() * 1000, runtime=False)
    assert "profile.retired" not in {f.code for f in after.findings}
    assert after.orders["anthropic"].effective[:1] == ["anthropic:manual"]

    write.undo(install=h.inspect())
    assert ids() == ["anthropic:claude-cli", "anthropic:manual"]


def test_undo_of_the_upgrade_fix_refuses_once_a_key_was_saved_into_the_imported_store(
    oracle_states: OracleStates, tmp_path: Path
) -> None:
    """A key pasted after the doctor lives only in the databases it made: a plain undo would drop it."""
    from openclaw_triage.model import CredentialType
    from openclaw_triage.secret import Secret
    from openclaw_triage.write.errors import Conflict
    from tests import fakekeys

    h = Home(oracle_states.get("release-2026.8.2", "upgraded_in_place"), tmp_path / "home")
    fixed = write.apply(h.inspect(), DoctorFix())
    key = fakekeys.api_key("after-the-doctor")
    write.set_key(h.inspect(), "anthropic", "anthropic:later", Secret(key), type=CredentialType.API_KEY)
    with pytest.raises(Conflict, match="credentials"):
        write.undo(fixed.id, install=h.inspect())
    assert "anthropic:later" in " ".join(h.status().get("anthropic", []))
