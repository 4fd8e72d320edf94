"""2026.3: one agent's `sessions.json`, found and parsed as OpenClaw 2026.3 does (a broken file reads as empty).

Its location and parser are also what the write layer uses to clear pins in it.
"""

from __future__ import annotations

import stat

from ...model import Era
from ...openclaw.locate import normalize_agent_id, resolve_user_path
from ...util.jsonio import ParseError, parse_json
from ...util.safe_read import kind_of, read_bytes
from .cache import cached_store
from .entries import agent_of, session_from_entry
from .model import SessionStore, store_issue

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    import os
    from pathlib import Path
    from typing import Any

    from ...model import Install

SESSIONS_FILE = "sessions.json"
MAX_STORE_BYTES = 256 * 1024 * 1024  # OpenClaw reads any size; past this we report instead of reading


def legacy_store_path(install: Install, agent_id: str) -> Path:
    """`resolveStorePath(cfg.session.store, {agentId})`: `{agentId}` filled in, `~` expanded, cwd-relative."""
    session_cfg = install.config.data.get("session")
    raw = session_cfg.get("store") if isinstance(session_cfg, dict) else None
    agent = normalize_agent_id(agent_id)
    if isinstance(raw, str) and raw:
        return resolve_user_path(raw.replace("{agentId}", agent), install.home)
    return install.state_dir / "agents" / agent / "sessions" / SESSIONS_FILE


def parse_legacy_store(raw: bytes) -> dict[str, Any]:
    """`JSON.parse` as `loadSessionStore` applies it; raises `ParseError` where OpenClaw reads `{}`."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(f"not UTF-8 text (byte {exc.start})") from None
    if text.startswith("\ufeff"):
        raise ParseError("starts with a byte-order mark, which JSON.parse rejects")
    data = parse_json(text, max_depth=None)  # read entry by entry, never walked: no depth pass
    if not isinstance(data, dict):
        kind = "null" if data is None else {list: "array", str: "string", bool: "boolean"}.get(type(data), "number")
        raise ParseError(f"is a JSON {kind}, not an object")
    return data


def load_legacy_store(path: Path, agent_id: str, *, pinned_only: bool = False, shared: bool = False) -> SessionStore:
    """One `sessions.json`, read as OpenClaw 2026.3 reads it; problems become issues, never exceptions.

    `pinned_only`: build only the sessions that have a pin (what `check` needs); `shared`: the
    file holds several agents' chats (`session.store` without `{agentId}`). The result is cached
    while the file stays the same: treat it as read-only.
    """
    try:
        st = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return SessionStore(agent_id, Era.JSON, str(path), SESSIONS_FILE, exists=False)
    except OSError as exc:  # permission denied on its folder, a symlink loop: there, and unusable
        store = SessionStore(agent_id, Era.JSON, str(path), SESSIONS_FILE, exists=True)
        message = f"{path} cannot be read ({exc.strerror})"
        store.issues.append(store_issue("session.store_unreadable", message, str(path)))
        return store
    ident = ("json", str(path), agent_id, pinned_only, shared, st.st_ino, st.st_size, st.st_mtime_ns)
    return cached_store(ident, lambda: _load_legacy(path, st, agent_id, pinned_only, shared))


def _load_legacy(path: Path, st: os.stat_result, agent_id: str, pinned_only: bool, shared: bool) -> SessionStore:
    store = SessionStore(agent_id, Era.JSON, str(path), SESSIONS_FILE, exists=False)
    store.exists, store.mode, store.size = True, stat.S_IMODE(st.st_mode), st.st_size
    where = str(path)
    if not stat.S_ISREG(st.st_mode):
        message = f"{where} is {kind_of(st.st_mode)}, not a regular file"
        store.issues.append(store_issue("session.store_unreadable", message, where))
        return store
    if st.st_size > MAX_STORE_BYTES:
        store.issues.append(
            store_issue(
                "session.store_too_large",
                f"{where} is {st.st_size // (1024 * 1024)} MB: too large to read here, and OpenClaw re-reads and "
                "rewrites all of it on every turn",
                where,
            )
        )
        return store
    try:
        raw = read_bytes(path, limit=MAX_STORE_BYTES)  # a FIFO swapped in since the stat is refused too
    except OSError as exc:
        store.issues.append(store_issue("session.store_unreadable", f"{where} cannot be read ({exc.strerror})", where))
        return store
    try:
        data = parse_legacy_store(raw)
    except ParseError as exc:
        store.issues.append(
            store_issue(
                "session.store_unreadable",
                f"{where} {exc}: OpenClaw 2026.3 reads it as empty, so every chat starts over, and its next write "
                "replaces the file",
                where,
            )
        )
        return store
    odd = 0
    for key, entry in data.items():
        if not isinstance(entry, dict):
            odd += 1
            continue
        if pinned_only and "authProfileOverride" not in entry:
            continue
        owner = agent_of(key, agent_id) if shared else agent_id
        store.sessions.append(session_from_entry(owner, key, entry, Era.JSON))
    if odd:
        store.issues.append(
            store_issue(
                "session.store_unknown_format",
                f"{where} has {odd} entr{'y' if odd == 1 else 'ies'} that are not objects; OpenClaw skips them",
                where,
            )
        )
    return store
