"""Where an install lives, resolved exactly as each OpenClaw era resolves it.

Home, state dir, config file, `--profile`, and every agent with its folder. The rules
differ between eras (2026.3 probes `.clawdbot`, `.moldbot`, `.moltbot` and the `CLAWDBOT_*`
variables; 2026.9 only `.clawdbot`; 2026.9 keys agents by `agents.entries`), so each function
takes the era. No file is written and nothing is imported that `check` does not need.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..model import Era
from ..util.jsonio import as_object
from ..util.safe_read import exists_sync, is_dir_sync

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from typing import Any

PROFILE_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$", re.IGNORECASE)
_AGENT_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$", re.IGNORECASE)
_CONFIG_NAMES_LEGACY = ("openclaw.json", "clawdbot.json", "moldbot.json", "moltbot.json")
_CONFIG_NAMES_CURRENT = ("openclaw.json", "clawdbot.json")
_STATE_DIRS_LEGACY = (".clawdbot", ".moldbot", ".moltbot")
_STATE_DIRS_CURRENT = (".clawdbot",)
DEFAULT_AGENT_ID = "main"
# Store files, by era.
STORE_FILE = "auth-profiles.json"  # 2026.3
STATE_DB = Path("state") / "openclaw.sqlite"  # 2026.9 shared state
AGENT_DB = "openclaw-agent.sqlite"  # 2026.9 per agent


class LocateError(Exception):
    """The request cannot be satisfied (bad `--profile`, unknown agent, ...)."""


@dataclass(frozen=True, slots=True)
class Options:
    """What the user asked for on our command line (all optional)."""

    state_dir: str | None = None
    config: str | None = None
    agent: str | None = None
    profile: str | None = None
    openclaw: str | None = None
    sandbox: str | None = None  # a demo: the install lives in this folder, and nothing outside it is read


@dataclass(frozen=True, slots=True)
class Paths:
    home: Path
    state_dir: Path
    state_dir_origin: str
    config_path: Path
    config_origin: str
    profile_name: str | None


def _norm(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value or value in ("undefined", "null"):
        return None
    return value


def resolve_home(env: Mapping[str, str]) -> Path:
    """OpenClaw's home: `OPENCLAW_HOME` (a leading `~` expands against HOME), else HOME."""
    os_home = _norm(env.get("HOME")) or _norm(env.get("USERPROFILE")) or os.path.expanduser("~")
    explicit = _norm(env.get("OPENCLAW_HOME"))
    if explicit:
        if explicit == "~" or explicit.startswith(("~/", "~\\")):
            explicit = os_home + explicit[1:]
        return Path(os.path.abspath(explicit))
    return Path(os.path.abspath(os_home))


def resolve_user_path(value: str, home: Path) -> Path:
    """`~` (alone or followed by a separator) means home; relative paths are cwd-relative."""
    value = value.strip()
    if value == "~" or value.startswith(("~/", "~\\")):
        value = str(home) + value[1:]
    return Path(os.path.abspath(value))


def _state_env(env: Mapping[str, str], era: Era) -> str | None:
    value = _norm(env.get("OPENCLAW_STATE_DIR"))
    if value is None and era is Era.JSON:
        value = _norm(env.get("CLAWDBOT_STATE_DIR"))
    return value


def _config_env(env: Mapping[str, str], era: Era) -> str | None:
    value = _norm(env.get("OPENCLAW_CONFIG_PATH"))
    if value is None and era is Era.JSON:
        value = _norm(env.get("CLAWDBOT_CONFIG_PATH"))
    return value


