"""A bundled example install, so a newcomer can see the whole tool work, writes included.

`make_demo()` writes the seed support thread's broken state into a fresh temp dir with fake
keys: a key shortened by hand, the same secret stored again as a token profile by
`paste-token`, an order override pinned to the broken profile, and the fresh key the user
finally made, left out of the order. `make_demo(era="2026.9")` unpacks an install made by the
real OpenClaw 2026.9.6 (SQLite stores) whose order pins a truncated key first. Nothing real
is read or touched.
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


DEMO_ERAS = ("2026.3", "2026.9")


def make_demo(root: Path | None = None, *, era: str = "2026.3") -> Path:
    """Create the demo home (returns it; the state dir is `<home>/.openclaw`)."""
    if era not in DEMO_ERAS:
        raise ValueError(f"no demo for {era!r}: choose {' or '.join(DEMO_ERAS)}")
    home = Path(root) if root is not None else Path(tempfile.mkdtemp(prefix=f"openclaw-triage-demo-{era}-"))
    if era == "2026.9":
        return _unpack_current(home)
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


def _unpack_current(home: Path) -> Path:
    """The 2026.9 demo: a real-CLI install, moved to `home` (paths rewritten, modes restored)."""
    import tarfile
    from importlib.resources import files

    from .relocate import apply_tree_modes, relocate_home

    home.mkdir(parents=True, exist_ok=True)
    archive = files("openclaw_triage.demo") / "data" / "current-2026.9.tar.gz"
    with archive.open("rb") as raw, tarfile.open(fileobj=raw, mode="r:gz") as tar:
        meta = json.loads(tar.extractfile("demo.json").read())  # type: ignore[union-attr]
        members = [m for m in tar.getmembers() if m.name.startswith("home/") and (m.isfile() or m.isdir())]
        for member in members:
            member.name = member.name.removeprefix("home/")
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # Python >= 3.11.4
        tar.extractall(home, members=members, **safe)  # type: ignore[arg-type]
    relocate_home(home, "@HOME@", str(home))
    apply_tree_modes(home, meta["tree"])
    return home
