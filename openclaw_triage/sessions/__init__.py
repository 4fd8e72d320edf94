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
`session-override-*.mjs`) plus what was observed with the real CLIs (see `PIN RULES` below).
Nothing here writes; nothing imports sqlite3 unless a 2026.9 store is read.
"""

from __future__ import annotations

import json
import os
import shlex
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ..coerce import normalize_provider
from ..findings import Action, Severity
from ..jsonio import ParseError, parse_json
from ..locate import AGENT_DB, normalize_agent_id, resolve_user_path
from ..model import Era, StoreIssue

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
    from typing import Any

    from ..diagnose import Diagnosis, ProfileReport, _Collector
    from ..model import AgentAuth, AuthStore, Install
    from ..order import OrderResult

SESSIONS_FILE = "sessions.json"
PIN_FIELDS = ("authProfileOverride", "authProfileOverrideSource", "authProfileOverrideCompactionCount")
MAX_STORE_BYTES = 256 * 1024 * 1024  # OpenClaw reads any size; past this we report instead of reading
USER_SOURCES = frozenset({"user", "user-link"})
_FINDINGS_PER_CODE = 25  # per agent: more chats with the same finding are summed up in one more
_NOT_CHANNELS = frozenset({"main", "cron", "subagent", "acp", "hook", "hooks", "heartbeat", "probe", "global"})


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True, slots=True)
class Pin:
    """A session's auth pin as OpenClaw reads it."""

    profile_id: str
    source: str  # auto | user | user-link (as OpenClaw resolves it; a missing source is inferred)
    stored_source: Any = None  # the raw `authProfileOverrideSource`, None when absent
    compaction_count: int | float | None = None

    @property
    def is_user(self) -> bool:
        """A pin the user chose (`/model …@profile`), not one OpenClaw picked."""
        return self.source in USER_SOURCES


@dataclass(slots=True)
class Session:
    """One chat session: who, where, which model, and the pin."""

    agent_id: str
    key: str
    session_id: str | None
    updated_at: float | None  # ms: the last activity OpenClaw recorded
    channel: str | None  # discord, telegram, ... (None: the main/direct session)
    kind: str  # direct | group | channel | global
    label: str  # the chat's name, peer or display name, else the key's tail
    model: str | None  # provider/model: the chat's override, else the model it last ran
    model_is_override: bool
    provider: str | None  # the provider the chat's model needs (None: unknown)
    pin: Pin | None
    compaction_count: int = 0
    archived: bool = False
    transcript: str | None = None  # 2026.3: the transcript file (its `.lock` means a turn is running)

    def to_json(self) -> dict[str, Any]:
        pin = self.pin
        return {
            "agent": self.agent_id,
            "key": self.key,
            "sessionId": self.session_id,
            "updatedAt": self.updated_at,
            "channel": self.channel,
            "kind": self.kind,
            "label": self.label,
            "model": self.model,
            "modelIsOverride": self.model_is_override,
            "pin": None
            if pin is None
            else {"profileId": pin.profile_id, "source": pin.source, "compactionCount": pin.compaction_count},
            "compactionCount": self.compaction_count,
            "archived": self.archived,
        }


@dataclass(slots=True)
class SessionStore:
    """One agent's session store and what could not be read from it."""

    agent_id: str
    era: Era
    location: str  # file path, or `<db>#session_nodes`
    format: str  # sessions.json | session_nodes | session_entries | none
    exists: bool
    sessions: list[Session] = field(default_factory=list)
    issues: list[StoreIssue] = field(default_factory=list)
    mode: int | None = None
    size: int | None = None

    @property
    def path(self) -> Path:
        return Path(self.location.split("#", 1)[0])


# --------------------------------------------------------------------------- reading entries


