"""Oracle tests: our tool reads every scenario exactly as the real OpenClaw CLI does.

Each scenario is built once per run with the real CLI (see conftest.py); OpenClaw's own
`--version`, `models status --json` and `models auth order get --json` on that state are the
expected values, and `openclaw-triage check --json` on the same state must agree.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from openclaw_triage.openclaw.layouts import for_release
from openclaw_triage.openclaw.version import parse_version
from tests import states
from tests.oracle.conftest import ERAS, Built, OracleStates, OurRun, mf

pytestmark = pytest.mark.oracle

# Every scenario of the two ends; a smoke set of each release between (the rest of their states are
# committed and compared without Node by tests/test_fixture_labels.py).
CASES = [(era, name) for era in ERAS for name in mf.live_scenario_names(era)]
# (era, scenario, agent): None = OpenClaw's default view, plus every extra agent captured.
AGENT_CASES = [(era, name, None) for era, name in CASES] + [
    (era, name, agent) for era, name in CASES for agent in mf.SCENARIOS[era][name].agents
]
ERA_OF_STORAGE = {era: for_release(parse_version(v) or (0, 0, 0)).era.value for era, v in mf.ERA_VERSIONS.items()}
# `[cooldown 25m]`, `[disabled:auth_permanent 5h]`: the remaining time moves between two runs.
_UNUSABLE_SUFFIX = re.compile(r" \[(cooldown|disabled(?::[^\] ]+)?) [^\]]+\]$")


def _ids(case: tuple[Any, ...]) -> str:
    return "/".join(str(c) for c in case if c is not None)


def normalise_label(label: str) -> str:
    return _UNUSABLE_SUFFIX.sub(r" [\1 <remaining>]", label)


def _status_file(agent: str | None) -> str:
    return f"models-status-agent-{agent}.json" if agent else "models-status.json"


def _order_file(agent: str | None) -> str:
    return f"order-get-anthropic-agent-{agent}.json" if agent else "order-get-anthropic.json"


def _ours_ok(run: OurRun) -> dict[str, Any]:
    """Our JSON, or a failure that shows what our tool said."""
    if run.json is None or run.rc not in (0, 1, 2):
        pytest.fail(f"openclaw-triage failed (rc {run.rc}): {' '.join(run.argv[2:])}\n{run.stderr[-3000:]}")
    return run.json


def _cli_failed(doc: Any) -> str | None:
    """OpenClaw's error message when its `--json` command failed, else None."""
    if isinstance(doc, dict) and doc.get("ok") is False:
        return str(doc.get("error", {}).get("message", "unknown error"))
    if not isinstance(doc, dict):
        return f"not JSON: {str(doc)[:200]}"
    return None


def _assert_we_report_an_error(ours: dict[str, Any], failed: str) -> None:
    """Where OpenClaw itself cannot read the credentials, we must say so: an error, exit 1."""
    assert ours["summary"]["exitCode"] == 1, failed
    assert any(f["severity"] == "error" for f in ours["findings"]), failed


@pytest.fixture(params=CASES, ids=_ids)
def case(request: pytest.FixtureRequest, oracle_states: OracleStates) -> Built:
    era, name = request.param
    return oracle_states.get(era, name)


@pytest.fixture(params=AGENT_CASES, ids=_ids)
def agent_case(request: pytest.FixtureRequest, oracle_states: OracleStates) -> tuple[Built, str | None]:
    era, name, agent = request.param
    return oracle_states.get(era, name), agent


def test_version_and_era(case: Built, oracle_states: OracleStates) -> None:
    """(a) The version we report is the one `openclaw --version` prints; the era follows it."""
    ours = _ours_ok(oracle_states.ours(case.era, case.name))
    printed = str(case.capture["version.txt"]).strip()
    match = re.fullmatch(r"OpenClaw (\S+) \((\w+)\)", printed)
    assert match, printed
    assert ours["openclaw"]["version"] == match.group(1)
    assert ours["openclaw"]["commit"] == match.group(2)
    assert ours["openclaw"]["era"] == ERA_OF_STORAGE[case.era]


