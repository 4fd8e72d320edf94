"""Read one whole install, read-only: the entry point of the domain.

`inspect_install(options)` finds the CLI and its version, decides the storage era, resolves
paths as that era does, loads the config and the environment OpenClaw would see, and loads
every agent's credential layers merged as OpenClaw merges them. It never raises for bad
input: problems are recorded on the stores and turned into findings by `diagnose`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from ..model import AgentAuth, AuthStore, CliInfo, EnvVar, Era, Install, StoreIssue
from ..secret import Secret
from ..util.jsonio import ParseError, as_object, read_text
from ..util.safe_read import exists_sync, is_file_sync
from . import locate
from .config import load_config
from .dotenv import parse_dotenv
from .locate import AGENT_DB, STATE_DB, STORE_FILE
from .store_json import load_agent_store, merge_stores
from .version import detect_cli, era_for_version


def _disk_era(state_dir: Path) -> Era | None:
    """What the files say: SQLite stores mean 2026.6+, only JSON stores mean older."""
    if exists_sync(state_dir / STATE_DB):
        return Era.SQLITE
    agents = state_dir / "agents"
    try:
        dirs = [p / "agent" for p in agents.iterdir()]
    except OSError:
        return None
    if any(exists_sync(d / AGENT_DB) for d in dirs):
        return Era.SQLITE
    if any(exists_sync(d / STORE_FILE) for d in dirs):
        return Era.JSON
    return None


def _config_stamp(options: locate.Options, env: Mapping[str, str]) -> str | None:
    """`meta.lastTouchedVersion`: the last OpenClaw that wrote the config."""
    paths, eff = locate.resolve_paths(options, env, Era.SQLITE)
    config = load_config(paths.config_path, dict(eff))
    meta = as_object(config.data.get("meta"))
    stamp = meta.get("lastTouchedVersion")
    return stamp if isinstance(stamp, str) and stamp.strip() else None


def decide_era(cli: CliInfo, options: locate.Options, env: Mapping[str, str]) -> tuple[Era, str]:
    """The storage era: from the CLI's version, else from the files, else from the config stamp.

    Without a CLI, the config's `meta.lastTouchedVersion` stands in for the version.
    """
    by_version = era_for_version(cli.version)
    if by_version is not None:
        since = "since" if by_version is Era.SQLITE else "before"
        return by_version, f"OpenClaw {cli.version}: SQLite stores {since} 2026.6"
    stamp = _config_stamp(options, env)
    if stamp:
        cli.version, cli.source = stamp, "config"
    paths, _ = locate.resolve_paths(options, env, Era.SQLITE)
    disk = _disk_era(paths.state_dir)
    if disk is None:
        disk = _disk_era(locate.resolve_paths(options, env, Era.JSON)[0].state_dir)
    if disk is not None:
        return disk, f"no openclaw CLI found; the files in the state dir are a {disk.label}"
    by_stamp = era_for_version(stamp)
    if by_stamp is not None:
        return by_stamp, f"no openclaw CLI found; OpenClaw {stamp} last wrote the config"
    return Era.SQLITE, "unknown: no CLI, no stores, no config stamp (assuming a current install)"


def _dotenv_files(era: Era, env: Mapping[str, str], home: Path) -> list[Path]:
    """The `.env` files OpenClaw's gateway and CLI load besides the cwd one."""
    state = (env.get("OPENCLAW_STATE_DIR") or (env.get("CLAWDBOT_STATE_DIR") if era is Era.JSON else "") or "").strip()
    if era is Era.JSON:
        return [locate.resolve_user_path(state, home) / ".env" if state else home / ".openclaw" / ".env"]
    config_env = (env.get("OPENCLAW_CONFIG_PATH") or "").strip()
    if state:
        config_dir = locate.resolve_user_path(state, home)
    elif config_env:
        config_dir = locate.resolve_user_path(config_env, home).parent
    else:
        config_dir = home / ".openclaw"
    files = [config_dir / ".env"]
    if not state or config_dir / ".env" == home / ".openclaw" / ".env":
        files.append(home / ".config" / "openclaw" / "gateway.env")
    return files


def load_environment(era: Era, env: Mapping[str, str], home: Path) -> tuple[dict[str, str], dict[str, EnvVar]]:
    """The environment OpenClaw would see: ours, then `.env` files that never override it."""
    merged = dict(env)
    origins: dict[str, EnvVar] = {}
    for path in _dotenv_files(era, env, home):
        try:
            text = read_text(path, limit=1024 * 1024)
        except (OSError, ParseError):
            continue
        for key, value in parse_dotenv(text).items():
            if key not in merged:
                merged[key] = value
                origins[key] = EnvVar(key, Secret(value), f".env:{path}")
    for key in ("ANTHROPIC_API_KEY", "ANTHROPIC_OAUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN", "DISCORD_BOT_TOKEN"):
        if key in env and key not in origins:
            origins[key] = EnvVar(key, Secret(env[key]), "process")
    return merged, origins


def _agent_auth_json(
    entry: locate.AgentEntry, main_dir: Path, oauth_dir: Path, is_default: bool, cache: dict[Path, AuthStore]
) -> AgentAuth:
    def load(directory: Path, layer: str) -> AuthStore:
        if directory not in cache:
            cache[directory] = load_agent_store(directory, oauth_dir if directory == main_dir else None, layer)
        return cache[directory]

    own = load(entry.agent_dir, "agent" if entry.agent_dir != main_dir else "main")
    if os.path.abspath(entry.agent_dir) == os.path.abspath(main_dir):
        effective = merge_stores(own, AuthStore(location=own.location, layer="agent"), location=own.location)
        effective.issues = own.issues
        return AgentAuth(entry.id, entry.agent_dir, is_default, [own], effective, {p: own.layer for p in own.order})
    main = load(main_dir, "main")
    effective = merge_stores(main, own, location=own.location)
    origin = {p: ("agent" if p in own.order else "main") for p in effective.order}
    return AgentAuth(entry.id, entry.agent_dir, is_default, [main, own], effective, origin)


