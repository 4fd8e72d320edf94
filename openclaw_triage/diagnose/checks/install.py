"""The install itself: the CLI, the stores and their permissions, secrets in logs, the other agents."""

from __future__ import annotations

import re
from pathlib import Path

from ...actions import DoctorFix
from ...findings import Severity
from ...model import AgentAuth, AuthStore, Era, Install
from ...openclaw import commands as fixes
from ...openclaw.config import config_stamp, get_path, model_primary, model_setting
from ...openclaw.layouts import default_model, rejected_config_keys, retired_profile_ids, retired_since
from ...openclaw.locate import looked_in
from ...openclaw.version import parse_version
from ...util.safe_read import read_tail
from ...util.tempfiles import leftover_temps
from ..result import Collector, ProfileView

_SECRET_IN_TEXT = re.compile(r"sk-ant-(?:api|oat|ort|admin)\d{2}-[A-Za-z0-9_-]{20,}")


def check_install(install: Install, out: Collector) -> None:
    cli = install.cli
    if cli.path is None:
        severity = (
            Severity.INFO if install.era_reason and not install.era_reason.startswith("unknown") else Severity.WARNING
        )
        if cli.requested == "none":
            where, fix = "Not using an openclaw CLI (--openclaw none)", None
        elif cli.requested:
            where, fix = (
                f"--openclaw {cli.requested} is not an executable file",
                "Give the path of the openclaw binary (e.g. $(which openclaw)).",
            )
            severity = Severity.WARNING
        else:
            where, fix = "The openclaw CLI is not on PATH", "Pass --openclaw PATH, or run this where the gateway runs."
        out.add(
            "version.cli_not_found",
            severity,
            "openclaw",
            f"{where}; the storage era was inferred ({install.era_reason}).",
            fix,
        )
    elif _layouts_disagree(install) and install.cli.source != "config":
        out.add(
            "version.era_mismatch",
            Severity.WARNING,
            "openclaw",
            _layout_mismatch(install),
            "Check `which -a openclaw`; the gateway's OpenClaw decides which store is used.",
        )
    if install.era_reason.startswith("unknown") and install.found:
        out.add(
            "version.unknown_era",
            Severity.WARNING,
            "openclaw",
            "Neither the version nor the files tell which storage era this install uses.",
        )
    if not install.found:
        places = looked_in(
            install.home,
            install.seen_env,
            install.era,
            (install.state_dir, install.state_dir_origin),
            (install.config.path, install.config_origin),
        )
        out.add(
            "install.not_found",
            Severity.ERROR,
            str(install.state_dir),
            "No OpenClaw install found here. Looked where OpenClaw looks: " + "; ".join(places) + ".",
            "Is the gateway on another machine? Run openclaw-triage there, as the user who runs OpenClaw. "
            "To point at an install here: --state-dir DIR, --profile NAME (~/.openclaw-NAME), --config FILE, "
            "or OPENCLAW_HOME=DIR.",
            places=places,
        )
    for note in install.notes:
        code = "agent.not_found" if "not configured" in note else "config.agents"
        out.add(code, Severity.WARNING, install.selected_agent_id, note)


def check_stores(install: Install, agent: AgentAuth, out: Collector) -> None:
    era = install.era
    seen: set[str] = set()
    for layer in agent.layers:
        for issue in layer.issues:
            key = issue.code + issue.message
            if key in seen:
                continue
            seen.add(key)
            if issue.code == "store.parse_error":
                text = (
                    f"{issue.message}. OpenClaw 2026.3 silently reads it as an EMPTY store: no profile is used."
                    if era is Era.JSON
                    else issue.message
                )
                out.add(
                    "store.parse_error",
                    Severity.ERROR,
                    issue.subject,
                    text,
                    "Restore the file from a backup, or re-enter the keys (openclaw onboard).",
                )
            elif issue.code == "store.legacy_unmigrated":
                severity = Severity.ERROR if era is Era.SQLITE else Severity.WARNING
                out.add(
                    "store.legacy_unmigrated",
                    severity,
                    issue.subject,
                    issue.message,
                    fixes.doctor_fix() if era is Era.SQLITE else None,
                    DoctorFix("import the JSON store an older release left", out.agent) if era is Era.SQLITE else None,
                )
            elif issue.code == "profile.entry_dropped":
                out.add(
                    "profile.entry_dropped",
                    Severity.WARNING,
                    issue.subject,
                    issue.message,
                    "Fix the entry's type/provider or re-enter it through the CLI.",
                )
            else:
                out.add(
                    issue.code,
                    Severity.ERROR,
                    issue.subject,
                    issue.message,
                    fixes.doctor_fix() if era is Era.SQLITE else None,
                )
        if layer.extra and era is Era.JSON:
            out.add(
                "store.unknown_fields",
                Severity.INFO,
                layer.location,
                f"{layer.location} has top-level keys OpenClaw 2026.3 drops on its next write: {', '.join(sorted(layer.extra))}.",
            )
        _check_permissions(layer, out)
        _check_leftover_temps(layer, out)


