"""One Markdown document a user can paste into a support thread, answering its questions unasked.

The seed thread's helper asked, one round-trip at a time: which OpenClaw version; what
`models status` and `models auth order get` say; API key or setup token (`sk-ant-api…` or
`sk-ant-oat…`); is the gateway local or on another machine; was it restarted after the key
changed; does its service see the variable; a proxy `baseUrl`?; which agent runs (a new one
with an empty store?); the exact 401 line with its request id; the key's last characters to
match in the Console; credits; then for Discord `channels status` and `pairing list`. All of
it is here, with every finding and its fix.

Safe to paste: keys, tokens (gateway, Discord) and anything secret-shaped are masked; the
home directory is `~`; the user and host names are left out unless `include_host`. A final
`Scrubber` pass over the whole text backs up the masks the sections already use, and control
characters from outside (a profile id holding `ESC[2J`) are shown escaped, not obeyed.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..diagnose.agents import AgentView, diagnose_agents
from ..diagnose.result import Diagnosis, ProfileView
from ..findings import Finding, Severity
from ..model import Era, Install
from ..scrub import Scrubber, scrubber_for
from ..util.isotime import ago, iso_utc
from ..util.termsafe import termsafe

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ..runtime.collect import Runtime

_RELEVANT_ENV = (
    "OPENCLAW_",
    "ANTHROPIC_",
    "DISCORD_",
    "CLAWDBOT_",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "HOME",
    "TMPDIR",
)
_NOT_NAMES = frozenset(
    {"openclaw", "anthropic", "discord", "gateway", "agent", "main", "node", "default", "user", "localhost"}
)


@dataclass(frozen=True, slots=True)
class _Ctx:
    diag: Diagnosis
    runtime: Runtime
    probes: Sequence[Any]
    include_host: bool
    now: float

    @property
    def install(self) -> Install:
        return self.diag.install


def render_report(
    diagnosis: Diagnosis,
    *,
    probe_results: Sequence[Any] = (),
    include_host: bool = False,
    runtime: Runtime | None = None,
    now: float | None = None,
) -> str:
    """The whole report as Markdown. `runtime`: a full `runtime.collect` (made here if not given)."""
    now = time.time() if now is None else now
    if runtime is None or not runtime.full:
        from ..runtime.collect import collect

        runtime = collect(diagnosis.install, full=True, now=now)
    ctx = _Ctx(diagnosis, runtime, list(probe_results), include_host, now)
    agents = diagnose_agents(diagnosis)
    sections = [
        _header(ctx),
        _answers(ctx, agents),
        _version(ctx),
        _paths(ctx, agents),
        _config(ctx),
        *(_agent(ctx, view) for view in agents),
        _probe(ctx),
        _gateway(ctx),
        _service_env(ctx),
        _gateway_log(ctx),
        _channels(ctx),
        _findings(ctx, agents),
    ]
    text = "\n\n".join(s.rstrip() for s in sections if s) + "\n"
    return termsafe(_scrubber(ctx)(text), multiline=True)


def write_report(text: str, path: str | os.PathLike[str]) -> Path:
    """Write the report readable by its owner only (0600): it is meant to be pasted, not shared as a file."""
    fd = os.open(os.fspath(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(path, 0o600)  # an existing file keeps its old mode through O_CREAT
    return Path(path)


def default_report_name(now: float | None = None) -> str:
    """`openclaw-triage-report-20261124-185045.md` (UTC), for the app's export."""
    return time.strftime("openclaw-triage-report-%Y%m%d-%H%M%S.md", time.gmtime(time.time() if now is None else now))


# --- scrubbing ----------------------------------------------------------------------------------


