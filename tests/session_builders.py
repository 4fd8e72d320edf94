"""Hand-built chat session stores for both eras (real ones come from the oracle tests).

2026.3: `sessions.json` written exactly as OpenClaw writes it (`JSON.stringify(store, null, 2)`,
no trailing newline, 0600). 2026.9: the agent database's `session_nodes` table as the schema
dump (`/work/shared/openclaw/current-2026.9/schema/agent-openclaw-agent.sqlite.sql`) declares it,
plus an older `session_entries` table for the degrade-gracefully cases.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

from openclaw_triage.write.jsonfmt import stringify

NOW_MS = 1_795_600_000_000
# A chunk like the `skillsSnapshot` / `systemPromptReport` real entries carry (they dominate their size).
_SNAPSHOT = {
    "prompt": "\n\nThe following skills provide specialized instructions for specific tasks.\n" + "x" * 600,
    "skills": [{"name": f"skill-{i}", "location": f"/opt/openclaw/skills/skill-{i}/SKILL.md"} for i in range(4)],
}

SESSION_NODES_DDL = """
CREATE TABLE session_nodes (
  session_key TEXT NOT NULL PRIMARY KEY,
  current_session_id TEXT NOT NULL,
  entry_json TEXT NOT NULL,
  legacy_acp_migration_json TEXT,
  entry_valid INTEGER NOT NULL DEFAULT 0 CHECK (entry_valid IN (-1, 0, 1)),
  updated_at INTEGER NOT NULL,
  status TEXT CHECK (status IS NULL OR status IN ('running', 'done', 'failed', 'killed', 'timeout')),
  created_at INTEGER,
  created_via TEXT,
  created_actor_type TEXT,
  created_actor_id TEXT,
  owner_actor_type TEXT,
  owner_actor_id TEXT,
  owner_assigned_by_type TEXT,
  owner_assigned_by_id TEXT,
  owner_assigned_at INTEGER,
  project_id TEXT,
  parent_session_key TEXT,
  spawned_by TEXT,
  fork_source_session_key TEXT,
  fork_source_session_id TEXT,
  fork_source_entry_id TEXT,
  label TEXT,
  display_name TEXT,
  category TEXT,
  icon TEXT,
  pinned_at INTEGER,
  archived_at INTEGER,
  last_read_at INTEGER,
  last_interaction_at INTEGER,
  last_activity_at INTEGER
) STRICT;
CREATE INDEX idx_agent_session_nodes_updated_at ON session_nodes(updated_at DESC, session_key);
"""


def entry(
    session_id: str,
    *,
    updated_at: int = NOW_MS,
    pin: str | None = None,
    source: str | None = None,
    count: int | None = None,
    channel: str | None = None,
    display: str | None = None,
    model: str = "claude-opus-4-6",
    provider: str = "anthropic",
    heavy: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """An entry shaped like the ones real turns leave (field order as OpenClaw writes them)."""
    out: dict[str, Any] = {"sessionId": session_id, "updatedAt": updated_at}
    if heavy:
        out["skillsSnapshot"] = _SNAPSHOT
    if channel:
        out["chatType"] = "channel"
        out["channel"] = channel
        out["lastChannel"] = channel
    if display:
        out["displayName"] = display
    out.update({"modelProvider": provider, "model": model, "abortedLastRun": False, "inputTokens": 3})
    if pin is not None:
        out["authProfileOverride"] = pin
        if source is not None:
            out["authProfileOverrideSource"] = source
        if count is not None:
            out["authProfileOverrideCompactionCount"] = count
    out.update(extra)
    return out


def sessions_path(state_dir: Path, agent: str = "main") -> Path:
    return state_dir / "agents" / agent / "sessions" / "sessions.json"


def write_sessions_json(state_dir: Path, store: dict[str, Any], agent: str = "main", mode: int = 0o600) -> Path:
    """`sessions.json` byte for byte as OpenClaw's `saveSessionStoreUnlocked` writes it."""
    path = sessions_path(state_dir, agent)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_bytes(stringify(store).encode("utf-8"))
    os.chmod(path, mode)
    return path


def write_raw_sessions(state_dir: Path, raw: bytes, agent: str = "main") -> Path:
    path = sessions_path(state_dir, agent)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_bytes(raw)
    os.chmod(path, 0o600)
    return path


def big_store(n: int, *, pinned_every: int = 10, heavy: bool = True) -> dict[str, Any]:
    """`n` chats of a busy Discord bot: one in `pinned_every` pinned (alternating user and auto)."""
    store: dict[str, Any] = {}
    for i in range(n):
        pinned = i % pinned_every == 0
        user = (i // pinned_every) % 2 == 0
        store[f"agent:main:discord:channel:{100000 + i}"] = entry(
            f"s-{i:06d}",
            updated_at=NOW_MS - i * 1000,
            pin=("anthropic:work" if user else "anthropic:default") if pinned else None,
            source="user" if pinned and user else ("auto" if pinned else None),
            count=0 if pinned and not user else None,
            channel="discord",
            display=f"#channel-{i}",
            heavy=heavy,
        )
    return store


def agent_db_path(state_dir: Path, agent: str = "main") -> Path:
    return state_dir / "agents" / agent / "agent" / "openclaw-agent.sqlite"


def write_session_nodes(
    state_dir: Path,
    store: dict[str, Any],
    agent: str = "main",
    *,
    columns: dict[str, dict[str, Any]] | None = None,
    raw_rows: list[tuple[str, str]] = (),  # type: ignore[assignment]
) -> Path:
    """Add a `session_nodes` table (in WAL mode) to the agent DB, one row per entry."""
    db = agent_db_path(state_dir, agent)
    db.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript(SESSION_NODES_DDL)
    rows = []
    for key, value in store.items():
        extra = (columns or {}).get(key, {})
        rows.append(
            (
                key,
                value.get("sessionId", "x"),
                json.dumps(value, separators=(",", ":")),
                int(value.get("updatedAt", NOW_MS)),
                extra.get("label"),
                extra.get("display_name"),
                extra.get("archived_at"),
                extra.get("last_activity_at"),
            )
        )
    rows += [(k, "x", raw, NOW_MS, None, None, None, None) for k, raw in raw_rows]
    conn.executemany(
        "INSERT INTO session_nodes (session_key, current_session_id, entry_json, updated_at, label, display_name,"
        " archived_at, last_activity_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.commit()
    conn.close()
    os.chmod(db, 0o600)
    return db


def write_session_entries(
    state_dir: Path, rows: list[tuple[str, str]], *, columns: str = "session_key, entry_json"
) -> Path:
    """An older (2026.7-era) `session_entries` table: `columns` names its two columns."""
    db = agent_db_path(state_dir)
    db.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    conn = sqlite3.connect(db)
    a, b = (c.strip() for c in columns.split(","))
    conn.execute(f"CREATE TABLE session_entries ({a} TEXT PRIMARY KEY, {b} TEXT NOT NULL)")
    conn.executemany("INSERT INTO session_entries VALUES (?, ?)", rows)
    conn.commit()
    conn.close()
    return db
