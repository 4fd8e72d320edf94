"""Our own record of the gateway reloads openclaw-triage ran, per gateway process.

A reload (`write.live.reload_secrets`) leaves no mark a later `check` could see when the gateway
logs elsewhere, so we note it in our state dir, keyed by the gateway's lock (path, pid, start):
`runtime.stale` then counts the gateway's keys as fresh from that moment. Best effort both ways:
a record that cannot be written or read is simply not there.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from ..model import Install
from ..util.safe_read import read_bytes
from ..util.state import state_root
from .gateway import GatewayLock, detect

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

RELOADS_FILE = "gateway-reloads.json"
_KEEP_RECORDS = 20


def _records_path() -> Path:
    return state_root() / RELOADS_FILE


def _lock_key(lock: GatewayLock) -> str:
    return f"{lock.path}|{lock.pid}|{lock.created_at}"


def record_reload(install: Install, how: str, now: float | None = None) -> None:
    """Remember that this install's running gateway reloaded its keys now (best effort)."""
    status = detect(install, http=False)
    if status.lock is None:
        return
    now = time.time() if now is None else now
    try:
        path = _records_path()
        records = _load_records(path)
        records[_lock_key(status.lock)] = {"at": now, "how": how}
        keep = dict(sorted(records.items(), key=lambda kv: kv[1].get("at", 0))[-_KEEP_RECORDS:])
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(keep, indent=2) + "\n")
        tmp.replace(path)
    except OSError:
        return


def recorded_reloads(lock: GatewayLock | None) -> list[tuple[float, str]]:
    """Reloads `record_reload` saved for this very gateway process (its lock path, pid and start)."""
    if lock is None:
        return []
    try:
        entry = _load_records(_records_path()).get(_lock_key(lock))
    except OSError:
        return []
    if not isinstance(entry, dict) or not isinstance(entry.get("at"), int | float):
        return []
    return [(float(entry["at"]), f"{entry.get('how') or 'reload'} (by openclaw-triage)")]


def _load_records(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(read_bytes(path, limit=1024 * 1024).decode("utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        return {}
    except (ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}
