"""Moving an OpenClaw home to another path: OpenClaw 2026.9 writes absolute paths everywhere.

`openclaw.json` names each agent's folder, and the state and agent databases keep paths in
several tables, so a copied home would keep reading (and writing) the original. This rewrites
them, in text files and in SQLite, and restores the file modes git cannot keep. Used by the
bundled demo and by the test fixtures; never on a user's install (their databases are
OpenClaw's to write).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"
# FTS5 shadow tables: never rewrite them by hand; their virtual table owns them.
_SHADOW_SUFFIXES = ("_data", "_idx", "_content", "_docsize", "_config")


def is_sqlite(path: Path) -> bool:
    """True for an SQLite main database file (by its magic header, not its name)."""
    try:
        with path.open("rb") as fh:
            return fh.read(16) == SQLITE_MAGIC
    except OSError:
        return False


def _text_columns(conn: sqlite3.Connection) -> Iterator[tuple[str, str]]:
    tables = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    virtual = {n for n, sql in tables if sql and sql.upper().startswith("CREATE VIRTUAL")}
    for name, _sql in tables:
        if name in virtual or any(name == v + s for v in virtual for s in _SHADOW_SUFFIXES):
            continue
        for col in conn.execute(f'PRAGMA table_info("{name}")').fetchall():
            yield name, col[1]


def _octet_length(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return len(value)
    return len(str(value).encode("utf-8"))


def connect_rw(db: Path) -> sqlite3.Connection:
    """A writable connection that can run OpenClaw 2026.9's schema on an older SQLite.

    Agent DBs have CHECK constraints calling `octet_length()` (SQLite 3.43+); Python here links
    3.40, which cannot even prepare an UPDATE on those tables without this stand-in.
    """
    conn = sqlite3.connect(db)
    conn.create_function("octet_length", 1, _octet_length, deterministic=True)
    return conn


def rewrite_sqlite(db: Path, old: str, new: str, *, vacuum: bool = False) -> list[str]:
    """Replace `old` by `new` in every text cell of `db`; return `table.column` names touched.

    Only rows that contain `old` are updated (a SELECT finds them first), so the triggers and
    CHECK constraints of untouched tables never run. `vacuum` rebuilds the file so the old text
    does not survive in free pages (the generator wants that; the loader does not need it).
    The journal mode (WAL) is kept; the WAL is checkpointed and removed on close.
    """
    touched: list[str] = []
    conn = connect_rw(db)
    try:
        for table, col in list(_text_columns(conn)):
            where = f'typeof("{col}") = \'text\' AND instr("{col}", ?) > 0'
            if not conn.execute(f'SELECT 1 FROM "{table}" WHERE {where} LIMIT 1', (old,)).fetchone():
                continue
            conn.execute(f'UPDATE "{table}" SET "{col}" = replace("{col}", ?, ?) WHERE {where}', (old, new, old))
            touched.append(f"{table}.{col}")
        conn.commit()
        if vacuum:
            conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    for suffix in ("-wal", "-shm"):
        side = db.with_name(db.name + suffix)
        if side.exists() and side.stat().st_size == 0:
            side.unlink()
    return touched


def relocate_home(root: Path, old: str, new: str, *, vacuum: bool = False) -> list[str]:
    """Rewrite the absolute path `old` to `new` in every file under `root`.

    Text files (openclaw.json and its backups, JSON/JSONL logs) get a plain string replace;
    SQLite databases get `rewrite_sqlite`. Other binary files are left alone. Returns the
    relative paths (and `table.column` for databases) that changed, for the record.
    """
    if any(c in new for c in '"\\\n'):
        raise ValueError(f"cannot relocate into a path JSON would escape: {new!r}")
    changed: list[str] = []
    old_b = old.encode()
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        rel = path.relative_to(root).as_posix()
        if path.name.endswith(("-wal", "-shm")):
            continue
        if is_sqlite(path):
            touched = rewrite_sqlite(path, old, new, vacuum=vacuum)
            changed += [f"{rel}:{t}" for t in touched]
            continue
        data = path.read_bytes()
        if old_b not in data:
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        path.write_text(text.replace(old, new), encoding="utf-8")
        changed.append(rel)
    return changed


# --------------------------------------------------------------------------- tree modes


def tree_modes(home: Path) -> dict[str, dict[str, str]]:
    """File and directory modes under `home` (git keeps neither 0600 nor empty dirs)."""
    dirs: dict[str, str] = {}
    files: dict[str, str] = {}
    for path in sorted(home.rglob("*")):
        rel = path.relative_to(home).as_posix()
        mode = f"{path.stat().st_mode & 0o777:o}"
        if path.is_dir():
            dirs[rel] = mode
        elif path.is_file():
            files[rel] = mode
    return {"dirs": dirs, "files": files}


def apply_tree_modes(home: Path, tree: dict[str, dict[str, str]]) -> None:
    """Recreate empty directories and restore the recorded modes."""
    for rel in tree.get("dirs", {}):
        (home / rel).mkdir(parents=True, exist_ok=True)
    for rel, mode in tree.get("files", {}).items():
        if (home / rel).exists():
            (home / rel).chmod(int(mode, 8))
    # Directories last and deepest first, so a 0700 parent never blocks its children.
    for rel, mode in sorted(tree.get("dirs", {}).items(), key=lambda kv: -kv[0].count("/")):
        (home / rel).chmod(int(mode, 8))