def apply_options(options: Options, env: Mapping[str, str]) -> dict[str, str]:
    """The environment OpenClaw would see for these flags (`--profile` as its CLI applies it)."""
    out = dict(env)
    if options.state_dir:
        out["OPENCLAW_STATE_DIR"] = options.state_dir
    if options.config:
        out["OPENCLAW_CONFIG_PATH"] = options.config
    if options.profile is not None:
        name = options.profile.strip()
        if not name:
            raise LocateError("--profile requires a value")
        if not PROFILE_NAME_RE.match(name):
            raise LocateError('invalid --profile (use letters, numbers, "_", "-" only)')
        home = resolve_home(out)
        state = _norm(out.get("OPENCLAW_STATE_DIR"))
        if state is None:
            state = str(home / (".openclaw" if name.lower() == "default" else f".openclaw-{name}"))
            out["OPENCLAW_STATE_DIR"] = state
        if _norm(out.get("OPENCLAW_CONFIG_PATH")) is None:
            out["OPENCLAW_CONFIG_PATH"] = str(resolve_user_path(state, home) / "openclaw.json")
        out["OPENCLAW_PROFILE"] = name
    return out


def looked_in(
    home: Path, env: Mapping[str, str], era: Era, state: tuple[Path, str], config: tuple[Path, str]
) -> list[str]:
    """Every place this era of OpenClaw looks for its install, as lines a user can check: the
    state dir and config chosen (and why), the legacy folders, and the variables that move them."""

    def where(what: str, path: Path, why: str = "") -> str:
        why = why.replace(" (missing)", "")
        return f"{what} {path}" + (f" ({why})" if why else "") + ("" if exists_sync(path) else ": missing")

    legacy = _STATE_DIRS_LEGACY if era is Era.JSON else _STATE_DIRS_CURRENT
    lines = [where("state dir", *state), where("config", *config)]
    lines += [where("legacy state dir", home / name) for name in legacy]
    names = ["OPENCLAW_HOME", "OPENCLAW_STATE_DIR", "OPENCLAW_CONFIG_PATH", "OPENCLAW_PROFILE"]
    if era is Era.JSON:
        names += ["CLAWDBOT_STATE_DIR", "CLAWDBOT_CONFIG_PATH"]
    set_vars = [f"{n}={env[n]}" for n in names if _norm(env.get(n))]
    lines.append("variables: " + (", ".join(set_vars) if set_vars else f"none of {', '.join(names)} is set"))
    return lines


def resolve_state_dir(env: Mapping[str, str], era: Era) -> tuple[Path, str]:
    """The state dir and why: the variable, `~/.openclaw`, a legacy dir, or the default."""
    home = resolve_home(env)
    explicit = _state_env(env, era)
    if explicit:
        return resolve_user_path(explicit, home), "OPENCLAW_STATE_DIR"
    new = home / ".openclaw"
    if exists_sync(new):
        return new, "default"
    for name in _STATE_DIRS_LEGACY if era is Era.JSON else _STATE_DIRS_CURRENT:
        legacy = home / name
        if exists_sync(legacy):
            return legacy, f"legacy {name}"
    return new, "default (missing)"


def _first_existing(paths: list[Path]) -> Path | None:
    for path in paths:
        if exists_sync(path):
            return path
    return None


def resolve_config_path(env: Mapping[str, str], era: Era, state_dir: Path) -> tuple[Path, str]:
    """The config file each era would read, and why."""
    home = resolve_home(env)
    explicit = _config_env(env, era)
    if explicit:
        return resolve_user_path(explicit, home), "OPENCLAW_CONFIG_PATH"
    state_env = _state_env(env, era)
    if era is Era.JSON:
        dirs = []
        if state_env:
            dirs.append(resolve_user_path(state_env, home))
        dirs += [home / ".openclaw", *(home / d for d in _STATE_DIRS_LEGACY)]
        found = _first_existing([d / n for d in dirs for n in _CONFIG_NAMES_LEGACY])
        if found is not None:
            return found, "found"
        return state_dir / "openclaw.json", "default (missing)"
    # 2026.9: the state dir's own names first, then (only without OPENCLAW_STATE_DIR) the defaults.
    found = _first_existing([state_dir / n for n in _CONFIG_NAMES_CURRENT])
    if found is not None:
        return found, "found"
    if state_env:
        return state_dir / "openclaw.json", "default (missing)"
    candidates = [home / d / n for d in (".openclaw", *_STATE_DIRS_CURRENT) for n in _CONFIG_NAMES_CURRENT]
    found = _first_existing(candidates)
    if found is not None:
        return found, "found"
    return state_dir / "openclaw.json", "default (missing)"


