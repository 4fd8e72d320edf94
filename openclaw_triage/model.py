"""The typed picture of one OpenClaw install, shared by both storage eras.

Plain slotted dataclasses, not pydantic models: importing pydantic alone costs ~90 ms here,
more than the whole time budget of `openclaw-triage check`. pydantic still validates and
documents this model where time does not matter (`openclaw_triage.output.schema`), and `Secret`
maps to its `SecretStr`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from .secret import Secret
from .util.readonce import Reads

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from typing import Any


class Era(StrEnum):
    """How an OpenClaw version stores credentials."""

    JSON = "json"  # up to 2026.5: agents/<id>/agent/auth-profiles.json, written in place
    SQLITE = "sqlite"  # 2026.6 on: SQLite stores that only the `openclaw` CLI may write

    @property
    def label(self) -> str:
        return "JSON store (auth-profiles.json)" if self is Era.JSON else "SQLite store"

    @property
    def short_label(self) -> str:
        return "JSON store" if self is Era.JSON else "SQLite store"


class LegacyJson(StrEnum):
    """What a release does with an `auth-profiles.json` an older release left behind."""

    READ = "read"  # it is this release's own store
    IGNORED = "ignored"  # read as empty, silently: `models status` rc 0, `providers: []`
    FAILS_CLOSED = "fails-closed"  # every auth command exits 1 until `openclaw doctor --fix`


@dataclass(frozen=True, slots=True)
class Layout:
    """One storage layout and the releases it covers (`since` and `until` inclusive); the table
    of them, measured, is `openclaw/layouts.py`."""

    key: str
    label: str
    short: str  # fits a narrow pane
    since: tuple[int, int, int]
    until: tuple[int, int, int] | None
    seen: tuple[str, ...]  # releases whose own CLI built and read states in this layout
    era: Era
    profiles: str
    order: str
    shared: str
    legacy_json: LegacyJson
    state_file: str | None = None  # JSON layouts that keep order/lastGood/usageStats beside the store

    def covers(self, release: tuple[int, int, int]) -> bool:
        return release >= self.since and (self.until is None or release <= self.until)

    @property
    def releases(self) -> str:
        """`2026.4.7 to 2026.6.1`, as people write releases."""
        since = ".".join(map(str, self.since))
        return f"{since} and later" if self.until is None else f"{since} to {'.'.join(map(str, self.until))}"


class CredentialType(StrEnum):
    API_KEY = "api_key"
    TOKEN = "token"
    OAUTH = "oauth"


@dataclass(frozen=True, slots=True)
class SecretRef:
    """A pointer to a secret held elsewhere (`{source, provider, id}`)."""

    source: str  # env | file | exec | store
    provider: str
    id: str

    def label(self) -> str:
        """As `models status` prints it: `env:ANTHROPIC_API_KEY`."""
        return f"{self.source}:{self.id}"


@dataclass(slots=True)
class Health:
    """A profile's usage stats: when it may be tried again, and why not now."""

    last_used: float | None = None
    last_failure_at: float | None = None
    error_count: int = 0
    failure_counts: dict[str, int] = field(default_factory=dict)
    cooldown_until: float | None = None
    cooldown_reason: str | None = None
    cooldown_model: str | None = None
    disabled_until: float | None = None
    disabled_reason: str | None = None
    blocked_until: float | None = None
    blocked_reason: str | None = None
    blocked_model: str | None = None
    blocked_scope: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    def unusable_until(self) -> float | None:
        """The latest active window end of cooldown, disabled and blocked (ms)."""
        values = [
            v
            for v in (self.cooldown_until, self.disabled_until, self.blocked_until)
            if isinstance(v, int | float) and v > 0
        ]
        return max(values) if values else None

    def state(self, now_ms: float) -> str:
        """`disabled`, `blocked`, `cooldown` or `ok` at `now_ms`."""
        if self.disabled_until and now_ms < self.disabled_until:
            return "disabled"
        if self.blocked_until and now_ms < self.blocked_until:
            return "blocked"
        if self.cooldown_until and now_ms < self.cooldown_until:
            return "cooldown"
        return "ok"


@dataclass(slots=True)
class Profile:
    """One auth profile as OpenClaw would load it."""

    id: str
    provider: str
    type: CredentialType
    secret: Secret | None = None  # key, token, or OAuth access token
    ref: SecretRef | None = None  # keyRef / tokenRef
    refresh: Secret | None = None  # OAuth refresh token
    expires: Any = None  # raw `expires` (ms); may be invalid, which is itself a finding
    email: str | None = None
    layer: str = "store"  # which store it came from: file, shared, agent, main
    extra: dict[str, Any] = field(default_factory=dict, repr=False)  # fields we do not model, verbatim

    @property
    def secret_field(self) -> str:
        return {"api_key": "key", "token": "token", "oauth": "access"}[self.type]


