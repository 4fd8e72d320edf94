"""The Discord channel: configured, has a token, who may DM it, and pairing requests waiting.

With `dmPolicy: pairing` (the default) the bot answers a stranger's DM with an 8-character
code and stays silent until the owner runs `openclaw pairing approve discord <CODE>`; a
request expires one hour after it was made, at most three wait (FACTS 2026.3 §9). 2026.3
keeps them in `<credentials>/discord-pairing.json`; 2026.9 in the state database
(`channel_pairing_requests`). We only read them: `pairing list` itself rewrites the file
(pruning), and approving goes through the real CLI (`openclaw_triage.write.live`).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Era, Install
from ..util.isotime import parse_iso
from ..util.jsonio import as_object, as_text, parse_json
from ..util.safe_read import exists_sync, present, read_bytes

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from typing import Any

PAIRING_TTL_S = 3600
CODE_RE = re.compile(r"^[A-HJ-NP-Z2-9]{8}$")  # OpenClaw's alphabet: no I, O, 0, 1
DEFAULT_DM_POLICY = "pairing"
_MAX_FILE = 1024 * 1024


@dataclass(frozen=True, slots=True)
class PairingRequest:
    """One DM pairing request, as `openclaw pairing list discord` would show it."""

    code: str
    user_id: str
    name: str | None
    tag: str | None
    account_id: str
    created_at: float | None  # epoch seconds
    last_seen_at: float | None

    @property
    def expires_at(self) -> float | None:
        return self.created_at + PAIRING_TTL_S if self.created_at is not None else None

    def expired(self, now: float) -> bool:
        """OpenClaw drops a request without a valid `createdAt` or older than an hour."""
        return self.created_at is None or now - self.created_at > PAIRING_TTL_S

    def to_json(self, now: float) -> dict[str, Any]:
        return {
            "code": self.code,
            "userId": self.user_id,
            "name": self.name,
            "tag": self.tag,
            "accountId": self.account_id,
            "createdAt": self.created_at,
            "ageS": None if self.created_at is None else round(now - self.created_at),
            "expiresAt": self.expires_at,
            "expired": self.expired(now),
        }


@dataclass(frozen=True, slots=True)
class DiscordAccount:
    """One bot account (`default`, or one of `channels.discord.accounts`)."""

    account_id: str
    enabled: bool
    token_source: str  # config | env | ref | none (OpenClaw's tokenSource)
    token_masked: str | None
    dm_policy: str
    allow_from: int  # entries in config allowFrom
    allow_from_store: int  # senders approved by pairing (the allowFrom store)

    def to_json(self) -> dict[str, Any]:
        return {
            "accountId": self.account_id,
            "enabled": self.enabled,
            "tokenSource": self.token_source,
            "token": self.token_masked,
            "dmPolicy": self.dm_policy,
            "allowFrom": self.allow_from,
            "allowFromApproved": self.allow_from_store,
        }


@dataclass(slots=True, eq=False)  # a picture, never compared (eq costs `check` time)
class DiscordStatus:
    """Everything the Channels pane shows about Discord."""

    configured: bool  # channels.discord exists
    enabled: bool
    accounts: list[DiscordAccount] = field(default_factory=list)
    requests: list[PairingRequest] = field(default_factory=list)  # as stored, expired ones included
    pairing_source: str | None = None  # the file or database the requests came from
    pairing_error: str | None = None
    routes_to: list[str] = field(default_factory=list)  # agents that `bindings[]` route Discord to
    now: float = 0.0

    @property
    def pending(self) -> list[PairingRequest]:
        return [r for r in self.requests if not r.expired(self.now)]

    @property
    def expired(self) -> list[PairingRequest]:
        return [r for r in self.requests if r.expired(self.now)]

    def to_json(self) -> dict[str, Any]:
        return {
            "configured": self.configured,
            "enabled": self.enabled,
            "accounts": [a.to_json() for a in self.accounts],
            "pending": [r.to_json(self.now) for r in self.pending],
            "expired": [r.to_json(self.now) for r in self.expired],
            "pairingSource": self.pairing_source,
            "pairingError": self.pairing_error,
            "routesTo": self.routes_to,
        }


def credentials_dir(install: Install) -> Path:
    """`OPENCLAW_OAUTH_DIR`, else `<stateDir>/credentials` (OpenClaw's resolveOAuthDir)."""
    from ..openclaw.locate import resolve_user_path

    override = (install.seen_env.get("OPENCLAW_OAUTH_DIR") or "").strip()
    return resolve_user_path(override, install.home) if override else install.state_dir / "credentials"


def discord_status(install: Install, now: float | None = None) -> DiscordStatus:
    """Read `channels.discord`, the token's presence and the pairing requests; never writes."""
    now = time.time() if now is None else now
    config = install.config.data
    channels = as_object(config.get("channels"))
    discord = channels.get("discord") if isinstance(channels.get("discord"), dict) else None
    status = DiscordStatus(configured=discord is not None, enabled=False, now=now)
    if discord is None:
        return status
    status.enabled = discord.get("enabled") is not False
    creds = credentials_dir(install)
    for account_id, account_cfg in _accounts(discord):
        status.accounts.append(_account(install, discord, account_id, account_cfg, creds))
    status.requests, status.pairing_source, status.pairing_error = _read_requests(install, creds)
    from ..openclaw.bindings import agents_for_channel

    status.routes_to = agents_for_channel(config, "discord")
    return status


def _accounts(discord: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    accounts = discord.get("accounts")
    if isinstance(accounts, dict) and accounts:
        out = [(str(k).strip().lower() or "default", v) for k, v in accounts.items() if isinstance(v, dict)]
        if out:
            return sorted(out, key=lambda kv: kv[0] != "default")
    return [("default", {})]


def _account(
    install: Install, root: dict[str, Any], account_id: str, cfg: dict[str, Any], creds: Path
) -> DiscordAccount:
    source, token = _token(install, root, account_id, cfg)
    from ..keys import mask

    dm = as_object(root.get("dm"))
    policy = cfg.get("dmPolicy") or root.get("dmPolicy") or dm.get("policy") or DEFAULT_DM_POLICY
    allow = cfg.get("allowFrom") if isinstance(cfg.get("allowFrom"), list) else None
    if allow is None:
        allow = root.get("allowFrom") if isinstance(root.get("allowFrom"), list) else dm.get("allowFrom")
    return DiscordAccount(
        account_id=account_id,
        enabled=cfg.get("enabled") is not False and root.get("enabled") is not False,
        token_source=source,
        token_masked=mask(token, era=install.era) if token else None,
        dm_policy=str(policy),
        allow_from=len(allow) if isinstance(allow, list) else 0,
        allow_from_store=_allow_store_count(install, creds, account_id),
    )


def _token(install: Install, root: dict[str, Any], account_id: str, cfg: dict[str, Any]) -> tuple[str, str | None]:
    """OpenClaw's resolveDiscordToken: the account's token, the channel's, then DISCORD_BOT_TOKEN (default only)."""
    if "token" in cfg:
        value = _token_value(cfg.get("token"), install)
        return (value[0], value[1]) if value[1] else ("none", None)
    value = _token_value(root.get("token"), install)
    if value[1]:
        return value
    env = (install.seen_env.get("DISCORD_BOT_TOKEN") or "").strip()
    if account_id == "default" and env:
        return "env", _strip_bot(env)
    return "none", None


def _token_value(raw: Any, install: Install) -> tuple[str, str | None]:
    if isinstance(raw, str) and raw.strip() and not raw.strip().startswith("${"):
        return "config", _strip_bot(raw.strip())
    if isinstance(raw, dict) and raw.get("source") == "env" and isinstance(raw.get("id"), str):
        value = (install.seen_env.get(raw["id"]) or "").strip()
        return "ref", _strip_bot(value) if value else None
    if isinstance(raw, dict):
        return "ref", None
    return "none", None


def _strip_bot(token: str) -> str:
    return re.sub(r"^Bot\s+", "", token, flags=re.IGNORECASE)


def _allow_store_count(install: Install, creds: Path, account_id: str) -> int:
    if install.era is Era.SQLITE:
        rows = _sqlite_rows(
            install,
            "SELECT COUNT(*) FROM channel_pairing_allow_entries WHERE channel_key = 'discord' AND account_id = ?",
            (account_id,),
        )
        if rows:
            return int(rows[0][0])
    entries: set[str] = set()
    for name in (f"discord-{account_id}-allowFrom.json", "discord-allowFrom.json"):
        data = _read_json(creds / name)
        allow = data.get("allowFrom") if isinstance(data, dict) else None
        if isinstance(allow, list):
            entries.update(str(v) for v in allow)
    return len(entries)


def _read_json(path: Path) -> Any:
    try:
        return parse_json(read_bytes(path, limit=_MAX_FILE).decode("utf-8"))
    except (OSError, ValueError):  # absent, not a regular file, too large, not JSON
        return None


def _read_requests(install: Install, creds: Path) -> tuple[list[PairingRequest], str | None, str | None]:
    path = creds / "discord-pairing.json"
    if install.era is Era.SQLITE:
        from ..openclaw.locate import STATE_DB

        db = install.state_dir / STATE_DB
        rows = _sqlite_rows(
            install,
            "SELECT request_id, code, created_at, last_seen_at, meta_json, account_id FROM channel_pairing_requests "
            "WHERE channel_key = 'discord' ORDER BY created_at",
            (),
        )
        if rows is not None:
            return [_request_from_row(r) for r in rows], f"{db}#channel_pairing_requests", None
    if not present(path):
        return [], None, None
    try:
        data = parse_json(read_bytes(path, limit=_MAX_FILE).decode("utf-8"))
    except (OSError, ValueError) as exc:
        return [], str(path), f"cannot read ({type(exc).__name__}); OpenClaw reads it as no requests"
    items = data.get("requests") if isinstance(data, dict) else None
    requests = [r for r in map(_request, items if isinstance(items, list) else []) if r is not None]
    return requests, str(path), None


def _request(item: Any) -> PairingRequest | None:
    if not isinstance(item, dict):
        return None
    code, user = item.get("code"), item.get("id")
    if not isinstance(code, str) or not isinstance(user, str | int):
        return None
    meta = as_object(item.get("meta"))
    return PairingRequest(
        code=code.strip(),
        user_id=str(user),
        name=as_text(meta.get("name")),
        tag=as_text(meta.get("tag")),
        account_id=str(meta.get("accountId") or "default").lower(),
        created_at=parse_iso(item.get("createdAt")),
        last_seen_at=parse_iso(item.get("lastSeenAt")) or parse_iso(item.get("createdAt")),
    )


def _request_from_row(row: tuple[Any, ...]) -> PairingRequest:
    request_id, code, created, seen, meta_json, account = row
    try:
        meta = json.loads(meta_json) if meta_json else {}
    except ValueError:
        meta = {}
    meta = meta if isinstance(meta, dict) else {}
    return PairingRequest(
        code=str(code),
        user_id=str(request_id),
        name=as_text(meta.get("name")),
        tag=as_text(meta.get("tag")),
        account_id=str(account or "default"),
        created_at=parse_iso(created),
        last_seen_at=parse_iso(seen) or parse_iso(created),
    )


def _sqlite_rows(install: Install, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]] | None:
    """Read-only query on the 2026.9 state DB; None when it or the table does not exist."""
    from ..openclaw.locate import STATE_DB

    db = install.state_dir / STATE_DB
    if not exists_sync(db):
        return None
    import sqlite3

    from ..openclaw.store_sqlite import DbError, connect_readonly

    try:
        conn = connect_readonly(db)  # a regular file only, nothing written beside it
    except DbError:
        return None
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def valid_code(code: str) -> bool:
    """A pairing code as OpenClaw makes them: 8 of `ABCDEFGHJKLMNPQRSTUVWXYZ23456789`."""
    return bool(CODE_RE.match(code.strip().upper()))
