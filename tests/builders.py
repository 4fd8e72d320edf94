"""Small hand-built OpenClaw states for edge cases the real CLI will not produce.

Realistic states come from the real CLI (`tests/fixtures/states`, see `tests/states.py`);
these builders write the same formats by hand, for broken files, odd shapes and races.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any


def write_json(path: Path, data: Any, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.chmod(path, mode)
    return path


class LegacyHome:
    """A 2026.3-style install: `~/.openclaw/openclaw.json` + `agents/<id>/agent/auth-profiles.json`."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.state = home / ".openclaw"
        self.state.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.state, 0o700)

    def config(self, data: dict[str, Any]) -> LegacyHome:
        write_json(self.state / "openclaw.json", {"meta": {"lastTouchedVersion": "2026.3.13"}, **data})
        return self

    def store(self, data: dict[str, Any], agent: str = "main") -> Path:
        agent_dir = self.state / "agents" / agent / "agent"
        agent_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(agent_dir, 0o700)
        return write_json(agent_dir / "auth-profiles.json", {"version": 1, **data})

    def raw_store(self, text: str, agent: str = "main") -> Path:
        agent_dir = self.state / "agents" / agent / "agent"
        agent_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = agent_dir / "auth-profiles.json"
        path.write_text(text, encoding="utf-8")
        os.chmod(path, 0o600)
        return path


def api_key_profile(key: str, provider: str = "anthropic") -> dict[str, Any]:
    return {"type": "api_key", "provider": provider, "key": key}


def token_profile(token: str, provider: str = "anthropic", **extra: Any) -> dict[str, Any]:
    return {"type": "token", "provider": provider, "token": token, **extra}


_STATE_SCHEMA = """
CREATE TABLE config_machine_state(state_key TEXT PRIMARY KEY, value_json TEXT NOT NULL, updated_at_ms INTEGER NOT NULL) STRICT;
"""
_AGENT_SCHEMA = """
CREATE TABLE schema_meta(meta_key TEXT NOT NULL PRIMARY KEY, role TEXT NOT NULL, schema_version INTEGER NOT NULL,
  agent_id TEXT, app_version TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL) STRICT;
CREATE TABLE auth_profile_store(store_key TEXT PRIMARY KEY, store_json TEXT NOT NULL, updated_at INTEGER NOT NULL) STRICT;
CREATE TABLE auth_profile_state(state_key TEXT PRIMARY KEY, state_json TEXT NOT NULL, updated_at INTEGER NOT NULL) STRICT;
"""


class CurrentHome:
    """A 2026.9-style install with SQLite stores (only the tables our reader touches)."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.state = home / ".openclaw"
        self.state.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.state, 0o700)

    def config(self, data: dict[str, Any]) -> CurrentHome:
        write_json(self.state / "openclaw.json", {"meta": {"lastTouchedVersion": "2026.9.6"}, **data})
        return self

    def shared_store(self, store: dict[str, Any], state: dict[str, Any] | None = None, *, wal: bool = True) -> Path:
        db = self.state / "state" / "openclaw.sqlite"
        db.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        conn = sqlite3.connect(db)
        if wal:
            conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(_STATE_SCHEMA)
        conn.execute("PRAGMA user_version = 18")
        rows = [("auth.sharedStore", {"location": "state-db"}), ("authProfiles.store", {"version": 1, **store})]
        if state is not None:
            rows.append(("authProfiles.state", {"version": 1, **state}))
        conn.executemany(
            "INSERT OR REPLACE INTO config_machine_state VALUES (?, ?, 0)", [(k, json.dumps(v)) for k, v in rows]
        )
        conn.commit()
        conn.close()
        os.chmod(db, 0o600)
        return db

    def agent_db(
        self,
        agent: str = "main",
        store: dict[str, Any] | None = None,
        state: dict[str, Any] | None = None,
        version: int = 23,
    ) -> Path:
        agent_dir = self.state / "agents" / agent / "agent"
        agent_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        db = agent_dir / "openclaw-agent.sqlite"
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(_AGENT_SCHEMA)
        conn.execute(f"PRAGMA user_version = {int(version)}")
        conn.execute("INSERT INTO schema_meta VALUES ('primary', 'agent', ?, ?, '2026.9.6', 0, 0)", (version, agent))
        conn.execute(
            "INSERT INTO auth_profile_store VALUES ('primary', ?, 0)",
            (json.dumps({"version": 1, "profiles": {}, **(store or {})}),),
        )
        if state is not None:
            conn.execute(
                "INSERT INTO auth_profile_state VALUES ('primary', ?, 0)", (json.dumps({"version": 1, **state}),)
            )
        conn.commit()
        conn.close()
        os.chmod(db, 0o600)
        return db
