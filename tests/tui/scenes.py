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


SCENES = {
    "seed-broken-install": seed_demo,
    "same-secret-two-profiles": same_secret,
    "sqlite-token-pinned": sqlite_pinned,
}
