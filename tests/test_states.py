"""The committed OpenClaw states load into a working HOME, and keep no secret where none belongs."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests import states

ALL = states.list_states()
EXPECTED_FILES = {"version.txt", "models-status.json", "models-status.txt", "order-get-anthropic.json"}


def test_every_release_is_committed() -> None:
    eras = {era for era, _ in ALL}
    assert eras == {*states.ERAS, *states.RELEASE_ERAS}, "run scripts/make_fixtures.py"
    for era in states.ERAS:
        names = {n for e, n in ALL if e == era}
        assert {"one_api_key", "cooldown", "no_auth", "two_agents", "token_expired"} <= names
    for era in states.RELEASE_ERAS:
        names = {n for e, n in ALL if e == era}
        assert {"one_api_key", "setup_token", "order_pinned_to_token", "wrong_provider_key"} <= names, era


@pytest.mark.parametrize(("era", "scenario"), ALL, ids=[f"{e}/{s}" for e, s in ALL])
def test_load_state(era: str, scenario: str, tmp_path: Path) -> None:
    state = states.load_state(era, scenario, tmp_path / "home")
    home = str(state.home)
    assert state.state_dir == state.home / ".openclaw"
    assert state.scenario["era"] == era and state.scenario["name"] == scenario
    assert set(state.expected) >= EXPECTED_FILES
    assert set(state.expected["exitcodes.json"]) >= EXPECTED_FILES
    assert state.expected["version.txt"].startswith(f"OpenClaw {state.scenario['openclawVersion']} (")

    # Every placeholder is gone, in text files and in SQLite cells alike; no WAL side files.
    for path in state.home.rglob("*"):
        if path.is_file():
            assert states.HOME_PLACEHOLDER.encode() not in path.read_bytes(), path
            assert not path.name.endswith(("-wal", "-shm")), path
    # Modes git cannot keep come back (OpenClaw writes 0600 files in a 0700 state dir).
    assert (state.state_dir.stat().st_mode & 0o777) == 0o700
    if not (state.state_dir / "openclaw.json").exists():
        # 2026.9.6's `onboard --openai-api-key` saves the key, then fails before it writes a config.
        assert (era, scenario) == ("current-2026.9", "openai_key")
        return
    assert (state.state_dir / "openclaw.json").stat().st_mode & 0o777 == 0o600

    # 2026.9 writes absolute agent dirs into openclaw.json: they must point into this copy.
    config = json.loads((state.state_dir / "openclaw.json").read_text())
    for entry in config.get("agents", {}).get("entries", {}).values():
        assert entry.get("agentDir", home).startswith(home)
    if "models-status.json" in state.expected and "configPath" in state.expected["models-status.json"]:
        assert state.expected["models-status.json"]["configPath"] == f"{home}/.openclaw/openclaw.json"


@pytest.mark.parametrize(("era", "scenario"), ALL, ids=[f"{e}/{s}" for e, s in ALL])
def test_expected_outputs_hold_no_secret(era: str, scenario: str) -> None:
    """commands.json and every captured output carry recipes and masks, never a fake secret."""
    meta = json.loads((states.scenario_dir(era, scenario) / "scenario.json").read_text())
    secrets = [states.make_secret(r) for r in meta["secrets"].values()]
    assert secrets or scenario == "no_auth"
    texts = [p.read_text() for p in (states.scenario_dir(era, scenario) / "expected").iterdir()]
    texts.append(json.dumps(meta))
    for text in texts:
        for secret in secrets:
            for fragment in states.secret_fragments(secret):
                assert fragment not in text


def test_state_files_hold_the_secrets(tmp_path: Path) -> None:
    """Sanity of the recipes: the key really is in the store (and, in 2026.3, in the audit log)."""
    legacy = states.load_state("legacy-2026.3", "one_api_key", tmp_path / "legacy")
    key = legacy.secrets["base_key"]
    store = json.loads((legacy.state_dir / "agents/main/agent/auth-profiles.json").read_text())
    assert store["profiles"]["anthropic:default"]["key"] == key
    assert key in (legacy.state_dir / "logs/config-audit.jsonl").read_text()  # fs.secret_in_log evidence

    current = states.load_state("current-2026.9", "one_api_key", tmp_path / "current")
    conn = sqlite3.connect(f"file:{current.state_dir / 'state/openclaw.sqlite'}?mode=ro", uri=True)
    try:
        (raw,) = conn.execute(
            "SELECT value_json FROM config_machine_state WHERE state_key = 'authProfiles.store'"
        ).fetchone()
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()
    assert json.loads(raw)["profiles"]["anthropic:default"]["key"] == current.secrets["base_key"]


def test_profile_shape_reads_both_eras(tmp_path: Path) -> None:
    legacy = states.load_state("legacy-2026.3", "order_pinned_to_broken", tmp_path / "a")
    shape = states.profile_shape(legacy.state_dir)
    store = shape["json:agents/main/agent/auth-profiles.json"]
    assert store["profiles"] == {"anthropic:default": "api_key", "anthropic:work": "api_key"}
    assert store["order"] == {"anthropic": ["anthropic:work", "anthropic:default"]}

    current = states.load_state("current-2026.9", "two_agents", tmp_path / "b")
    shape = states.profile_shape(current.state_dir)
    assert shape["state-db"]["profiles"] == {"anthropic:default": "api_key"}
    assert shape["agent-db:agents/work/agent/openclaw-agent.sqlite"]["profiles"] == {"anthropic:work": "api_key"}


def test_make_secret_recipes() -> None:
    from tests import fakekeys

    assert states.make_secret("api_key:x") == fakekeys.api_key("x")
    spaced = states.make_secret("api_key:x|space@60")
    assert spaced == fakekeys.api_key("x")[:60] + " " + fakekeys.api_key("x")[60:]
    assert len(states.make_secret("api_key:x|cut@50:4")) == 104
    assert states.make_secret("oauth_token:y|trunc@20") == fakekeys.oauth_token("y")[:20]
    with pytest.raises(ValueError):
        states.make_secret("nope:x")
    # A leak check looks for each long half of a key with a space inside, too.
    assert fakekeys.api_key("x")[:60] in states.secret_fragments(spaced)


def _mask(value: str) -> str:
    """OpenClaw's maskApiKey for ASCII values (first 8 + ... + last 8 for long ones)."""
    t = value.strip()
    if len(t) <= 6:
        return f"{t[:1]}...{t[-1:]}"
    if len(t) <= 16:
        return f"{t[:2]}...{t[-2:]}"
    return f"{t[:8]}...{t[-8:]}"


@pytest.mark.parametrize(("era", "scenario"), ALL, ids=[f"{e}/{s}" for e, s in ALL])
def test_labels_come_from_the_recorded_secrets(era: str, scenario: str) -> None:
    """Every masked key OpenClaw printed belongs to a secret of scenario.json: catches fixtures made
    with other fake keys than `tests/fakekeys.py` now gives (regenerate them if this fails)."""
    meta = json.loads((states.scenario_dir(era, scenario) / "scenario.json").read_text())
    masks = {_mask(states.make_secret(r)) for r in meta["secrets"].values()}
    expected = states.read_expected(states.scenario_dir(era, scenario) / "expected", "/home")
    for fname, doc in expected.items():
        if not (fname.startswith("models-status") and isinstance(doc, dict) and "auth" in doc):
            continue
        for provider in doc["auth"]["providers"]:
            for label in provider["profiles"]["labels"]:
                value = label.split("=", 1)[1].split(" [", 1)[0].removeprefix("token:")
                if not value.startswith(("ref(", "marker(", "missing", "OAuth")):
                    assert value in masks, f"{fname}: {label}"