def _scrubber(ctx: _Ctx) -> Scrubber:
    install = ctx.install
    names: list[tuple[str, str]] = [(str(install.home), "~")]
    real_home = os.path.expanduser("~")
    if real_home not in ("/", str(install.home)):
        names.append((real_home, "~"))
    if not ctx.include_host:
        names += [(n, "<user>") for n in _user_names(install) if n.lower() not in _NOT_NAMES]
        names += [(n, "<host>") for n in _host_names() if n.lower() not in _NOT_NAMES]
        discord = ctx.runtime.discord
        for request in discord.requests if discord is not None else ():
            names += [(n, "<discord user>") for n in (request.name, request.tag, request.user_id) if n and len(n) >= 3]
        remote = ctx.runtime.gateway.remote_url
        host = _url_host(remote)
        if host and host not in ("127.0.0.1", "localhost", "::1"):
            names.append((host, "<gateway host>"))
    return scrubber_for(install).with_names(names)


def _user_names(install: Install) -> list[str]:
    found = {os.path.basename(str(install.home).rstrip("/"))}
    for var in ("USER", "LOGNAME", "USERNAME"):
        if os.environ.get(var):
            found.add(os.environ[var])
    try:
        import pwd

        found.add(pwd.getpwuid(os.getuid()).pw_name)
    except (ImportError, KeyError, OSError):
        pass
    return sorted(n for n in found if n and n not in (".", ""))


def _host_names() -> list[str]:
    node = platform.node()
    names = {node, node.split(".")[0]} if node else set()
    return sorted(n for n in names if n)


def _url_host(url: str | None) -> str | None:
    if not url or "://" not in url:
        return None
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


# --- helpers ------------------------------------------------------------------------------------


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    def cell(v: Any) -> str:
        text = "" if v is None else str(v)
        return text.replace("|", "\\|").replace("\n", " ") or "–"

    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _code(text: str | None) -> str:
    return f"`{text}`" if text else "–"


def _when(epoch: float | None, now: float) -> str:
    if epoch is None:
        return "unknown"
    return f"{iso_utc(epoch)} ({ago(now - epoch)} ago)" if epoch <= now else f"{iso_utc(epoch)} (in {ago(epoch - now)})"


def _counts(findings: Sequence[Finding]) -> str:
    c = {s: sum(1 for f in findings if f.severity is s) for s in Severity}
    return f"{c[Severity.ERROR]} error(s), {c[Severity.WARNING]} warning(s), {c[Severity.INFO]} note(s)"


# --- sections -----------------------------------------------------------------------------------


def _header(ctx: _Ctx) -> str:
    host = (
        f"user `{', '.join(_user_names(ctx.install))}` on host `{platform.node()}`"
        if ctx.include_host
        else "user and host names left out (`--include-host` adds them)"
    )
    return (
        "# OpenClaw triage report\n\n"
        f"Made {iso_utc(ctx.now)} by openclaw-triage {__version__}; {host}. Every key and token below is masked "
        "the way `openclaw models status` masks keys (first and last 8 characters), so you can match them with "
        "your own terminal and the Anthropic Console."
    )