def _agent_auth_sqlite(entry: locate.AgentEntry, shared: AuthStore, shared_path: Path, is_default: bool) -> AgentAuth:
    from .store_sqlite import load_agent_db_store, merge_layers

    local_path = entry.agent_dir / AGENT_DB
    if os.path.abspath(local_path) == os.path.abspath(shared_path):
        effective, origin = merge_layers(
            shared, AuthStore(location=shared.location, layer="agent", exists=False), location=shared.location
        )
        return AgentAuth(entry.id, entry.agent_dir, is_default, [shared], effective, origin)
    local = load_agent_db_store(entry.agent_dir, "agent", entry.id)
    effective, origin = merge_layers(shared, local, location=local.location if local.exists else shared.location)
    return AgentAuth(entry.id, entry.agent_dir, is_default, [shared, local], effective, origin)


def _legacy_files_beside(era: Era, dirs: list[Path]) -> list[StoreIssue]:
    if era is not Era.SQLITE:
        return []
    issues = []
    for directory in dict.fromkeys(dirs):
        for name in (STORE_FILE, "auth.json"):
            path = directory / name
            if is_file_sync(path):
                issues.append(
                    StoreIssue(
                        "store.legacy_unmigrated",
                        f"{path} is a 2026.3-style store beside a SQLite-era install: OpenClaw refuses every auth "
                        "command (AUTH_PROFILE_MIGRATION_REQUIRED) until `openclaw doctor --fix` imports it",
                        str(path),
                    )
                )
    return issues


def inspect_install(options: locate.Options | None = None, env: Mapping[str, str] | None = None) -> Install:
    """Everything `check` needs to know about the install these options point at."""
    options = options or locate.Options()
    base_env = dict(os.environ if env is None else env)
    flagged_env = locate.apply_options(options, base_env)
    cli = detect_cli(options.openclaw, flagged_env)
    era, era_reason = decide_era(cli, options, base_env)
    paths, eff_env = locate.resolve_paths(options, base_env, era)
    seen_env, env_origins = load_environment(era, eff_env, paths.home)
    config = load_config(paths.config_path, seen_env, strict_env=era is Era.SQLITE)
    roster = locate.resolve_roster(config.data, era, paths.state_dir, paths.home)
    default_id = roster.default_id or (roster.agents[0].id if roster.agents else locate.DEFAULT_AGENT_ID)
    selected = locate.normalize_agent_id(options.agent) if options.agent else default_id
    notes = [roster.problem] if roster.problem else []
    main_dir = locate.main_agent_dir(seen_env, paths.state_dir, paths.home, era)
    entries = list(roster.agents)
    if options.agent and all(a.id != selected for a in entries):
        notes.append(f'agent "{options.agent}" is not configured; showing its folder if it exists')
        entries.append(locate.AgentEntry(selected, paths.state_dir / "agents" / selected / "agent", False, False))
    # `OPENCLAW_AGENT_DIR` moves the agent `models status` inspects when no --agent is given (2026.9).
    if era is Era.SQLITE and not options.agent:
        override = (seen_env.get("OPENCLAW_AGENT_DIR") or seen_env.get("PI_CODING_AGENT_DIR") or "").strip()
        if override:
            entries = [
                locate.AgentEntry(a.id, locate.resolve_user_path(override, paths.home), a.configured, True)
                if a.id == selected
                else a
                for a in entries
            ]
    agents: list[AgentAuth] = []
    if era is Era.JSON:
        oauth_dir_env = (seen_env.get("OPENCLAW_OAUTH_DIR") or "").strip()
        oauth_dir = (
            locate.resolve_user_path(oauth_dir_env, paths.home) if oauth_dir_env else paths.state_dir / "credentials"
        )
        cache: dict[Path, AuthStore] = {}
        for entry in entries:
            agents.append(_agent_auth_json(entry, main_dir, oauth_dir, entry.id == default_id, cache))
    else:
        from .store_sqlite import load_agent_db_store, load_state_db_store, read_ownership

        ownership, own_issues = read_ownership(paths.state_dir)
        if ownership.location == "state-db":
            shared = load_state_db_store(paths.state_dir)
            shared_path = paths.state_dir / STATE_DB
        else:
            shared = load_agent_db_store(main_dir, "shared", "main")
            shared_path = main_dir / AGENT_DB
        shared.issues[:0] = own_issues
        legacy = _legacy_files_beside(era, [main_dir, *(e.agent_dir for e in entries)])
        shared.issues.extend(legacy)
        for entry in entries:
            agents.append(_agent_auth_sqlite(entry, shared, shared_path, entry.id == default_id))
    return Install(
        home=paths.home,
        state_dir=paths.state_dir,
        state_dir_origin=paths.state_dir_origin,
        config=config,
        config_origin=paths.config_origin,
        profile_name=paths.profile_name,
        cli=cli,
        era=era,
        era_reason=era_reason,
        agents=agents,
        default_agent_id=default_id,
        selected_agent_id=selected,
        env=env_origins,
        agent_ids_configured=[a.id for a in roster.agents if a.configured],
        notes=notes,
        seen_env=seen_env,
        era_on_disk=_disk_era(paths.state_dir),
        sandbox=Path(options.sandbox) if options.sandbox else None,
    )
