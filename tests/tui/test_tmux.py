"""The real program in a real 80x24 terminal (tmux), as a user from the seed thread drives it
with no network: probe, then fix the order, then paste a key, then take the paste back.

A private tmux server (`-L`) keeps it apart from any other tmux on the machine. No full key may
ever be on screen.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from openclaw_triage.demo import make_demo
from tests import fakekeys

REPO = Path(__file__).resolve().parents[2]
STORE = Path(".openclaw") / "agents" / "main" / "agent" / "auth-profiles.json"


def wait_for(what: str, predicate: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def tmux() -> Iterator[Callable[..., str]]:
    if shutil.which("tmux") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("tmux is missing: .ci/run installs it", pytrace=False)
        pytest.skip("tmux is not installed")
    socket = f"octriage-test-{os.getpid()}"

    def run(*args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", socket, *args], capture_output=True, text=True, check=True, timeout=30
        ).stdout

    yield run
    subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, check=False)


def test_at_80x24_offline_probe_then_o_then_paste_then_z(tmux: Callable[..., str], tmp_path: Path) -> None:
    home = make_demo(tmp_path / "demo")
    store = home / STORE
    original = json.loads(store.read_text())
    secrets = [p.get("key") or p.get("token") for p in original["profiles"].values()]
    new_key = fakekeys.api_key("tmux-paste")
    exit_file = tmp_path / "exit-code"
    env = {
        "HOME": str(home),
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "TERM": "xterm-256color",
        "PYTHONPATH": str(REPO),
        "HTTPS_PROXY": "http://127.0.0.1:9",  # no network: nothing listens there
        "OPENCLAW_TRIAGE_STATE_DIR": str(tmp_path / "journal"),
        "OPENCLAW_TRIAGE_CONFIG_DIR": str(tmp_path / "config"),
    }
    command = (
        f"{shlex.quote(sys.executable)} -m openclaw_triage --state-dir {shlex.quote(str(home / '.openclaw'))} "
        f"--openclaw none; echo $? > {shlex.quote(str(exit_file))}"
    )
    env_args = [arg for key, value in env.items() for arg in ("-e", f"{key}={value}")]
    tmux("new-session", "-d", "-s", "app", "-x", "80", "-y", "24", "-c", str(home), *env_args, command)
    screens: list[str] = []

    def screen() -> str:
        screens.append(tmux("capture-pane", "-p", "-t", "app"))
        return screens[-1]

    def order() -> list[str]:
        return json.loads(store.read_text()).get("order", {}).get("anthropic", [])

    wait_for("the first frame", lambda: "order.first_unusable [o]" in screen())
    tmux("send-keys", "-t", "app", "t")
    wait_for("the probe's summary", lambda: "no answer (network)" in screen())
    assert "order.first_unusable [o]" in screens[-1]  # the offline probe did not hide the fix
    tmux("send-keys", "-t", "app", "o")
    wait_for("the order fix on disk", lambda: order() == ["anthropic:fresh", "anthropic:default", "anthropic:manual"])
    wait_for("the toast", lambda: "Press z to undo" in screen())

    tmux("send-keys", "-t", "app", "p")  # no clipboard here: the hidden field takes a bracketed paste
    wait_for("the paste dialog", lambda: "Paste a key safely" in screen() and "Test and save" in screens[-1])
    tmux("set-buffer", new_key)
    tmux("paste-buffer", "-p", "-t", "app")
    wait_for("the key judged", lambda: "Anthropic API key" in screen() and "108 characters" in screens[-1])
    tmux("send-keys", "-t", "app", "Enter")
    wait_for("the probe's word", lambda: "could not be asked" in screen())
    tmux("send-keys", "-t", "app", "Enter")  # the test is off now: saved untested
    wait_for(
        "the key on disk", lambda: json.loads(store.read_text())["profiles"]["anthropic:default"]["key"] == new_key
    )
    wait_for("the dialog gone", lambda: "Paste a key safely" not in screen())
    # OpenClaw still tries anthropic:fresh first (the order fix above): the app offers to pin the new key.
    wait_for("the offer to pin it", lambda: "anthropic:default first? (z undoes it)" in screen())
    tmux("send-keys", "-t", "app", "n")

    tmux("send-keys", "-t", "app", "z")  # takes back the paste, the app's last change
    wait_for("the paste undone", lambda: json.loads(store.read_text())["profiles"] == original["profiles"])
    assert order() == ["anthropic:fresh", "anthropic:default", "anthropic:manual"]  # the order fix stays
    screen()
    tmux("send-keys", "-t", "app", "q")
    wait_for("the app to exit", exit_file.exists)
    assert exit_file.read_text().strip() == "0"
    everything = "\n".join(screens)
    for secret in [*secrets, new_key]:
        assert secret not in everything