def _answers(ctx: _Ctx, agents: list[AgentView]) -> str:
    """The questions a helper asks first, answered in one line each."""
    install, diag, rt = ctx.install, ctx.diag, ctx.runtime
    gw = rt.gateway
    lines = ["## At a glance", ""]
    lines.append(f"- **OpenClaw**: {install.cli.version or 'unknown version'}, {install.storage_label}.")
    lines.append(f"- **Findings**: {_counts(diag.findings)}.")
    if gw.mode == "remote":
        where = f"**remote** ({gw.remote_url}): the keys that matter are on that host"
    elif gw.running:
        where = f"local, **running** since {_when(gw.started_at, ctx.now)} (pid {gw.pid})"
    else:
        where = "local, **not running**"
    lines.append(f"- **Gateway**: {where}.")
    if gw.running:
        stale = (
            "**no**: credentials changed after it loaded them (see Findings)"
            if gw.changes
            else f"yes (last loaded: {gw.loaded_how or 'started'} {_when(gw.loaded_at, ctx.now)})"
        )
        lines.append(f"- **Gateway has the current keys**: {stale}.")
    for view in agents:
        profiles = view.diagnosis.profiles
        kinds = (
            ", ".join(f"{r.profile.id} = {_kind(r)} {r.masked or ''}".rstrip() for r in profiles) or "no credentials"
        )
        route = f"; routed from {', '.join(view.routes)}" if view.routes else ""
        lines.append(f"- **Agent {view.agent_id}**{' (default)' if view.is_default else ''}: {kinds}{route}.")
        for provider, order in view.diagnosis.orders.items():
            stored = ", ".join(order.stored) if order.stored is not None else "(none)"
            effective = " → ".join(order.effective) or "nothing usable"
            lines.append(f"  - {provider} order override: {stored}; tried: {effective}.")
    lines.append(f"- **Base URL**: {_base_url(ctx)}.")
    agent_dir_env = install.seen_env.get("OPENCLAW_AGENT_DIR") or install.seen_env.get("PI_CODING_AGENT_DIR")
    if install.era is Era.JSON and install.default_agent_id != "main" and not agent_dir_env:
        # 2026.3's `models status` without --agent reads agents/main/agent, not the default agent.
        agent = install.default_agent_id
        lines.append(
            f"- **Comparing with OpenClaw**: chats use agent `{agent}`, but `openclaw models status` without "
            f"`--agent` shows agent `main`: run `openclaw models status --agent {agent}`."
        )
    ours = [f for f in rt.log.failures if f.profile_id] if rt.log is not None else []
    if ours:
        f = ours[0]
        rid = f" (request id {f.request_id})" if f.request_id and f.request_id not in (f.error or "") else ""
        lines.append(
            f"- **Last auth failure in the gateway log**: {f.profile_id} {_when(f.last_at, ctx.now)}: "
            f"{f.error or f.reason or 'failed'}{rid}."
        )
    elif rt.log is not None:
        lines.append("- **Gateway log**: no auth failure of this install's profiles today or yesterday.")
    checks = [c for c in rt.env_checks if c.need.required]
    if checks:
        lines.append(
            "- **Gateway environment**: "
            + ", ".join(f"{c.need.name} {c.state.replace('_', ' ')}" for c in checks)
            + "."
        )
    d = rt.discord
    if d is not None:
        pending = ", ".join(r.code for r in d.pending) or "none"
        lines.append(f"- **Discord**: {'enabled' if d.enabled else 'disabled'}; pending pairing codes: {pending}.")
    return "\n".join(lines)


def _kind(report: ProfileView) -> str:
    if report.info is None:
        return "reference" if report.profile.ref else "no secret"
    return {"api_key": "API key", "oauth_token": "setup/OAuth token"}.get(
        report.info.kind.value, report.info.kind.value
    )


def _base_url(ctx: _Ctx) -> str:
    try:
        from ..probe.target import resolve_base_url

        base = resolve_base_url(
            ctx.install.config.data, ctx.diag.agent.agent_dir, ctx.install.era, reads=ctx.install.reads
        )
    except Exception:  # the report must not fail on an odd config
        return "unknown"
    return f"{base.url} ({base.source}{': ' + base.where if base.where and base.source != 'default' else ''})"


def _version(ctx: _Ctx) -> str:
    install = ctx.install
    cli = install.cli
    rows = [
        (
            "OpenClaw",
            f"{cli.version or 'unknown'}" + (f" ({cli.commit})" if cli.commit else "") + f", from {cli.source}",
        ),
        ("Storage layout", f"{install.storage_label}: {install.era_reason}"),
        ("openclaw CLI", cli.path or "not found"),
        ("Node", cli.node or "not checked"),
        ("OS", f"{platform.system()} {platform.release()} {platform.machine()}".strip()),
        ("Python / openclaw-triage", f"{platform.python_version()} / {__version__}"),
    ]
    return "## Version\n\n" + _table(("", ""), rows)


