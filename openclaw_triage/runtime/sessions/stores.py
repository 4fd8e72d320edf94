"""Every agent's session store of an install, read with the reader of its era, and its sessions newest first."""

from __future__ import annotations

import os

from ...model import Era
from ...openclaw.locate import AGENT_DB, normalize_agent_id
from .legacy_json import legacy_store_path, load_legacy_store

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from collections.abc import Iterable

    from ...model import Install
    from .model import Session, SessionStore


def load_sessions(install: Install, *, agent: str | None = None, pinned_only: bool = False) -> list[SessionStore]:
    """Every agent's session store (or only `agent`'s), read-only. Never raises for bad data.

    `pinned_only`: only sessions with a pin are built (fast, for `check`).
    """
    wanted = normalize_agent_id(agent) if agent else None
    out: list[SessionStore] = []
    seen: dict[str, SessionStore] = {}
    for aa in install.agents:
        if wanted is not None and aa.agent_id != wanted:
            continue
        if install.era is Era.JSON:
            path = legacy_store_path(install, aa.agent_id)
            key = os.path.abspath(path)
            if key in seen:  # `session.store` without {agentId}: one file for every agent
                continue
            shared = _shared_store(install)
            store = load_legacy_store(path, aa.agent_id, pinned_only=pinned_only, shared=shared)
        else:
            key = os.path.abspath(aa.agent_dir / AGENT_DB)
            if key in seen:
                continue
            from .database import load_db_store  # 2026.9 only: a 2026.3 `check` never loads it

            store = load_db_store(aa.agent_dir, aa.agent_id, pinned_only=pinned_only)
        seen[key] = store
        out.append(store)
    return out


def _shared_store(install: Install) -> bool:
    """`session.store` set without `{agentId}`: every agent's chats in one file."""
    session_cfg = install.config.data.get("session")
    raw = session_cfg.get("store") if isinstance(session_cfg, dict) else None
    return isinstance(raw, str) and bool(raw) and "{agentId}" not in raw


def sessions_of(stores: Iterable[SessionStore], agent: str | None = None) -> list[Session]:
    """All sessions (of one agent), most recent first."""
    found = [s for st in stores for s in st.sessions if agent is None or s.agent_id == agent]
    found.sort(key=lambda s: s.updated_at or 0, reverse=True)
    return found
