"""Probe outcomes as findings: the cause in words, Anthropic's own text, and the exact fix.

Every message names the host the key went to and Anthropic's `request-id`, so the user can
quote it to Anthropic support (OpenClaw shows only a hash of it). Texts reaching here are
already masked; the caller masks the result again anyway.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..findings import Finding, Severity
from ..model import Era
from ..openclaw import commands as fixes
from ..providers import ANTHROPIC, Provider
from ..providers import get as provider_row
from .classify import Outcome
from .headers import is_anthropic_host
from .target import BaseUrl

CONSOLE_BILLING = "console.anthropic.com → Settings → Plans & Billing"
CONSOLE_LIMITS = "console.anthropic.com → Settings → Limits"

SEVERITY = {
    "probe.ok": Severity.INFO,
    "probe.skipped": Severity.INFO,
    "probe.rate_limited": Severity.WARNING,
    "probe.overloaded": Severity.WARNING,
    "probe.timeout": Severity.WARNING,
    "probe.region": Severity.WARNING,
}


@dataclass(slots=True)
class Context:
    """Everything but the outcome that a probe finding's text needs. Holds no secret."""

    profile_id: str
    era: Era
    agent: str | None
    agent_flag: str | None
    oauth: bool  # the secret is sent as a Bearer token
    masked: str
    base: BaseUrl
    proxy: str | None = None
    deep: bool = False
    timeout: float = 10.0
    model: str = ""
    path: str | None = None
    latency_ms: float | None = None
    profile_type: str = "api_key"
    shares_with: list[str] = field(default_factory=list)
    health_state: str = "ok"
    models_missing: bool = False  # the proxy has no /v1/models but answered /v1/messages
    provider: str = "anthropic"  # a `providers` id

    @property
    def row(self) -> Provider:
        return provider_row(self.provider) or ANTHROPIC

    @property
    def anthropic(self) -> bool:
        return self.row is ANTHROPIC

    @property
    def who(self) -> str:
        return f"{self.profile_id} ({self.masked})"

    @property
    def host(self) -> str:
        return self.base.host

    def key_fix(self) -> str:
        """Re-enter the secret, then make a 2026.3 gateway read it (it caches credentials)."""
        if self.oauth:
            text = fixes.enter_token(self.era, self.profile_id, "anthropic", self.agent_flag)
        else:
            text = fixes.enter_api_key(self.era, self.profile_id, self.provider, self.agent_flag)
        if self.era is Era.JSON:
            text += f"; then {fixes.reload_secrets(self.era)}"
        return text


def _said(o: Outcome) -> str:
    """`401 authentication_error: invalid x-api-key`, Anthropic's words."""
    head = " ".join(str(x) for x in (o.status, o.error_type) if x)
    return f"{head}: {o.message}" if o.message else head


def _rid(o: Outcome) -> str:
    return f" (request-id {o.request_id})" if o.request_id else ""


def _ms(ctx: Context) -> str:
    return f"{ctx.latency_ms:.0f} ms" if ctx.latency_ms is not None else "?"


def severity_for(o: Outcome) -> Severity:
    if o.code == "probe.unexpected" and o.status is not None and o.status >= 500:
        return Severity.WARNING
    return SEVERITY.get(o.code, Severity.ERROR)


def explain(ctx: Context, o: Outcome) -> Finding:
    """The finding for one profile's outcome."""
    builder = _BUILDERS.get(o.code, _unexpected)
    message, fix = builder(ctx, o)
    note = o.code == "probe.ok" and (ctx.models_missing or (ctx.oauth and not ctx.deep) or ctx.health_state != "ok")
    details = {
        k: v
        for k, v in (
            ("host", ctx.host),
            ("status", o.status),
            ("requestId", o.request_id),
            ("latencyMs", ctx.latency_ms),
            ("orgId", o.org_id),
            ("note", True if note else None),  # an ok with something to read: renderers show the message
        )
        if v is not None
    }
    return Finding(o.code, severity_for(o), ctx.profile_id, message, fix, None, ctx.agent, details)


# --- one builder per code -----------------------------------------------------------------


def _identity(o: Outcome) -> str:
    """` Key: label sk-or-v1-au7...890, limit 10, usage 2.5.`: what the provider says of the key."""
    if not o.identity:
        return ""
    return " Key: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in o.identity) + "."


