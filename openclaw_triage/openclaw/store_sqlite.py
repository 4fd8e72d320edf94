"""The 2026.6+ credential stores: SQLite, opened read-only, always through the WAL.

A shared store (the state DB's `config_machine_state` rows, or the main agent DB when
`auth.sharedStore` is absent) plus each agent's own DB, merged as OpenClaw merges them.
We open read-only and never write, not even beside the file (`connect_readonly`): a running
gateway ignores direct writes, and OpenClaw refuses SQLite older than 3.51.3 as a writer. A
fresh install may keep all of its data in the `-wal` file, so we always read through it.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ..model import AuthStore, Era, StoreIssue
from ..util.jsonio import ParseError, parse_json
from ..util.safe_read import copy_regular, present, regular_file
from .coerce import apply_state, coerce_store, normalize_provider
from .locate import AGENT_DB, STATE_DB

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from typing import Any

MAX_AGENT_SCHEMA = 23


class DbError(Exception):
    """A database exists but cannot be read. The message names the file, never its content."""


@dataclass(slots=True)
class Cell:
    status: str  # ok | missing | unreadable
    raw: Any = None
    reason: str = ""


def connect_readonly(path: Path) -> sqlite3.Connection:
    """Open read-only without writing anything beside the database, and without blocking.

    A `mode=ro` open creates `-wal`/`-shm` files owned by us when they are missing (a root run
    would leave root-owned files that stop the user's OpenClaw from opening its own database),
    and `sqlite3.connect` on a FIFO waits forever. So the path must be a regular file, and:

    - no WAL data: nothing to read through, the file is opened `immutable`;
    - a non-empty `-wal` with its `-shm` (a running gateway): read through them, as any
      reader beside OpenClaw does; nothing new is created;
    - a non-empty `-wal` without `-shm` (a crash, a copied folder), or a folder we cannot
      open through: the database and its WAL are copied to a private temp dir (0700), read
      there into memory, and the copy removed. The WAL's rows are read; nothing is written
      beside the user's files.
    """
    try:
        st = regular_file(path)
    except OSError as exc:
        raise DbError(f"{path} cannot be read ({exc.strerror})") from None
    if st is None:
        raise DbError(f"{path}: no such file")
    wal = Path(str(path) + "-wal")
    try:
        wal_st = regular_file(wal)
    except OSError as exc:
        raise DbError(f"{wal} cannot be read ({exc.strerror})") from None
    if wal_st is None or wal_st.st_size == 0:
        return _connect_uri(f"file:{quote(str(path))}?mode=ro&immutable=1", path)
    try:
        shm_ok = regular_file(Path(str(path) + "-shm")) is not None
    except OSError:
        shm_ok = False
    if shm_ok:
        try:
            return _connect_uri(f"file:{quote(str(path))}?mode=ro", path)
        except DbError:
            pass  # the -shm is not ours to use (another user's, read-only): read a copy
    return _connect_copy(path, wal)


def _connect_uri(uri: str, path: Path) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=5.0, check_same_thread=False)
    except sqlite3.Error as exc:
        raise DbError(f"{path}: {exc}") from None
    try:
        conn.execute("PRAGMA query_only = 1")
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1")
    except sqlite3.Error as exc:
        conn.close()
        raise DbError(f"{path}: {exc}") from None
    return conn


def _connect_copy(path: Path, wal: Path) -> sqlite3.Connection:
    """The database with its WAL replayed, from a private copy, held in memory."""
    import shutil
    import tempfile

    tmp = tempfile.mkdtemp(prefix="openclaw-triage-db-")  # 0700, ours alone
    try:
        copy = os.path.join(tmp, "copy.sqlite")
        copy_regular(path, copy)
        copy_regular(wal, copy + "-wal")
        src = sqlite3.connect(copy, timeout=5.0)
        try:
            mem = sqlite3.connect(":memory:", check_same_thread=False)
            src.backup(mem)
        finally:
            src.close()
        mem.execute("PRAGMA query_only = 1")
        mem.execute("SELECT 1 FROM sqlite_master LIMIT 1")
        return mem
    except OSError as exc:
        raise DbError(f"{path} cannot be read ({exc.strerror})") from None
    except sqlite3.Error as exc:
        raise DbError(f"{path}: {exc}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _file_meta(path: Path) -> tuple[int, float] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return stat.S_IMODE(st.st_mode), st.st_mtime


def _json_cell(conn: sqlite3.Connection, table: str, key_col: str, val_col: str, key: str) -> Cell:
    try:
        row = conn.execute(f"SELECT {val_col} FROM {table} WHERE {key_col} = ?", (key,)).fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return Cell("missing", reason=f"no table {table}")
        return Cell("unreadable", reason=str(exc))
    except sqlite3.DatabaseError as exc:
        return Cell("unreadable", reason=str(exc))
    if row is None:
        return Cell("missing", reason="no row")
    text = row[0]
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        if not isinstance(text, str):
            raise ParseError("not text")
        return Cell("ok", parse_json(text))
    except (ParseError, UnicodeDecodeError):
        return Cell("unreadable", reason=f"{table}.{key} is not valid JSON")


@dataclass(slots=True)
class SharedOwnership:
    location: str  # state-db | legacy-main | invalid
    detail: str = ""


def read_ownership(state_dir: Path) -> tuple[SharedOwnership, list[StoreIssue]]:
    """`config_machine_state['auth.sharedStore']` decides where the shared store lives."""
    db = state_dir / STATE_DB
    if not present(db):
        return SharedOwnership("legacy-main", "no state DB"), []
    try:
        conn = connect_readonly(db)
    except DbError as exc:
        return SharedOwnership("legacy-main", "state DB unreadable"), [
            StoreIssue("store.unreadable", str(exc), str(db))
        ]
    try:
        cell = _json_cell(conn, "config_machine_state", "state_key", "value_json", "auth.sharedStore")
    finally:
        conn.close()
    if cell.status == "missing":
        return SharedOwnership("legacy-main", "no auth.sharedStore row"), []
    if cell.status == "unreadable":
        return SharedOwnership("invalid", cell.reason), [
            StoreIssue("store.unreadable", f"{db}: auth.sharedStore {cell.reason}; run openclaw doctor --fix", str(db))
        ]
    value = cell.raw
    if isinstance(value, dict) and len(value) == 1 and value.get("location") in ("legacy-main", "state-db"):
        return SharedOwnership(value["location"]), []
    return SharedOwnership("invalid", "unrecognised value"), [
        StoreIssue(
            "store.unreadable",
            "config_machine_state auth.sharedStore has an invalid shared auth store location; run openclaw doctor --fix",
            str(db),
        )
    ]


def _open_layer(db: Path, location: str, layer: str) -> tuple[AuthStore, sqlite3.Connection | None]:
    """An empty layer for `db` with its file facts, and a read-only connection when it opens."""
    store = AuthStore(location=location, layer=layer, exists=present(db))
    meta = _file_meta(db)
    if meta:
        store.mode, store.mtime = meta
    if not present(db):
        return store, None
    try:
        return store, connect_readonly(db)
    except DbError as exc:
        store.issues.append(
            StoreIssue("store.unreadable", f"{exc}; OpenClaw stops with 'Auth profile store … is unreadable'", str(db))
        )
        return store, None


def load_state_db_store(state_dir: Path) -> AuthStore:
    """The shared store held in the state DB (`authProfiles.store` / `authProfiles.state`)."""
    db = state_dir / STATE_DB
    store, conn = _open_layer(db, f"{db}#config_machine_state/authProfiles.store", "shared")
    if conn is None:
        return store
    try:
        store_cell = _json_cell(conn, "config_machine_state", "state_key", "value_json", "authProfiles.store")
        state_cell = _json_cell(conn, "config_machine_state", "state_key", "value_json", "authProfiles.state")
    finally:
        conn.close()
    return _from_cells(store, store_cell, state_cell, db)


def load_agent_db_store(agent_dir: Path, layer: str, agent_id: str | None = None) -> AuthStore:
    """An agent DB's `auth_profile_store`/`auth_profile_state` rows (key `primary`)."""
    db = agent_dir / AGENT_DB
    store, conn = _open_layer(db, f"{db}#auth_profile_store/primary", layer)
    if conn is None:
        return store
    try:
        problem = _agent_db_problem(conn, db, agent_id)
        if problem is not None:
            store.issues.append(problem)
            if "schema" in problem.message or "cannot" in problem.message:
                return store
        store_cell = _json_cell(conn, "auth_profile_store", "store_key", "store_json", "primary")
        state_cell = _json_cell(conn, "auth_profile_state", "state_key", "state_json", "primary")
    finally:
        conn.close()
    return _from_cells(store, store_cell, state_cell, db)


def _agent_db_problem(conn: sqlite3.Connection, db: Path, agent_id: str | None) -> StoreIssue | None:
    """A schema newer than OpenClaw reads, or a DB owned by another agent: OpenClaw refuses both."""
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        return StoreIssue("store.unreadable", f"{db}: {exc} (cannot read it)", str(db))
    if version > MAX_AGENT_SCHEMA:
        return StoreIssue(
            "store.unreadable",
            f"{db} has schema {version}, newer than this OpenClaw reads ({MAX_AGENT_SCHEMA}); OpenClaw refuses it",
            str(db),
        )
    owner = _agent_owner(conn) if agent_id is not None else None
    if owner is not None and owner != agent_id:
        return StoreIssue(
            "store.unreadable", f"{db} belongs to agent {owner}, not {agent_id}; OpenClaw refuses it", str(db)
        )
    return None


def _agent_owner(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT agent_id FROM schema_meta WHERE meta_key = 'primary'").fetchone()
    except sqlite3.DatabaseError:
        try:
            row = conn.execute("SELECT agent_id FROM schema_meta LIMIT 1").fetchone()
        except sqlite3.DatabaseError:
            return None
    return row[0] if row and isinstance(row[0], str) else None


def _from_cells(store: AuthStore, store_cell: Cell, state_cell: Cell, db: Path) -> AuthStore:
    if store_cell.status == "missing":
        store.exists = False
        return store
    if store_cell.status == "unreadable":
        store.issues.append(
            StoreIssue(
                "store.unreadable",
                f"{db}: {store_cell.reason}; OpenClaw stops with 'Auth profile store … is unreadable'",
                str(db),
            )
        )
        return store
    coerced = coerce_store(store_cell.raw, Era.SQLITE, location=store.location, layer=store.layer)
    if coerced is None:
        store.issues.append(
            StoreIssue(
                "store.unreadable",
                f"{db}: the store has no \"profiles\" object; OpenClaw stops with 'is unreadable'",
                str(db),
            )
        )
        return store
    coerced.mode, coerced.mtime = store.mode, store.mtime
    if state_cell.status == "ok":
        apply_state(coerced, state_cell.raw, Era.SQLITE)
    return coerced


def merge_layers(base: AuthStore, override: AuthStore, *, location: str) -> tuple[AuthStore, dict[str, str]]:
    """2026.9's merge of the shared store (base) and an agent's own store (override).

    Returns the merged store and, per provider, which layer its stored order comes from.
    """
    origin: dict[str, str] = {p: base.layer for p in base.order}
    if not override.profiles and not override.order and not override.last_good and not override.usage:
        merged = AuthStore(location=location, layer="merged", exists=base.exists)
        merged.profiles, merged.order = dict(base.profiles), dict(base.order)
        merged.last_good, merged.usage = dict(base.last_good), dict(base.usage)
        return merged, origin
    merged = AuthStore(location=location, layer="merged")
    merged.profiles = {**override.profiles}
    for profile_id, profile in base.profiles.items():
        merged.profiles.setdefault(profile_id, profile)
    order = {**base.order, **override.order}
    for provider in override.order:
        origin[provider] = override.layer
    local_by_provider: dict[str, list[str]] = {}
    for profile_id, profile in override.profiles.items():
        local_by_provider.setdefault(normalize_provider(profile.provider, Era.SQLITE), []).append(profile_id)
    for provider, local_ids in local_by_provider.items():
        if provider in override.order:
            order[provider] = list(dict.fromkeys(override.order[provider]))
        elif provider in base.order:
            order[provider] = list(dict.fromkeys([*local_ids, *base.order[provider]]))
            origin[provider] = f"{override.layer}+{base.layer}"
    merged.order = {p: ids for p, ids in order.items() if ids}
    merged.last_good = {p: i for p, i in {**base.last_good, **override.last_good}.items() if i in merged.profiles}
    merged.usage = {
        i: h
        for i, h in {**base.usage, **override.usage}.items()
        if i in merged.profiles or i.startswith("inline-api-key:")
    }
    return merged, origin