def _check_leftover_temps(layer: AuthStore, out: Collector) -> None:
    """A copy of the store, keys and all, that openclaw-triage left when it was killed mid-write."""
    if "#" in layer.location:  # a SQLite row: we never write those
        return
    store = Path(layer.location)
    for temp in leftover_temps(store.parent, store.name):
        out.add(
            "fs.leftover_temp",
            Severity.WARNING,
            str(temp),
            f"{temp} is a copy of {store.name}, keys included, that openclaw-triage left when it was stopped "
            "mid-write. Only you can read it; the next change through openclaw-triage removes it.",
            f"rm '{temp}'",
        )


def _check_permissions(layer: AuthStore, out: Collector) -> None:
    if layer.mode is None:
        return
    path = layer.location.split("#", 1)[0]
    if layer.mode & 0o077:
        out.add(
            "store.permissions",
            Severity.WARNING,
            path,
            f"{path} is readable by other users (mode {layer.mode:o}); it holds your keys in plain text.",
            f"chmod 600 {path}",
        )
    parent = Path(path).parent
    try:
        parent_mode = parent.stat().st_mode & 0o777
    except OSError:
        return
    if parent_mode & 0o077:
        out.add(
            "store.permissions",
            Severity.INFO,
            str(parent),
            f"{parent} can be listed by other users (mode {parent_mode:o}); OpenClaw creates it 0700.",
            f"chmod 700 {parent}",
        )


def check_logs(install: Install, reports: list[ProfileView], out: Collector) -> None:
    """2026.3 onboarding logs its argv, `--anthropic-api-key` included, in plain text."""
    log = install.state_dir / "logs" / "config-audit.jsonl"
    try:
        data, _ = read_tail(log, 32 * 1024 * 1024)  # a FIFO or a folder in its place is skipped
    except OSError:
        return
    text = data.decode("utf-8", "replace")
    found = _SECRET_IN_TEXT.findall(text)
    known = {r.profile.secret.get_secret_value().strip() for r in reports if r.profile.secret is not None}
    if found:
        current = sum(1 for f in set(found) if f in known)
        out.add(
            "fs.secret_in_log",
            Severity.WARNING,
            str(log),
            f"{log} holds {len(set(found))} full key(s) in plain text"
            + (f", {current} of them in use" if current else "")
            + " (OpenClaw logs the onboard command line).",
            f"Delete the lines holding keys from {log} (or the file), and rotate any key that is still in use.",
        )


def check_other_agents(install: Install, out: Collector) -> None:
    for agent in install.agents:
        if agent.agent_id == install.selected_agent_id:
            continue
        if not agent.effective.profiles and agent.agent_id in install.agent_ids_configured:
            out.add(
                "agent.no_auth",
                Severity.WARNING,
                agent.agent_id,
                f"Agent {agent.agent_id} has no credentials: chats routed to it fail with 'No API key found'."
                + _routes_note(install, agent.agent_id),
                _no_auth_fix(install, agent.agent_id, agent.agent_dir),
            )


def _no_auth_fix(install: Install, agent_id: str, agent_dir: object) -> str:
    """Give the agent a key of its own, always naming the profile: 2026.9's `paste-api-key --agent X`
    without `--profile-id` overwrites the SHARED anthropic:default (every agent's key)."""
    ours = (
        f"openclaw-triage key set --provider anthropic --agent {agent_id} --profile-id anthropic:{agent_id} --clipboard"
    )
    if install.era is Era.SQLITE:
        return (
            f"{ours}  or  openclaw models auth paste-api-key --provider anthropic --agent {agent_id} "
            f"--profile-id anthropic:{agent_id} (paste the key at the prompt; without --profile-id it would replace "
            "the shared anthropic:default, which every agent uses)"
        )
    return f"{ours}  (OpenClaw 2026.3 has no per-agent paste; or copy auth-profiles.json into {agent_dir})"


def _routes_note(install: Install, agent_id: str) -> str:
    """` bindings[] route discord (account default) to it.` when the config routes a channel there."""
    from ...openclaw.bindings import routes_to_agent

    routes = routes_to_agent(install.config.data, agent_id)
    return f" bindings[] route {', '.join(routes)} to it." if routes else ""


