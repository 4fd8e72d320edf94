"""Storage layouts by release, without Node: which layout a release or a set of files means, how
2026.4.7+ merges `auth-state.json` over the store, and where our order writes land.

The layouts themselves were measured with the real CLIs (tests/oracle/test_releases.py and the
committed `release-*` states); these pin the rules between the measured points.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from openclaw_triage import write
from openclaw_triage.actions import DoctorFix
from openclaw_triage.diagnose.run import diagnose
from openclaw_triage.model import Era, LegacyJson
from openclaw_triage.openclaw import layouts
from openclaw_triage.openclaw.install import disk_layout, inspect_install
from openclaw_triage.openclaw.locate import Options
from tests import fakekeys
from tests.builders import LegacyHome, api_key_profile, token_profile, write_json
from tests.states import StateHome
from tests.support.cli import fake_openclaw

KEY = fakekeys.api_key("layouts")
TOKEN = fakekeys.oauth_token("layouts")
AGENT = Path("agents/main/agent")


@pytest.mark.parametrize(
    ("release", "key", "era"),
    [
        ((2026, 3, 13), "json", Era.JSON),
        ((2026, 4, 5), "json", Era.JSON),
        ((2026, 4, 7), "json+state", Era.JSON),
        ((2026, 6, 1), "json+state", Era.JSON),  # still JSON: it only creates an empty state database
        ((2026, 6, 5), "agent-db", Era.SQLITE),  # the first SQLite release
        ((2026, 7, 35), "agent-db", Era.SQLITE),
        ((2026, 8, 1), "state-db", Era.SQLITE),
        ((2026, 9, 6), "state-db", Era.SQLITE),
        ((2027, 1, 1), "state-db", Era.SQLITE),
    ],
)
def test_each_release_has_its_layout(release: tuple[int, int, int], key: str, era: Era) -> None:
    layout = layouts.for_release(release)
    assert (layout.key, layout.era) == (key, era)


def test_what_a_leftover_json_store_does_follows_the_release() -> None:
    assert layouts.for_release((2026, 6, 5)).legacy_json is LegacyJson.IGNORED
    assert layouts.for_release((2026, 8, 2)).legacy_json is LegacyJson.FAILS_CLOSED


@pytest.mark.parametrize(
    ("release", "model"),
    [
        ((2026, 3, 13), "anthropic/claude-opus-4-6"),
        ((2026, 4, 22), "openai/gpt-5.4"),
        ((2026, 5, 28), "openai/gpt-5.5"),
        ((2026, 7, 35), "openai/gpt-5.5"),
        ((2026, 8, 2), "openai/gpt-5.6-sol"),
        ((2026, 9, 6), "openai/gpt-6-astra"),
    ],
)
def test_openclaws_own_default_model_by_release(release: tuple[int, int, int], model: str) -> None:
    assert layouts.default_model(release, layouts.for_release(release).era) == model


def _json_home(tmp_path: Path, version: str, order_in_store: list[str] | None = None) -> LegacyHome:
    home = LegacyHome(tmp_path)
    home.config({"meta": {"lastTouchedVersion": version}})
    store: dict[str, object] = {
        "profiles": {"anthropic:default": api_key_profile(KEY), "anthropic:manual": token_profile(TOKEN)}
    }
    if order_in_store:
        store["order"] = {"anthropic": order_in_store}
    home.store(store)
    return home


def _install(home: LegacyHome):  # type: ignore[no-untyped-def]
    return inspect_install(Options(state_dir=str(home.state), openclaw="none"), env={"HOME": str(home.home)})


def test_the_files_tell_the_layout(tmp_path: Path) -> None:
    home = _json_home(tmp_path / "a", "2026.3.13")
    assert disk_layout(home.state) is layouts.BY_KEY["json"]
    write_json(home.state / AGENT / "auth-state.json", {"version": 1, "order": {"anthropic": ["anthropic:manual"]}})
    assert disk_layout(home.state) is layouts.BY_KEY["json+state"]
    # 2026.6.1's empty state database (schema version 1) beside its JSON stores says nothing.
    db = home.state / "state" / "openclaw.sqlite"
    db.parent.mkdir()
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 1")
    assert disk_layout(home.state) is layouts.BY_KEY["json+state"]
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 18")
    assert disk_layout(home.state) is layouts.BY_KEY["state-db"]


def test_auth_state_json_wins_per_provider_and_an_older_order_still_counts(tmp_path: Path) -> None:
    home = _json_home(tmp_path, "2026.5.28", order_in_store=["anthropic:default"])
    write_json(
        home.state / AGENT / "auth-state.json",
        {"version": 1, "order": {"openai": ["openai:default"]}, "usageStats": {"anthropic:manual": {"errorCount": 2}}},
    )
    install = _install(home)
    assert install.layout is layouts.BY_KEY["json+state"]
    store = install.agent.effective
    assert store.order == {"anthropic": ["anthropic:default"], "openai": ["openai:default"]}
    assert install.agent.order_origin["anthropic"] == "main"
    assert install.agent.order_origin["openai"] == "main auth-state.json"
    assert store.usage["anthropic:manual"].error_count == 2

    write_json(home.state / AGENT / "auth-state.json", {"version": 1, "order": {"anthropic": ["anthropic:manual"]}})
    diag = diagnose(_install(home), now_ms=time.time() * 1000, runtime=False)
    assert diag.orders["anthropic"].stored == ["anthropic:manual"]


def test_without_a_cli_the_newer_of_the_stamp_and_the_files_decides(tmp_path: Path) -> None:
    # 2026.3.13 wrote the config; a later release wrote auth-state.json (an `order set` after an
    # upgrade does not touch the config): that later release is the one in use.
    home = _json_home(tmp_path / "a", "2026.3.13")
    write_json(home.state / AGENT / "auth-state.json", {"version": 1, "order": {"anthropic": ["anthropic:manual"]}})
    install = _install(home)
    assert install.layout is layouts.BY_KEY["json+state"]
    assert install.agent.effective.order == {"anthropic": ["anthropic:manual"]}
    # 2026.5.28 wrote the config and no order yet: its layout, though the files alone look like 2026.3's.
    assert _install(_json_home(tmp_path / "b", "2026.5.28")).layout is layouts.BY_KEY["json+state"]


def test_a_broken_auth_state_json_is_said_and_gives_no_order(tmp_path: Path) -> None:
    home = _json_home(tmp_path, "2026.5.28")
    (home.state / AGENT / "auth-state.json").write_text('{"order": ', encoding="utf-8")
    diag = diagnose(_install(home), now_ms=time.time() * 1000, runtime=False)
    broken = [f for f in diag.findings if f.code == "store.parse_error"]
    assert broken and "auth-state.json" in broken[0].subject
    assert diag.orders["anthropic"].stored is None


@pytest.mark.usefixtures("triage_state")
def test_pin_and_clear_write_where_2026_5_reads_the_order(tmp_path: Path) -> None:
    home = _json_home(tmp_path, "2026.5.28", order_in_store=["anthropic:manual"])  # left by 2026.3
    store = home.state / AGENT / "auth-profiles.json"
    state = home.state / AGENT / "auth-state.json"

    write.set_order(_install(home), "anthropic", ["anthropic:default", "anthropic:manual"])
    assert json.loads(state.read_text())["order"] == {"anthropic": ["anthropic:default", "anthropic:manual"]}
    assert json.loads(store.read_text())["order"] == {"anthropic": ["anthropic:manual"]}  # untouched
    assert diagnose(_install(home), now_ms=0, runtime=False).orders["anthropic"].stored == [
        "anthropic:default",
        "anthropic:manual",
    ]

    with pytest.raises(write.WriteError):  # an id the agent does not have, as `order set` refuses
        write.set_order(_install(home), "anthropic", ["anthropic:nope"])

    cleared = write.clear_order(_install(home), "anthropic")
    assert cleared.changed
    # Both: the state file's order, and the older one in the store that would otherwise apply.
    assert "order" not in json.loads(state.read_text())
    assert "order" not in json.loads(store.read_text())
    assert diagnose(_install(home), now_ms=0, runtime=False).orders["anthropic"].stored is None
    assert any("undoing this change alone" in note for note in cleared.notes)

    write.undo(install=_install(home))  # the latest change: the state file's
    assert diagnose(_install(home), now_ms=0, runtime=False).orders["anthropic"].stored == [
        "anthropic:default",
        "anthropic:manual",
    ]


def test_a_cli_older_than_the_files_is_said_and_so_is_an_upgrade(tmp_path: Path) -> None:
    home = _json_home(tmp_path / "home", "2026.5.28")
    write_json(home.state / AGENT / "auth-state.json", {"version": 1, "order": {"anthropic": ["anthropic:manual"]}})
    env = {"HOME": str(home.home)}

    older = inspect_install(Options(state_dir=str(home.state), openclaw=fake_openclaw(tmp_path, "2026.3.13")), env=env)
    assert older.layout is layouts.BY_KEY["json"] and older.layout_on_disk is layouts.BY_KEY["json+state"]
    mismatch = [f for f in diagnose(older, now_ms=0, runtime=False).findings if f.code == "version.era_mismatch"]
    assert mismatch and "written by a newer release" in mismatch[0].message
    assert older.agent.effective.order == {}  # 2026.3.13 does not read auth-state.json

    newer = inspect_install(Options(state_dir=str(home.state), openclaw=fake_openclaw(tmp_path, "2026.7.35")), env=env)
    mismatch = [f for f in diagnose(newer, now_ms=0, runtime=False).findings if f.code == "version.era_mismatch"]
    assert mismatch and "written by an older release" in mismatch[0].message
    legacy = [f for f in diagnose(newer, now_ms=0, runtime=False).findings if f.code == "store.legacy_unmigrated"]
    assert legacy and "2026.7.35 ignores it without a word" in legacy[0].message

    same_era = inspect_install(
        Options(state_dir=str(home.state), openclaw=fake_openclaw(tmp_path, "2026.6.1")), env=env
    )
    assert "version.era_mismatch" not in {f.code for f in diagnose(same_era, now_ms=0, runtime=False).findings}


def test_an_upgrade_that_moved_the_default_model_is_said(
    tmp_path: Path, openclaw_state: Callable[[str, str], StateHome]
) -> None:
    # Made by the real 2026.3.13 (onboard with an API key, no model set), read by 2026.4.29, whose
    # own `models status` then names openai/gpt-5.5 as the model in use.
    state = openclaw_state("release-2026.4.29", "upgraded_in_place")
    assert state.expected["models-status.json"]["resolvedDefault"] == "openai/gpt-5.5"
    options = Options(state_dir=str(state.state_dir), openclaw=fake_openclaw(tmp_path, "2026.4.29"))
    diag = diagnose(inspect_install(options, env={"HOME": str(state.home)}), now_ms=0, runtime=False)
    moved = [f for f in diag.findings if f.code == "model.default_changed"]
    assert moved and "anthropic/claude-opus-4-6" in moved[0].message and "openai/gpt-5.5" in moved[0].message
    assert moved[0].fix and "openclaw models set anthropic/claude-opus-4-6" in moved[0].fix
    # The same state read by the release that made it: nothing moved.
    options = Options(state_dir=str(state.state_dir), openclaw=fake_openclaw(tmp_path, "2026.3.13"))
    diag = diagnose(inspect_install(options, env={"HOME": str(state.home)}), now_ms=0, runtime=False)
    assert "model.default_changed" not in {f.code for f in diag.findings}


@pytest.mark.usefixtures("triage_state")
def test_removing_a_profile_on_2026_5_takes_its_order_and_cooldowns_out_of_auth_state_json(tmp_path: Path) -> None:
    home = _json_home(tmp_path, "2026.5.28")
    state = home.state / AGENT / "auth-state.json"
    write_json(
        state,
        {
            "version": 1,
            "order": {"anthropic": ["anthropic:manual", "anthropic:default"]},
            "usageStats": {"anthropic:manual": {"errorCount": 1}},
        },
    )
    write.remove_profile(_install(home), "anthropic:manual")
    left = json.loads(state.read_text())
    assert left["order"] == {"anthropic": ["anthropic:default"]} and "anthropic:manual" not in left["usageStats"]
    assert "anthropic:manual" not in json.loads((home.state / AGENT / "auth-profiles.json").read_text())["profiles"]
    write.undo(install=_install(home))  # the profile comes back first ...
    write.undo(install=_install(home))  # ... then its order and cooldowns
    assert json.loads(state.read_text())["order"] == {"anthropic": ["anthropic:manual", "anthropic:default"]}


@pytest.mark.parametrize(
    ("era", "retired", "first"),
    [
        ("release-2026.7.35", False, "anthropic:claude-cli"),  # the id still works on 2026.7.35
        ("release-2026.8.2", True, "anthropic:manual"),  # 2026.8.1 retired it: skipped in every order
    ],
)
def test_a_retired_claude_cli_profile_is_skipped_from_2026_8_1_and_the_doctor_offered(
    era: str, retired: bool, first: str, openclaw_state: Callable[[str, str], StateHome], tmp_path: Path
) -> None:
    """The state each release's own CLI made: a token pasted as anthropic:claude-cli, another as
    anthropic:manual, the order set to claude-cli first (`order get` lists both on both releases)."""
    state = openclaw_state(era, "claude_cli_retired")
    cli = fake_openclaw(tmp_path / "bin", state.scenario["openclawVersion"])
    install = inspect_install(Options(openclaw=cli), env={"HOME": str(state.home), "PATH": ""})
    diag = diagnose(install, now_ms=time.time() * 1000, runtime=False)
    order = diag.orders["anthropic"]
    assert order.stored == ["anthropic:claude-cli", "anthropic:manual"]
    assert order.effective[:1] == [first]
    findings = [f for f in diag.findings if f.code == "profile.retired"]
    if not retired:
        assert not findings
        return
    assert order.excluded["anthropic:claude-cli"].reason == "retired"
    [finding] = findings
    assert "2026.8.2 retired that id (since 2026.8.1)" in finding.message
    assert "Auth profile" in finding.message and "is retired. Run openclaw doctor --fix." in finding.message
    assert isinstance(finding.action, DoctorFix)


@pytest.mark.usefixtures("triage_state")
def test_clearing_an_agents_order_on_2026_5_names_the_order_it_inherits_from_mains_auth_state_json(
    tmp_path: Path,
) -> None:
    """Main's order lives in its auth-state.json from 2026.4.7 (over an older one in its store):
    the note says the order the agent really falls back to, not the one the state file hides."""
    home = _json_home(tmp_path, "2026.5.28", order_in_store=["anthropic:default"])  # left by 2026.3
    home.config({"meta": {"lastTouchedVersion": "2026.5.28"}, "agents": {"list": [{"id": "main"}, {"id": "work"}]}})
    write_json(home.state / AGENT / "auth-state.json", {"version": 1, "order": {"anthropic": ["anthropic:manual"]}})
    home.store({"profiles": {"anthropic:work": api_key_profile(fakekeys.api_key("layouts-work"))}}, agent="work")
    work_state = home.state / "agents/work/agent/auth-state.json"
    write_json(work_state, {"version": 1, "order": {"anthropic": ["anthropic:work"]}})

    cleared = write.clear_order(_install(home), "anthropic", agent="work")
    assert cleared.changed and "order" not in json.loads(work_state.read_text())
    work = inspect_install(
        Options(state_dir=str(home.state), openclaw="none", agent="work"), env={"HOME": str(home.home)}
    )
    assert work.agent.effective.order["anthropic"] == ["anthropic:manual"]  # what OpenClaw now uses for work
    (note,) = [n for n in cleared.notes if "main agent" in n]
    assert "(anthropic:manual)" in note and "--agent main" in note
