"""Without the oracle: our labels, stored orders and default model match what the real CLI printed
on every committed state of every release (`expected/` was captured from `openclaw models status
--json` and `models auth order get --json` on exactly those files, by the release that
`scenario.json` names, which a stand-in `openclaw` names to us as the installed one)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from openclaw_triage.diagnose.run import diagnose
from openclaw_triage.openclaw.install import inspect_install
from openclaw_triage.openclaw.locate import Options
from tests.states import list_states, load_state
from tests.support.cli import fake_openclaw

# Remaining time in a cooldown label moves with the clock: compare it without the number.
_WINDOW = re.compile(r" \[(cooldown|disabled(?::[a-z_]+)?) [0-9]+[mhd]\]$")


def _stable(label: str) -> str:
    return _WINDOW.sub(r" [\1 …]", label)


@pytest.mark.parametrize(("era", "scenario"), list_states())
def test_labels_and_stored_order_match_the_real_cli(era: str, scenario: str, tmp_path: Path) -> None:
    state = load_state(era, scenario, tmp_path / "home")
    status = state.expected.get("models-status.json")
    order_get = state.expected.get("order-get-anthropic.json")
    env = {"HOME": str(state.home), "PATH": "", **state.scenario.get("captureEnv", {})}
    # The release that made the captures is the one installed (an upgrade's config names an older one).
    cli = fake_openclaw(tmp_path / "bin", state.scenario["openclawVersion"])
    install = inspect_install(Options(state_dir=str(state.state_dir), openclaw=cli), env=env)
    diag = diagnose(install, now_ms=time.time() * 1000)
    if not isinstance(status, dict) or "auth" not in status:
        # OpenClaw itself refused this state (e.g. a leftover JSON store): we must say why, as an error.
        assert diag.exit_code == 1
        assert any(f.severity.value == "error" and f.code.startswith("store.") for f in diag.findings)
        return
    if status["auth"]["providers"]:
        # OpenClaw reads this store fine: no store error of ours may say otherwise (2026.6.1's JSON).
        store_errors = [f.code for f in diag.findings if f.code.startswith("store.") and f.severity.value == "error"]
        assert not store_errors, store_errors
    for provider in status["auth"]["providers"]:
        name = provider["provider"]
        ours = [_stable(r.label) for r in diag.profiles if r.profile.provider.strip().lower() == name]
        assert ours == [_stable(label) for label in provider["profiles"]["labels"]], name
    if isinstance(order_get, dict) and "order" in order_get:
        assert diag.orders.get("anthropic") is None or diag.orders["anthropic"].stored == order_get["order"]
    # the model chats use, aliases resolved as OpenClaw resolves them (`model_alias`: `sonnet`)
    assert diag.default_model == status["resolvedDefault"]
    for name, agent_status in state.expected.items():
        agent = name.removeprefix("models-status-agent-").removesuffix(".json")
        if name.startswith("models-status-agent-") and isinstance(agent_status, dict) and "auth" in agent_status:
            options = Options(state_dir=str(state.state_dir), openclaw=cli, agent=agent)
            agent_diag = diagnose(inspect_install(options, env=env), now_ms=time.time() * 1000, runtime=False)
            # `agent_own_model`: agent work's chats use its own model (claude-haiku-4-5), not the default
            assert agent_diag.default_model == agent_status["resolvedDefault"], agent
