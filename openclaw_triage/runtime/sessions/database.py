"""2026.9: an agent database's sessions (`session_nodes`, else an older `session_entries`), read-only.

Opened through `store_sqlite.connect_readonly` (a regular file only, through the WAL, nothing
written beside it); sqlite3 is imported only when a store is actually read.
"""

from __future__ import annotations

import json
import os
import stat

from ...model import Era
from ...openclaw.locate import AGENT_DB
from .cache import cached_store
from .entries import session_from_entry
from .model import SessionStore, store_issue

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path
    from typing import Any


def _db_columns(conn: Any, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def load_db_store(agent_dir: Path, agent_id: str, *, pinned_only: bool = False) -> SessionStore:
    """An agent DB's sessions: `session_nodes`, else a recognisable older `session_entries` table.

    Cached while the DB and its `-wal` stay the same (size, mtime, inode): treat it as read-only.
    """
    db = agent_dir / AGENT_DB
    try:
        st = db.stat()
    except (FileNotFoundError, NotADirectoryError):
        return SessionStore(agent_id, Era.SQLITE, f"{db}#session_nodes", "none", exists=False)
    except OSError as exc:  # permission denied on its folder, a symlink loop: there, and unusable
        store = SessionStore(agent_id, Era.SQLITE, f"{db}#session_nodes", "none", exists=True)
        store.issues.append(store_issue("session.store_unreadable", f"{db} cannot be read ({exc.strerror})", str(db)))
        return store
    try:
        wal = os.stat(str(db) + "-wal")
        wal_ident: tuple[int, ...] = (wal.st_ino, wal.st_size, wal.st_mtime_ns)
    except OSError:
        wal_ident = ()
    ident = ("db", str(db), agent_id, pinned_only, st.st_ino, st.st_size, st.st_mtime_ns, *wal_ident)
    return cached_store(ident, lambda: _load_db(db, st, agent_id, pinned_only))


def _load_db(db: Path, st: os.stat_result, agent_id: str, pinned_only: bool) -> SessionStore:
    store = SessionStore(agent_id, Era.SQLITE, f"{db}#session_nodes", "none", exists=False)
    store.exists, store.mode, store.size = True, stat.S_IMODE(st.st_mode), st.st_size
    import sqlite3

    from ...openclaw.store_sqlite import DbError, connect_readonly

    try:
        conn = connect_readonly(db)
    except DbError as exc:
        store.issues.append(store_issue("session.store_unreadable", str(exc), str(db)))
        return store
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "session_nodes" in tables:
            store.format = "session_nodes"
            _read_nodes(conn, store, agent_id, pinned_only)
        elif "session_entries" in tables:
            store.format, store.location = "session_entries", f"{db}#session_entries"
            _read_legacy_table(conn, store, agent_id, db)
    except sqlite3.DatabaseError as exc:
        store.issues.append(store_issue("session.store_unreadable", f"{db}: {exc}", str(db)))
    finally:
        conn.close()
    return store


_NODE_COLUMNS = (
    "current_session_id",
    "updated_at",
    "label",
    "display_name",
    "archived_at",
    "last_activity_at",
)


def _read_nodes(conn: Any, store: SessionStore, agent_id: str, pinned_only: bool = False) -> None:
    have = set(_db_columns(conn, "session_nodes"))
    if not {"session_key", "entry_json"} <= have:
        store.issues.append(
            store_issue(
                "session.store_unknown_format",
                f"{store.path}: session_nodes has no session_key/entry_json columns; this OpenClaw is newer than "
                "openclaw-triage knows",
                str(store.path),
            )
        )
        return
    extra = [c for c in _NODE_COLUMNS if c in have]
    sql = f"SELECT session_key, entry_json{''.join(', ' + c for c in extra)} FROM session_nodes"
    if pinned_only:  # OpenClaw stores compact JSON: rows without the field cannot hold a pin
        sql += " WHERE instr(entry_json, '\"authProfileOverride\"') > 0"
    _collect(conn.execute(sql), extra, store, agent_id)


def _read_legacy_table(conn: Any, store: SessionStore, agent_id: str, db: Path) -> None:
    """2026.7-era `session_entries`: read when a key and a JSON column can be told apart, else report."""
    have = _db_columns(conn, "session_entries")
    key_col = next((c for c in ("session_key", "key", "store_key") if c in have), None)
    json_col = next((c for c in ("entry_json", "entry", "value_json", "json") if c in have), None)
    if key_col is None or json_col is None:
        store.issues.append(
            store_issue(
                "session.store_unknown_format",
                f"{db} keeps sessions in an older session_entries table with columns we do not know "
                f"({', '.join(have[:8])}); its pins are not shown",
                str(db),
            )
        )
        return
    store.issues.append(
        store_issue(
            "session.store_unknown_format",
            f"{db} keeps sessions in an older session_entries table (a 2026.7-era build); read as far as it goes",
            str(db),
        )
    )
    _collect(conn.execute(f"SELECT {key_col}, {json_col} FROM session_entries"), [], store, agent_id)


def _collect(rows: Iterable[Any], extra: list[str], store: SessionStore, agent_id: str) -> None:
    bad = 0
    loads = json.loads
    for row in rows:
        key = row[0]
        try:
            entry = loads(row[1]) if isinstance(row[1], str | bytes) else None
        except (ValueError, RecursionError):
            entry = None
        if not isinstance(key, str) or not isinstance(entry, dict):
            bad += 1
            continue
        columns = dict(zip(extra, row[2:], strict=False)) if extra else None
        store.sessions.append(session_from_entry(agent_id, key, entry, Era.SQLITE, columns=columns))
    if bad:
        store.issues.append(
            store_issue(
                "session.store_unknown_format",
                f"{store.path}: {bad} session row(s) whose entry is not a JSON object; OpenClaw marks them invalid",
                str(store.path),
            )
        )