def _ok(ctx: Context, o: Outcome) -> tuple[str, str | None]:
    org = f", organization {o.org_id}" if o.org_id else ""
    text = f"{ctx.host} accepted {ctx.who}: {ctx.path} answered {o.status} in {_ms(ctx)}{org}{_rid(o)}."
    text += _identity(o)
    if ctx.models_missing:
        text += f" ({ctx.host} has no /v1/models; the Messages call decided.)"
    if ctx.oauth and not ctx.deep:
        text += " A token's subscription policy and billing show only on a Messages call: probe again with --deep."
    if ctx.health_state != "ok":
        text += f" OpenClaw still keeps it in {ctx.health_state}: re-enter the key to reset that now, or wait for it to end."
    return text, None


def _not_anthropic_note(ctx: Context) -> str:
    if is_anthropic_host(ctx.base.hostname) if ctx.anthropic else ctx.base.hostname == ctx.row.host:
        return ""
    return f" This is {ctx.host}'s verdict (a proxy checks its own keys), from {ctx.base.where}."


def _invalid_key(ctx: Context, o: Outcome) -> tuple[str, str | None]:
    what = "token is wrong, truncated or revoked" if ctx.oauth else "key is revoked, deleted, or not the one you copied"
    if o.detail == "blocked":
        what = f"key is blocked or disabled at {ctx.row.label}"
    elif o.detail == "revoked":
        what = f"key was suspended or reported as leaked: {ctx.row.label} will not take it again"
    text = f"{ctx.host} rejected {ctx.who}: {_said(o)}{_rid(o)}.{_identity(o)} The {what}.{_not_anthropic_note(ctx)}"
    if ctx.shares_with:
        text += f" The same secret is in {', '.join(ctx.shares_with)}: replace it there too."
    return text, ctx.key_fix()


def _oauth_not_supported(ctx: Context, o: Outcome) -> tuple[str, str | None]:
    api_key = fixes.enter_api_key(ctx.era, ctx.profile_id, "anthropic", ctx.agent_flag)
    if o.detail == "subscription_policy":
        text = (
            f"{ctx.host} refuses {ctx.who} for third-party use: {_said(o)}{_rid(o)}. "
            "A Claude subscription token works only inside Claude Code unless Anthropic allows the app."
        )
        return text, f"Use a Console API key (console.anthropic.com → API keys): {api_key}"
    text = (
        f"{ctx.host} does not take OAuth tokens here: {_said(o)}{_rid(o)}. The token went out with the "
        "`oauth-2025-04-20` beta, so something between (a proxy) dropped it or the endpoint is API-key only."
    )
    return text + _not_anthropic_note(ctx), f"Use a Console API key: {api_key}"


def _token_expired(ctx: Context, o: Outcome) -> tuple[str, str | None]:
    text = f"{ctx.host} says {ctx.who} has expired: {_said(o)}{_rid(o)}."
    return text, fixes.enter_token(ctx.era, ctx.profile_id, "anthropic", ctx.agent_flag)


def _token_revoked(ctx: Context, o: Outcome) -> tuple[str, str | None]:
    text = f"{ctx.host} says {ctx.who} was revoked (signed out, or replaced by a newer token): {_said(o)}{_rid(o)}."
    return text, fixes.enter_token(ctx.era, ctx.profile_id, "anthropic", ctx.agent_flag)


_BILLING_CAUSE = {
    "credit": (
        "the organization is out of prepaid credits",
        f"Buy credits at {CONSOLE_BILLING}",
    ),
    "spend_limit": (
        "the organization or workspace reached the spend limit you set",
        f"Raise the limit at {CONSOLE_LIMITS} (or wait for the date Anthropic names)",
    ),
    "spend_cap": (
        "the usage tier's monthly spend cap is reached: blocked until 00:00 UTC on the 1st",
        f"Raise the cap or move up a tier at {CONSOLE_LIMITS}, or wait for the 1st",
    ),
    "extra_usage": (
        "the subscription's extra usage is off or used up",
        "Turn on or top up extra usage at claude.ai → Settings → Usage, or use a Console API key",
    ),
    "payment": (
        "the billing or payment details need attention",
        f"Fix the payment method at {CONSOLE_BILLING}",
    ),
}


_OTHER_BILLING_CAUSE = {
    "key_limit": "the key reached the credit limit set on it",
    "organization_spend_limit_exceeded": "the organization reached the spend limit set for it",
    "project_spend_limit_exceeded": "the project reached the spend limit set for it",
    "organization_usage_limit_exceeded": "the organization reached its usage limit",
}