def resolve_pin(entry: Mapping[str, Any], era: Era) -> Pin | None:
    """The pin as OpenClaw reads it: the id trimmed, the source inferred when absent.

    2026.3 infers with `??` (only a missing source), 2026.9 with `||` (an empty one too): a
    numeric compaction count means `auto`, else `user`.
    """
    raw = entry.get("authProfileOverride")
    if not isinstance(raw, str) or not raw.strip():
        return None
    count = entry.get("authProfileOverrideCompactionCount")
    numeric = isinstance(count, int | float) and not isinstance(count, bool)
    stored = entry.get("authProfileOverrideSource")
    missing = stored is None if era is Era.JSON else not stored
    source = ("auto" if numeric else "user") if missing else str(stored)
    if era is Era.JSON and source == "user-link":
        source = "auto"  # 2026.3 knows only `user`; anything else behaves as an automatic pin
    return Pin(raw.strip(), source, stored, count if numeric else None)


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _sub(entry: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = entry.get(name)
    return value if isinstance(value, dict) else {}


def _key_rest(key: str) -> list[str]:
    """The parts of `agent:<id>:<rest>` after the agent id (the whole key otherwise)."""
    parts = key.split(":")
    if len(parts) >= 3 and parts[0].lower() == "agent":
        return [p for p in parts[2:] if p]
    return [p for p in parts if p]


def _channel(entry: Mapping[str, Any], rest: list[str]) -> str | None:
    for value in (
        entry.get("channel"),
        entry.get("lastChannel"),
        _sub(entry, "deliveryContext").get("channel"),
        _sub(entry, "origin").get("provider"),
    ):
        text = _text(value)
        if text:
            return text.lower()
    if len(rest) >= 2 and rest[0].lower() not in _NOT_CHANNELS:
        return rest[0].lower()
    return None


def _kind(key: str, entry: Mapping[str, Any]) -> str:
    """`classifySessionKey`, keeping `channel` apart from `group`."""
    if key == "global":
        return "global"
    chat_type = _text(entry.get("chatType"))
    if chat_type in ("direct", "group", "channel"):
        return chat_type
    if ":channel:" in key:
        return "channel"
    if ":group:" in key:
        return "group"
    return "direct"


def _label(entry: Mapping[str, Any], rest: list[str], extra: Sequence[Any] = ()) -> str:
    origin = _sub(entry, "origin")
    for value in (
        *extra,
        entry.get("displayName"),
        entry.get("label"),
        entry.get("subject"),
        entry.get("groupChannel"),
        origin.get("label"),
        origin.get("from"),
        entry.get("lastTo"),
        _sub(entry, "deliveryContext").get("to"),
        origin.get("to"),
    ):
        text = _text(value)
        if text:
            return text[:120]
    return ":".join(rest) or "(unnamed)"


def _model(entry: Mapping[str, Any]) -> tuple[str | None, bool, str | None]:
    """(provider/model, whether it is the chat's own override, the provider it needs)."""
    for prov_field, model_field, override in (
        ("providerOverride", "modelOverride", True),
        ("modelProvider", "model", False),
    ):
        model = _text(entry.get(model_field))
        provider = _text(entry.get(prov_field))
        if model:
            if "/" in model and not provider:
                provider = model.split("/", 1)[0]
                return model, override, provider.lower()
            return (f"{provider}/{model}" if provider else model), override, provider.lower() if provider else None
        if provider:
            return None, override, provider.lower()
    return None, False, None


def _number(value: Any) -> float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) and value > 0 else None


def session_from_entry(
    agent_id: str, key: str, entry: Mapping[str, Any], era: Era, *, columns: Mapping[str, Any] | None = None
) -> Session:
    """One store entry (2026.9: plus its `session_nodes` columns) as a `Session`."""
    cols = columns or {}
    rest = _key_rest(key)
    model, is_override, provider = _model(entry)
    count = entry.get("compactionCount")
    updated = (
        _number(cols.get("last_activity_at"))
        or _number(entry.get("lastInteractionAt"))
        or _number(entry.get("lastActivityAt"))
        or _number(entry.get("updatedAt"))
        or _number(cols.get("updated_at"))
    )
    session_id = _text(entry.get("sessionId")) or _text(cols.get("current_session_id"))
    return Session(
        agent_id=agent_id,
        key=key,
        session_id=session_id,
        updated_at=updated,
        channel=_channel(entry, rest),
        kind=_kind(key, entry),
        label=_label(entry, rest, (cols.get("display_name"), cols.get("label"))),
        model=model,
        model_is_override=is_override,
        provider=provider,
        pin=resolve_pin(entry, era),
        compaction_count=int(count) if isinstance(count, int) and not isinstance(count, bool) else 0,
        archived=cols.get("archived_at") is not None or entry.get("archivedAt") is not None,
        transcript=_text(entry.get("sessionFile")),
    )


