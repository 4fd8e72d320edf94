"""No full key anywhere: a distinctive fake secret planted in every field and source the tool
reads, for both eras, and every read-only command's output (and the report file) searched for it.

Each planted secret is different, so a failure names the source that leaked, never the secret.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests import fakekeys
from tests.gateway_fakes import failure_lines, free_port
from tests.probe_server import ProbeReply, ProbeServer
from tests.session_builders import entry, write_session_nodes, write_sessions_json
from tests.states import StateHome, secret_fragments
from tests.support.cli import run_cli

# One secret per source; a name says where it was planted. Shapes vary on purpose: some are
# key-shaped (found by their shape too), some are not (found only because the tool knows them).
PLANTED = {
    "profile key": fakekeys.api_key("leak-profile"),
    "profile token": fakekeys.oauth_token("leak-token"),
    "oauth access": fakekeys.oauth_token("leak-access"),
    "oauth refresh": fakekeys.refresh_token("leak-refresh"),
    "profile id": fakekeys.api_key("leak-id"),
    "chat label": fakekeys.api_key("leak-label"),
    "chat origin": fakekeys.oauth_token("leak-origin"),
    "config header": "hdr-Zq9xWv7uPk2m",  # any header name, no known shape
    "config apiKey": fakekeys.openrouter_key("leak-apikey"),
    "config env block": "envblk-Lm4Qp8Rt2Wx6",
    "dotenv": fakekeys.api_key("leak-dotenv"),
    "baseUrl password": "urlpass-Hy7Tg5Rf3Ed1",
    "gateway token": "9f" * 24,
    "discord token": "MzQzMjkxNDQ3NTM3NTg5MTA3.rWyDb6.LeakLeakLeakLeakLeakLeakLeakLeakLe",
    "gateway log": fakekeys.api_key("leak-log"),
}
ESCAPES = "\x1b]0;pwned\x07\x1b[2J"


def _rewrite_json(path: Path, change: Callable[[dict], None]) -> None:  # type: ignore[type-arg]
    data = json.loads(path.read_text()) if path.exists() else {}
    change(data)
    path.write_text(json.dumps(data, indent=2))


def _plant_profiles(state: StateHome) -> None:
    profiles = {
        "anthropic:leaky": {"type": "api_key", "provider": "anthropic", "key": PLANTED["profile key"]},
        "anthropic:tok": {"type": "token", "provider": "anthropic", "token": PLANTED["profile token"]},
        "anthropic:oauth": {
            "type": "oauth",
            "provider": "anthropic",
            "access": PLANTED["oauth access"],
            "refresh": PLANTED["oauth refresh"],
            "expires": 4_102_444_800_000,
        },
        f"anthropic:{PLANTED['profile id']}": {"type": "api_key", "provider": "anthropic", "key": "short"},
        f"anthropic:{ESCAPES}evil": {"type": "api_key", "provider": "anthropic", "key": fakekeys.api_key("evil")},
    }
    legacy = state.state_dir / "agents" / "main" / "agent" / "auth-profiles.json"
    if legacy.exists():
        _rewrite_json(legacy, lambda d: d.setdefault("profiles", {}).update(profiles))
        return
    db = sqlite3.connect(state.state_dir / "state" / "openclaw.sqlite")
    (raw,) = db.execute("SELECT value_json FROM config_machine_state WHERE state_key='authProfiles.store'").fetchone()
    store = json.loads(raw)
    store.setdefault("profiles", {}).update(profiles)
    db.execute(
        "UPDATE config_machine_state SET value_json=? WHERE state_key='authProfiles.store'", (json.dumps(store),)
    )
    db.commit()
    db.close()


def _plant(state: StateHome, server_url: str, tmp: Path) -> None:
    log = tmp / "gw.log"

    def config(cfg: dict) -> None:  # type: ignore[type-arg]
        cfg["models"] = {
            "providers": {
                "anthropic": {"baseUrl": server_url, "headers": {"X-Proxy-Auth": PLANTED["config header"]}},
                "openrouter": {
                    "baseUrl": f"https://proxyuser:{PLANTED['baseUrl password']}@proxy.example/v1",
                    "apiKey": PLANTED["config apiKey"],
                },
            }
        }
        cfg["env"] = {"vars": {"PROXY_PASS": PLANTED["config env block"]}}
        cfg["gateway"] = {"port": free_port(), "auth": {"mode": "token", "token": PLANTED["gateway token"]}}
        cfg["channels"] = {"discord": {"enabled": True, "token": PLANTED["discord token"], "dmPolicy": "pairing"}}
        cfg["logging"] = {"file": str(log)}

    _rewrite_json(state.state_dir / "openclaw.json", config)
    (state.state_dir / ".env").write_text(f"ANTHROPIC_API_KEY={PLANTED['dotenv']}\n")
    lines = failure_lines(time.time() - 30, "anthropic:leaky", "r1", f"HTTP 401 {PLANTED['gateway log']}", "sha256:1")
    log.write_text("\n".join(lines) + "\n")
    _plant_profiles(state)
    chats = {
        "agent:main:main": entry("s1", pin="anthropic:leaky", source="user", display=f"my {PLANTED['chat label']}"),
        "agent:main:discord:channel:1": entry(
            "s2", pin="anthropic:tok", source="user", channel="discord", origin={"from": PLANTED["chat origin"]}
        ),
    }
    if state.era.startswith("legacy"):
        write_sessions_json(state.state_dir, chats)
    else:
        write_session_nodes(state.state_dir, chats)


# A proxy that echoes the request's headers (and the key) in its error, with a terminal escape.
ECHO = ProbeReply(
    401,
    "authentication_error",
    f"bad headers: X-Proxy-Auth: {PLANTED['config header']}; x-api-key: {PLANTED['profile key']}; {ESCAPES}",
)
COMMANDS = [
    ("check",),
    ("check", "--json"),
    ("check", "--probe", "--json"),
    ("sessions",),
    ("sessions", "--json"),
    ("report",),
    ("report", "--probe", "-o", "report.md"),
    ("gateway", "status"),
    ("gateway", "status", "--json"),
    ("discord", "status"),
    ("discord", "status", "--json"),
    ("probe",),
    ("probe", "--json"),
]


@pytest.mark.parametrize("era", ["legacy-2026.3", "current-2026.9"])
def test_no_planted_secret_reaches_any_output_or_file(
    era: str, openclaw_state: Callable[[str, str], StateHome], tmp_path: Path
) -> None:
    state = openclaw_state(era, "one_api_key")
    with ProbeServer(unknown=ECHO) as server:
        _plant(state, server.url, tmp_path)
        outputs = {" ".join(args): run_cli(state.home, *args, env={"NO_PROXY": "*"}) for args in COMMANDS}
        assert len(server.seen) >= 2, "the probe never reached the loopback server"
    report = (state.home / "report.md").read_text()
    outputs["report.md"] = type(outputs["report"])(("report.md",), 0, report, "")
    assert "anthropic:leaky" in outputs["check"].stdout and "## Findings" in report  # the runs did their work
    leaks = [
        f"{source} in `{command}`"
        for command, ran in outputs.items()
        for source, secret in PLANTED.items()
        if any(fragment in ran.stdout + ran.stderr for fragment in secret_fragments(secret))
    ]
    assert not leaks, f"leaked: {leaks}"
    raw_escapes = [command for command, ran in outputs.items() if "\x1b" in ran.stdout + ran.stderr]
    assert not raw_escapes, f"a raw ESC reached the terminal in: {raw_escapes}"
    for command in ("check --json", "check --probe --json", "sessions --json", "probe --json"):
        json.loads(outputs[command].stdout)  # masking kept it valid JSON


def test_a_chat_named_with_a_key_is_masked_where_it_is_read_so_the_app_never_holds_it(tmp_path: Path) -> None:
    from openclaw_triage.model import Era
    from openclaw_triage.runtime.sessions.entries import session_from_entry

    key = PLANTED["chat label"]
    for era in Era:
        session = session_from_entry("main", "agent:main:main", entry("s1", display=f"my {key} chat"), era)
        assert (
            key not in session.label and session.label.startswith("my sk-ant-a...") and session.label.endswith(" chat")
        )
    plain = session_from_entry("main", "agent:main:main", entry("s1", display="#general"), Era.JSON)
    assert plain.label == "#general"


@pytest.mark.parametrize("field", ["session key", "display name", "model"])
def test_a_key_in_a_chats_name_or_model_is_never_printed(tmp_path: Path, field: str) -> None:
    from tests.builders import LegacyHome, api_key_profile

    key = fakekeys.api_key(f"chat-{field}")
    home = LegacyHome(tmp_path)
    home.config({})
    home.store({"profiles": {"anthropic:default": api_key_profile(fakekeys.api_key("chat-profile"))}})
    session = f"agent:main:discord:channel:{key}" if field == "session key" else "agent:main:discord:channel:1"
    chat = entry(
        "s1",
        pin="anthropic:default",
        source="user",
        channel="discord",
        display=key if field == "display name" else "general",
        model=key if field == "model" else "claude-opus-4-6",
    )
    write_sessions_json(home.state, {session: chat})
    for args in (("sessions",), ("sessions", "--json"), ("check",), ("check", "--json"), ("report",)):
        ran = run_cli(tmp_path, *args)
        if any(frag in ran.stdout + ran.stderr for frag in secret_fragments(key)):
            pytest.fail(f"{' '.join(args)} printed a key planted in a chat's {field}", pytrace=False)