def resolve_paths(options: Options, env: Mapping[str, str], era: Era) -> tuple[Paths, dict[str, str]]:
    """All install paths for `era`, plus the environment with our flags applied."""
    eff = apply_options(options, env)
    home = resolve_home(eff)
    state_dir, state_origin = resolve_state_dir(eff, era)
    if options.state_dir:
        state_origin = "--state-dir"
    elif (
        options.profile is not None
        and state_origin == "OPENCLAW_STATE_DIR"
        and not _norm(env.get("OPENCLAW_STATE_DIR"))
    ):
        state_origin = f"--profile {options.profile.strip()}"
    config_path, config_origin = resolve_config_path(eff, era, state_dir)
    if options.config:
        config_origin = "--config"
    return (
        Paths(
            home=home,
            state_dir=state_dir,
            state_dir_origin=state_origin,
            config_path=config_path,
            config_origin=config_origin,
            profile_name=options.profile.strip() if options.profile else None,
        ),
        eff,
    )


# --- agents -----------------------------------------------------------------------------


def normalize_agent_id(value: Any) -> str:
    """OpenClaw's `normalizeAgentId` (same in both eras)."""
    text = (value if isinstance(value, str) else "").strip()
    if not text:
        return DEFAULT_AGENT_ID
    if _AGENT_ID_RE.match(text):
        return text.lower()
    out = re.sub(r"[^a-z0-9_-]+", "-", text.lower())
    out = re.sub(r"^-+", "", out)
    out = re.sub(r"-+$", "", out)[:64]
    return out or DEFAULT_AGENT_ID


@dataclass(frozen=True, slots=True)
class AgentEntry:
    id: str
    agent_dir: Path
    configured: bool  # listed in config (not just found on disk)
    dir_from_config: bool


@dataclass(frozen=True, slots=True)
class Roster:
    agents: list[AgentEntry]
    default_id: str | None  # None: 2026.9 with several agents and no owner
    problem: str | None = None


def _roster_entries(config: Mapping[str, Any], era: Era) -> tuple[list[tuple[str, dict[str, Any]]], str | None]:
    agents = config.get("agents")
    if not isinstance(agents, dict):
        return [], None
    if era is Era.JSON:
        items = agents.get("list")
        if not isinstance(items, list):
            return [], None
        out = []
        for item in items:
            if isinstance(item, dict):
                out.append((normalize_agent_id(item.get("id")), item))
        return out, None
    entries = agents.get("entries")
    if isinstance(entries, dict):
        if "list" in agents:
            return [(normalize_agent_id(k), v) for k, v in entries.items() if isinstance(v, dict)], (
                'agents.list and agents.entries are both set: OpenClaw rejects the config (Unrecognized key: "list")'
            )
        return [(normalize_agent_id(k), v) for k, v in entries.items() if isinstance(v, dict)], None
    items = agents.get("list")
    if isinstance(items, list):
        out = []
        for item in items:
            raw = item.get("id") if isinstance(item, dict) else None
            if not isinstance(raw, str) or raw.strip() != raw or not raw or normalize_agent_id(raw) != raw:
                return [], f"agents.list entry id {raw!r} is not canonical: OpenClaw 2026.9 rejects the config"
            out.append((raw, {k: v for k, v in item.items() if k != "id"}))
        return out, None
    return [], None


def agent_settings(config: Mapping[str, Any], era: Era, agent_id: str) -> Mapping[str, Any]:
    """The agent's own entry in the config (`agents.list[]` in 2026.3, `agents.entries.<id>` in
    2026.9), or an empty mapping."""
    wanted = normalize_agent_id(agent_id)
    entries, _ = _roster_entries(config, era)
    return next((entry for aid, entry in entries if aid == wanted), {})


