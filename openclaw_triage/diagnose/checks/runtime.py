"""`check`'s findings about the live side: the gateway (remote, not running, holding old keys),
its service environment, the auth failures in its log, and Discord (no bot token, DMs waiting
for a pairing approval). `runtime.collect` gathers what they judge.
"""

from __future__ import annotations

from ...actions import GatewayReload, PairingApprove
from ...findings import Severity
from ...model import Era, Install
from ...openclaw.coerce import normalize_provider
from ...openclaw.commands import reload_gateway
from ...util.isotime import ago, iso_utc
from ...util.safe_read import exists_sync

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from ...runtime.collect import Runtime
    from ...runtime.discord import DiscordStatus
    from ...runtime.gateway import GatewayStatus
    from ...runtime.service_env import ServiceEnv, VarCheck

    Add = Callable[..., None]


def add_findings(rt: Runtime, install: Install, add: Add, stores_changed: dict[str, float] | None = None) -> None:
    """Every runtime finding; `stores_changed` maps profile ids to their store's mtime (failure age)."""
    _gateway_findings(rt.gateway, install, add)
    if rt.service_env is not None:
        _env_findings(rt.env_checks, rt.service_env, install, add)
    if rt.log is not None and rt.gateway.running:
        _log_findings(rt, install, add, stores_changed or {})
    if rt.discord is not None:
        _discord_findings(rt.discord, install, add)


def _gateway_findings(gw: GatewayStatus, install: Install, add: Add) -> None:
    if gw.mode == "remote":
        add(
            "gateway.remote",
            Severity.WARNING,
            "gateway",
            f"{install.config.path} sets gateway.mode remote ({gw.remote_url}): the gateway runs on another machine "
            "and uses the keys stored there, so a key fixed on this machine changes nothing for it.",
            "Run the fixes on the gateway host (ssh there, then `openclaw-triage check`), or set gateway.mode local.",
        )
        return
    if not gw.running:
        if exists_sync(install.state_dir):
            add(
                "gateway.not_running",
                Severity.INFO,
                "gateway",
                f"No gateway of this install is running: {gw.evidence}. Chats (and Discord) need one.",
                "openclaw gateway run (in a terminal) or openclaw gateway start (as a service)",
            )
        return
    if gw.changes:
        _stale_finding(gw, install, add)


def _stale_finding(gw: GatewayStatus, install: Install, add: Add) -> None:
    first = min(gw.changes, key=lambda c: c.changed_at)
    restart = any(c.needs_restart for c in gw.changes)
    what = ", ".join(dict.fromkeys(f"{c.path} ({c.what})" for c in gw.changes))
    if gw.loaded_how in (None, "started"):
        loaded = f"when it started ({iso_utc(gw.loaded_at)})"
    else:
        loaded = f"with a {gw.loaded_how} at {iso_utc(gw.loaded_at)}"
    why = (
        "OpenClaw 2026.3 keeps the keys it loaded and its next usage write puts its old copy back into the file"
        if install.era is Era.JSON
        else "a running 2026.9 gateway does not notice credentials written around its own CLI"
    )
    if restart:
        fix = "openclaw gateway restart (the gateway reads its environment and a reload-off config only at start)"
    elif install.era is Era.JSON:
        fix = f"{reload_gateway(install.era, install.default_agent_id)} (or restart the gateway: openclaw gateway restart)"
    else:
        fix = f"{reload_gateway(install.era, install.default_agent_id)} (or openclaw gateway restart)"
    add(
        "gateway.stale_credentials",
        Severity.WARNING,
        "gateway",
        f"The running gateway (pid {gw.pid}) last loaded its credentials {loaded}; {what} changed after that "
        f"({ago(first.changed_at - (gw.loaded_at or first.changed_at))} later): {why}.",
        fix,
        None if restart else GatewayReload(),
        changed=[c.path for c in gw.changes],
    )


def _env_findings(checks: Sequence[VarCheck], service: ServiceEnv, install: Install, add: Add) -> None:
    where = service.service or (f"pid {service.pid}" if service.pid else "the gateway")
    era = install.era
    stored = _stored_anthropic_secrets(install)
    for check in checks:
        shell, gateway_value = check.masked(era)
        need = check.need
        if check.state == "missing_in_service" and need.required:
            add(
                "env.missing_in_service",
                Severity.ERROR,
                need.name,
                f"{need.name} is set in your environment ({shell}, {check.shell_origin}) but not in the gateway's "
                f"({where}): {need.why} resolves to nothing there, so its requests fail ('No API key found' or 401).",
                f"Put {need.name}=… in {install.state_dir}/.env (the gateway loads it at start) or in the service "
                "definition, or store the key itself (openclaw onboard); then openclaw gateway restart.",
            )
        elif check.state == "differs" or (check.shadowed and need.required):
            _shadow_finding(check, shell, gateway_value, where, install, add)
        elif check.state == "service_only" and not need.required and need.name.startswith("ANTHROPIC_"):
            value = check.service.get_secret_value() if check.service else ""
            if value and value.strip() not in stored:
                add(
                    "env.shadowing_key",
                    Severity.INFO,
                    need.name,
                    f"The gateway's environment ({check.service_origin}) holds {need.name}={gateway_value}, which is not "
                    "any stored anthropic key: stored profiles win, so it is unused until every profile becomes "
                    "unusable, when OpenClaw falls back to it.",
                    f"Remove {need.name} from {check.service_origin} if it is an old key.",
                )