def test_profile_labels_match_models_status(agent_case: tuple[Built, str | None], oracle_states: OracleStates) -> None:
    """(b) Per provider, our profile labels (masked secret + unusable suffix) in OpenClaw's order.
    Where `models status` itself fails (legacy_unmigrated), we must report an error instead."""
    built, agent = agent_case
    status = built.capture[_status_file(agent)]
    ours = _ours_ok(oracle_states.ours(built.era, built.name, agent))
    if failed := _cli_failed(status):
        _assert_we_report_an_error(ours, failed)
        return
    for entry in status["auth"]["providers"]:
        provider = entry["provider"]
        mine = [normalise_label(p["label"]) for p in ours["profiles"] if p["provider"] == provider]
        theirs = [normalise_label(label) for label in entry["profiles"]["labels"]]
        assert mine == theirs, f"provider {provider}"


def test_default_model_matches_models_status(agent_case: tuple[Built, str | None], oracle_states: OracleStates) -> None:
    """The model chats use, as `models status [--agent X]` resolves it (the agent's own model,
    aliases ignoring case, a bare name falling back to anthropic/): whose order and pins matter."""
    case, agent = agent_case
    status = case.capture[_status_file(agent)]
    ours = _ours_ok(oracle_states.ours(case.era, case.name, agent))
    if _cli_failed(status):
        return
    assert ours["openclaw"]["defaultModel"] == status["resolvedDefault"]


def test_stored_order_matches_order_get(agent_case: tuple[Built, str | None], oracle_states: OracleStates) -> None:
    """(c) The stored order override we found is the one `models auth order get` prints
    (or, where that command fails, an error of ours)."""
    built, agent = agent_case
    doc = built.capture[_order_file(agent)]
    ours = _ours_ok(oracle_states.ours(built.era, built.name, agent))
    if failed := _cli_failed(doc):
        _assert_we_report_an_error(ours, failed)
        return
    mine = ours["order"].get("anthropic", {}).get("stored")
    assert mine == doc["order"]


def test_no_secret_leaks(agent_case: tuple[Built, str | None], oracle_states: OracleStates) -> None:
    """(d) No fake secret of the scenario, nor a long piece of one, in anything we print."""
    built, agent = agent_case
    run = oracle_states.ours(built.era, built.name, agent)
    output = run.stdout + "\n" + run.stderr
    for name, value in built.secrets.items():
        for fragment in states.secret_fragments(value):
            assert fragment not in output, f"secret {name} leaked"


def _shape(state_dir: Path, tmp: Path) -> dict[str, Any]:
    """profile_shape on a private copy (reading SQLite creates -wal/-shm files)."""
    copy = tmp / "shape"
    shutil.copytree(state_dir, copy)
    try:
        return states.profile_shape(copy)
    finally:
        shutil.rmtree(copy)


def _comparable_labels(expected: dict[str, Any], fname: str) -> Any:
    doc = expected.get(fname)
    if failed := _cli_failed(doc):
        # "Invalid config at /tmp/.../.openclaw/openclaw.json": the two homes differ, the rest must not.
        return re.sub(r"\S*/\.openclaw/", "~/.openclaw/", failed)
    return {
        e["provider"]: [normalise_label(label) for label in e["profiles"]["labels"]] for e in doc["auth"]["providers"]
    }


def _without_abs_paths(doc: Any) -> Any:
    """`agentDir` is absolute (the two homes differ); everything else must be equal."""
    return {k: v for k, v in doc.items() if k != "agentDir"} if isinstance(doc, dict) else doc


def test_fresh_state_matches_committed_fixture(case: Built, tmp_path: Path) -> None:
    """(e) The generator still makes what is committed: same stores, profile ids and types,
    same stored orders, same labels, same exit codes. Catches drift either way."""
    if (case.era, case.name) not in states.list_states(case.era):
        pytest.fail(f"no committed fixture for {case.era}/{case.name}: run scripts/make_fixtures.py")
    committed = states.load_state(case.era, case.name, tmp_path / "committed")
    fresh_shape = _shape(case.home / ".openclaw", tmp_path)
    assert _shape(committed.state_dir, tmp_path) == fresh_shape
    fresh = case.capture
    assert committed.expected["exitcodes.json"] == fresh["exitcodes.json"]
    for fname in [_status_file(None)] + [_status_file(a) for a in case.agents]:
        assert _comparable_labels(committed.expected, fname) == _comparable_labels(fresh, fname), fname
    for fname in [_order_file(None)] + [_order_file(a) for a in case.agents]:
        assert _without_abs_paths(committed.expected[fname]) == _without_abs_paths(fresh[fname]), fname
    assert committed.expected["version.txt"] == fresh["version.txt"]
