"""Every release between the two ends, live: the order fix takes effect as that release sees it.

Each release builds `order_pinned_to_token` with its own CLI (an API key, a setup token, the
order pinned to the token: the seed thread's rotation). We read it, then clear and pin the order
through the write layer, the door the app's one-key fix uses, and ask that release's own
`models auth order get --json` after each step, then undo. 2026.4.29 to 2026.6.1 keep the order
in `auth-state.json`, 2026.6.5 on in a database only the CLI writes. The rest of each release's
states are committed and compared without Node (tests/test_fixture_labels.py).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from openclaw_triage import write
from openclaw_triage.diagnose.run import diagnose
from tests.oracle.conftest import OracleStates, mf
from tests.oracle.write_support import Home

pytestmark = [pytest.mark.oracle, pytest.mark.usefixtures("triage_state")]


@pytest.mark.parametrize("era", mf.RELEASE_ERAS)
def test_order_fix_takes_effect_as_the_release_sees_it(era: str, oracle_states: OracleStates, tmp_path: Path) -> None:
    h = Home(oracle_states.get(era, "order_pinned_to_token"), tmp_path / "home")
    assert h.order() == ["anthropic:manual"]
    diag = diagnose(h.inspect(), now_ms=time.time() * 1000, runtime=False)
    assert diag.orders["anthropic"].stored == ["anthropic:manual"], "we must see the override the release applies"
    assert diag.orders["anthropic"].effective[:1] == ["anthropic:manual"]

    cleared = write.clear_order(h.inspect(), "anthropic")
    assert cleared.changed
    assert h.order() is None

    pinned = write.set_order(h.inspect(), "anthropic", ["anthropic:default"])
    assert pinned.changed
    assert h.order() == ["anthropic:default"]
    after = diagnose(h.inspect(), now_ms=time.time() * 1000, runtime=False)
    assert after.orders["anthropic"].effective[:1] == ["anthropic:default"]

    write.undo(install=h.inspect())
    assert h.order() is None


@pytest.mark.parametrize("era", ["release-2026.6.5", "release-2026.8.2", "current-2026.9"])
def test_another_providers_key_is_saved_by_the_real_cli_and_undone(
    era: str, oracle_states: OracleStates, tmp_path: Path
) -> None:
    """The paste guard's write for an OpenRouter key on a SQLite release: `paste-api-key --provider
    openrouter` with the key on stdin; that release's `models status` must list it, masked as it
    masks it, and undo (`logout`) must take it away again."""
    from openclaw_triage.model import CredentialType
    from openclaw_triage.secret import Secret
    from tests import fakekeys

    h = Home(
        oracle_states.get(era, "order_pinned_to_token" if era != "current-2026.9" else "one_api_key"), tmp_path / "home"
    )
    key = fakekeys.openrouter_key(f"paste-{era}")
    change = write.set_key(h.inspect(), "openrouter", "openrouter:default", Secret(key), type=CredentialType.API_KEY)
    assert change.changed
    assert key not in change.summary + " ".join(change.notes)
    assert h.status().get("openrouter") == [f"openrouter:default={key[:8]}...{key[-8:]}"]
    if era == "release-2026.6.5":  # no `models auth logout` before 2026.8.1: a new profile stays
        assert not change.undoable and any("no `models auth logout`" in n for n in change.notes)
        return
    assert change.undoable
    write.undo(install=h.inspect())
    assert not h.status().get("openrouter")
