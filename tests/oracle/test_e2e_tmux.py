"""The real program in a real terminal: launch, press `o`, check with the real OpenClaw, `z`, `q`.

Drives `openclaw-triage` inside tmux (`send-keys` / `capture-pane`) on a 2026.3 state whose stored
order pins a broken profile first, built by the real CLI. After `o` the store must put the healthy
profile first and `openclaw models auth order get` must agree; after `z` it is back; `q` exits 0.
No full secret may ever be on screen.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.oracle.conftest import REPO, OracleStates, mf

pytestmark = pytest.mark.oracle

ERA = "legacy-2026.3"
SCENARIO = "order_pinned_to_broken"


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True, timeout=30).stdout


def wait_for(what: str, predicate: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def stored_order(home: Path) -> list[str] | None:
    store = json.loads((home / ".openclaw" / "agents" / "main" / "agent" / "auth-profiles.json").read_text())
    return (store.get("order") or {}).get("anthropic")


@pytest.fixture
def session(tmp_path: Path) -> str:
    if shutil.which("tmux") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("tmux is missing: .ci/run installs it", pytrace=False)
        pytest.skip("tmux is not installed")
    name = f"octriage-e2e-{os.getpid()}"
    yield name
    subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True, check=False)


def test_o_fixes_the_pinned_order_and_z_undoes_it(oracle_states: OracleStates, session: str, tmp_path: Path) -> None:
    built = oracle_states.get(ERA, SCENARIO)
    home = tmp_path / "home"
    mf.copy_home(built.home, home)  # a private copy: other tests share the built state
    wrapper = mf.wrapper(ERA)
    original = stored_order(home)
    assert original == ["anthropic:work", "anthropic:default"]
    exit_file = tmp_path / "exit-code"
    env = {
        "HOME": str(home),
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "TERM": "xterm-256color",
        "PYTHONPATH": str(REPO),
        "OPENCLAW_TRIAGE_STATE_DIR": str(tmp_path / "journal"),
        "OPENCLAW_TRIAGE_CONFIG_DIR": str(tmp_path / "config"),
    }
    command = (
        f"{shlex.quote(sys.executable)} -m openclaw_triage --openclaw {shlex.quote(str(wrapper))}; "
        f"echo $? > {shlex.quote(str(exit_file))}"
    )
    env_args = [arg for key, value in env.items() for arg in ("-e", f"{key}={value}")]
    tmux("new-session", "-d", "-s", session, "-x", "170", "-y", "50", "-c", str(home), *env_args, command)
    screens: list[str] = []

    def screen() -> str:
        text = tmux("capture-pane", "-p", "-t", session)
        screens.append(text)
        return text

    wait_for("the first frame", lambda: "Findings" in screen() and "order.first_unusable" in screens[-1])
    tmux("send-keys", "-t", session, "o")
    wait_for("the order fix on disk", lambda: stored_order(home) == ["anthropic:default", "anthropic:work"])
    wait_for("the notification", lambda: "undo" in screen())

    # The real OpenClaw reads what we wrote.
    cli = subprocess.run(
        [str(wrapper), "models", "auth", "order", "get", "--provider", "anthropic", "--json"],
        env={"HOME": str(home), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
        cwd=home,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(cli.stdout)["order"] == ["anthropic:default", "anthropic:work"]

    tmux("send-keys", "-t", session, "z")
    wait_for("the undo on disk", lambda: stored_order(home) == original)
    screen()
    tmux("send-keys", "-t", session, "q")
    wait_for("the app to exit", exit_file.exists)
    assert exit_file.read_text().strip() == "0"

    everything = "\n".join(screens)
    for secret in built.secrets.values():
        assert secret not in everything
