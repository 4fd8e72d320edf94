"""Locating an install as each era does: home, state dir, config, --profile, agents."""

from __future__ import annotations

from pathlib import Path

import pytest

from openclaw_triage.model import Era
from openclaw_triage.openclaw import locate
from openclaw_triage.openclaw.locate import LocateError, Options, resolve_paths, resolve_roster


def env_for(home: Path, **extra: str) -> dict[str, str]:
    return {"HOME": str(home), "PATH": "", **extra}


@pytest.mark.parametrize("era", list(Era))
def test_default_state_dir_and_config(tmp_path: Path, era: Era) -> None:
    (tmp_path / ".openclaw").mkdir()
    paths, _ = resolve_paths(Options(), env_for(tmp_path), era)
    assert paths.state_dir == tmp_path / ".openclaw"
    assert paths.config_path == tmp_path / ".openclaw" / "openclaw.json"


def test_openclaw_home_moves_everything(tmp_path: Path) -> None:
    paths, _ = resolve_paths(Options(), env_for(tmp_path, OPENCLAW_HOME="~/alt"), Era.SQLITE)
    assert paths.home == tmp_path / "alt"
    assert paths.state_dir == tmp_path / "alt" / ".openclaw"


def test_state_dir_tilde_expands_against_openclaw_home(tmp_path: Path) -> None:
    # Observed on 2026.9: OPENCLAW_HOME=~/alt OPENCLAW_STATE_DIR=~/sd -> <HOME>/alt/sd.
    env = env_for(tmp_path, OPENCLAW_HOME="~/alt", OPENCLAW_STATE_DIR="~/sd")
    paths, _ = resolve_paths(Options(), env, Era.SQLITE)
    assert paths.state_dir == tmp_path / "alt" / "sd"


@pytest.mark.parametrize(
    ("era", "legacy", "found"),
    [(Era.JSON, ".moltbot", True), (Era.SQLITE, ".moltbot", False), (Era.SQLITE, ".clawdbot", True)],
)
def test_legacy_state_dirs_per_era(tmp_path: Path, era: Era, legacy: str, found: bool) -> None:
    (tmp_path / legacy).mkdir()
    paths, _ = resolve_paths(Options(), env_for(tmp_path), era)
    assert (paths.state_dir == tmp_path / legacy) is found


def test_clawdbot_state_dir_var_only_in_2026_3(tmp_path: Path) -> None:
    env = env_for(tmp_path, CLAWDBOT_STATE_DIR=str(tmp_path / "cb"))
    assert resolve_paths(Options(), env, Era.JSON)[0].state_dir == tmp_path / "cb"
    assert resolve_paths(Options(), env, Era.SQLITE)[0].state_dir == tmp_path / ".openclaw"


def test_legacy_config_in_clawdbot_with_empty_openclaw_dir(tmp_path: Path) -> None:
    # The FACTS gotcha: empty ~/.openclaw plus ~/.clawdbot/clawdbot.json.
    (tmp_path / ".openclaw").mkdir()
    (tmp_path / ".clawdbot").mkdir()
    (tmp_path / ".clawdbot" / "clawdbot.json").write_text("{}")
    for era in Era:
        paths, _ = resolve_paths(Options(), env_for(tmp_path), era)
        assert paths.state_dir == tmp_path / ".openclaw"
        assert paths.config_path == tmp_path / ".clawdbot" / "clawdbot.json"


def test_2026_9_state_dir_env_never_falls_back_to_default_config(tmp_path: Path) -> None:
    (tmp_path / ".openclaw").mkdir()
    (tmp_path / ".openclaw" / "openclaw.json").write_text("{}")
    env = env_for(tmp_path, OPENCLAW_STATE_DIR=str(tmp_path / "other"))
    assert resolve_paths(Options(), env, Era.SQLITE)[0].config_path == tmp_path / "other" / "openclaw.json"
    # 2026.3 keeps looking in ~/.openclaw.
    assert resolve_paths(Options(), env, Era.JSON)[0].config_path == tmp_path / ".openclaw" / "openclaw.json"


@pytest.mark.parametrize(
    ("name", "expected"), [("work", ".openclaw-work"), ("Default", ".openclaw"), ("Foo", ".openclaw-Foo")]
)
def test_profile_flag(tmp_path: Path, name: str, expected: str) -> None:
    paths, env = resolve_paths(Options(profile=name), env_for(tmp_path), Era.SQLITE)
    assert paths.state_dir == tmp_path / expected
    assert paths.config_path == tmp_path / expected / "openclaw.json"
    assert env["OPENCLAW_PROFILE"] == name


