"""The gateway's own environment, compared with what its credentials need.

A gateway run by systemd or launchd does not inherit the user's shell: a key exported in
`~/.zshrc` is simply not there (research mode 8), and an old key left in the unit wins over
`~/.openclaw/.env` (mode 17). We read what that process really has, best source first:

1. `/proc/<pid>/environ` of the running gateway, where readable (what it was started with);
2. else the service definition: the systemd user unit's `Environment=`/`EnvironmentFile=`
   (drop-ins included), or the launchd agent's `EnvironmentVariables`;
3. then what OpenClaw adds at start without overriding: `<stateDir>/.env` (and 2026.9's
   `~/.config/openclaw/gateway.env`), then the config's `env` block.

and compare the variables the credentials need (env `keyRef`/`tokenRef` ids, `${VAR}` in the
config or a stored key, `ANTHROPIC_API_KEY`/`ANTHROPIC_OAUTH_TOKEN` when OpenClaw falls back to
them, `DISCORD_BOT_TOKEN`) with our own environment. Values are held as `Secret` and only
ever shown masked.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..keys import mask
from ..model import Era, Install
from ..openclaw.coerce import normalize_provider
from ..secret import Secret
from ..util.safe_read import is_dir_sync, is_file_sync, read_bytes

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from typing import Any

ANTHROPIC_ENV = ("ANTHROPIC_OAUTH_TOKEN", "ANTHROPIC_API_KEY")  # OpenClaw's fallback order (both eras)
_VAR_REF = re.compile(r"(?<!\$)\$\{([A-Z_][A-Z0-9_]*)\}")
_MAX_FILE = 1024 * 1024


# --- sources -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EnvSource:
    """One place the gateway's variables come from (values private, masked on output)."""

    kind: str  # process | systemd | launchd | dotenv | config
    location: str
    values: dict[str, Secret] = field(default_factory=dict, repr=False)
    error: str | None = None  # unreadable, and why

    @property
    def names(self) -> list[str]:
        return sorted(self.values)


@dataclass(slots=True)
class ServiceEnv:
    """The gateway's environment as far as we can see it: sources in precedence order."""

    sources: list[EnvSource] = field(default_factory=list)
    service: str | None = None  # "systemd user unit …" / "launchd agent …"
    pid: int | None = None

    @property
    def seen(self) -> bool:
        """True when we know the process's own environment (its /proc, or its unit/plist)."""
        return any(s.kind in ("process", "systemd", "launchd") and s.error is None for s in self.sources)

    def lookup(self, name: str) -> tuple[Secret | None, EnvSource | None]:
        """The value the gateway sees for `name` (first non-empty source wins), and where it is from."""
        for source in self.sources:
            if source.error is None and source.values.get(name):
                return source.values[name], source
        return None, None

    def all_values(self, name: str) -> Iterator[tuple[Secret, EnvSource]]:
        for source in self.sources:
            if source.error is None and source.values.get(name):
                yield source.values[name], source


def systemd_unit_paths(home: Path, profile: str | None) -> list[Path]:
    """The gateway's systemd user units: `openclaw-gateway[-<profile>].service` first, then any other."""
    directory = home / ".config" / "systemd" / "user"
    try:
        names = sorted(n for n in os.listdir(directory) if n.startswith("openclaw-gateway") and n.endswith(".service"))
    except OSError:
        return []
    wanted = "openclaw-gateway" + (f"-{profile}" if profile and profile.lower() != "default" else "") + ".service"
    return [directory / n for n in sorted(names, key=lambda n: n != wanted)]


def launchd_plist_path(home: Path, profile: str | None) -> Path:
    label = f"ai.openclaw.{profile}" if profile and profile.lower() != "default" else "ai.openclaw.gateway"
    return home / "Library" / "LaunchAgents" / f"{label}.plist"


def parse_systemd_unit(text: str, home: Path) -> tuple[dict[str, str], list[tuple[Path, bool]]]:
    """`Environment=` assignments and `EnvironmentFile=` paths (optional ones marked) of a unit."""
    import shlex

    env: dict[str, str] = {}
    files: list[tuple[Path, bool]] = []
    for line in _logical_lines(text):
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or key not in ("Environment", "EnvironmentFile"):
            continue
        value = value.strip().replace("%h", str(home))
        if key == "EnvironmentFile":
            optional = value.startswith("-")
            files.append((Path(value.lstrip("-")), optional))
            continue
        if not value:
            env.clear()  # an empty Environment= resets the list
            continue
        try:
            items = shlex.split(value)
        except ValueError:
            items = value.split()
        for item in items:
            name, eq, val = item.partition("=")
            if eq and name:
                env[name] = val
    return env, files


def _logical_lines(text: str) -> Iterator[str]:
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith(("#", ";"))):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        yield pending + line
        pending = ""
    if pending:
        yield pending


