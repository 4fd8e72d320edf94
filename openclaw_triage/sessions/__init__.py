"""Every chat session's auth pin, read-only, for both storage eras, and what OpenClaw does with it.

A chat session remembers the auth profile it uses (`authProfileOverride`, with its source
`auto`, `user` or, in 2026.9, `user-link`). That memory outlives every fix to the order, which
is why a user can fix the order, see `check` come back clean, and still have a chat that fails.

- 2026.3 keeps sessions in `<state>/agents/<id>/sessions/sessions.json` (or `session.store`),
  a map from session key to entry, read with `JSON.parse` (a broken file reads as empty).
- 2026.9 keeps them in the agent database, `session_nodes.entry_json`, read here with `mode=ro`
  through the WAL like `store_sqlite`; an older `session_entries` table is read if its shape
  is recognisable, else reported.

The pin rules are `resolveSessionAuthProfileOverride` (2026.3 `auth-profiles-*.js`, 2026.9
`session-override-*.mjs`) plus what was observed with the real CLIs (see `PIN RULES` in
`rules.py`). Nothing here writes; nothing imports sqlite3 unless a 2026.9 store is read.

The modules: `model` (Pin, Session, SessionStore), `entries` (a stored entry as a Session),
`legacy_json` (2026.3 `sessions.json`), `database` (2026.9 agent DB), `cache` (stores already
read, for both), `stores` (every agent's store of an install), `rules` (the verdict on a pin),
`findings` (`check`'s findings); `app` and `cli` load only when used. Import from this package:
it re-exports what other modules use.
"""

from __future__ import annotations

from .cache import clear_cache
from .database import load_db_store
from .entries import PIN_FIELDS, agent_of, resolve_pin, session_from_entry
from .findings import FINDINGS_PER_CODE, chat_fix, check_sessions
from .legacy_json import MAX_STORE_BYTES, SESSIONS_FILE, legacy_store_path, load_legacy_store, parse_legacy_store
from .model import USER_SOURCES, Pin, Session, SessionStore
from .rules import AgentView, PinVerdict, assess
from .stores import load_sessions, sessions_of

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "FINDINGS_PER_CODE",
    "MAX_STORE_BYTES",
    "PIN_FIELDS",
    "SESSIONS_FILE",
    "USER_SOURCES",
    "AgentView",
    "Pin",
    "PinVerdict",
    "Session",
    "SessionStore",
    "agent_of",
    "assess",
    "chat_fix",
    "check_sessions",
    "clear_cache",
    "legacy_store_path",
    "load_db_store",
    "load_legacy_store",
    "load_sessions",
    "parse_legacy_store",
    "resolve_pin",
    "session_from_entry",
    "sessions_of",
]


def __getattr__(name: str) -> Any:
    """The app's helpers (`pinned_counts`, `order_reach`, `assess_install`, ...) load on first use: `check` never needs them."""
    if name in _APP_NAMES:
        from . import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_APP_NAMES = frozenset({"PinCount", "OrderReach", "pinned_counts", "order_reach", "assess_install"})
