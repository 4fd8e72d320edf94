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

from ..model import AgentAuth, AuthStore, CliInfo, EnvVar, Era, Install, Layout, LegacyJson, StoreIssue
from ..secret import Secret
from ..util.jsonio import ParseError
from ..util.readonce import Reads
from ..util.safe_read import is_file_sync, read_bytes
from . import layouts, locate
from .config import config_stamp, load_config
from .dotenv import read_dotenv
from .locate import AGENT_DB, STATE_DB, STORE_FILE
from .store_json import load_agent_store, merge_stores
from .version import detect_cli, parse_version


def _db_user_version(path: Path) -> int | None:
    """SQLite's `user_version` from the database header (bytes 60-63), without opening the
    database: opening one can create a `-shm` file, and a read-only command writes nothing."""
    try:
        head = read_bytes(path, limit=100, truncate=True)  # never blocks on a FIFO in its place
    except OSError:
        return None
    if len(head) < 64 or not head.startswith(b"SQLite format 3\x00"):
        return None
    return int.from_bytes(head[60:64], "big")


def disk_layout(state_dir: Path) -> Layout | None:
    """The layout the files were written in, when they tell.

    2026.8+ stamps its state database with a schema version of 15 or more (2026.6.5 to 2026.7
    leave it at 1, and 2026.6.1 creates that same empty database beside its JSON stores), so a
    state database alone is no evidence; an agent database, an `auth-state.json` or an
    `auth-profiles.json` is.
    """
    version = _db_user_version(state_dir / STATE_DB)
    if version is not None and version >= 2:
        return layouts.BY_KEY["state-db"]
    try:
        dirs = [p / "agent" for p in (state_dir / "agents").iterdir()]
    except OSError:
        dirs = []
    for name, key in ((AGENT_DB, "agent-db"), (layouts.AUTH_STATE_FILE, "json+state"), (STORE_FILE, "json")):
        if any(is_file_sync(d / name) for d in dirs):
            return layouts.BY_KEY[key]
    return None


def _disk_layout(reads: Reads, state_dir: Path) -> Layout | None:
    return reads.once(("layout", os.fspath(state_dir)), lambda: disk_layout(state_dir))


def decide_layout(
    cli: CliInfo, options: locate.Options, env: Mapping[str, str], reads: Reads | None = None
) -> tuple[Layout, str]:
    """The storage layout: from the CLI's release; without a CLI, the newer of what the files say
    and what the config's `meta.lastTouchedVersion` says (a release that wrote the stores without
    touching the config, say `order set` after an upgrade, is still the one in use).
    """
    release = parse_version(cli.version)
    if release is not None:
        layout = layouts.for_release(release)
        return layout, f"OpenClaw {cli.version}: {layout.label}, as every release from {layout.releases}"
    paths, eff = locate.resolve_paths(options, env, Era.SQLITE)
    reads = reads or Reads()
    stamp = config_stamp(load_config(paths.config_path, dict(eff), reads=reads).data)
    if stamp:
        cli.version, cli.source = stamp, "config"
    disk = _disk_layout(reads, paths.state_dir)
    if disk is None:
        disk = _disk_layout(reads, locate.resolve_paths(options, env, Era.JSON)[0].state_dir)
    stamped = parse_version(stamp)
    by_stamp = layouts.for_release(stamped) if stamped is not None else None
    if disk is not None and (by_stamp is None or disk.since > by_stamp.since):
        return disk, f"no openclaw CLI found; the files in the state dir are a {disk.label}"
    if by_stamp is not None:
        return by_stamp, f"no openclaw CLI found; OpenClaw {stamp} last wrote the config ({by_stamp.label})"
    return layouts.LAYOUTS[-1], "unknown: no CLI, no stores, no config stamp (assuming a current install)"


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


def dotenv_files(era: Era, env: Mapping[str, str], home: Path) -> list[Path]:
    """The `.env` files OpenClaw of `era` loads besides the cwd one, in its order."""
    return _dotenv_files(era, env, home)


def load_environment(
    era: Era, env: Mapping[str, str], home: Path, reads: Reads | None = None
) -> tuple[dict[str, str], dict[str, EnvVar]]:
    """The environment OpenClaw would see: ours, then `.env` files that never override it."""
    reads = reads or Reads()
    merged = dict(env)
    origins: dict[str, EnvVar] = {}
    for path in _dotenv_files(era, env, home):
        try:
            values = read_dotenv(reads, path)
        except (OSError, ParseError):
            continue
        for key, value in values.items():
            if key not in merged:
                merged[key] = value
                origins[key] = EnvVar(key, Secret(value), f".env:{path}")
    for key in ("ANTHROPIC_API_KEY", "ANTHROPIC_OAUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN", "DISCORD_BOT_TOKEN"):
        if key in env and key not in origins:
            origins[key] = EnvVar(key, Secret(env[key]), "process")
    return merged, origins


