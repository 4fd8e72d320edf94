"""The seed thread's states as small homes, shared by the snapshot tests and the screenshots."""

from __future__ import annotations

from pathlib import Path

from openclaw_triage.demo import make_demo
from tests import fakekeys
from tests.builders import CurrentHome, LegacyHome, api_key_profile, token_profile

PASTE_TOKEN_CONFIG = {
    "agents": {"defaults": {"model": "anthropic/claude-sonnet-4-6"}},
    "auth": {
        "profiles": {
            "anthropic:default": {"provider": "anthropic", "mode": "api_key"},
            "anthropic:manual": {"provider": "anthropic", "mode": "token"},
        },
        "order": {"anthropic": ["anthropic:manual", "anthropic:default"]},
    },
}


def seed_demo(root: Path) -> Path:
    """The bundled demo: a shortened key, its copy as a token, an order pinned to it."""
    return make_demo(root / "demo")


def same_secret(root: Path) -> Path:
    """`paste-token` with an API key: the same secret in an api_key and a token profile."""
    home = root / "same-secret"
    key = fakekeys.api_key("scene")
    LegacyHome(home).config(PASTE_TOKEN_CONFIG).store(
        {"profiles": {"anthropic:default": api_key_profile(key), "anthropic:manual": token_profile(key)}}
    )
    return home


def sqlite_pinned(root: Path) -> Path:
    """2026.9: an OAuth token stored as an API key and as a token, the order pinned to the token."""
    home = root / "sqlite"
    token = fakekeys.oauth_token("scene")
    h = CurrentHome(home).config(
        {
            "agents": {"entries": {"main": {}}, "defaults": {"model": {"primary": "anthropic/claude-opus-5"}}},
            **PASTE_TOKEN_CONFIG,
        }
    )
    h.shared_store(
        {"profiles": {"anthropic:default": api_key_profile(token), "anthropic:manual": token_profile(token)}}
    )
    h.agent_db(state={"order": {"anthropic": ["anthropic:manual"]}})
    return home


def chats_pinned(root: Path) -> Path:
    """The demo with its chats: one pinned by the user to the broken token, one chosen automatically."""
    from tests.session_builders import entry, write_sessions_json
    from tests.tui.conftest import NOW_MS

    home = make_demo(root / "chats")
    write_sessions_json(
        home / ".openclaw",
        {
            "agent:main:main": entry("s-main", updated_at=NOW_MS - 3_600_000),
            "agent:main:discord:channel:9": entry(
                "s-9",
                pin="anthropic:manual",
                source="user",
                channel="discord",
                display="#support",
                updated_at=NOW_MS - 60_000,
            ),
            "agent:main:discord:direct:7": entry(
                "s-7",
                pin="anthropic:default",
                source="auto",
                channel="discord",
                display="alice",
                updated_at=NOW_MS - 600_000,
            ),
        },
    )
    return home


def sources_shadowed(root: Path) -> Path:
    """Keys in several places: a profile wins over ANTHROPIC_API_KEY in ~/.openclaw/.env, and the
    OpenRouter fallback's key in .env wins over the config's env block."""
    home = root / "sources"
    h = LegacyHome(home).config(
        {
            "agents": {"defaults": {"model": {"primary": "anthropic/claude-sonnet-4-6",
                                              "fallbacks": ["openrouter/deepseek/deepseek-chat"]}}},
            "env": {"vars": {"OPENROUTER_API_KEY": fakekeys.openrouter_key("scene-config")}},
        }
    )  # fmt: skip
    h.store({"profiles": {"anthropic:default": api_key_profile(fakekeys.api_key("scene"))}})
    dotenv = home / ".openclaw" / ".env"
    dotenv.write_text(
        f"ANTHROPIC_API_KEY={fakekeys.api_key('scene-env')}\nOPENROUTER_API_KEY={fakekeys.openrouter_key('scene-env')}\n"
    )
    dotenv.chmod(0o600)
    return home


SCENES = {
    "seed-broken-install": seed_demo,
    "same-secret-two-profiles": same_secret,
    "sqlite-token-pinned": sqlite_pinned,
    "chats-pinned": chats_pinned,
    "sources-shadowed": sources_shadowed,
}
# Keys pressed before the picture is taken (the Chats tab is tab 2, Where keys come from 7).
SCENE_KEYS = {"chats-pinned": ["2"], "sources-shadowed": ["7"]}