@dataclass(slots=True)
class StoreIssue:
    """Something OpenClaw would silently drop or mis-read while loading a store."""

    code: str  # a finding code, e.g. store.parse_error, store.entry_dropped
    message: str
    subject: str


@dataclass(slots=True)
class AuthStore:
    """One credential store: a JSON file, or one layer of the SQLite era."""

    location: str  # path, or `path#table/key` for SQLite rows
    layer: str  # file | shared | agent | main
    exists: bool = True
    version: Any = 1
    profiles: dict[str, Profile] = field(default_factory=dict)
    order: dict[str, list[str]] = field(default_factory=dict)
    last_good: dict[str, str] = field(default_factory=dict)
    usage: dict[str, Health] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict, repr=False)  # unknown top-level keys
    issues: list[StoreIssue] = field(default_factory=list)
    mode: int | None = None  # file permission bits
    mtime: float | None = None
    state_location: str | None = None  # `auth-state.json` beside a 2026.4.7+ JSON store, when read
    order_from: dict[str, str] = field(default_factory=dict)  # provider -> that file, for orders it decided


@dataclass(slots=True)
class OrderSource:
    """Where a provider's explicit order came from."""

    ids: list[str]
    origin: str  # "store:agent", "store:shared", "store:file", "config"
    location: str


@dataclass(slots=True)
class AgentAuth:
    """An agent's effective credentials: its layers merged as OpenClaw merges them."""

    agent_id: str
    agent_dir: Path
    is_default: bool
    layers: list[AuthStore]
    effective: AuthStore
    order_origin: dict[str, str] = field(default_factory=dict)  # provider -> layer of stored order


@dataclass(slots=True)
class CliInfo:
    """The `openclaw` binary and its version."""

    path: str | None
    version: str | None = None
    commit: str | None = None
    source: str = "none"  # package.json | cli | config | none
    package_dir: str | None = None
    node: str | None = None
    requested: str | None = None  # what --openclaw asked for, when it was given


@dataclass(slots=True)
class ConfigFile:
    """openclaw.json after includes and `${VAR}` substitution."""

    path: Path
    exists: bool
    data: dict[str, Any] = field(default_factory=dict, repr=False)  # may hold gateway/channel tokens
    error: str | None = None
    includes: list[Path] = field(default_factory=list)
    missing_env: list[tuple[str, str]] = field(default_factory=list)  # (VAR, config path)
    mode: int | None = None
    mtime: float | None = None


@dataclass(slots=True)
class EnvVar:
    """A variable OpenClaw would see, and where it came from. Never printed whole."""

    name: str
    value: Secret
    origin: str  # process | .env:<path> | config env


@dataclass(slots=True)
class Install:
    """Everything `check` knows about one install, read-only."""

    home: Path
    state_dir: Path
    state_dir_origin: str
    config: ConfigFile
    config_origin: str
    profile_name: str | None
    cli: CliInfo
    era: Era
    era_reason: str
    agents: list[AgentAuth]
    default_agent_id: str
    selected_agent_id: str
    env: dict[str, EnvVar] = field(default_factory=dict)
    agent_ids_configured: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seen_env: dict[str, str] = field(default_factory=dict, repr=False)  # plaintext values: never print
    era_on_disk: Era | None = None  # what the files say, to catch a CLI of the other era
    layout: Layout | None = None  # where this release keeps credentials (openclaw/layouts.py)
    layout_on_disk: Layout | None = None  # the layout the files were written in, when they tell
    release: tuple[int, int, int] | None = None  # the version as numbers, when known
    builtin_model: str = ""  # OpenClaw's own default model for this release (no model configured)
    reads: Reads = field(default_factory=Reads, repr=False, compare=False)  # what this run read, once

    def models_json(self, agent_dir: Path) -> Any:
        """The agent's `models.json` (pi's provider table), parsed; None when it is absent or
        unreadable (pi ignores it then). Read once per install (`reads`)."""
        return read_models_json(self.reads, agent_dir)

    @property
    def storage_label(self) -> str:
        return self.layout.label if self.layout else self.era.label

    sandbox: Path | None = None  # a demo's folder: no temp dir, log, journal or port outside it is looked at

    @property
    def found(self) -> bool:
        """False when there is nothing at all where OpenClaw would look (no state dir, no config)."""
        from .util.safe_read import present

        return present(self.state_dir) or self.config.exists

    @property
    def agent(self) -> AgentAuth:
        for a in self.agents:
            if a.agent_id == self.selected_agent_id:
                return a
        return self.agents[0]


MODELS_JSON_LIMIT = 4 * 1024 * 1024  # pi's models.json is a few KB


def read_models_json(reads: Reads, agent_dir: Path) -> Any:
    """`<agent_dir>/models.json` parsed (any JSON value), through `reads`; None when it cannot be
    read or is not JSON."""
    try:
        return reads.json(agent_dir / "models.json", limit=MODELS_JSON_LIMIT)
    except (OSError, ValueError):  # ParseError is a ValueError
        return None
