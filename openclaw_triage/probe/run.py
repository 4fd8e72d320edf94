"""Run the live probe: plan per profile, then the ladder, a few profiles at a time.

The ladder (research/anthropic-api.md §2): local checks (no request for a secret that cannot
work, or that is not Anthropic's to see), then the free `GET /v1/models?limit=1`, then, only
with `deep=True`, one `POST /v1/messages` of one output token on the cheapest model: the call
that shows billing, spend limits, model access and the subscription-token policy. Every other
provider of `providers` gets one request, its row's free one (OpenAI `GET /v1/models`, OpenRouter
`GET /api/v1/key`, xAI `GET /v1/api-key`, DeepSeek `GET /user/balance`, ...), with the key in the
row's header, to the base URL OpenClaw would use for that provider; the last three also say whose
key it is and what it may spend (`ProbeResult.identity`, masked).

Safety: the URL comes only from the base URL OpenClaw would use, redirects are never
followed, a 401/403 is never retried, and every text leaving here passes a `Scrubber`.
httpx is imported inside the functions that send, so importing this module costs nothing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from ..diagnose.result import Diagnosis, ProfileView
from ..findings import Finding, Severity
from ..keys import KeyKind, Problem, mask
from ..model import CredentialType, Era, Profile
from ..openclaw.coerce import normalize_provider
from ..openclaw.order import token_expiry_state
from ..providers import ANTHROPIC, PROVIDERS
from ..providers import get as provider_row
from ..scrub import Scrubber, scrubber_for
from ..secret import Secret
from ..util.jsstr import js_trim
from .classify import (
    STEP_MESSAGES,
    STEP_MODELS,
    Outcome,
    classify_exception,
    classify_provider_response,
    classify_response,
)
from .explain import Context, explain, skipped
from .headers import is_oauth_secret, merge_configured_headers, messages_body, provider_headers, request_headers
from .target import BaseUrl, proxy_for, resolve_base_url

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ssl
    from typing import Any

    import httpx

log = logging.getLogger("openclaw_triage.probe")

DEFAULT_TIMEOUT = 10.0
DEFAULT_CONCURRENCY = 4
DEEP_MODEL = "claude-haiku-4-5"  # the cheapest current model: a deep probe costs a fraction of a cent
MODELS_PATH = "/v1/models?limit=1"
MESSAGES_PATH = "/v1/messages"
MAX_BODY = 256 * 1024
PROVIDER = "anthropic"

# Problems that leave a key worth sending: OpenClaw trims the ends, and a missing `AA` alone is
# only suspicious (Anthropic decides). Every other problem means a certain 401: no request.
_SENDABLE_PROBLEMS = frozenset({Problem.SURROUNDING_WHITESPACE, Problem.SUFFIX})
_SENDABLE_KINDS = frozenset({KeyKind.API_KEY, KeyKind.OAUTH_TOKEN, KeyKind.ANTHROPIC_OTHER})
# After these on /v1/models the Messages call can tell nothing more.
_CONTINUE_DEEP = frozenset({"probe.ok", "probe.wrong_path"})


class ProbeError(Exception):
    """The probe cannot start (e.g. an unknown profile id); nothing was sent."""


# What an answer says about the key itself. Only a verdict on the key may change what the
# stores alone prove: an answer that never came (network, timeout), came from something that is
# not the API (a wrong path, a proxy's page) or blames Anthropic (overloaded) says nothing of it.
ACCEPTED = frozenset({"probe.ok", "probe.rate_limited"})
REJECTED = frozenset(
    {
        "probe.invalid_key",
        "probe.oauth_not_supported",
        "probe.token_expired",
        "probe.token_revoked",
        "probe.billing",
        "probe.permission",
        "probe.model_not_found",
        "probe.project",
    }
)


@dataclass(slots=True)
class ProbeResult:
    """One profile's probe: where it went, what came back, and what it means. Holds no secret."""

    profile_id: str
    host: str  # host[:port] the key went (or would go) to
    base_url: str  # without userinfo
    base_url_source: str  # default | config | models.json
    path: str | None  # the last request's path, e.g. /v1/models?limit=1; None when nothing was sent
    proxy: str | None  # the proxy httpx used for the URL, without userinfo
    auth: str | None  # x-api-key | bearer | None (nothing sent)
    status: int | None
    latency_ms: float | None
    request_id: str | None
    org_id: str | None
    code: str
    error_type: str | None
    error_message: str | None  # Anthropic's message verbatim, masked
    retry_after: str | None
    finding: Finding
    steps: list[str] = field(default_factory=list)  # "GET /v1/models?limit=1 → 200", ...
    provider: str = PROVIDER
    identity: dict[str, str] = field(default_factory=dict)  # whose key, what it may spend (masked)

    @property
    def sent(self) -> bool:
        return self.auth is not None

    @property
    def ok(self) -> bool:
        return self.code == "probe.ok"

    @property
    def verdict(self) -> str:
        """What the answer says about the key: `accepted`, `rejected`, `no answer` (nothing is
        known about the key: the network, the path, an overloaded API) or `not asked`."""
        if not self.sent:
            return "not asked"
        if self.code in ACCEPTED:
            return "accepted"
        return "rejected" if self.code in REJECTED else "no answer"

    @property
    def severity(self) -> Severity:
        return self.finding.severity

    def to_json(self) -> dict[str, Any]:
        return {
            "profileId": self.profile_id,
            "code": self.code,
            "severity": self.finding.severity.value,
            "host": self.host,
            "baseUrl": self.base_url,
            "baseUrlSource": self.base_url_source,
            "path": self.path,
            "proxy": self.proxy,
            "auth": self.auth,
            "sent": self.sent,
            "status": self.status,
            "latencyMs": self.latency_ms,
            "requestId": self.request_id,
            "orgId": self.org_id,
            "errorType": self.error_type,
            "errorMessage": self.error_message,
            "retryAfter": self.retry_after,
            "steps": self.steps,
            "provider": self.provider,
            "identity": self.identity or None,
            "finding": self.finding.to_json(),
        }


