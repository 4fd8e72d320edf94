"""The seed thread's states, one by one, and the bad inputs around them."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from openclaw_triage.diagnose.run import Diagnosis, diagnose
from openclaw_triage.findings import Severity
from openclaw_triage.model import Era
from openclaw_triage.openclaw.install import inspect_install
from openclaw_triage.openclaw.locate import Options
from openclaw_triage.output.check import check_json, check_text
from tests import fakekeys
from tests.builders import CurrentHome, LegacyHome, api_key_profile, token_profile

API = fakekeys.api_key("seed")
API2 = fakekeys.api_key("second")
OAT = fakekeys.oauth_token("seed")
NOW = time.time() * 1000


def run(home: Path, **env: str) -> Diagnosis:
    install = inspect_install(Options(), env={"HOME": str(home), "PATH": "", **env})
    return diagnose(install, now_ms=NOW)


def codes(diag: Diagnosis, severity: Severity | None = None) -> set[str]:
    return {f.code for f in diag.findings if severity is None or f.severity is severity}


def finding(diag: Diagnosis, code: str):
    return next(f for f in diag.findings if f.code == code)


def assert_no_leak(diag: Diagnosis, *secrets: str) -> None:
    text = check_text(diag) + json.dumps(check_json(diag)) + repr(diag.findings)
    for secret in secrets:
        assert secret not in text
        assert secret[10:50] not in text


ONBOARD_CONFIG = {"auth": {"profiles": {"anthropic:default": {"provider": "anthropic", "mode": "api_key"}}}}
PASTE_TOKEN_CONFIG = {
    "auth": {
        "profiles": {
            "anthropic:default": {"provider": "anthropic", "mode": "api_key"},
            "anthropic:manual": {"provider": "anthropic", "mode": "token"},
        },
        "order": {"anthropic": ["anthropic:manual", "anthropic:default"]},
    }
}


def test_healthy_install_exits_zero(tmp_path: Path) -> None:
    h = LegacyHome(tmp_path).config(ONBOARD_CONFIG)
    h.store({"profiles": {"anthropic:default": api_key_profile(API)}})
    diag = run(tmp_path)
    assert diag.install.era is Era.JSON
    assert codes(diag, Severity.ERROR) == set()
    assert codes(diag, Severity.WARNING) == set()
    assert diag.exit_code == 0
    assert diag.orders["anthropic"].next == "anthropic:default"
    assert diag.profiles[0].label == f"anthropic:default={API[:8]}...{API[-8:]}"


def test_key_with_a_space_typed_in(tmp_path: Path) -> None:
    spaced = API[:40] + " " + API[40:]
    LegacyHome(tmp_path).config(ONBOARD_CONFIG).store({"profiles": {"anthropic:default": api_key_profile(spaced)}})
    diag = run(tmp_path)
    f = finding(diag, "key.whitespace")
    assert f.severity is Severity.ERROR
    assert f.subject == "anthropic:default"
    assert "401" in f.message
    assert diag.exit_code == 1
    assert_no_leak(diag, spaced, API)


def test_key_shortened_by_hand(tmp_path: Path) -> None:
    short = API[:30] + API[34:]
    LegacyHome(tmp_path).config(ONBOARD_CONFIG).store({"profiles": {"anthropic:default": api_key_profile(short)}})
    diag = run(tmp_path)
    assert "104 characters, expected 108" in finding(diag, "key.length").message
    assert diag.exit_code == 1


def test_surrounding_newline_is_only_a_note(tmp_path: Path) -> None:
    LegacyHome(tmp_path).config(ONBOARD_CONFIG).store({"profiles": {"anthropic:default": api_key_profile(API + "\n")}})
    diag = run(tmp_path)
    assert finding(diag, "key.surrounding_whitespace").severity is Severity.INFO
    assert diag.exit_code == 0


def test_same_api_key_in_api_key_and_token_profiles_unpinned(tmp_path: Path) -> None:
    # The seed: `paste-token` with an sk-ant-api key made anthropic:manual next to anthropic:default.
    h = LegacyHome(tmp_path).config(PASTE_TOKEN_CONFIG)
    h.store({"profiles": {"anthropic:default": api_key_profile(API), "anthropic:manual": token_profile(API)}})
    diag = run(tmp_path)
    dup = finding(diag, "profiles.duplicate_secret")
    assert dup.severity is Severity.WARNING
    assert set(dup.details["profiles"]) == {"anthropic:default", "anthropic:manual"}
    assert dup.action is not None and dup.action.profile_ids == ("anthropic:default",)
    assert finding(diag, "key.api_key_in_token_profile").severity is Severity.WARNING
    # The config order (written by paste-token) tries the token profile first.
    assert diag.orders["anthropic"].effective == ["anthropic:manual", "anthropic:default"]
    labels = [r.label for r in diag.profiles]
    assert labels == [f"anthropic:default={API[:8]}...{API[-8:]}", f"anthropic:manual=token:{API[:8]}...{API[-8:]}"]
    assert_no_leak(diag, API)


def test_same_secret_pinned_to_the_api_key_profile(tmp_path: Path) -> None:
    h = LegacyHome(tmp_path).config(PASTE_TOKEN_CONFIG)
    h.store(
        {
            "profiles": {"anthropic:default": api_key_profile(API), "anthropic:manual": token_profile(API)},
            "order": {"anthropic": ["anthropic:default"]},
        }
    )
    diag = run(tmp_path)
    order = diag.orders["anthropic"]
    assert order.stored == ["anthropic:default"]
    assert order.effective == ["anthropic:default"]
    assert order.not_in_order == ["anthropic:manual"]
    assert finding(diag, "profiles.duplicate_secret").severity is Severity.INFO
    assert diag.exit_code == 0


def test_oauth_token_stored_as_api_key(tmp_path: Path) -> None:
    LegacyHome(tmp_path).config(ONBOARD_CONFIG).store({"profiles": {"anthropic:default": api_key_profile(OAT)}})
    diag = run(tmp_path)
    f = finding(diag, "key.token_in_api_key_profile")
    assert f.severity is Severity.WARNING
    assert "Bearer" in f.message
    assert diag.profiles[0].info is not None and diag.profiles[0].info.sends_bearer


def test_wrong_provider_key(tmp_path: Path) -> None:
    key = fakekeys.openrouter_key()
    LegacyHome(tmp_path).config(ONBOARD_CONFIG).store({"profiles": {"anthropic:default": api_key_profile(key)}})
    diag = run(tmp_path)
    f = finding(diag, "key.wrong_provider")
    assert f.severity is Severity.ERROR
    assert "OpenRouter" in f.message
    assert_no_leak(diag, key)


def test_order_pinned_to_a_broken_profile_offers_the_one_key_fix(tmp_path: Path) -> None:
    h = LegacyHome(tmp_path).config({})
    h.store(
        {
            "profiles": {"anthropic:default": api_key_profile(API), "anthropic:work": api_key_profile(API2[:-6])},
            "order": {"anthropic": ["anthropic:work", "anthropic:default"]},
        }
    )
    diag = run(tmp_path)
    f = finding(diag, "order.first_unusable")
    assert f.severity is Severity.ERROR
    assert f.action is not None
    assert f.action.kind == "order.set"
    assert f.action.profile_ids == ("anthropic:default", "anthropic:work")
    assert f.fix == "openclaw models auth order set --provider anthropic anthropic:default anthropic:work"


def test_broken_store_is_loud(tmp_path: Path) -> None:
    h = LegacyHome(tmp_path).config(ONBOARD_CONFIG)
    text = json.dumps({"version": 1, "profiles": {"anthropic:default": api_key_profile(API)}})
    h.raw_store(text[: len(text) // 2])
    diag = run(tmp_path)
    f = finding(diag, "store.parse_error")
    assert f.severity is Severity.ERROR
    assert "EMPTY" in f.message
    assert diag.profiles == []
    assert_no_leak(diag, API)


@pytest.mark.parametrize("garbage", ["", "\x00\x01\x02", "[1, 2]", '"string"', '{"profiles": 5}', "\ufeff{}"])
def test_garbage_stores_never_crash(tmp_path: Path, garbage: str) -> None:
    LegacyHome(tmp_path).config(ONBOARD_CONFIG).raw_store(garbage)
    diag = run(tmp_path)
    assert codes(diag) & {"store.parse_error", "store.wrong_shape", "auth.missing", "order.empty"}
    assert diag.exit_code == 1


def test_wrong_types_inside_the_store_are_reported_not_fatal(tmp_path: Path) -> None:
    h = LegacyHome(tmp_path).config({})
    h.store(
        {
            "profiles": {
                "anthropic:default": api_key_profile(API),
                "anthropic:bad": {"type": "apikey", "provider": "anthropic", "key": API2},
                "anthropic:noprov": {"type": "api_key", "key": API2},
                "anthropic:num": {"type": "api_key", "provider": "anthropic", "key": 12345},
            },
            "order": {"anthropic": "not-a-list"},
            "usageStats": {"anthropic:default": {"cooldownUntil": "soon"}},
        }
    )
    diag = run(tmp_path)
    dropped = [f for f in diag.findings if f.code == "profile.entry_dropped"]
    assert {f.subject for f in dropped} == {"anthropic:bad", "anthropic:noprov"}
    assert "key.missing" in codes(diag)
    assert diag.orders["anthropic"].next == "anthropic:default"
    assert_no_leak(diag, API, API2)


def test_unknown_top_level_fields_are_kept_and_noted(tmp_path: Path) -> None:
    LegacyHome(tmp_path).config({}).store(
        {"profiles": {"anthropic:default": api_key_profile(API)}, "myNotes": {"x": 1}}
    )
    diag = run(tmp_path)
    assert diag.agent.effective.profiles["anthropic:default"]
    assert finding(diag, "store.unknown_fields").severity is Severity.INFO
    assert diag.agent.layers[0].extra == {"myNotes": {"x": 1}}


def test_order_naming_a_missing_profile_falls_back(tmp_path: Path) -> None:
    h = LegacyHome(tmp_path).config(ONBOARD_CONFIG)
    h.store(
        {"profiles": {"anthropic:default": api_key_profile(API)}, "order": {"anthropic": ["anthropic:doesnotexist"]}}
    )
    diag = run(tmp_path)
    order = diag.orders["anthropic"]
    assert order.fell_back_to_store
    assert order.effective == ["anthropic:default"]
    assert "order.missing_profile" in codes(diag)


def test_order_naming_a_missing_profile_without_config_profiles_is_empty(tmp_path: Path) -> None:
    # 2026.3 falls back only when the config lists auth.profiles (observed: "No API key found").
    h = LegacyHome(tmp_path).config({})
    h.store(
        {"profiles": {"anthropic:default": api_key_profile(API)}, "order": {"anthropic": ["anthropic:doesnotexist"]}}
    )
    diag = run(tmp_path)
    assert diag.orders["anthropic"].effective == []
    assert finding(diag, "order.missing_profile").severity is Severity.ERROR
    assert "order.empty" in codes(diag)


def test_keyref_with_unset_variable(tmp_path: Path) -> None:
    ref = {"source": "env", "provider": "default", "id": "ANTHROPIC_API_KEY"}
    LegacyHome(tmp_path).config(ONBOARD_CONFIG).store(
        {"profiles": {"anthropic:default": {"type": "api_key", "provider": "anthropic", "keyRef": ref}}}
    )
    diag = run(tmp_path)
    f = finding(diag, "ref.unresolved")
    assert f.severity is Severity.ERROR
    assert "ANTHROPIC_API_KEY" in f.message
    assert diag.profiles[0].label == "anthropic:default=ref(env:ANTHROPIC_API_KEY)"


def test_keyref_resolved_from_state_dotenv_is_checked_too(tmp_path: Path) -> None:
    ref = {"source": "env", "provider": "default", "id": "ANTHROPIC_API_KEY"}
    h = LegacyHome(tmp_path).config(ONBOARD_CONFIG)
    h.store({"profiles": {"anthropic:default": {"type": "api_key", "provider": "anthropic", "keyRef": ref}}})
    (h.state / ".env").write_text(f"ANTHROPIC_API_KEY={API[:-3]}\n")
    diag = run(tmp_path)
    assert "ref.unresolved" not in codes(diag)
    assert "key.length" in codes(diag)
    assert_no_leak(diag, API)


def test_base_url_with_v1_suffix(tmp_path: Path) -> None:
    config = {
        **ONBOARD_CONFIG,
        "models": {"providers": {"anthropic": {"baseUrl": "http://127.0.0.1:9/v1", "models": []}}},
    }
    LegacyHome(tmp_path).config(config).store({"profiles": {"anthropic:default": api_key_profile(API)}})
    diag = run(tmp_path)
    assert finding(diag, "config.base_url_v1_suffix").severity is Severity.ERROR
    assert "config.base_url_override" in codes(diag)


def test_cooldown_and_disabled_labels(tmp_path: Path) -> None:
    h = LegacyHome(tmp_path).config(PASTE_TOKEN_CONFIG)
    h.store(
        {
            "profiles": {"anthropic:default": api_key_profile(API), "anthropic:manual": token_profile(API2)},
            "usageStats": {
                "anthropic:manual": {"errorCount": 3, "failureCounts": {"auth": 3}, "cooldownUntil": NOW + 25 * 60_000},
                "anthropic:default": {"disabledUntil": NOW + 5 * 3_600_000, "disabledReason": "auth_permanent"},
            },
        }
    )
    diag = run(tmp_path)
    labels = {r.profile.id: r.label for r in diag.profiles}
    assert labels["anthropic:manual"].endswith("[cooldown 25m]")
    assert labels["anthropic:default"].endswith("[disabled:auth_permanent 5h]")
    assert {"profile.cooldown", "profile.disabled"} <= codes(diag)
    # Both unusable: explicit config order keeps them, soonest back first.
    assert diag.orders["anthropic"].effective == ["anthropic:manual", "anthropic:default"]


def test_no_auth_at_all(tmp_path: Path) -> None:
    LegacyHome(tmp_path).config({"agents": {"defaults": {"model": "anthropic/claude-sonnet-4-6"}}})
    diag = run(tmp_path)
    assert finding(diag, "auth.missing").severity is Severity.ERROR


def test_env_key_used_when_no_profile(tmp_path: Path) -> None:
    LegacyHome(tmp_path).config({"agents": {"defaults": {"model": "anthropic/claude-sonnet-4-6"}}})
    diag = run(tmp_path, ANTHROPIC_API_KEY=API)
    assert "auth.missing" not in codes(diag)
    assert_no_leak(diag, API)


def test_secret_in_config_audit_log(tmp_path: Path) -> None:
    h = LegacyHome(tmp_path).config(ONBOARD_CONFIG)
    h.store({"profiles": {"anthropic:default": api_key_profile(API)}})
    (h.state / "logs").mkdir()
    (h.state / "logs" / "config-audit.jsonl").write_text(
        json.dumps({"argv": ["openclaw", "onboard", "--anthropic-api-key", API]}) + "\n"
    )
    diag = run(tmp_path)
    f = finding(diag, "fs.secret_in_log")
    assert "1 of them in use" in f.message
    assert_no_leak(diag, API)


def test_group_readable_store_is_flagged(tmp_path: Path) -> None:
    path = LegacyHome(tmp_path).config(ONBOARD_CONFIG).store({"profiles": {"anthropic:default": api_key_profile(API)}})
    os.chmod(path, 0o644)
    diag = run(tmp_path)
    assert finding(diag, "store.permissions").severity is Severity.WARNING


def test_second_agent_merges_over_main(tmp_path: Path) -> None:
    h = LegacyHome(tmp_path).config({"agents": {"list": [{"id": "main"}, {"id": "work", "default": True}]}})
    h.store({"profiles": {"anthropic:default": api_key_profile(API)}})
    h.store({"profiles": {"anthropic:work": api_key_profile(API2)}}, agent="work")
    diag = run(tmp_path)
    assert diag.agent.agent_id == "work"
    assert list(diag.agent.effective.profiles) == ["anthropic:default", "anthropic:work"]


# --- SQLite era -------------------------------------------------------------------------

CURRENT_CONFIG = {
    "agents": {"defaults": {"model": {"primary": "anthropic/claude-opus-5"}}, "entries": {"main": {}}},
    "auth": {"profiles": {"anthropic:default": {"provider": "anthropic", "mode": "api_key"}}},
}


def test_sqlite_shared_store_and_local_order(tmp_path: Path) -> None:
    h = CurrentHome(tmp_path).config(CURRENT_CONFIG)
    h.shared_store({"profiles": {"anthropic:default": api_key_profile(API), "anthropic:manual": token_profile(OAT)}})
    h.agent_db(state={"order": {"anthropic": ["anthropic:manual"]}})
    diag = run(tmp_path)
    assert diag.install.era is Era.SQLITE
    order = diag.orders["anthropic"]
    assert order.stored == ["anthropic:manual"]
    assert order.stored_origin == "agent"
    assert order.effective == ["anthropic:manual"]
    assert [layer.layer for layer in diag.agent.layers] == ["shared", "agent"]
    assert_no_leak(diag, API, OAT)


def test_sqlite_data_only_in_the_wal_is_read(tmp_path: Path) -> None:
    import sqlite3

    h = CurrentHome(tmp_path).config(CURRENT_CONFIG)
    db = h.shared_store({"profiles": {}})
    writer = sqlite3.connect(db)
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute(
        "UPDATE config_machine_state SET value_json=? WHERE state_key='authProfiles.store'",
        (json.dumps({"version": 1, "profiles": {"anthropic:default": api_key_profile(API)}}),),
    )
    writer.commit()  # committed, not checkpointed: the row lives only in -wal
    try:
        assert Path(str(db) + "-wal").stat().st_size > 0
        diag = run(tmp_path)
        assert list(diag.agent.effective.profiles) == ["anthropic:default"]
    finally:
        writer.close()


def test_sqlite_newer_agent_schema_is_unreadable(tmp_path: Path) -> None:
    h = CurrentHome(tmp_path).config(CURRENT_CONFIG)
    h.shared_store({"profiles": {"anthropic:default": api_key_profile(API)}})
    h.agent_db(version=24)
    diag = run(tmp_path)
    assert finding(diag, "store.unreadable").severity is Severity.ERROR


def test_sqlite_garbage_database_file(tmp_path: Path) -> None:
    h = CurrentHome(tmp_path).config(CURRENT_CONFIG)
    h.shared_store({"profiles": {"anthropic:default": api_key_profile(API)}})
    bad = h.state / "agents" / "main" / "agent" / "openclaw-agent.sqlite"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"this is not a database" * 100)
    diag = run(tmp_path)
    assert "store.unreadable" in codes(diag)


def test_sqlite_leftover_json_store_blocks_auth_commands(tmp_path: Path) -> None:
    h = CurrentHome(tmp_path).config(CURRENT_CONFIG)
    h.shared_store({"profiles": {"anthropic:default": api_key_profile(API)}})
    LegacyHome(tmp_path).store(
        {"profiles": {"anthropic:default": api_key_profile(API2)}, "order": {"anthropic": ["anthropic:work"]}}
    )
    diag = run(tmp_path)
    f = finding(diag, "store.legacy_unmigrated")
    assert f.severity is Severity.ERROR
    assert "doctor --fix" in (f.fix or "")


def test_sqlite_keyref_drops_inline_key(tmp_path: Path) -> None:
    h = CurrentHome(tmp_path).config(CURRENT_CONFIG)
    ref = {"source": "env", "provider": "default", "id": "BOTHKEY"}
    h.shared_store(
        {"profiles": {"anthropic:default": {"type": "api_key", "provider": "anthropic", "key": API, "keyRef": ref}}}
    )
    diag = run(tmp_path, BOTHKEY=API2)
    assert diag.profiles[0].label == "anthropic:default=ref(env:BOTHKEY)"
    assert diag.profiles[0].masked is None


def test_sqlite_agent_order_prepends_local_profiles(tmp_path: Path) -> None:
    config = {"agents": {"entries": {"main": {}, "work": {}}, "defaults": {"systemAgent": {"agentId": "work"}}}}
    h = CurrentHome(tmp_path).config(config)
    h.shared_store(
        {"profiles": {"anthropic:default": api_key_profile(API)}}, {"order": {"anthropic": ["anthropic:default"]}}
    )
    h.agent_db("work", store={"profiles": {"anthropic:work": api_key_profile(API2)}})
    diag = run(tmp_path)
    assert diag.agent.agent_id == "work"
    assert diag.orders["anthropic"].stored == ["anthropic:work", "anthropic:default"]
    assert list(diag.agent.effective.profiles) == ["anthropic:work", "anthropic:default"]


def test_missing_install_is_a_clear_error(tmp_path: Path) -> None:
    diag = run(tmp_path)
    f = finding(diag, "install.not_found")
    assert str(tmp_path / ".openclaw") in f.message


def test_reading_sqlite_leaves_no_files_behind(tmp_path: Path) -> None:
    h = CurrentHome(tmp_path).config(CURRENT_CONFIG)
    h.shared_store({"profiles": {"anthropic:default": api_key_profile(API)}})
    h.agent_db(state={"order": {"anthropic": ["anthropic:default"]}})
    before = sorted(p.name for p in tmp_path.rglob("*"))
    diag = run(tmp_path)
    assert diag.orders["anthropic"].stored == ["anthropic:default"]
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # no -wal / -shm of ours