def test_profile_keeps_an_explicit_state_dir(tmp_path: Path) -> None:
    env = env_for(tmp_path, OPENCLAW_STATE_DIR=str(tmp_path / "keep"))
    paths, _ = resolve_paths(Options(profile="work"), env, Era.SQLITE)
    assert paths.state_dir == tmp_path / "keep"
    assert paths.config_path == tmp_path / "keep" / "openclaw.json"


@pytest.mark.parametrize("bad", ["bad.name", "-x", "", "a" * 65])
def test_invalid_profile_is_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(LocateError):
        resolve_paths(Options(profile=bad), env_for(tmp_path), Era.SQLITE)


def test_flags_win_over_env(tmp_path: Path) -> None:
    env = env_for(tmp_path, OPENCLAW_STATE_DIR=str(tmp_path / "env"), OPENCLAW_CONFIG_PATH=str(tmp_path / "env.json"))
    paths, _ = resolve_paths(
        Options(state_dir=str(tmp_path / "flag"), config=str(tmp_path / "flag.json")), env, Era.JSON
    )
    assert paths.state_dir == tmp_path / "flag"
    assert paths.config_path == tmp_path / "flag.json"
    assert paths.state_dir_origin == "--state-dir"


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [("Work", "work"), ("  ops ", "ops"), ("My Agent!", "my-agent"), ("", "main"), ("!!!", "main"), ("_x", "_x")],
)
def test_normalize_agent_id(raw: str, normalized: str) -> None:
    assert locate.normalize_agent_id(raw) == normalized


def test_roster_2026_3_default_is_first_marked_or_first(tmp_path: Path) -> None:
    config = {"agents": {"list": [{"id": "ops"}, {"id": "Work", "default": True, "agentDir": "~/w"}]}}
    roster = resolve_roster(config, Era.JSON, tmp_path / ".openclaw", tmp_path)
    assert roster.default_id == "work"
    dirs = {a.id: a.agent_dir for a in roster.agents}
    assert dirs["work"] == tmp_path / "w"
    assert dirs["ops"] == tmp_path / ".openclaw" / "agents" / "ops" / "agent"
    roster = resolve_roster({"agents": {"list": [{"id": "ops"}, {"id": "b"}]}}, Era.JSON, tmp_path, tmp_path)
    assert roster.default_id == "ops"


def test_roster_2026_9_entries_and_owner(tmp_path: Path) -> None:
    config = {
        "agents": {
            "entries": {"main": {}, "work": {"agentDir": "/abs/work"}},
            "defaults": {"systemAgent": {"agentId": "Work"}},
        }
    }
    roster = resolve_roster(config, Era.SQLITE, tmp_path, tmp_path)
    assert roster.default_id == "work"
    assert {a.id: str(a.agent_dir) for a in roster.agents}["work"] == "/abs/work"


def test_roster_2026_9_two_agents_without_owner_is_a_problem(tmp_path: Path) -> None:
    config = {"agents": {"entries": {"main": {}, "work": {}}}}
    roster = resolve_roster(config, Era.SQLITE, tmp_path, tmp_path)
    assert roster.default_id is None
    assert roster.problem and "agents.defaults.systemAgent.agentId" in roster.problem


def test_roster_2026_9_non_canonical_list_is_rejected(tmp_path: Path) -> None:
    roster = resolve_roster({"agents": {"list": [{"id": "Work"}]}}, Era.SQLITE, tmp_path, tmp_path)
    assert roster.problem and "not canonical" in roster.problem


def test_agents_on_disk_are_found(tmp_path: Path) -> None:
    state = tmp_path / ".openclaw"
    (state / "agents" / "discord" / "agent").mkdir(parents=True)
    roster = resolve_roster({}, Era.JSON, state, tmp_path)
    assert {a.id for a in roster.agents} == {"main", "discord"}
    assert roster.default_id == "main"


def test_shorten_home(tmp_path: Path) -> None:
    assert locate.shorten_home(tmp_path / ".openclaw" / "x", tmp_path, {}) == "~/.openclaw/x"
    assert locate.shorten_home(tmp_path / "y", tmp_path, {"OPENCLAW_HOME": str(tmp_path)}) == "$OPENCLAW_HOME/y"
    assert locate.shorten_home("/elsewhere", tmp_path, {}) == "/elsewhere"