OnResult = Callable[[ProbeResult], "Awaitable[None] | None"]


@dataclass(slots=True)
class _Plan:
    """One profile to probe. `secret` is the exact text a request would carry."""

    report: ProfileView
    ctx: Context
    secret: str | None = field(default=None, repr=False)
    skip: tuple[Severity, str, str | None] | None = None


# --- planning: local checks, no network ---------------------------------------------------


def _agent_flag(diagnosis: Diagnosis) -> str | None:
    install = diagnosis.install
    return None if diagnosis.agent.agent_id == install.default_agent_id else diagnosis.agent.agent_id


def _sendable(report: ProfileView, provider: str) -> bool:
    info = report.info
    if info is None or not set(info.problems) <= _SENDABLE_PROBLEMS:
        return False
    if provider != PROVIDER:  # another provider's key, judged by its own shapes
        return info.kind is KeyKind.API_KEY and info.judged_as == provider
    return info.kind in _SENDABLE_KINDS


def _skip_reason(report: ProfileView, ctx: Context, era: Era, now_ms: float) -> tuple[Severity, str, str | None] | None:
    """Why no request goes out for this profile, or None when one should."""
    profile = report.profile
    row = provider_row(normalize_provider(profile.provider, era))
    if row is None:
        known = ", ".join(p.id for p in PROVIDERS)
        return Severity.INFO, f"it is a {profile.provider} profile; the probe speaks only these APIs: {known}", None
    if row is not ANTHROPIC and profile.type != "api_key":
        why = f"it is a {profile.type} profile (a sign-in, not an API key); the probe sends only {row.label} API keys"
        return Severity.INFO, why, None
    ref = report.ref_status
    if ref is not None and ref.status != "resolved":
        if ref.status == "unsupported":
            return Severity.INFO, f"its secret reference is resolved only by OpenClaw ({ref.reason})", None
        fix = (
            f"Set the variable where the gateway runs (e.g. ~/.openclaw/.env), or store the key itself: {ctx.key_fix()}"
        )
        return Severity.ERROR, f"its secret reference does not resolve here: {ref.reason}", fix
    if report.secret is None or not js_trim(report.secret.get_secret_value()):
        what = "no access token" if profile.type == "oauth" else "no secret and no reference"
        return Severity.WARNING, f"it has {what}, so OpenClaw skips it", ctx.key_fix()
    if profile.type == "oauth" and token_expiry_state(profile.expires, now_ms, era) == "expired":
        why = "its access token has expired; OpenClaw refreshes it before use, which the probe never does (it writes nothing)"
        return Severity.INFO, why, "openclaw models status (the gateway refreshes the token on its next request)"
    if not _sendable(report, row.id):
        info = report.info
        looks = info.describe() if info is not None else "no usable secret"
        return Severity.ERROR, f"{looks}; sending it could only fail, or show it to the wrong service", ctx.key_fix()
    value = js_trim(report.secret.get_secret_value())
    if not value.isascii() or not value.isprintable():
        return Severity.ERROR, "it holds characters no HTTP header can carry", ctx.key_fix()
    return None