def resolve_roster(config: Mapping[str, Any], era: Era, state_dir: Path, home: Path) -> Roster:
    """Every agent OpenClaw knows of, the default one, and each agent's folder."""
    entries, problem = _roster_entries(config, era)
    seen: dict[str, AgentEntry] = {}
    for agent_id, entry in entries:
        if agent_id in seen:
            continue
        raw_dir = entry.get("agentDir")
        if isinstance(raw_dir, str) and raw_dir.strip():
            agent_dir, from_cfg = resolve_user_path(raw_dir, home), True
        else:
            agent_dir, from_cfg = state_dir / "agents" / agent_id / "agent", False
        seen[agent_id] = AgentEntry(agent_id, agent_dir, True, from_cfg)
    default_id = _default_agent(config, era, entries)
    if not seen:
        seen[DEFAULT_AGENT_ID] = AgentEntry(
            DEFAULT_AGENT_ID, state_dir / "agents" / DEFAULT_AGENT_ID / "agent", False, False
        )
        default_id = DEFAULT_AGENT_ID
    # Agents present on disk but not configured still hold credentials worth showing.
    agents_dir = state_dir / "agents"
    try:
        on_disk = sorted(p.name for p in agents_dir.iterdir() if is_dir_sync(p / "agent"))
    except OSError:
        on_disk = []
    for name in on_disk:
        agent_id = normalize_agent_id(name)
        if agent_id not in seen and agent_id == name:
            seen[agent_id] = AgentEntry(agent_id, agents_dir / name / "agent", False, False)
    if default_id is None and problem is None and len(entries) > 1:
        problem = (
            "several agents are configured but none is the owner: set agents.defaults.systemAgent.agentId "
            "(OpenClaw 2026.9 asks for --agent)"
        )
    return Roster(list(seen.values()), default_id, problem)


def _default_agent(config: Mapping[str, Any], era: Era, entries: list[tuple[str, dict[str, Any]]]) -> str | None:
    if not entries:
        return DEFAULT_AGENT_ID
    if era is Era.JSON:
        for agent_id, entry in entries:
            if entry.get("default") is True or (entry.get("default") and not isinstance(entry.get("default"), bool)):
                return agent_id
        return entries[0][0]
    agents = as_object(config.get("agents"))
    system = agents.get("defaults", {}).get("systemAgent") if isinstance(agents.get("defaults"), dict) else None
    if isinstance(system, dict) and isinstance(system.get("agentId"), str) and system["agentId"].strip():
        return normalize_agent_id(system["agentId"])
    if agents.get("ownership") != "explicit":
        marked = [agent_id for agent_id, entry in entries if entry.get("default") is True]
        if len(marked) == 1:
            return marked[0]
    if len(entries) == 1:
        return entries[0][0]
    return None


def main_agent_dir(env: Mapping[str, str], state_dir: Path, home: Path, era: Era) -> Path:
    """The "main" store every other agent inherits from (2026.3) or the legacy shared dir (2026.9)."""
    override = _norm(env.get("OPENCLAW_AGENT_DIR"))
    if override is None and era is Era.JSON:
        override = _norm(env.get("PI_CODING_AGENT_DIR"))
    if override:
        return resolve_user_path(override, home)
    return state_dir / "agents" / DEFAULT_AGENT_ID / "agent"


def shorten_home(path: Path | str, home: Path, env: Mapping[str, str]) -> str:
    """Display a path as OpenClaw does: the home prefix becomes `~` (or `$OPENCLAW_HOME`)."""
    text = str(path)
    prefix = "$OPENCLAW_HOME" if _norm(env.get("OPENCLAW_HOME")) else "~"
    home_text = str(home)
    if text == home_text:
        return prefix
    if text.startswith(home_text.rstrip("/") + "/"):
        return prefix + text[len(home_text.rstrip("/")) :]
    return text