def _paths(ctx: _Ctx, agents: list[AgentView]) -> str:
    install = ctx.install
    rows = [
        ("State dir", f"{install.state_dir} ({install.state_dir_origin})"),
        ("Config", f"{install.config.path} ({install.config_origin})" + ("" if install.config.exists else ", missing")),
    ]
    if install.profile_name:
        rows.append(("--profile", install.profile_name))
    for view in agents:
        for layer in view.diagnosis.agent.layers:
            state = "" if layer.exists else ", missing"
            rows.append(
                (
                    f"Store of {view.agent_id} [{layer.layer}]",
                    f"{layer.location} ({len(layer.profiles)} profiles{state})",
                )
            )
    env_files = sorted({v.origin.split(":", 1)[1] for v in install.env.values() if v.origin.startswith(".env:")})
    rows += [(".env loaded", p) for p in env_files]
    if ctx.runtime.log is not None:
        rows += [("Gateway log", f"{f.path} ({f.size} bytes)") for f in ctx.runtime.log.files]
    return "## Paths\n\n" + _table(("", ""), rows)


def _config(ctx: _Ctx) -> str:
    from ..openclaw.config import config_env_vars, get_path, model_fallbacks, model_primary

    install = ctx.install
    data = install.config.data
    lines = ["## Config", ""]
    if install.config.error:
        lines.append(f"- **Cannot be loaded**: {install.config.error}")
    model = get_path(data, "agents.defaults.model")
    lines.append(
        f"- Default model: {_code(model_primary(model) or ctx.diag.default_model)}; fallbacks: "
        + (", ".join(_code(m) for m in model_fallbacks(model)) or "none")
    )
    profiles = get_path(data, "auth.profiles", {})
    if isinstance(profiles, dict) and profiles:
        lines.append(
            "- auth.profiles: "
            + ", ".join(
                f"{_code(pid)} ({v.get('provider')}, {v.get('mode')})"
                for pid, v in profiles.items()
                if isinstance(v, dict)
            )
        )
    order = get_path(data, "auth.order", {})
    if isinstance(order, dict) and order:
        lines.append(
            "- auth.order: "
            + "; ".join(f"{p}: {', '.join(map(str, ids))}" for p, ids in order.items() if isinstance(ids, list))
        )
    providers = get_path(data, "models.providers", {})
    if isinstance(providers, dict):
        for name, entry in providers.items():
            if isinstance(entry, dict):
                key = "set (masked)" if entry.get("apiKey") else "not set"
                lines.append(f"- models.providers.{name}: baseUrl {_code(entry.get('baseUrl'))}, apiKey {key}")
    gw = ctx.runtime.gateway
    lines.append(
        f"- gateway: mode {gw.mode}, bind {gw.bind}, port {gw.port} ({gw.port_origin}), auth {gw.auth_mode or 'none'}"
        + (f", token {_code(gw.token_masked)}" if gw.token_masked else "")
    )
    block = config_env_vars(data)
    if block:
        lines.append("- env block sets: " + ", ".join(sorted(block)) + " (values not shown)")
    for var, where in install.config.missing_env:
        lines.append(f"- `${{{var}}}` at {where} is not set")
    shell_env = get_path(data, "env.shellEnv.enabled") is True or bool(install.seen_env.get("OPENCLAW_LOAD_SHELL_ENV"))
    lines.append(f"- Shell env import: {'on' if shell_env else 'off'}")
    return "\n".join(lines)


