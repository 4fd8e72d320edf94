"""Chat pins with the real OpenClaw, both eras: made by real turns, honoured, cleared (or not), undone.

Each test copies a built scenario (`order_pinned_to_broken`: anthropic:default holds a good key,
anthropic:work a truncated one), pins the order to [default, work], points OpenClaw at the
loopback fake Anthropic (which accepts only the default key) and runs a real gateway. Chats are
driven exactly as the Control UI drives them, with the `chat.send` RPC:

1. a first message: a real turn, which writes the session entry (2026.3: an `auto` pin);
2. `/model <ref>@anthropic:work`: the user's way to pin a chat (a `user` pin);
3. a message: the fake server records which key arrived (2026.3: ONLY work's; 2026.9: work's
   first, then it fails over to default, observed);
4. our `check` names the chat (`session.pin_unusable`); our `unpin`: 2026.3 clears the pin under
   the session lock WHILE the gateway runs, the gateway does not write it back, and the next
   turn sends default's key; `undo` restores the pin and work's key is sent again. 2026.9:
   `unpin` refuses and gives the chat command, which, sent in the chat, makes the next turn use
   default's key; `/reset` keeps the pin (2026.9's rule).

The gateway's process group is killed in a `finally`. About two minutes for both eras.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from openclaw_triage import write
from openclaw_triage.diagnose.run import diagnose
from openclaw_triage.findings import Severity
from openclaw_triage.model import Era
from openclaw_triage.runtime import sessions as S
from tests.fakeanthropic import FakeAnthropic, Reply
from tests.oracle.conftest import Built, OracleStates
from tests.oracle.write_support import Home
from tests.states import secret_fragments

pytestmark = [pytest.mark.oracle, pytest.mark.usefixtures("triage_state")]

KEY = "agent:main:main"


class Chat:
    """A private home, the fake API, and a running gateway to send chat messages through."""

    def __init__(self, h: Home, api: FakeAnthropic, good: str, bad: str) -> None:
        self.h, self.api, self.good, self.bad = h, api, good, bad

    def names(self, since: int) -> list[str]:
        names = {self.good: "default", self.bad: "work"}
        return [names.get(c or "", "other") for c in self.api.credentials()[since:]]

    def send(self, message: str, *, settle: Callable[[], bool] | None = None, timeout: float = 90) -> list[str]:
        """Send one message like the Control UI; wait for its turn; the keys that arrived meanwhile."""
        n0 = len(self.api.requests)
        params = {"sessionKey": KEY, "message": message, "idempotencyKey": str(uuid.uuid4())}
        self.h.openclaw("gateway", "call", "chat.send", "--params", json.dumps(params), "--json", "--timeout", "30000")
        deadline, last, quiet = time.monotonic() + timeout, -1, 0.0
        while time.monotonic() < deadline:
            time.sleep(0.25)
            n = len(self.api.requests)
            quiet = quiet + 0.25 if n == last else 0.0
            last = n
            if settle is not None:
                if settle() and quiet >= 1.0:
                    break
            elif n > n0 and quiet >= 2.0:
                break
        else:
            pytest.fail(f"the chat turn for {message!r} did not finish in {timeout:g} s")
        return self.names(n0)

    def pin(self) -> S.Pin | None:
        sessions = {s.key: s for s in S.sessions_of(S.load_sessions(self.h.inspect()))}
        return sessions[KEY].pin if KEY in sessions else None


def _point_at(h: Home, url: str, era: str) -> None:
    """The config change a user makes to use another Anthropic endpoint (as the fixtures do)."""
    path = h.state_dir / "openclaw.json"
    cfg = json.loads(path.read_text())
    providers = cfg.setdefault("models", {}).setdefault("providers", {})
    if era == "legacy-2026.3":
        providers["anthropic"] = {"baseUrl": url, "models": []}  # 2026.3 requires "models"
    else:
        providers.setdefault("anthropic", {})["baseUrl"] = url
    path.write_text(json.dumps(cfg, indent=2) + "\n")


def _ready(port: int, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as resp:
                if resp.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


@contextmanager
def gateway(h: Home) -> Iterator[None]:
    port = int(h.env["OPENCLAW_GATEWAY_PORT"])
    log = open(h.home.parent / "gateway.log", "wb")  # noqa: SIM115 - lives as long as the process
    proc = subprocess.Popen(
        [h.cli, "gateway", "run", "--port", str(port), "--bind", "loopback"],
        env=h.env,
        cwd=h.home,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        if not _ready(port, time.monotonic() + 90):
            pytest.fail("the gateway did not become ready:\n" + (h.home.parent / "gateway.log").read_text()[-2000:])
        yield
    finally:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=15)
                break
            except subprocess.TimeoutExpired:
                continue
        log.close()


@contextmanager
def chat_home(oracle_states: OracleStates, era: str, tmp_path: Path) -> Iterator[Chat]:
    built: Built = oracle_states.get(era, "order_pinned_to_broken")
    good, bad = built.secrets["base_key"], built.secrets["work_truncated_key"]
    h = Home(built, tmp_path / "home")
    h.openclaw("models", "auth", "order", "set", "--provider", "anthropic", "anthropic:default", "anthropic:work")
    if era == "current-2026.9":
        primary = json.loads(h.openclaw("models", "status", "--json").stdout).get("defaultModel") or ""
        if not primary.startswith("anthropic/"):
            h.openclaw("models", "set", "anthropic/claude-opus-5")
    with FakeAnthropic(keys={good: Reply.ok()}) as api:
        _point_at(h, api.url, era)
        with gateway(h):
            yield Chat(h, api, good, bad)


def _leaks(text: str, *secrets: str) -> list[str]:
    return [f for s in secrets for f in secret_fragments(s) if f in text]


# --------------------------------------------------------------------------- 2026.3


def test_legacy_user_pin_is_cleared_by_unpin_and_restored_by_undo(
    oracle_states: OracleStates, tmp_path: Path, triage_state: Path
) -> None:
    with chat_home(oracle_states, "legacy-2026.3", tmp_path) as chat:
        store = chat.h.state_dir / "agents/main/sessions/sessions.json"
        assert chat.send("hello") == ["default"]
        first = chat.pin()
        assert first is not None and (first.profile_id, first.source) == ("anthropic:default", "auto")

        during = chat.send(
            "/model anthropic/claude-opus-4-6@anthropic:work", settle=lambda: bool(chat.pin() and chat.pin().is_user)
        )  # type: ignore[union-attr]
        assert "work" not in during  # pinning sends nothing with the pinned key (see the 2026.9 test)
        pinned = chat.pin()
        assert pinned is not None and (pinned.profile_id, pinned.source) == ("anthropic:work", "user")
        # OpenClaw 2026.3 honours it: only work's key, although the order puts default first
        assert set(chat.send("hello")) == {"work"}

        install = chat.h.inspect()
        assert install.era is Era.JSON
        findings = [f for f in diagnose(install).findings if f.subject == KEY]
        assert [(f.code, f.severity) for f in findings] == [("session.pin_unusable", Severity.ERROR)]

        before = json.loads(store.read_text())[KEY]
        change = write.unpin(install, session_key=KEY)  # the gateway is running
        assert change.changed and change.sessions == (KEY,)
        after = json.loads(store.read_text())[KEY]
        assert {k: v for k, v in before.items() if not k.startswith("authProfileOverride")} == after
        assert oct(store.stat().st_mode & 0o777) == "0o600" and not store.read_bytes().endswith(b"\n")
        time.sleep(2)
        assert chat.pin() is None, "the running gateway wrote its copy of the pin back"

        # the next real turn follows the order: default's key, and OpenClaw re-pins automatically
        assert set(chat.send("hello")) == {"default"}
        again = chat.pin()
        assert again is not None and (again.profile_id, again.source) == ("anthropic:default", "auto")

        undone = write.undo()
        assert undone.action == "undo"
        back = chat.pin()
        assert back is not None and (back.profile_id, back.source) == ("anthropic:work", "user")
        assert set(chat.send("hello")) == {"work"}

        text = json.dumps([change.summary, change.notes, undone.summary, undone.notes])
        text += "".join(p.read_text() for p in (triage_state / "journal").glob("*.json"))
        assert not _leaks(text, chat.good, chat.bad)


# --------------------------------------------------------------------------- 2026.9


def test_current_user_pin_has_no_outside_unpin_and_the_chat_command_works(
    oracle_states: OracleStates, tmp_path: Path
) -> None:
    with chat_home(oracle_states, "current-2026.9", tmp_path) as chat:
        assert "default" in chat.send("hello")
        # Pinning sends nothing with the pinned key (a late request of the previous turn, on a loaded
        # machine, may still arrive meanwhile: it carries the old key).
        during = chat.send(
            "/model anthropic/claude-opus-5@anthropic:work", settle=lambda: bool(chat.pin() and chat.pin().is_user)
        )  # type: ignore[union-attr]
        assert "work" not in during
        pinned = chat.pin()
        assert pinned is not None and (pinned.profile_id, pinned.source) == ("anthropic:work", "user")
        # 2026.9.6: the user pin is tried first, then the turn fails over to the order (observed)
        keys = chat.send("hello")
        assert keys[0] == "work" and "default" in keys

        install = chat.h.inspect()
        assert install.era is Era.SQLITE
        findings = [f for f in diagnose(install).findings if f.subject == KEY]
        assert [(f.code, f.severity) for f in findings] == [("session.pin_unusable", Severity.WARNING)]
        with pytest.raises(write.Unsupported) as info:
            write.unpin(install, session_key=KEY)
        hint = str(info.value)
        command = "/model anthropic/claude-opus-5@anthropic:default"
        assert f"{KEY}: {command}" in hint and not _leaks(hint, chat.good, chat.bad)
        assert chat.pin() == pinned  # nothing was written

        # 2026.9 keeps a user pin through /reset (resolveResetPreservedSelection)
        chat.send("/reset", settle=lambda: True)
        kept = chat.pin()
        assert kept is not None and (kept.profile_id, kept.source) == ("anthropic:work", "user")

        # the chat command we give: the chat now uses the profile the order puts first
        chat.send(command, settle=lambda: chat.pin() is not None and chat.pin().profile_id == "anthropic:default")  # type: ignore[union-attr]
        assert set(chat.send("hello")) == {"default"}