def _read_limited(path: Path) -> str:
    """The first `_MAX_FILE` bytes of a regular file (a FIFO or folder is an `OSError`, not a hang)."""
    return read_bytes(path, limit=_MAX_FILE, truncate=True).decode("utf-8", "replace")


def _systemd_source(unit: Path, home: Path) -> list[EnvSource]:
    from ..openclaw.dotenv import parse_dotenv

    try:
        texts = [_read_limited(unit)]
        drop_dir = Path(str(unit) + ".d")
        if is_dir_sync(drop_dir):
            texts += [_read_limited(p) for p in sorted(drop_dir.glob("*.conf"))]
    except OSError as exc:
        return [EnvSource("systemd", str(unit), error=exc.strerror or "unreadable")]
    env: dict[str, str] = {}
    files: list[tuple[Path, bool]] = []
    for text in texts:
        more_env, more_files = parse_systemd_unit(text, home)
        env.update(more_env)
        files += more_files
    merged: dict[str, str] = {}
    problems = []
    for path, optional in files:  # EnvironmentFile= values come first; Environment= overrides them
        try:
            merged.update(parse_dotenv(_read_limited(path)))
        except OSError as exc:
            if not optional:
                problems.append(f"EnvironmentFile {path}: {exc.strerror}")
    merged.update(env)
    return [EnvSource("systemd", str(unit), _secrets(merged), "; ".join(problems) or None)]


def _launchd_source(plist: Path) -> EnvSource | None:
    if not is_file_sync(plist):
        return None
    import plistlib

    try:
        data = plistlib.loads(read_bytes(plist, limit=_MAX_FILE))
    except (OSError, ValueError, TypeError, RecursionError, plistlib.InvalidFileException) as exc:
        return EnvSource("launchd", str(plist), error=f"cannot parse ({type(exc).__name__})")
    env = data.get("EnvironmentVariables") if isinstance(data, dict) else None
    values = {str(k): str(v) for k, v in env.items()} if isinstance(env, dict) else {}
    return EnvSource("launchd", str(plist), _secrets(values))


def proc_environ(pid: int) -> dict[str, str] | None:
    """`/proc/<pid>/environ` as a mapping; None when it cannot be read (another user, not Linux)."""
    try:
        with open(f"/proc/{pid}/environ", "rb") as fh:
            raw = fh.read(4 * _MAX_FILE)
    except OSError:
        return None
    out: dict[str, str] = {}
    for item in raw.split(b"\0"):
        name, eq, value = item.partition(b"=")
        if eq and name:
            out[name.decode("utf-8", "replace")] = value.decode("utf-8", "replace")
    return out


def _secrets(values: Mapping[str, str]) -> dict[str, Secret]:
    return {k: Secret(v) for k, v in values.items()}


def _dotenv_sources(install: Install, service_vars: Mapping[str, Secret]) -> list[EnvSource]:
    """The `.env` files the gateway loads at start (never overriding its process environment)."""
    from ..openclaw.dotenv import parse_dotenv

    state = service_vars.get("OPENCLAW_STATE_DIR")
    state_dir = Path(state.get_secret_value()).expanduser() if state else install.state_dir
    paths = [state_dir / ".env"]
    if install.era is Era.SQLITE:
        paths.append(install.home / ".config" / "openclaw" / "gateway.env")
    out = []
    for path in dict.fromkeys(paths):
        try:
            text = _read_limited(path)
        except FileNotFoundError:
            continue
        except OSError as exc:
            out.append(EnvSource("dotenv", str(path), error=exc.strerror or "unreadable"))
            continue
        out.append(EnvSource("dotenv", str(path), _secrets(parse_dotenv(text))))
    return out


def read_service_env(install: Install, pid: int | None = None) -> ServiceEnv:
    """What the gateway process sees: its /proc environment, else its unit or plist, then `.env` and config."""
    result = ServiceEnv(pid=pid)
    process = proc_environ(pid) if pid else None
    if process is not None:
        result.sources.append(EnvSource("process", f"/proc/{pid}/environ", _secrets(process)))
    units = systemd_unit_paths(install.home, install.profile_name)
    plist = launchd_plist_path(install.home, install.profile_name)
    if units:
        result.service = f"systemd user unit {units[0].name}"
        if process is None:
            result.sources += _systemd_source(units[0], install.home)
    elif is_file_sync(plist):
        result.service = f"launchd agent {plist.name}"
        if process is None:
            source = _launchd_source(plist)
            if source is not None:
                result.sources.append(source)
    if not result.seen:
        return result
    primary = next((s.values for s in result.sources if s.error is None), {})
    result.sources += _dotenv_sources(install, primary)
    from ..openclaw.config import config_env_vars

    block = config_env_vars(install.config.data)
    if block:
        result.sources.append(EnvSource("config", f"{install.config.path} env block", _secrets(block)))
    return result


# --- what the credentials need ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NeededVar:
    name: str
    why: str  # "env:ANTHROPIC_API_KEY keyRef of anthropic:default", "${X} in openclaw.json", ...
    required: bool  # a credential in use depends on it (else: only compared, e.g. a shadowed fallback)


