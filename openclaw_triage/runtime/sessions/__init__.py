"""Every chat session and its auth pin, read-only, for both storage eras.

A chat session remembers the auth profile it uses (`authProfileOverride`, with its source
`auto`, `user` or, in 2026.9, `user-link`). That memory outlives every fix to the order, which
is why a user can fix the order, see `check` come back clean, and still have a chat that fails.

- 2026.3 keeps sessions in `<state>/agents/<id>/sessions/sessions.json` (or `session.store`),
  a map from session key to entry, read with `JSON.parse` (a broken file reads as empty).
- 2026.9 keeps them in the agent database, `session_nodes.entry_json`, read here with `mode=ro`
  through the WAL like `store_sqlite`; an older `session_entries` table is read if its shape
  is recognisable, else reported.

What OpenClaw does with a pin is decided one layer up (`openclaw_triage.diagnose.pins`, with
`check`'s findings in `diagnose.checks.sessions`). Nothing here writes; nothing imports
sqlite3 unless a 2026.9 store is read.

The modules: `model` (Pin, Session, SessionStore), `entries` (a stored entry as a Session),
`legacy_json` (2026.3 `sessions.json`), `database` (2026.9 agent DB), `cache` (stores already
read, for both), `stores` (every agent's store of an install). This package re-exports them.
"""

from __future__ import annotations

from .cache import clear_cache
from .entries import PIN_FIELDS, agent_of, resolve_pin, session_from_entry
from .legacy_json import MAX_STORE_BYTES, SESSIONS_FILE, legacy_store_path, load_legacy_store, parse_legacy_store
from .model import USER_SOURCES, Pin, Session, SessionStore
from .stores import load_sessions, sessions_of

__all__ = [
    "MAX_STORE_BYTES",
    "PIN_FIELDS",
    "SESSIONS_FILE",
    "USER_SOURCES",
    "Pin",
    "Session",
    "SessionStore",
    "agent_of",
    "clear_cache",
    "legacy_store_path",
    "load_legacy_store",
    "load_sessions",
    "parse_legacy_store",
    "resolve_pin",
    "session_from_entry",
    "sessions_of",
]