def _agent_auth_json(
    entry: locate.AgentEntry,
    main_dir: Path,
    oauth_dir: Path,
    is_default: bool,
    cache: dict[Path, AuthStore],
    state_file: str | None,
) -> AgentAuth:
    def load(directory: Path, layer: str) -> AuthStore:
        if directory not in cache:
            oauth = oauth_dir if directory == main_dir else None
            cache[directory] = load_agent_store(directory, oauth, layer, state_file)
        return cache[directory]

    def origin_of(store: AuthStore, provider: str) -> str:
        held = store.order_from.get(provider)
        return f"{store.layer} {Path(held).name}" if held else store.layer

    own = load(entry.agent_dir, "agent" if entry.agent_dir != main_dir else "main")
    if os.path.abspath(entry.agent_dir) == os.path.abspath(main_dir):
        effective = merge_stores(own, AuthStore(location=own.location, layer="agent"), location=own.location)
        effective.issues = own.issues
        return AgentAuth(
            entry.id, entry.agent_dir, is_default, [own], effective, {p: origin_of(own, p) for p in own.order}
        )
    main = load(main_dir, "main")
    effective = merge_stores(main, own, location=own.location)
    origin = {p: origin_of(own if p in own.order else main, p) for p in effective.order}
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


def _legacy_files_beside(layout: Layout, version: str | None, dirs: list[Path]) -> list[StoreIssue]:
    """JSON stores an older release left under a SQLite release, with what this release does
    with them (`layouts.LegacyJson`, seen on the real CLIs: 2026.6.5 and 2026.7.35 read the
    agent as having no credentials, 2026.8.2 and 2026.9.6 refuse every auth command)."""
    if layout.legacy_json is LegacyJson.READ:
        return []
    release = f"OpenClaw {version}" if version else f"A {layout.label} release"
    issues = []
    for directory in dict.fromkeys(dirs):
        for name in (STORE_FILE, "auth.json"):
            path = directory / name
            if not is_file_sync(path):
                continue
            if layout.legacy_json is LegacyJson.IGNORED:
                what = (
                    f"{path} is a JSON store an older OpenClaw wrote; {release} ignores it without a word: it "
                    "reads this agent as having no credentials (`models status` lists no provider and names the "
                    "model's provider as missing) until `openclaw doctor --fix` imports it"
                )
            else:
                what = (
                    f"{path} is a JSON store an older OpenClaw wrote; {release} refuses every auth command "
                    '("requires legacy credential migration", AUTH_PROFILE_MIGRATION_REQUIRED) until '
                    "`openclaw doctor --fix` imports it"
                )
            issues.append(StoreIssue("store.legacy_unmigrated", what, str(path)))
    return issues


def inspect_install(options: locate.Options | None = None, env: Mapping[str, str] | None = None) -> Install:
    """Everything `check` needs to know about the install these options point at."""
    options = options or locate.Options()
    base_env = dict(os.environ if env is None else env)
    flagged_env = locate.apply_options(options, base_env)
    cli = detect_cli(options.openclaw, flagged_env)
    reads = Reads()  # every file below is read once, whoever asks for it (`Install.reads`)
    layout, era_reason = decide_layout(cli, options, base_env, reads)
    era = layout.era
    paths, eff_env = locate.resolve_paths(options, base_env, era)
    seen_env, env_origins = load_environment(era, eff_env, paths.home, reads)
    config = load_config(paths.config_path, seen_env, strict_env=era is Era.SQLITE, reads=reads)
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
            agents.append(
                _agent_auth_json(entry, main_dir, oauth_dir, entry.id == default_id, cache, layout.state_file)
            )
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
        legacy = _legacy_files_beside(layout, cli.version, [main_dir, *(e.agent_dir for e in entries)])
        shared.issues.extend(legacy)
        for entry in entries:
            agents.append(_agent_auth_sqlite(entry, shared, shared_path, entry.id == default_id))
    on_disk = _disk_layout(reads, paths.state_dir)
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
        era_on_disk=on_disk.era if on_disk else None,
        layout=layout,
        layout_on_disk=on_disk,
        release=parse_version(cli.version),
        builtin_model=layouts.default_model(parse_version(cli.version), era),
        sandbox=Path(options.sandbox) if options.sandbox else None,
        reads=reads,
    )