def _agent(ctx: _Ctx, view: AgentView) -> str:
    diag = view.diagnosis
    head = f"## Agent {view.agent_id}{' (default)' if view.is_default else ''}"
    lines = [head, "", f"- Agent dir: {view.agent_dir}"]
    if view.routes:
        lines.append(f"- Routed here by bindings[]: {', '.join(view.routes)}")
    rows = []
    for r in diag.profiles:
        looks = r.info.describe() if r.info else ("reference does not resolve" if r.ref_status else "no secret")
        ref = r.profile.ref.label() if r.profile.ref else None
        health = (
            r.health_state
            if r.health_state == "ok"
            else f"{r.health_state} until {_when((r.health_until or 0) / 1000, ctx.now)}"
        )
        rows.append(
            (
                r.profile.id,
                r.profile.type,
                _code(r.masked) if r.masked else (_code(ref) if ref else "–"),
                looks,
                f"{r.info.length} chars" if r.info and r.info.length else None,
                health,
                "yes" if r.eligibility.eligible else f"no: {r.eligibility.reason}",
                ", ".join(r.shares_with) or None,
            )
        )
    if rows:
        lines += [
            "",
            _table(
                ("profile", "type", "stored as", "looks like", "length", "health", "usable", "same secret as"), rows
            ),
        ]
    else:
        lines += ["", "No credentials in this agent's stores."]
    for provider, order in diag.orders.items():
        stored = ", ".join(order.stored) if order.stored is not None else "(none)"
        config_order = ", ".join(order.config_order) if order.config_order is not None else "(none)"
        lines += [
            "",
            f"Order for {provider}: stored override {stored}"
            + (f" [{order.stored_origin}]" if order.stored_origin else "")
            + f"; config auth.order {config_order}; effective {' → '.join(order.effective) or '(nothing usable)'}",
        ]
        lines += [f"  - {step}" for step in order.steps]
    return "\n".join(lines)


def _probe(ctx: _Ctx) -> str:
    if not ctx.probes:
        return "## Live API probe\n\nNot run (add `--probe`: one free `GET /v1/models` per key, with Anthropic's request id)."
    rows = [
        (
            r.profile_id,
            r.code,
            r.status,
            _code(r.request_id) if r.request_id else None,
            r.host,
            f"{r.base_url_source}",
            r.auth,
            f"{r.latency_ms:.0f} ms" if r.latency_ms is not None else None,
            r.error_message,
        )
        for r in ctx.probes
    ]
    return "## Live API probe\n\n" + _table(
        ("profile", "result", "HTTP", "request-id", "host", "base URL from", "sent as", "latency", "Anthropic says"),
        rows,
    )


def _gateway(ctx: _Ctx) -> str:
    gw = ctx.runtime.gateway
    rows = [
        ("Mode", gw.mode + (f" ({gw.remote_url})" if gw.remote_url else "")),
        ("Running", ("yes: " if gw.running else "no: ") + gw.evidence),
        ("Port", f"{gw.port} ({gw.port_origin}), bind {gw.bind}"),
    ]
    if gw.lock is not None:
        rows += [("PID", str(gw.pid)), ("Started", _when(gw.started_at, ctx.now)), ("Lock file", str(gw.lock.path))]
    rows += [("Stale lock file", str(lk.path)) for lk in gw.stale_locks]
    if gw.health is not None:
        rows.append(("/health", gw.health.summary()))
    if gw.ready is not None:
        rows.append(("/ready", gw.ready.summary()))
    if gw.running:
        rows.append(("Credentials loaded", f"{gw.loaded_how or 'started'} {_when(gw.loaded_at, ctx.now)}"))
        for change in gw.changes:
            rows.append(("Changed since", f"{change.path} ({change.what}) at {_when(change.changed_at, ctx.now)}"))
    rows.append(("Auth", f"{gw.auth_mode or 'none'}" + (f", token {gw.token_masked}" if gw.token_masked else "")))
    return "## Gateway\n\n" + _table(("", ""), rows)


def _service_env(ctx: _Ctx) -> str:
    svc = ctx.runtime.service_env
    if svc is None:
        return ""
    era = ctx.install.era
    needed = {c.need.name for c in ctx.runtime.env_checks}
    lines = ["## The gateway's environment", ""]
    lines.append(f"- Service: {svc.service or 'none found (no systemd user unit, no launchd agent)'}")
    if not svc.seen:
        lines.append("- Its process environment could not be seen (no readable /proc/<pid>/environ, no unit or plist).")
    for source in svc.sources:
        relevant = [n for n in source.names if n.startswith(_RELEVANT_ENV) or n in needed]
        others = len(source.names) - len(relevant)
        names = ", ".join(relevant) or "none of interest"
        names += f" (+{others} other variable(s))" if others else ""
        lines.append(f"- {source.kind}: {source.location}" + (f" ({source.error})" if source.error else f": {names}"))
    rows = []
    for check in ctx.runtime.env_checks:
        if check.state == "unset" and not check.need.required:
            continue
        shell, gateway_value = check.masked(era)
        rows.append(
            (
                check.need.name,
                check.need.why,
                check.state.replace("_", " "),
                shell,
                check.shell_origin,
                gateway_value,
                check.service_origin,
            )
        )
    if rows:
        lines += ["", _table(("variable", "needed for", "state", "your env", "from", "gateway", "from"), rows)]
    return "\n".join(lines)