def _agent_of(key: str, default: str) -> str:
    parts = key.split(":")
    if len(parts) >= 3 and parts[0].lower() == "agent" and parts[1]:
        return normalize_agent_id(parts[1])
    return default


# --------------------------------------------------------------------------- 2026.3: sessions.json


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
    data = parse_json(text)
    if not isinstance(data, dict):
        raise ParseError(f"is a JSON {type(data).__name__}, not an object")
    return data


def _issue(code: str, message: str, subject: str) -> StoreIssue:
    return StoreIssue(code, message, subject)


def load_legacy_store(path: Path, agent_id: str, *, pinned_only: bool = False, shared: bool = False) -> SessionStore:
    """One `sessions.json`, read as OpenClaw 2026.3 reads it; problems become issues, never exceptions.

    `pinned_only`: build only the sessions that have a pin (what `check` needs); `shared`: the
    file holds several agents' chats (`session.store` without `{agentId}`). The result is cached
    while the file stays the same: treat it as read-only.
    """
    try:
        st = path.stat()
    except OSError:
        return SessionStore(agent_id, Era.JSON, str(path), SESSIONS_FILE, exists=False)
    ident = ("json", str(path), agent_id, pinned_only, shared, st.st_ino, st.st_size, st.st_mtime_ns)
    return _cached(ident, lambda: _load_legacy(path, st, agent_id, pinned_only, shared))