def _billing(ctx: Context, o: Outcome) -> tuple[str, str | None]:
    if not ctx.anthropic:
        cause = _OTHER_BILLING_CAUSE.get(o.detail or "", "the account has no credit left")
        text = (
            f"{ctx.host} accepted {ctx.who} but will not serve it: {_said(o)}{_rid(o)}.{_identity(o)} Cause: {cause}."
        )
        return (
            text,
            f"Add credit or raise the limit at {ctx.row.billing_url}; OpenClaw disables a profile after a billing failure, so paste the key again once paid: {ctx.key_fix()}",
        )
    cause, action = _BILLING_CAUSE.get(o.detail or "", _BILLING_CAUSE["payment"])
    text = f"{ctx.host} accepted {ctx.who} but will not serve it: {_said(o)}{_rid(o)}. Cause: {cause}."
    fix = (
        f"{action}. OpenClaw disables a profile after a billing failure (profile.disabled): once paid, "
        f"paste the key again to reset that window: {ctx.key_fix()}"
    )
    return text, fix


def _permission(ctx: Context, o: Outcome) -> tuple[str, str | None]:
    text = f"{ctx.host} authenticated {ctx.who} but denies the request: {_said(o)}{_rid(o)}."
    if not ctx.anthropic:
        return (
            text,
            f"Check the key's permissions (a restricted key needs to read models) at {ctx.row.keys_url}: {ctx.key_fix()}",
        )
    fix = (
        "Check the key's workspace and its model access at console.anthropic.com → Settings → Workspaces, "
        f"or use a key from a workspace that has access: {ctx.key_fix()}"
    )
    return text, fix


def _model_not_found(ctx: Context, o: Outcome) -> tuple[str, str | None]:
    text = f"{ctx.host} does not offer model {ctx.model} to {ctx.who}: {_said(o)}{_rid(o)}."
    fix = "Check the workspace's model access at console.anthropic.com, or pick a model this key can use (openclaw models list)."
    return text, fix


def _region(ctx: Context, o: Outcome) -> tuple[str, str | None]:
    text = f"{ctx.host} will not serve {ctx.who} from here: {_said(o)}{_rid(o)}. This says nothing about the key."
    return text, f"{ctx.row.label} does not serve this country or region: the gateway must run where it does."


def _project(ctx: Context, o: Outcome) -> tuple[str, str | None]:
    text = f"{ctx.host} refuses {ctx.who} for its project: {_said(o)}{_rid(o)}."
    return text, (
        f"Enable the API for the key's project, or lift the key's API restriction ({ctx.row.keys_url}); "
        f"or use a key made there: {ctx.key_fix()}"
    )


def _wrong_path(ctx: Context, o: Outcome) -> tuple[str, str | None]:
    text = f"{ctx.host} answered {ctx.path} with {_said(o)}{_rid(o)}."
    base = ctx.base
    if not ctx.anthropic:
        text += f" The baseUrl {base.display} ({base.where}) does not lead to {ctx.row.label}'s API (expected like {ctx.row.base_url})."
        fix = (
            fixes.config_unset(base.where)
            if base.source == "config"
            else f"Fix or delete providers.{ctx.provider} in {base.where}."
        )
        return text, fix
    if base.ends_in_v1:
        trimmed = base.url.rstrip("/")[:-3]
        text += (
            f" The baseUrl {base.display} ({base.where}) ends in /v1 and OpenClaw appends /v1/… itself, "
            f"so every request goes to …/v1/v1/…: 404 not_found_error."
        )
        if base.source == "config":
            return text, fixes.config_set(base.where, trimmed)
        return text, f"Remove the trailing /v1 from providers.anthropic.baseUrl in {base.where} (or delete that entry)."
    text += f" The baseUrl {base.display} ({base.where}) does not lead to Anthropic's API."
    if not ctx.deep:
        text += " (Some proxies serve only /v1/messages: probe again with --deep to tell.)"
    fix = (
        fixes.config_unset(base.where)
        if base.source == "config"
        else f"Fix or delete providers.anthropic in {base.where}."
    )
    return text, fix


def _rate_limited(ctx: Context, o: Outcome) -> tuple[str, str | None]:
    wait = f" (retry after {o.retry_after} s)" if o.retry_after else ""
    text = f"{ctx.host} rate-limits {ctx.who}{wait}: {_said(o)}{_rid(o)}. The key authenticated; the account is busy."
    again = f"Wait {o.retry_after} s and probe again" if o.retry_after else "Probe again in a minute"
    limits = CONSOLE_LIMITS if ctx.anthropic else ctx.row.billing_url
    return text, f"{again}; if it persists, check your tier's limits at {limits}."


def _overloaded(ctx: Context, o: Outcome) -> tuple[str, str | None]:
    text = f"{ctx.host} is overloaded: {_said(o)}{_rid(o)}. This says nothing about {ctx.who}."
    if o.message and "authentication service" in o.message.lower() and ctx.profile_type == "token" and not ctx.oauth:
        text += " (Seen when an API key is stored as a token profile: store it as an api_key profile.)"
    return text, "Probe again in a minute (status.anthropic.com shows incidents)."