def _gateway_log(ctx: _Ctx) -> str:
    log = ctx.runtime.log
    if log is None:
        return ""
    lines = ["## Gateway log (today and yesterday)", ""]
    if not log.files:
        lines.append("No gateway log found where OpenClaw writes it.")
    for f in log.files:
        lines.append(f"- {f.path}: {f.size} bytes" + (f", last {f.read_bytes} read" if f.truncated else ""))
    lines += [f"- could not read {p}" for p in log.problems]
    if log.failures:
        rows = [
            (
                f.profile_id or f"{f.profile_hash} (not a profile here)",
                f.count,
                _when(f.last_at, ctx.now),
                f.reason,
                f.error,
                _code(f.request_id) if f.request_id else None,
            )
            for f in log.failures
        ]
        lines += ["", _table(("profile", "failures", "last", "reason", "last error", "request id"), rows)]
    else:
        lines.append("- No model-auth failures logged.")
    if log.reloads:
        lines.append("")
    for at, how in log.reloads[-5:]:
        lines.append(f"- {how} at {_when(at, ctx.now)}")
    return "\n".join(lines)


def _channels(ctx: _Ctx) -> str:
    d = ctx.runtime.discord
    if d is None:
        return "## Channels\n\nNo channels.discord in the config."
    lines = ["## Channels", "", f"Discord: {'enabled' if d.enabled else 'disabled'}"]
    if d.routes_to:
        lines.append(f"- bindings[] route Discord to agent(s): {', '.join(d.routes_to)}")
    rows = [
        (
            a.account_id,
            "yes" if a.enabled else "no",
            a.token_source,
            _code(a.token_masked),
            a.dm_policy,
            a.allow_from,
            a.allow_from_store,
        )
        for a in d.accounts
    ]
    lines += [
        "",
        _table(("account", "enabled", "token from", "token", "dmPolicy", "allowFrom", "approved by pairing"), rows),
    ]
    if d.pairing_source:
        lines.append(f"\nPairing requests ({d.pairing_source}):")
    if d.pairing_error:
        lines.append(f"- {d.pairing_error}")
    req_rows = []
    for r in d.requests:
        who = f"{r.name or r.tag or '?'} ({r.user_id})" if ctx.include_host else "(left out)"
        state = "expired" if r.expired(d.now) else f"expires {_when(r.expires_at, d.now)}"
        req_rows.append((_code(r.code), r.account_id, who, _when(r.created_at, d.now), state))
    if req_rows:
        lines += ["", _table(("code", "account", "Discord user", "requested", "state"), req_rows)]
    else:
        lines += ["", "- No pending pairing requests."]
    return "\n".join(lines)


def _findings(ctx: _Ctx, agents: list[AgentView]) -> str:
    diag = ctx.diag
    lines = ["## Findings", "", _counts(diag.findings), ""]
    lines += [_finding_line(f) for f in diag.findings]
    for view in agents:
        if view.diagnosis is diag or not view.findings:
            continue
        lines += ["", f"### Agent {view.agent_id}", ""]
        lines += [_finding_line(f) for f in view.findings]
    if not diag.findings:
        lines.append("Nothing wrong found.")
    return "\n".join(lines)


def _finding_line(f: Finding) -> str:
    text = f"- **{f.severity.value}** `{f.code}` [{f.subject}]: {f.message}"
    if f.fix:
        text += f"\n  - fix: `{f.fix}`"
    return text