def check_upgrade(install: Install, out: Collector) -> None:
    """What an upgrade left behind that this release refuses: config keys older releases wrote
    (2026.8.1+ exits 1 on every command: "Invalid config ... Unrecognized key", seen on 2026.8.2
    with configs written by 2026.3.13 to 2026.7.35; `openclaw doctor --fix` drops them)."""
    _check_default_model_moved(install, out)
    _check_retired_profiles(install, out)
    sentinel = object()
    present = [
        key
        for key in rejected_config_keys(install.release)
        if get_path(install.config.data, key, sentinel) is not sentinel
    ]
    if not present:
        return
    keys = ", ".join(present)
    out.add(
        "config.rejected",
        Severity.ERROR,
        str(install.config.path),
        f"OpenClaw {install.cli.version} refuses this config: {keys} "
        f"{'was' if len(present) == 1 else 'were'} written by an older release and this one no longer accepts "
        '("Invalid config ... Unrecognized key"), so every openclaw command exits 1 and the gateway does not start.',
        fixes.doctor_fix(),
        DoctorFix(f"drop {keys} from openclaw.json", out.agent),
    )


def _check_retired_profiles(install: Install, out: Collector) -> None:
    """A profile id this release retired (2026.8.1: `anthropic:claude-cli`): OpenClaw skips it in
    every order, so the next profile answers instead (a leftover token shadows a Claude CLI
    login), and a chat pinned to it fails (`assertAuthProfileNotRetired`, model-auth)."""
    retired = retired_profile_ids(install.release)
    if not retired:
        return
    store = install.agent.effective
    auth = install.config.data.get("auth")
    cfg_profiles = auth.get("profiles") if isinstance(auth, dict) else None
    for pid in sorted(retired):
        in_config = isinstance(cfg_profiles, dict) and pid in cfg_profiles
        if pid not in store.profiles and not in_config:
            continue
        where = "in the store" if pid in store.profiles else "in openclaw.json's auth.profiles"
        out.add(
            "profile.retired",
            Severity.WARNING,
            pid,
            f"{pid} is {where}, but OpenClaw {install.cli.version} retired that id (since {retired_since(pid)}): it "
            "skips it in every order, so the next profile of the provider answers instead, and a chat pinned to it "
            f'fails with "Auth profile "{pid}" is retired. Run openclaw doctor --fix." The Claude CLI\'s own '
            "login is not affected.",
            fixes.doctor_fix(),
            DoctorFix(f"remove the retired profile {pid}", out.agent),
        )


def _layout_mismatch(install: Install) -> str:
    """The CLI's release and the files disagree: say which way, and what this release does."""
    cli, disk = install.layout, install.layout_on_disk
    head = f"The openclaw CLI is {install.cli.version}"
    if cli is None or disk is None:
        return (
            f"{head} ({install.era.label}), but the state dir holds a {install.era_on_disk.label if install.era_on_disk else 'store'}: "
            "two OpenClaw installs, or an upgrade/downgrade half done. This report reads the files the way that CLI would."
        )
    if disk.since < cli.since:
        return (
            f"{head} ({cli.label}), but the credentials on disk are a {disk.label}, written by an older release "
            f"({disk.releases}): an upgrade whose stores were not imported. This report reads them the way "
            f"{install.cli.version} does (the store findings say what it does with them)."
        )
    return (
        f"{head} ({cli.label}), but the credentials on disk are a {disk.label}, written by a newer release "
        f"({disk.releases}): {install.cli.version} cannot read them and sees no credentials. Two OpenClaw installs, "
        "or a downgrade: run the newer openclaw."
    )


def _layouts_disagree(install: Install) -> bool:
    """Files of the other era, or of a newer layout than the CLI's (2026.3.13 ignores the
    auth-state.json a 2026.4.7+ release wrote). An older layout of the same era reads fine."""
    cli, disk = install.layout, install.layout_on_disk
    if cli is None or disk is None:
        return install.era_on_disk is not None and install.era_on_disk is not install.era
    return disk.era is not cli.era or disk.since > cli.since


def _check_default_model_moved(install: Install, out: Collector) -> None:
    """No model configured, and OpenClaw's own default moved between the release that last wrote
    the config and this one: 2026.3.13's anthropic/claude-opus-4-6 became openai/gpt-5.5 by
    2026.4.29 (seen with the real CLIs on a config 2026.3.13 wrote), so the chats silently left the
    Anthropic key behind: "it worked before I updated"."""
    stamp = config_stamp(install.config.data)
    before = parse_version(stamp)
    if install.release is None or before is None or before >= install.release:
        return
    if model_primary(model_setting(install.config.data, install.era, install.selected_agent_id)):
        return
    was, now = default_model(before, install.era), install.builtin_model
    if was == now:
        return
    out.add(
        "model.default_changed",
        Severity.WARNING,
        "agents.defaults.model",
        f"No model is configured, so chats use OpenClaw's own default, and that changed: {stamp} (which last "
        f"wrote the config) used {was}, {install.cli.version} uses {now}. Requests now need a "
        f"{now.split('/', 1)[0]} credential, not the {was.split('/', 1)[0]} one you set up.",
        f"openclaw models set {was}   (to keep the model you had), or add a {now.split('/', 1)[0]} key",
    )