def _load_legacy(path: Path, st: os.stat_result, agent_id: str, pinned_only: bool, shared: bool) -> SessionStore:
    store = SessionStore(agent_id, Era.JSON, str(path), SESSIONS_FILE, exists=False)
    store.exists, store.mode, store.size = True, stat.S_IMODE(st.st_mode), st.st_size
    where = str(path)
    if not stat.S_ISREG(st.st_mode):
        store.issues.append(_issue("session.store_unreadable", f"{where} is not a regular file", where))
        return store
    if st.st_size > MAX_STORE_BYTES:
        store.issues.append(
            _issue(
                "session.store_too_large",
                f"{where} is {st.st_size // (1024 * 1024)} MB: too large to read here, and OpenClaw re-reads and "
                "rewrites all of it on every turn",
                where,
            )
        )
        return store
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_STORE_BYTES + 1)
    except OSError as exc:
        store.issues.append(_issue("session.store_unreadable", f"{where} cannot be read ({exc.strerror})", where))
        return store
    try:
        data = parse_legacy_store(raw)
    except ParseError as exc:
        store.issues.append(
            _issue(
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
        owner = _agent_of(key, agent_id) if shared else agent_id
        store.sessions.append(session_from_entry(owner, key, entry, Era.JSON))
    if odd:
        store.issues.append(
            _issue(
                "session.store_unknown_format",
                f"{where} has {odd} entr{'y' if odd == 1 else 'ies'} that are not objects; OpenClaw skips them",
                where,
            )
        )
    return store


_CACHE: dict[tuple[Any, ...], SessionStore] = {}


def _cached(ident: tuple[Any, ...], build: Callable[[], SessionStore]) -> SessionStore:
    """A store read before, while its file is unchanged (check, the app and its refreshes re-read often).

    `ident[3]` is `pinned_only`: a pinned-only read is served from a cached full read when there is one.
    """
    hit = _CACHE.get(ident)
    if hit is None and ident[3]:
        full = _CACHE.get((*ident[:3], False, *ident[4:]))
        if full is not None:
            hit = _CACHE[ident] = SessionStore(
                full.agent_id,
                full.era,
                full.location,
                full.format,
                full.exists,
                [s for s in full.sessions if s.pin is not None],
                list(full.issues),
                full.mode,
                full.size,
            )
    if hit is None:
        if len(_CACHE) > 16:
            _CACHE.clear()
        hit = _CACHE[ident] = build()
    return hit


def clear_cache() -> None:
    """Forget every store read so far (tests, benchmarks)."""
    _CACHE.clear()


# --------------------------------------------------------------------------- 2026.9: the agent database


def _db_columns(conn: Any, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def load_db_store(agent_dir: Path, agent_id: str, *, pinned_only: bool = False) -> SessionStore:
    """An agent DB's sessions: `session_nodes`, else a recognisable older `session_entries` table.

    Cached while the DB and its `-wal` stay the same (size, mtime, inode): treat it as read-only.
    """
    db = agent_dir / AGENT_DB
    try:
        st = db.stat()
    except OSError:
        return SessionStore(agent_id, Era.SQLITE, f"{db}#session_nodes", "none", exists=False)
    try:
        wal = os.stat(str(db) + "-wal")
        wal_ident: tuple[int, ...] = (wal.st_ino, wal.st_size, wal.st_mtime_ns)
    except OSError:
        wal_ident = ()
    ident = ("db", str(db), agent_id, pinned_only, st.st_ino, st.st_size, st.st_mtime_ns, *wal_ident)
    return _cached(ident, lambda: _load_db(db, st, agent_id, pinned_only))


def _load_db(db: Path, st: os.stat_result, agent_id: str, pinned_only: bool) -> SessionStore:
    store = SessionStore(agent_id, Era.SQLITE, f"{db}#session_nodes", "none", exists=False)
    store.exists, store.mode, store.size = True, stat.S_IMODE(st.st_mode), st.st_size
    import sqlite3

    from ..store_sqlite import DbError, _connect

    try:
        conn = _connect(db)
    except DbError as exc:
        store.issues.append(_issue("session.store_unreadable", str(exc), str(db)))
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
        store.issues.append(_issue("session.store_unreadable", f"{db}: {exc}", str(db)))
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
            _issue(
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
            _issue(
                "session.store_unknown_format",
                f"{db} keeps sessions in an older session_entries table with columns we do not know "
                f"({', '.join(have[:8])}); its pins are not shown",
                str(db),
            )
        )
        return
    store.issues.append(
        _issue(
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
        except ValueError:
            entry = None
        if not isinstance(key, str) or not isinstance(entry, dict):
            bad += 1
            continue
        columns = dict(zip(extra, row[2:], strict=False)) if extra else None
        store.sessions.append(session_from_entry(agent_id, key, entry, Era.SQLITE, columns=columns))
    if bad:
        store.issues.append(
            _issue(
                "session.store_unknown_format",
                f"{store.path}: {bad} session row(s) whose entry is not a JSON object; OpenClaw marks them invalid",
                str(store.path),
            )
        )


# --------------------------------------------------------------------------- the install


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


# --------------------------------------------------------------------------- PIN RULES
#
# 2026.3 (`resolveSessionAuthProfileOverride`, chat turns): a pin to a missing profile, another
# provider's profile, or one outside a non-empty effective order is cleared; with an empty order
# no pin is used; a `user` pin is otherwise kept and is the ONLY profile tried (even in cooldown:
# observed, a user pin to a 401 key made every turn send only that key). `/reset` and `/new` start
# an entry without the pin; `/model <ref>` without `@profile` deletes it. An `auto` pin moves on a
# new session, after a compaction, or when its profile cools down.
#
# 2026.9 (`session-override-*.mjs`): `user`/`user-link` pins are kept whatever the order says
# (`/reset`/`/new` keep `user` pins: `resolveResetPreservedSelection`; `/model <ref>` without
# `@profile` keeps a same-provider pin: `applyModelOverrideWithAuthProfileCompatibility`).
# Observed on 2026.9.6: the pinned profile is tried FIRST, and on a 401 the turn fails over to
# the order (`prepare-auth`: exclusive only with `allowAuthProfileFallback: false`, which chat
# turns do not set); a user pin to a profile logged out was replaced by an `auto` pin at the next
# turn. `auto` pins are cleared outside a non-empty order and move on cooldown or a new session.


@dataclass(frozen=True, slots=True)
class PinVerdict:
    """What OpenClaw will do with one session's pin, and whether that is a problem."""

    state: str  # follows | behind | user | unusable | cleared | moves | ignored
    code: str | None  # the finding code, if any
    severity: Severity | None
    first: str | None  # the profile the order puts first for the pin's provider
    provider: str | None
    reason: str  # why, in a few words ("its key is broken", "not in the order", ...)

    @property
    def sticks(self) -> bool:
        """The chat keeps this pin at its next turn (it does not follow the order there)."""
        return self.state in ("behind", "user", "unusable")


@dataclass(slots=True)
class AgentView:
    """What a verdict needs about one agent: its merged store, orders and profile reports."""

    era: Era
    store: AuthStore
    orders: dict[str, OrderResult]
    reports: dict[str, ProfileReport]
    config: Mapping[str, Any]
    now_ms: float
    env: Mapping[str, str] | None = None
    default_provider: str | None = None

    @classmethod
    def from_diagnosis(cls, diag: Diagnosis) -> AgentView:
        primary = diag.default_model or ""
        return cls(
            era=diag.install.era,
            store=diag.agent.effective,
            orders=dict(diag.orders),
            reports={r.profile.id: r for r in diag.profiles},
            config=diag.install.config.data,
            now_ms=diag.now_ms,
            env=diag.install.seen_env,
            default_provider=primary.split("/", 1)[0].strip().lower() if "/" in primary else None,
        )

    def order(self, provider: str) -> OrderResult:
        result = self.orders.get(provider)
        if result is None:
            from ..order import resolve_order

            result = resolve_order(self.store, self.config, provider, era=self.era, now_ms=self.now_ms, env=self.env)
            self.orders[provider] = result
        return result


def _unusable(pid: str, view: AgentView) -> str | None:
    """Why the pinned profile cannot answer (None: it can), from the same reports `check` uses."""
    profile = view.store.profiles.get(pid)
    if profile is None:
        return "it does not exist"
    report = view.reports.get(pid)
    if report is None:
        return None
    if not report.eligibility.eligible:
        return report.eligibility.text
    if report.broken:
        return "its key is broken or was rejected"
    if report.health_state != "ok":
        return {"disabled": "it is disabled", "blocked": "it is blocked"}.get(report.health_state, "it is in cooldown")
    return None


def assess(session: Session, view: AgentView) -> PinVerdict | None:
    """The verdict on `session`'s pin under this agent's current order (None: no pin)."""
    pin = session.pin
    if pin is None:
        return None
    era = view.era
    pid = pin.profile_id
    profile = view.store.profiles.get(pid)
    pin_provider = normalize_provider(profile.provider, era) if profile else pid.split(":", 1)[0].strip().lower()
    chat_provider = normalize_provider(session.provider, era) if session.provider else view.default_provider
    if profile is not None and chat_provider and pin_provider != chat_provider:
        return PinVerdict("cleared", None, None, None, pin_provider, "it belongs to another provider than the model")
    result = view.order(pin_provider)
    order = result.effective
    first = order[0] if order else None

    def verdict(state: str, code: str | None, severity: Severity | None, reason: str) -> PinVerdict:
        return PinVerdict(state, code, severity, first, pin_provider, reason)

    broken = _unusable(pid, view)
    if era is Era.JSON:
        if profile is None:
            return verdict("cleared", None, None, "it does not exist (cleared at the next turn)")
        if not order:
            return verdict("ignored", None, None, "the order is empty, so no pin is used")
        if pid not in order:
            return verdict("cleared", None, None, "it is not in the order (cleared at the next turn)")
        if pin.is_user:
            if broken:
                return verdict("unusable", "session.pin_unusable", Severity.ERROR, broken)
            if pid != first:
                return verdict("behind", "session.pin_behind_order", Severity.WARNING, f"the order puts {first} first")
            return verdict("user", "session.user_pin", Severity.INFO, "pinned by the user")
        if pid in result.cooled:
            return verdict("moves", None, None, "in cooldown: moves to the first available profile at the next turn")
        if pid != first:
            return verdict("behind", "session.pin_behind_order", Severity.INFO, f"the order puts {first} first")
        return verdict("follows", None, None, "the order's first profile")
    if pin.is_user:
        if broken:
            return verdict("unusable", "session.pin_unusable", Severity.WARNING, broken)
        if first is not None and pid != first:
            return verdict("behind", "session.pin_behind_order", Severity.WARNING, f"the order puts {first} first")
        return verdict("user", "session.user_pin", Severity.INFO, "pinned by the user")
    if profile is None or (order and pid not in order):
        return verdict("cleared", None, None, "not in the order (cleared at the next turn)")
    if pid in result.cooled:
        return verdict("moves", None, None, "in cooldown: moves to the first available profile at the next turn")
    if first is not None and pid != first:
        return verdict("behind", "session.pin_behind_order", Severity.INFO, f"the order puts {first} first")
    return verdict("follows", None, None, "the order's first profile")


# --------------------------------------------------------------------------- findings for `check`


def chat_fix(session: Session, verdict: PinVerdict, era: Era, agent_flag: str | None) -> str:
    """Our command and the chat command that take the pin away, for this era."""
    model = session.model or "<provider/model>"
    if era is Era.JSON:
        flag = f" --agent {shlex.quote(agent_flag)}" if agent_flag else ""
        return (
            f"openclaw-triage sessions unpin --session {shlex.quote(session.key)}{flag}  or, in that chat: "
            f"/new or /reset (a fresh conversation), or /model {model} (without @profile)"
        )
    target = verdict.first or "<a working profile>"
    return (
        f"in that chat: /model {model}@{target} (pins it to the profile the order puts first). OpenClaw 2026.9 "
        "keeps this pin through /reset, /new and /model without @profile, and offers no way to clear it from "
        "outside the chat, so openclaw-triage cannot unpin it."
    )


def _message(session: Session, verdict: PinVerdict, era: Era) -> str:
    pid = session.pin.profile_id if session.pin else "?"
    chat = f"the chat {session.label!r} ({session.key})"
    lead = "T" + chat[1:]
    if verdict.code == "session.pin_unusable":
        if era is Era.JSON:
            return (
                f"{lead} is pinned to {pid}, and {verdict.reason}: OpenClaw 2026.3 tries only that profile in this "
                "chat, so every reply there fails, whatever the order says."
            )
        return (
            f"{lead} is pinned to {pid}, and {verdict.reason}: OpenClaw 2026.9 tries it first at every turn of this "
            "chat (then fails over to the order), and keeps the pin through /reset and /new."
        )
    if verdict.code == "session.pin_behind_order":
        if session.pin and session.pin.is_user:
            return (
                f"The order now puts {verdict.first} first, but {chat} stays on {pid} (pinned in the chat) until it "
                "is unpinned" + (" or reset." if era is Era.JSON else "; in 2026.9 a reset keeps the pin.")
            )
        return (
            f"The order now puts {verdict.first} first, but {chat} stays on {pid} (chosen automatically) until its "
            "next reset, compaction or a cooldown of that profile."
        )
    return (
        f"{lead} only ever uses {pid}: it was pinned in the chat (/model …@{pid}), so order changes do not reach it."
        if era is Era.JSON
        else f"{lead} is pinned to {pid} (in the chat): it is tried first at every turn, whatever the order says."
    )


_STORE_SEVERITY = {
    "session.store_unreadable": Severity.WARNING,
    "session.store_too_large": Severity.WARNING,
    "session.store_unknown_format": Severity.INFO,
}


def check_sessions(
    install: Install,
    agent: AgentAuth,
    orders: Mapping[str, OrderResult],
    reports: Collection[ProfileReport],
    out: _Collector,
    agent_flag: str | None,
) -> None:
    """`check`'s session findings for the selected agent: one per chat whose pin matters."""
    stores = load_sessions(install, agent=agent.agent_id, pinned_only=True)
    for store in stores:
        for issue in store.issues:
            severity = _STORE_SEVERITY.get(issue.code, Severity.WARNING)
            if issue.code == "session.store_unreadable":
                out.add("session.store_unreadable", severity, issue.subject, issue.message + ".")
            elif issue.code == "session.store_too_large":
                out.add("session.store_too_large", severity, issue.subject, issue.message + ".")
            else:
                out.add("session.store_unknown_format", severity, issue.subject, issue.message + ".")
    sessions = [s for s in sessions_of(stores, agent.agent_id) if s.pin is not None and not s.archived]
    if not sessions:
        return
    primary = _default_provider(install)
    view = AgentView(
        era=install.era,
        store=agent.effective,
        orders=dict(orders),
        reports={r.profile.id: r for r in reports},
        config=install.config.data,
        now_ms=out.now,
        env=install.seen_env,
        default_provider=primary,
    )
    emitted: dict[str, int] = {}
    overflow: dict[str, list[Session]] = {}
    for session in sessions:
        verdict = assess(session, view)
        if verdict is None or verdict.code is None or verdict.severity is None:
            continue
        if emitted.get(verdict.code, 0) >= _FINDINGS_PER_CODE:
            overflow.setdefault(verdict.code, []).append(session)
            continue
        emitted[verdict.code] = emitted.get(verdict.code, 0) + 1
        _add_finding(session, verdict, install.era, out, agent_flag)
    for code, rest in overflow.items():
        _add_overflow(code, rest, install.era, out, agent.agent_id)


def _default_provider(install: Install) -> str | None:
    from ..config import get_path, model_primary

    primary = model_primary(get_path(install.config.data, "agents.defaults.model")) or ""
    if not primary:
        return "anthropic" if install.era is Era.JSON else "openai"
    return primary.split("/", 1)[0].strip().lower() if "/" in primary else "anthropic"


def _add_finding(session: Session, verdict: PinVerdict, era: Era, out: _Collector, agent_flag: str | None) -> None:
    pin = session.pin
    assert pin is not None
    message = _message(session, verdict, era)
    fix = chat_fix(session, verdict, era, agent_flag)
    action = Action("session.unpin", verdict.provider or "", (pin.profile_id,)) if era is Era.JSON else None
    details = {"session": session.key, "profile": pin.profile_id, "source": pin.source, "first": verdict.first}
    severity = verdict.severity or Severity.INFO
    if verdict.code == "session.pin_unusable":
        out.add("session.pin_unusable", severity, session.key, message, fix, action, **details)
    elif verdict.code == "session.pin_behind_order":
        out.add("session.pin_behind_order", severity, session.key, message, fix, action, **details)
    else:
        out.add("session.user_pin", severity, session.key, message, fix, action, **details)


def _add_overflow(code: str, rest: list[Session], era: Era, out: _Collector, agent_id: str) -> None:
    """One finding for the chats past the per-code limit, so `check` stays readable."""
    profiles = sorted({s.pin.profile_id for s in rest if s.pin})
    subject = f"agent:{agent_id}"
    text = f"{len(rest)} more chat(s) of agent {agent_id} have the same pin finding ({', '.join(profiles[:5])})."
    fix = (
        "openclaw-triage sessions (lists them); openclaw-triage sessions unpin --profile ID"
        if era is Era.JSON
        else "openclaw-triage sessions (lists them with the chat command for each)"
    )
    severity = Severity.ERROR if code == "session.pin_unusable" and era is Era.JSON else Severity.WARNING
    if code == "session.user_pin":
        out.add("session.user_pin", Severity.INFO, subject, text, fix, count=len(rest))
    elif code == "session.pin_behind_order":
        out.add("session.pin_behind_order", Severity.INFO, subject, text, fix, count=len(rest))
    else:
        out.add("session.pin_unusable", severity, subject, text, fix, count=len(rest))


def __getattr__(name: str) -> Any:
    """The app's helpers (`pinned_counts`, `order_reach`, `assess_install`, ...) load on first use: `check` never needs them."""
    if name in _APP_NAMES:
        from . import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_APP_NAMES = frozenset({"PinCount", "OrderReach", "pinned_counts", "order_reach", "assess_install"})