def needed_vars(install: Install) -> list[NeededVar]:
    """The variables this install's credentials read, in a stable order, each once."""
    found: dict[str, NeededVar] = {}

    def need(name: str, why: str, required: bool = True) -> None:
        old = found.get(name)
        if old is None or (required and not old.required):
            found[name] = NeededVar(name, why, required)

    for agent in install.agents:
        for profile in agent.effective.profiles.values():
            if profile.ref is not None and profile.ref.source == "env" and not profile.secret:
                need(
                    profile.ref.id,
                    f"{profile.ref.label()} ({'tokenRef' if profile.type == 'token' else 'keyRef'} of {profile.id})",
                )
            value = profile.secret.get_secret_value() if profile.secret is not None else ""
            for name in _VAR_REF.findall(value):
                need(name, f"${{{name}}} in the stored key of {profile.id}")
    for name, where in _config_refs(install):
        need(name, where)
    has_anthropic = any(
        normalize_provider(p.provider, install.era) == "anthropic"
        for a in install.agents
        for p in a.effective.profiles.values()
    )
    for name in ANTHROPIC_ENV:
        need(name, "OpenClaw's fallback when no anthropic profile is usable", required=not has_anthropic)
    discord = _discord_config(install.config.data)
    if discord is not None and discord.get("enabled") is not False and not _has_value(discord.get("token")):
        need("DISCORD_BOT_TOKEN", "the Discord bot token (channels.discord.token is not set)")
    return list(found.values())


def _config_refs(install: Install) -> list[tuple[str, str]]:
    """`${VAR}` in the raw config text and env SecretRefs (`{source:"env", id}`) in the config."""
    out: list[tuple[str, str]] = []
    try:
        text = _read_limited(install.config.path)
    except OSError:
        text = ""
    for name in dict.fromkeys(_VAR_REF.findall(text)):
        out.append((name, f"${{{name}}} in {install.config.path.name}"))
    for where, ref_id in _env_refs(install.config.data, ""):
        out.append((ref_id, f"env SecretRef at {where}"))
    return out


def _env_refs(node: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        if node.get("source") == "env" and isinstance(node.get("id"), str):
            yield path, node["id"]
            return
        for key, value in node.items():
            yield from _env_refs(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _env_refs(value, f"{path}[{i}]")


def _discord_config(config: Mapping[str, Any]) -> dict[str, Any] | None:
    channels = config.get("channels")
    discord = channels.get("discord") if isinstance(channels, dict) else None
    return discord if isinstance(discord, dict) else None


def _has_value(value: Any) -> bool:
    return (isinstance(value, str) and bool(value.strip())) or isinstance(value, dict)


# --- comparison ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VarCheck:
    """One needed variable: what our shell has, what the gateway has, and whether they agree."""

    need: NeededVar
    shell: Secret | None = field(default=None, repr=False)
    shell_origin: str | None = None
    service: Secret | None = field(default=None, repr=False)
    service_origin: str | None = None
    shadowed: tuple[str, ...] = ()  # lower-precedence sources holding another value ("~/.openclaw/.env", …)

    @property
    def state(self) -> str:
        """`ok`, `missing_in_service`, `differs`, `unset` (neither has it), `service_only`."""
        if self.service is None:
            return "missing_in_service" if self.shell is not None else "unset"
        if self.shell is None:
            return "service_only"
        return "ok" if self.shell == self.service else "differs"

    def masked(self, era: str) -> tuple[str | None, str | None]:
        shell = mask(self.shell.get_secret_value(), era=era) if self.shell else None
        service = mask(self.service.get_secret_value(), era=era) if self.service else None
        return shell, service

    def to_json(self, era: str) -> dict[str, Any]:
        shell, service = self.masked(era)
        return {
            "name": self.need.name,
            "why": self.need.why,
            "required": self.need.required,
            "state": self.state,
            "shell": shell,
            "shellOrigin": self.shell_origin,
            "gateway": service,
            "gatewayOrigin": self.service_origin,
            "shadowed": list(self.shadowed),
        }


def compare(install: Install, service: ServiceEnv, needed: list[NeededVar] | None = None) -> list[VarCheck]:
    """Each needed variable in our environment and in the gateway's (empty if we cannot see the latter)."""
    if not service.seen:
        return []
    out = []
    for need in needed if needed is not None else needed_vars(install):
        shell_value = install.seen_env.get(need.name)
        shell = Secret(shell_value) if shell_value else None
        origin = install.env[need.name].origin if need.name in install.env else ("process" if shell else None)
        value, source = service.lookup(need.name)
        shadowed = tuple(
            s.location for v, s in service.all_values(need.name) if value is not None and s is not source and v != value
        )
        out.append(
            VarCheck(need, shell, origin, value, f"{source.kind}: {source.location}" if source else None, shadowed)
        )
    return out
