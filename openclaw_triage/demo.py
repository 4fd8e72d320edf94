"""A bundled example install, so a newcomer can see the whole tool work, writes included.

`make_demo()` writes the seed support thread's broken state into a fresh temp dir with fake
keys: a key shortened by hand, the same secret stored again as a token profile by
`paste-token`, an order override pinned to the broken profile, and the fresh key the user
finally made, left out of the order. Nothing real is read or touched.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from pathlib import Path

DEMO_VERSION = "2026.3.13"


def fake_body(seed: str, length: int) -> str:
    """`length` deterministic base64url characters derived from `seed`."""
    body = ""
    counter = 0
    while len(body) < length:
        digest = hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        body += base64.urlsafe_b64encode(digest).decode().rstrip("=")
        counter += 1
    return body[:length]


def fake_secret(prefix: str, seed: str, body_length: int = 93, suffix: str = "AA") -> str:
    """A deterministic, well-formed fake credential (never a real one)."""
    return prefix + fake_body(seed, body_length) + suffix


def _write(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.chmod(path, 0o600)


def make_demo(root: Path | None = None) -> Path:
    """Create the demo home (returns it; the state dir is `<home>/.openclaw`)."""
    home = Path(root) if root is not None else Path(tempfile.mkdtemp(prefix="openclaw-triage-demo-"))
    state = home / ".openclaw"
    state.mkdir(parents=True, exist_ok=True, mode=0o700)
    old_key = fake_secret("sk-ant-api03-", "demo-old")
    shortened = old_key[:38] + old_key[42:]  # "i deleted some spaces to shorten it, to fit"
    fresh = fake_secret("sk-ant-api03-", "demo-fresh")
    _write(
        state / "openclaw.json",
        {
            "meta": {"lastTouchedVersion": DEMO_VERSION, "lastTouchedAt": "2026-03-20T10:00:00.000Z"},
            "auth": {
                "profiles": {
                    "anthropic:default": {"provider": "anthropic", "mode": "api_key"},
                    "anthropic:manual": {"provider": "anthropic", "mode": "token"},
                    "anthropic:fresh": {"provider": "anthropic", "mode": "api_key"},
                },
                "order": {"anthropic": ["anthropic:manual", "anthropic:default"]},
            },
            "agents": {"defaults": {"model": "anthropic/claude-sonnet-4-6", "workspace": "~/.openclaw/workspace"}},
            "gateway": {
                "port": 18789,
                "mode": "local",
                "bind": "loopback",
                "auth": {"mode": "token", "token": "demo-gateway-token-not-real"},
            },
            "channels": {"discord": {"enabled": True, "dmPolicy": "pairing"}},
        },
    )
    _write(
        state / "agents" / "main" / "agent" / "auth-profiles.json",
        {
            "version": 1,
            "profiles": {
                "anthropic:default": {"type": "api_key", "provider": "anthropic", "key": shortened},
                "anthropic:manual": {"type": "token", "provider": "anthropic", "token": shortened},
                "anthropic:fresh": {"type": "api_key", "provider": "anthropic", "key": fresh},
            },
            "order": {"anthropic": ["anthropic:default", "anthropic:manual"]},
            "lastGood": {"anthropic": "anthropic:default"},
        },
    )
    return home