def _shadow_finding(
    check: VarCheck, shell: str | None, gateway_value: str | None, where: str, install: Install, add: Add
) -> None:
    need = check.need
    stored = _stored_anthropic_secrets(install)
    unused = not need.required and need.name.startswith("ANTHROPIC_") and bool(stored)
    severity = Severity.INFO if unused or not need.required else Severity.WARNING
    parts = []
    if check.state == "differs":
        parts.append(f"your environment has {shell} ({check.shell_origin})")
    if check.shadowed:
        parts.append(f"{', '.join(check.shadowed)} another value that it overrides")
    tail = (
        " Stored profiles win over both, so neither is used while a profile is usable."
        if unused
        else f" The gateway sends its own: {need.why}."
    )
    add(
        "env.shadowing_key",
        severity,
        need.name,
        f"The gateway's {need.name} is {gateway_value} (from {check.service_origin}), while "
        f"{' and '.join(parts)}: the process environment wins over .env files and the config.{tail}",
        f"Update or remove {need.name} in {check.service_origin}, then openclaw gateway restart "
        "(systemd: `systemctl --user edit` the unit or `openclaw gateway install --force`; launchd: the plist).",
    )


def _stored_anthropic_secrets(install: Install) -> set[str]:
    return {
        p.secret.get_secret_value().strip()
        for a in install.agents
        for p in a.effective.profiles.values()
        if p.secret is not None and normalize_provider(p.provider, install.era) == "anthropic"
    }


def _log_findings(rt: Runtime, install: Install, add: Add, stores_changed: dict[str, float]) -> None:
    assert rt.log is not None
    unknown = [f for f in rt.log.failures if f.profile_id is None]
    for failure in rt.log.failures:
        if failure.profile_id is None:
            continue
        changed = stores_changed.get(failure.profile_id)
        before_change = changed is not None and failure.last_at < changed
        error = f": {failure.error}" if failure.error else ""
        reason = f" ({failure.reason})" if failure.reason else ""
        request = f" [request {failure.request_id}]" if failure.request_id and failure.request_id not in error else ""
        add(
            "gateway.recent_auth_failures",
            Severity.INFO if before_change else Severity.WARNING,
            failure.profile_id,
            f"The running gateway's requests with {failure.profile_id} failed {failure.count} time(s) since it started, "
            f"last {ago(rt.now - failure.last_at)} ago at {iso_utc(failure.last_at)}{reason}{error}{request}"
            + (" (before its store last changed)." if before_change else "."),
            None,
            profile=failure.profile_id,
            lastAt=failure.last_at,
        )
    if unknown:
        add(
            "gateway.recent_auth_failures",
            Severity.INFO,
            "gateway",
            f"The gateway log shows auth failures for {len(unknown)} profile(s) this install does not have "
            f"({', '.join(f.profile_hash for f in unknown[:3])}): a deleted profile, or another install's log.",
        )


def _discord_findings(discord: DiscordStatus, install: Install, add: Add) -> None:
    if not discord.configured or not discord.enabled:
        return
    for account in discord.accounts:
        if account.enabled and account.token_source in ("none", "ref") and account.token_masked is None:
            where = (
                "channels.discord.token"
                if account.account_id == "default"
                else f"channels.discord.accounts.{account.account_id}.token"
            )
            add(
                "discord.token_missing",
                Severity.ERROR,
                f"discord:{account.account_id}",
                f"Discord is enabled but account {account.account_id} has no bot token ({where}"
                + (" or DISCORD_BOT_TOKEN" if account.account_id == "default" else "")
                + "): the bot cannot connect.",
                f"Put DISCORD_BOT_TOKEN=… in {install.state_dir}/.env (or set {where}), then openclaw gateway restart.",
            )
    for request in discord.pending:
        who = request.name or request.tag or "someone"
        expires = request.expires_at
        left = f", expires in {ago(expires - discord.now)}" if expires is not None else ""
        add(
            "discord.pairing_pending",
            Severity.WARNING,
            f"discord:{request.code}",
            f"{who} (Discord user {request.user_id}) asked to DM the bot {ago(discord.now - (request.created_at or discord.now))} "
            f"ago with pairing code {request.code}{left}: until it is approved the bot ignores their DMs.",
            f"openclaw pairing approve discord {request.code}",
            PairingApprove(request.code, who=request.name or request.tag or request.user_id or ""),
            pairingCode=request.code,
            userId=request.user_id,
        )


def stores_changed_by_profile(install: Install) -> dict[str, float]:
    """Each profile id's store modification time (the newest layer holding it)."""
    out: dict[str, float] = {}
    for agent in install.agents:
        for layer in agent.layers:
            if layer.mtime is None:
                continue
            for pid in layer.profiles:
                out[pid] = max(out.get(pid, 0.0), layer.mtime)
    return out