def plan_probes(
    diagnosis: Diagnosis,
    *,
    profile_id: str | None = None,
    deep: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    model: str = DEEP_MODEL,
) -> list[_Plan]:
    """One plan per Anthropic profile (or the one asked for), local checks done."""
    install = diagnosis.install
    era = install.era
    targets: dict[str, tuple[BaseUrl, str | None]] = {}

    def target(provider: str) -> tuple[BaseUrl, str | None]:
        if provider not in targets:
            base = resolve_base_url(install.config.data, diagnosis.agent.agent_dir, era, provider, reads=install.reads)
            row = provider_row(provider) or ANTHROPIC
            path = MODELS_PATH if row is ANTHROPIC else row.probe_path
            targets[provider] = (base, proxy_for(base.endpoint(path)) if base.valid else None)
        return targets[provider]

    if profile_id is not None:
        reports = [r for r in diagnosis.profiles if r.profile.id == profile_id]
        if not reports:
            known = ", ".join(r.profile.id for r in diagnosis.profiles) or "none"
            raise ProbeError(f"no auth profile {profile_id!r} for agent {diagnosis.agent.agent_id} (profiles: {known})")
    else:
        # `probe --provider P`: the diagnosis lists only P's profiles, and only those are asked.
        reports = [r for r in diagnosis.shown_profiles if provider_row(normalize_provider(r.profile.provider, era))]
    plans = []
    for report in reports:
        secret = js_trim(report.secret.get_secret_value()) if report.secret is not None else None
        provider = normalize_provider(report.profile.provider, era)
        base, proxy = target(provider if provider_row(provider) else PROVIDER)
        row = provider_row(provider)
        ctx = Context(
            profile_id=report.profile.id,
            era=era,
            agent=diagnosis.agent.agent_id,
            agent_flag=_agent_flag(diagnosis),
            oauth=row is ANTHROPIC and bool(secret) and is_oauth_secret(secret or ""),
            masked=report.masked or (mask(secret, era=era) if secret else "missing"),
            base=base,
            proxy=proxy,
            deep=deep,
            timeout=timeout,
            model=model,
            profile_type=str(report.profile.type),
            shares_with=list(report.shares_with),
            health_state=report.health_state,
            provider=row.id if row is not None else provider,
        )
        skip = _skip_reason(report, ctx, era, diagnosis.now_ms)
        if skip is None and not base.valid:
            skip = (Severity.ERROR, f"the base URL {base.display} ({base.where}) is not a valid http(s) URL", None)
        plans.append(_Plan(report, ctx, None if skip else secret, skip))
    return plans


# --- sending ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Exchange:
    step: str
    path: str
    outcome: Outcome
    latency_ms: float | None


async def _read_capped(response: httpx.Response) -> str:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= MAX_BODY:
            break
    return b"".join(chunks)[:MAX_BODY].decode("utf-8", "replace")


async def _exchange(client: httpx.AsyncClient, plan: _Plan, step: str, timeout: float, model: str) -> _Exchange:
    """One request, never retried; any failure becomes an `Outcome`, never an exception."""
    import httpx

    ctx, secret = plan.ctx, plan.secret or ""
    row = provider_row(ctx.provider) or ANTHROPIC
    if row is not ANTHROPIC:
        url = ctx.base.endpoint(row.probe_path)
        headers = merge_configured_headers(provider_headers(row, secret), ctx.base.headers)
    else:
        url = ctx.base.endpoint(MODELS_PATH if step == STEP_MODELS else MESSAGES_PATH)
        headers = merge_configured_headers(request_headers(secret, ctx.era, ctx.base.hostname), ctx.base.headers)
    path = _path_of(url)
    body = None
    if step == STEP_MESSAGES:
        import json

        body = json.dumps(messages_body(secret, ctx.era, model)).encode()
        headers["content-type"] = "application/json"
    start = time.perf_counter()
    try:
        request = client.build_request("GET" if body is None else "POST", url, headers=headers, content=body)
        if (request.url.host or "").lower() != ctx.base.hostname:  # never anywhere but the base URL's host
            raise httpx.InvalidURL(f"{ctx.base.display} does not name one host")
        async with asyncio.timeout(timeout):
            response = await client.send(request, stream=True)
            try:
                text = await _read_capped(response)
            finally:
                await response.aclose()
    except Exception as exc:  # a probe reports every failure; it never raises one
        return _Exchange(step, path, classify_exception(exc, proxy=ctx.proxy), None)
    latency = round((time.perf_counter() - start) * 1000, 1)
    try:
        if row is not ANTHROPIC:
            outcome = classify_provider_response(row, response.status_code, response.headers, text)
        else:
            outcome = classify_response(step, response.status_code, response.headers, text)
    except Exception:  # one answer we cannot read is that profile's result, never the end of the run
        outcome = Outcome(
            "probe.unexpected",
            status=response.status_code,
            message="an answer that could not be read",
            detail="unreadable",
        )
    return _Exchange(step, path, outcome, latency)