_NETWORK_CAUSE = {
    "dns": "its name does not resolve",
    "refused": "nothing accepts connections there",
    "tls": "the TLS handshake failed (certificate or a TLS-intercepting proxy)",
    "proxy": "the proxy in between failed",
    "dropped": "the connection closed without an answer",
    "invalid_url": "the base URL is not a valid http(s) URL",
    "connect": "the connection failed",
}


def _network(ctx: Context, o: Outcome) -> tuple[str, str | None]:
    cause = _NETWORK_CAUSE.get(o.detail or "", _NETWORK_CAUSE["connect"])
    via = f" via proxy {ctx.proxy}" if ctx.proxy else ""
    text = f"Cannot reach {ctx.host}{via} for {ctx.profile_id}: {cause}"
    text += f" ({o.message})." if o.message else "."
    if o.detail == "proxy":
        fix = f"Check the proxy {ctx.proxy or ''} (HTTPS_PROXY / HTTP_PROXY / NO_PROXY in this environment)."
    elif o.detail == "tls":
        fix = f"Check the certificate of {ctx.host}, or point SSL_CERT_FILE at the CA bundle your network needs."
    elif ctx.base.source != "default":
        fix = f"Check that the service at {ctx.base.display} runs, or remove the override: " + (
            fixes.config_unset(ctx.base.where) if ctx.base.source == "config" else f"delete it from {ctx.base.where}"
        )
    else:
        fix = f"Check this machine's network access to {ctx.host}."
    return text, fix


def _timeout(ctx: Context, o: Outcome) -> tuple[str, str | None]:
    if o.detail == "gateway":
        text = f"{ctx.host} timed out on its side: {_said(o)}{_rid(o)}."
        return text, "Probe again in a minute."
    text = f"No answer from {ctx.host} within {ctx.timeout:g} s for {ctx.profile_id} ({ctx.path})."
    return (
        text,
        f"Check the network or proxy to {ctx.host}; probe again with --timeout {max(30, int(ctx.timeout * 3))}.",
    )


def _unexpected(ctx: Context, o: Outcome) -> tuple[str, str | None]:
    detail = o.detail or ""
    if detail.startswith("redirect:"):
        target = detail.split(":", 1)[1]
        text = (
            f"{ctx.host} answered {o.status}, redirecting to {target}: not followed, so the key was not sent there"
            f"{_rid(o)}."
        )
        return text, f"Set the baseUrl ({ctx.base.where}) to the final address yourself, if you trust it."
    if detail == "not_anthropic":
        text = (
            f"{ctx.host} answered {o.status} to {ctx.path}, but not like {ctx.row.label}'s API"
            f" (a login page, captive portal or another service): {o.message or 'empty body'}."
        )
        return text, f"Check the baseUrl {ctx.base.display} ({ctx.base.where})."
    if detail == "exception":
        return f"The probe of {ctx.profile_id} failed: {o.message}.", None
    if detail == "unreadable":
        text = (
            f"{ctx.host} answered {o.status} to {ctx.path} with an unreadable answer ({o.message}){_rid(o)}: "
            f"whether {ctx.profile_id}'s key works is unknown."
        )
        return text, f"Probe again; if it persists, check the baseUrl {ctx.base.display} ({ctx.base.where})."
    text = f"{ctx.host} answered {ctx.path} with {_said(o) or o.status}{_rid(o)}."
    if o.status is not None and o.status >= 500:
        return text, "A server-side error: probe again in a minute."
    return text, f"Quote the request-id to {ctx.row.label} support if this persists."


_BUILDERS = {
    "probe.ok": _ok,
    "probe.invalid_key": _invalid_key,
    "probe.oauth_not_supported": _oauth_not_supported,
    "probe.token_expired": _token_expired,
    "probe.token_revoked": _token_revoked,
    "probe.billing": _billing,
    "probe.permission": _permission,
    "probe.model_not_found": _model_not_found,
    "probe.wrong_path": _wrong_path,
    "probe.rate_limited": _rate_limited,
    "probe.overloaded": _overloaded,
    "probe.network": _network,
    "probe.region": _region,
    "probe.project": _project,
    "probe.timeout": _timeout,
    "probe.unexpected": _unexpected,
}


def skipped(ctx: Context, severity: Severity, why: str, fix: str | None) -> Finding:
    """No request was sent; say why (a malformed key is a finding, never a request)."""
    text = f"No request sent for {ctx.profile_id}: {why}."
    return Finding("probe.skipped", severity, ctx.profile_id, text, fix, None, ctx.agent, {"host": ctx.host})
