"""Does the running gateway hold the credentials on disk, or an older copy?

A 2026.3 gateway loads every agent's `auth-profiles.json` at start (and on `openclaw secrets
reload` or a config hot reload) and never watches it; its next usage write, built from memory,
puts the old key back (FACTS 2026.3 §8, observed again here). A 2026.9 gateway picks up writes
made by its own CLI (which calls `models.authRefresh`) but not direct database edits (FACTS
2026.9 §8). So: a credential source that changed after the gateway last loaded it is stale.

What counts as a change: a store's mtime, except when the write was a usage update (OpenClaw
stamps `lastUsed`/`lastFailureAt` in the same moment, and such a write carries the keys the
writer already held); for 2026.9 the credential rows' own `updated_at`; `.env` files (read only
at start: a restart is needed); the config only with `gateway.reload.mode: off`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..model import Era, Install
from ..util.jsonio import parse_json, read_text
from ..util.safe_read import exists_sync
from .gateway import CredentialChange, GatewayStatus, gateway_config

STARTUP_SLACK_S = 3.0  # writes this soon after a (re)load are the gateway's own start-up writes
USAGE_WRITE_SLACK_S = (
    1.0  # a store whose newest usage stamp is this close to its mtime was a usage write (observed: 1 ms)
)


def check_stale(
    status: GatewayStatus, install: Install, reloads: Iterable[tuple[float, str]] = ()
) -> list[CredentialChange]:
    """Fill `status.loaded_at`/`changes`: stores changed after the gateway last loaded them.

    `reloads`: (epoch, how) of reloads we know of besides the start (the gateway log's
    `Secrets reloaded.` and hot reloads, our own `reload_secrets` records).
    """
    if not status.running or status.started_at is None:
        return []
    loaded, how = status.started_at, "started"
    for when, what in reloads:
        if when > loaded:
            loaded, how = when, what
    status.loaded_at, status.loaded_how = loaded, how
    if install.era is Era.JSON:
        changes = _json_changes(install, loaded, status.started_at)
    else:
        changes = _sqlite_changes(install, loaded)
    status.changes = changes
    return changes


def _json_changes(install: Install, loaded: float, started: float) -> list[CredentialChange]:
    out: list[CredentialChange] = []
    seen: set[str] = set()
    for agent in install.agents:
        for layer in agent.layers:
            path = layer.location.split("#", 1)[0]
            if path in seen or not layer.exists:
                continue
            seen.add(path)
            when = _mtime(Path(path))
            if when is None or when <= loaded + STARTUP_SLACK_S or _usage_write(path, when):
                continue
            out.append(CredentialChange("auth store", path, when))
    for dotenv in _dotenv_paths(install):
        when = _mtime(dotenv)
        if when is not None and when > started + STARTUP_SLACK_S:
            out.append(CredentialChange(".env", str(dotenv), when, needs_restart=True))
    reload_cfg = gateway_config(install.config.data).get("reload")
    off = isinstance(reload_cfg, dict) and reload_cfg.get("mode") == "off"
    if off and install.config.mtime and install.config.mtime > loaded + STARTUP_SLACK_S:
        out.append(CredentialChange("config", str(install.config.path), install.config.mtime, needs_restart=True))
    return out


def _usage_write(path: str, mtime: float) -> bool:
    """The last write was a usage/cooldown update (the gateway's or a run's): its keys are unchanged.

    OpenClaw stamps `lastUsed` or `lastFailureAt` and writes in the same moment (observed: 1 ms
    apart), and a gateway's write carries the keys it already holds.
    """
    try:
        data = parse_json(read_text(path))
    except (OSError, ValueError):  # absent, not a regular file, not JSON
        return False
    usage = data.get("usageStats") if isinstance(data, dict) else None
    stamps = [
        v
        for stats in (usage.values() if isinstance(usage, dict) else ())
        if isinstance(stats, dict)
        for v in (stats.get("lastUsed"), stats.get("lastFailureAt"))
        if isinstance(v, int | float) and not isinstance(v, bool)
    ]
    return bool(stamps) and abs(max(stamps) / 1000 - mtime) <= USAGE_WRITE_SLACK_S


def _dotenv_paths(install: Install) -> list[Path]:
    origins = {v.origin for v in install.env.values() if v.origin.startswith(".env:")}
    return [Path(o.split(":", 1)[1]) for o in sorted(origins)]


def _sqlite_changes(install: Install, loaded: float) -> list[CredentialChange]:
    """2026.9: the credential rows' own `updated_at` (usage state lives in other rows)."""
    from ..openclaw.locate import AGENT_DB, STATE_DB

    out = []
    candidates = [
        ("state database", install.state_dir / STATE_DB, "config_machine_state", "state_key", "updated_at_ms"),
        *(
            ("agent database", a.agent_dir / AGENT_DB, "auth_profile_store", "store_key", "updated_at")
            for a in install.agents
        ),
    ]
    seen: set[Path] = set()
    for what, db, table, key_col, col in candidates:
        if db in seen or not exists_sync(db):
            continue
        seen.add(db)
        key = "authProfiles.store" if table == "config_machine_state" else "primary"
        when = _row_updated(db, table, key_col, col, key)
        if when is not None and when > loaded + STARTUP_SLACK_S:
            out.append(CredentialChange(what, str(db), when))
    return out


def _row_updated(db: Path, table: str, key_col: str, col: str, key: str) -> float | None:
    import sqlite3

    from ..openclaw.store_sqlite import DbError, connect_readonly

    try:
        conn = connect_readonly(db)  # a regular file only, nothing written beside it
    except DbError:
        return None
    try:
        row = conn.execute(f"SELECT {col} FROM {table} WHERE {key_col} = ?", (key,)).fetchone()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    value = row[0] if row else None
    if not isinstance(value, int | float) or value <= 0:
        return None
    return value / 1000 if value > 1e11 else float(value)  # ms (OpenClaw) or s


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None