def _path_of(url: str) -> str:
    """The path (and query) a URL requests: `/v1/v1/models?limit=1` for a `/v1` base URL."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _step_line(ex: _Exchange) -> str:
    method = "GET" if ex.step == STEP_MODELS else "POST"
    answer = str(ex.outcome.status) if ex.outcome.status is not None else ex.outcome.code.removeprefix("probe.")
    return f"{method} {ex.path} → {answer}"


async def _ladder(client: httpx.AsyncClient, plan: _Plan, *, deep: bool, timeout: float, model: str) -> list[_Exchange]:
    first = await _exchange(client, plan, STEP_MODELS, timeout, model)
    if not deep or first.outcome.code not in _CONTINUE_DEEP or plan.ctx.provider != PROVIDER:
        return [first]
    return [first, await _exchange(client, plan, STEP_MESSAGES, timeout, model)]


def _masked_outcome(o: Outcome, redact: Scrubber) -> Outcome:
    return Outcome(
        o.code,
        o.status,
        redact.optional(o.error_type),
        redact.optional(o.message),
        redact.optional(o.request_id),
        redact.optional(o.org_id),
        redact.optional(o.retry_after),
        redact.optional(o.detail),
        tuple((k, redact(v)) for k, v in o.identity),
    )


def _masked_finding(f: Finding, redact: Scrubber) -> Finding:
    return Finding(
        f.code, f.severity, f.subject, redact(f.message), redact.optional(f.fix), f.action, f.agent, f.details
    )


def _result(plan: _Plan, exchanges: list[_Exchange], redact: Scrubber) -> ProbeResult:
    ctx = plan.ctx
    base: BaseUrl = ctx.base
    if not exchanges:
        assert plan.skip is not None
        severity, why, fix = plan.skip
        finding = _masked_finding(skipped(ctx, severity, redact(why), fix), redact)
        return ProbeResult(
            ctx.profile_id, ctx.host, base.display, base.source, None, ctx.proxy, None, None, None, None, None,
            "probe.skipped", None, None, None, finding, provider=ctx.provider,
        )  # fmt: skip
    last = exchanges[-1]
    outcome = _masked_outcome(last.outcome, redact)
    ctx.path, ctx.latency_ms = last.path, last.latency_ms
    ctx.models_missing = len(exchanges) > 1 and exchanges[0].outcome.code == "probe.wrong_path"
    finding = _masked_finding(explain(ctx, outcome), redact)
    return ProbeResult(
        profile_id=ctx.profile_id,
        host=ctx.host,
        base_url=base.display,
        base_url_source=base.source,
        path=last.path,
        proxy=ctx.proxy,
        auth=_auth_word(ctx),
        status=outcome.status,
        latency_ms=last.latency_ms,
        request_id=outcome.request_id,
        org_id=outcome.org_id,
        code=outcome.code,
        error_type=outcome.error_type,
        error_message=outcome.message,
        retry_after=outcome.retry_after,
        finding=finding,
        steps=[redact(_step_line(ex)) for ex in exchanges],
        provider=ctx.provider,
        identity=dict(outcome.identity),
    )


def _auth_word(ctx: Context) -> str:
    """How the key went: `bearer`, `x-api-key`, `x-goog-api-key`."""
    row = provider_row(ctx.provider)
    if row is None or row is ANTHROPIC:
        return "bearer" if ctx.oauth else "x-api-key"
    return "bearer" if row.sends_bearer else row.auth_header


async def _emit(on_result: OnResult | None, result: ProbeResult) -> None:
    """Hand one result to the caller; a failing callback is logged, never fatal to the probe."""
    if on_result is None:
        return
    try:
        maybe = on_result(result)
        if inspect.isawaitable(maybe):
            await maybe
    except Exception:
        log.exception("probe: the on_result callback failed for %s", result.profile_id)


async def probe_profiles(
    diagnosis: Diagnosis,
    *,
    profile_id: str | None = None,
    deep: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    on_result: OnResult | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    model: str = DEEP_MODEL,
    extra_secrets: tuple[str, ...] = (),
) -> list[ProbeResult]:
    """Probe every Anthropic profile of the diagnosed agent (or `profile_id`), in profile order.

    `on_result` (sync or async) is called as each profile finishes, skipped ones first.
    Raises `ProbeError` only before anything is sent (unknown profile id). Every text in the
    results passes the run's scrubber (`scrubber_for`: every secret of the install, configured
    headers included), plus `extra_secrets` (a key not stored yet).
    """
    plans = plan_probes(diagnosis, profile_id=profile_id, deep=deep, timeout=timeout, model=model)
    redact = scrubber_for(diagnosis.install, extra=extra_secrets)
    results: dict[int, ProbeResult] = {}
    for i, plan in enumerate(plans):
        if plan.skip is not None:
            results[i] = _result(plan, [], redact)
            await _emit(on_result, results[i])
    todo = [(i, p) for i, p in enumerate(plans) if p.skip is None]
    if todo:
        await _send_all(todo, results, deep=deep, timeout=timeout, model=model, on_result=on_result, redact=redact,
                        concurrency=concurrency)  # fmt: skip
    return [results[i] for i in range(len(plans))]


async def _send_all(
    todo: list[tuple[int, _Plan]],
    results: dict[int, ProbeResult],
    *,
    deep: bool,
    timeout: float,
    model: str,
    on_result: OnResult | None,
    redact: Scrubber,
    concurrency: int,
) -> None:
    import httpx

    limit = asyncio.Semaphore(max(1, concurrency))
    client_timeout = httpx.Timeout(timeout)
    tls = _ssl_context()

    async def one(index: int, plan: _Plan) -> None:
        async with limit:
            exchanges = await _ladder(client, plan, deep=deep, timeout=timeout, model=model)
        result = _result(plan, exchanges, redact)
        log.debug("probe %s → %s %s (%s)", result.profile_id, result.host, result.code, result.request_id)
        results[index] = result
        await _emit(on_result, result)

    async with httpx.AsyncClient(trust_env=True, follow_redirects=False, timeout=client_timeout, verify=tls) as client:
        await asyncio.gather(*(one(i, p) for i, p in todo))


_TLS_CONTEXTS: dict[tuple[str | None, str | None], ssl.SSLContext] = {}


def _ssl_context() -> ssl.SSLContext:
    """httpx's own default context (certifi, or SSL_CERT_FILE / SSL_CERT_DIR as `trust_env` reads
    them), built once per setting: loading the CA bundle costs ~35 ms, every client would pay it."""
    import os

    import httpx

    key = (os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
    context = _TLS_CONTEXTS.get(key)
    if context is None:
        context = _TLS_CONTEXTS[key] = httpx.create_ssl_context(trust_env=True)
    return context


async def probe_candidate(
    diagnosis: Diagnosis,
    secret: Secret,
    *,
    profile_id: str,
    ctype: CredentialType,
    deep: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    provider: str = PROVIDER,
) -> ProbeResult:
    """Probe a secret before it is stored (the guarded paste), exactly as if `profile_id` held it:
    sent to `provider`'s API (its row's free request, to the base URL OpenClaw would use).

    Nothing is written: the candidate lives in a copy of the diagnosis that holds only it.
    """
    from ..diagnose.result import profile_view

    install = diagnosis.install
    profile = Profile(id=profile_id, provider=provider, type=ctype, secret=secret, layer="candidate")
    report = profile_view(
        diagnosis.agent.effective, profile, install.config.data, install.seen_env, diagnosis.now_ms, install.era
    )
    candidate = dataclasses.replace(diagnosis, profiles=[report])
    results = await probe_profiles(
        candidate, profile_id=profile_id, deep=deep, timeout=timeout, extra_secrets=(secret.get_secret_value(),)
    )
    return results[0]


def probe_profiles_sync(diagnosis: Diagnosis, **kwargs: Any) -> list[ProbeResult]:
    """`probe_profiles` for sync callers (the CLI, a TUI thread worker): runs its own event loop,
    so it must not be called from a thread whose loop is running (use `await probe_profiles`)."""
    return asyncio.run(probe_profiles(diagnosis, **kwargs))


def summary(results: list[ProbeResult]) -> str:
    """`1 accepted, 1 rejected, 1 no answer (network), 2 not asked`: one count per verdict, in
    the same words everywhere the probe is reported."""
    counts: dict[str, list[str]] = {}
    for result in results:
        counts.setdefault(result.verdict, []).append(result.code.removeprefix("probe."))
    parts = []
    for verdict in ("accepted", "rejected", "no answer", "not asked"):
        codes = counts.get(verdict, [])
        if codes:
            why = f" ({', '.join(dict.fromkeys(codes))})" if verdict in ("rejected", "no answer") else ""
            parts.append(f"{len(codes)} {verdict}{why}")
    return ", ".join(parts) or "nothing probed"
