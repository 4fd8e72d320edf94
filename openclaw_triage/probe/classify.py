"""From Anthropic's answer (or a failure to get one) to a stable probe code.

Anthropic says what is wrong in the status and `error.message`; OpenClaw flattens all of it
into `invalid x-api-key` or a cooldown. These rules keep Anthropic's distinctions
(research/anthropic-api.md §1, §3, §4):

- 401: `invalid x-api-key` / `Invalid bearer token` (bad key), `OAuth authentication is
  currently not supported.` (a token without the OAuth beta), `OAuth token has expired…`,
  `OAuth token has been revoked` (also seen as 403);
- 400 `invalid_request_error`: `Your credit balance is too low…`, `You have reached your
  specified API usage limits…`, `…extra usage…` (billing), `This credential is only
  authorized for use with Claude Code…` (subscription-token policy); 402 `billing_error`;
- 403 permission, 404 wrong path (models list) or model (messages), 429 rate limit, or the
  monthly spend cap when `error.details.error_code` is `enforced_spend_limit_reached`;
- 529 overloaded, 504 timeout, anything else unexpected (status and message verbatim).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..util.jsonio import ParseError, as_object, as_text, parse_json

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ..providers import Provider

STEP_MODELS = "models"
STEP_MESSAGES = "messages"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one request (or its failure) means. Texts are Anthropic's, verbatim until masked."""

    code: str
    status: int | None = None
    error_type: str | None = None
    message: str | None = None
    request_id: str | None = None
    org_id: str | None = None
    retry_after: str | None = None
    detail: str | None = None  # a sub-kind: credit | spend_limit | dns | refused | redirect ...
    identity: tuple[tuple[str, str], ...] = ()  # who the key is, what it may spend (OpenRouter, xAI, DeepSeek)


class Unreadable(Exception):
    """An answer that is JSON but cannot be read (nested past what we parse)."""


def _json(text: str) -> Any:
    """The answer's JSON, None when it is not JSON; `Unreadable` when it is JSON too deep to read."""
    if not text:
        return None
    try:
        return parse_json(text)
    except ParseError as exc:
        if "nested" in str(exc):
            raise Unreadable from None
        return None


def _error_fields(body: Any) -> tuple[str | None, str | None, str | None, str | None]:
    """`(error.type, error.message, error.details.error_code, request_id)` of an error body."""
    if not isinstance(body, dict):
        return None, None, None, None
    error = as_object(body.get("error"))
    details = as_object(error.get("details"))
    etype = as_text(error.get("type"))
    message = as_text(error.get("message"))
    code = as_text(details.get("error_code"))
    rid = as_text(body.get("request_id"))
    return etype, message, code, rid


def _looks_like_answer(step: str, body: Any) -> bool:
    if not isinstance(body, dict):
        return False
    if step == STEP_MODELS:
        return isinstance(body.get("data"), list)
    return body.get("type") == "message"


def _snippet(text: str) -> str | None:
    flat = " ".join(text.split())
    return (flat[:200] + "…" if len(flat) > 200 else flat) or None


def classify_response(step: str, status: int, headers: Mapping[str, str], text: str) -> Outcome:
    """Name what Anthropic (or whatever answers at the base URL) said; never raises.

    An answer nested too deeply to parse is `probe.unexpected` with detail `unreadable`: that
    profile's result is unknown, and the other profiles' probes go on.
    """
    try:
        body = _json(text)
    except Unreadable:
        return Outcome(
            "probe.unexpected",
            status=status,
            request_id=headers.get("request-id"),
            message="an answer nested too deeply to read",
            detail="unreadable",
        )
    etype, message, error_code, body_rid = _error_fields(body)
    base: dict[str, Any] = {
        "status": status,
        "error_type": etype,
        "message": message,
        "request_id": headers.get("request-id") or body_rid,
        "org_id": headers.get("anthropic-organization-id"),
    }
    if 200 <= status < 300:
        if _looks_like_answer(step, body):
            return Outcome("probe.ok", **base)
        return Outcome("probe.unexpected", **{**base, "message": _snippet(text)}, detail="not_anthropic")
    if 300 <= status < 400:
        location = headers.get("location", "")
        return Outcome("probe.unexpected", **base, detail=f"redirect:{_location_host(location)}")
    code, detail = _error_code(step, status, etype, message or "", error_code)
    if message is None and code == "probe.unexpected":
        base["message"] = _snippet(text)
    return Outcome(code, **base, retry_after=headers.get("retry-after"), detail=detail)


def _location_host(location: str) -> str:
    try:
        parts = urlsplit(location.strip())
    except ValueError:
        return "an invalid address"
    if not parts.netloc:
        return "a path on the same host"
    return parts.netloc.rsplit("@", 1)[-1] or "an invalid address"  # host[:port], never userinfo


def _error_code(
    step: str, status: int, etype: str | None, message: str, error_code: str | None
) -> tuple[str, str | None]:
    text = message.lower()
    if status == 401:
        if "oauth authentication is currently not supported" in text:
            return "probe.oauth_not_supported", "no_oauth_beta"
        if "expired" in text:
            return "probe.token_expired", None
        if "revoked" in text:
            return "probe.token_revoked", None
        return "probe.invalid_key", None
    if status == 403:
        return ("probe.token_revoked", None) if "revoked" in text else ("probe.permission", None)
    if status == 402 or etype == "billing_error":
        return "probe.billing", "payment"
    if status == 400:
        return _bad_request(text)
    if status == 404:
        if step == STEP_MESSAGES and "model" in text:
            return "probe.model_not_found", None
        return "probe.wrong_path", None
    if status == 429:
        if error_code == "enforced_spend_limit_reached":
            return "probe.billing", "spend_cap"
        return "probe.rate_limited", None
    if status == 529 or etype == "overloaded_error":
        return "probe.overloaded", None
    if status == 504 or etype == "timeout_error":
        return "probe.timeout", "gateway"
    return "probe.unexpected", None


def _bad_request(text: str) -> tuple[str, str | None]:
    if "credit balance" in text:
        return "probe.billing", "credit"
    if "usage limit" in text or "spend limit" in text:
        return "probe.billing", "spend_limit"
    if "extra usage" in text:
        return "probe.billing", "extra_usage"
    if "only authorized for use with claude code" in text:
        return "probe.oauth_not_supported", "subscription_policy"
    return "probe.unexpected", None


# --- failures to get an answer ------------------------------------------------------------

_DNS_TEXT = (
    "name or service not known",
    "nodename nor servname",
    "temporary failure in name resolution",
    "getaddrinfo",
)
_REFUSED_TEXT = ("connection refused", "errno 111", "errno 61", "actively refused")
_TLS_TEXT = ("certificate", "ssl", "tls", "wrong version number")


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    node: BaseException | None = exc
    while node is not None and node not in seen and len(seen) < 10:
        seen.append(node)
        node = node.__cause__ or node.__context__
    return seen


def _network_kind(exc: BaseException) -> str:
    import socket
    import ssl

    chain = _chain(exc)
    if any(isinstance(e, ssl.SSLError) for e in chain):
        return "tls"
    if any(isinstance(e, socket.gaierror) for e in chain):
        return "dns"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "refused"
    text = " ".join(str(e) for e in chain).lower()
    for kind, needles in (("dns", _DNS_TEXT), ("refused", _REFUSED_TEXT), ("tls", _TLS_TEXT)):
        if any(n in text for n in needles):
            return kind
    return "connect"


def classify_exception(exc: BaseException, *, proxy: str | None) -> Outcome:
    """A request that got no HTTP answer: timeout, DNS, refused, TLS, proxy, dropped."""
    import httpx

    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return Outcome("probe.timeout", message=text, detail="no_answer")
    if isinstance(exc, httpx.ProxyError):
        return Outcome("probe.network", message=text, detail="proxy")
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return Outcome("probe.network", message=text, detail="invalid_url")
    if isinstance(exc, httpx.ConnectError):
        kind = _network_kind(exc)
        if proxy and kind in ("refused", "dns", "connect"):
            kind = "proxy"  # the connection that failed was the one to the proxy
        return Outcome("probe.network", message=text, detail=kind)
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return Outcome("probe.network", message=text, detail="dropped")
    if isinstance(exc, httpx.TransportError | OSError):
        return Outcome("probe.network", message=text, detail=_network_kind(exc))
    return Outcome("probe.unexpected", message=text, detail="exception")


# --- the other providers (research/providers.md §3) -------------------------------------------


def _provider_error(body: Any) -> tuple[str | None, str | None, str | None, str | None]:
    """`(type, message, code, request_id)` in whichever shape the provider uses: OpenAI's
    `{error: {type, message, code}}` (Groq, DeepSeek, OpenRouter alike), Google's `{error: {status,
    message, details: [{reason}]}}`, xAI's flat `{code, error}`, Mistral's `{message, type}` or
    `{detail}`."""
    if not isinstance(body, dict):
        return None, None, None, None
    rid = as_text(body.get("request_id"))
    error = body.get("error")
    if isinstance(error, dict):
        reasons = [as_text(as_object(d).get("reason")) for d in error.get("details") or [] if isinstance(d, dict)]
        code = error.get("code")
        reason = next((r for r in reasons if r), None)
        etype = as_text(error.get("type")) or as_text(error.get("status"))
        return etype, as_text(error.get("message")), reason or (str(code) if code is not None else None), rid
    if isinstance(error, str):  # xAI
        return as_text(body.get("code")), error, None, rid
    return as_text(body.get("type")), as_text(body.get("message")) or as_text(body.get("detail")), None, rid


_NO_CREDIT_CODES = (
    "insufficient_quota",
    "credit_balance_exhausted",
    "organization_spend_limit_exceeded",
    "project_spend_limit_exceeded",
    "organization_usage_limit_exceeded",
)


def _provider_error_code(status: int, etype: str, message: str, code: str) -> tuple[str, str | None]:
    text = message.lower()
    if status == 401:
        if "missing scopes" in text or "insufficient permissions" in text:
            return "probe.permission", "scopes"
        return "probe.invalid_key", "token_type" if code == "ACCESS_TOKEN_TYPE_UNSUPPORTED" else None
    if status == 400:
        if code == "API_KEY_INVALID" or "api key not valid" in text or "incorrect api key" in text:
            return "probe.invalid_key", None
        if etype == "FAILED_PRECONDITION" and ("location" in text or "country" in text or "region" in text):
            return "probe.region", None
        return "probe.unexpected", None
    if status == 402:
        return "probe.billing", "credit"
    if status == 403:
        if "country, region, or territory" in text or "not supported in your" in text:
            return "probe.region", None
        if code in ("SERVICE_DISABLED", "API_KEY_SERVICE_BLOCKED") or "has not been used in project" in text:
            return "probe.project", code
        if "leaked" in text or "suspended" in text:
            return "probe.invalid_key", "revoked"
        if "credits or licenses" in text or "run out of" in text:
            return "probe.billing", "credit"
        return "probe.permission", None
    if status == 404:
        return "probe.wrong_path", None
    if status == 429:
        if etype in _NO_CREDIT_CODES or code in _NO_CREDIT_CODES:
            return "probe.billing", code if code in _NO_CREDIT_CODES and code != "insufficient_quota" else "credit"
        return "probe.rate_limited", None
    if status in (503, 529):
        return "probe.overloaded", None
    return "probe.unexpected", None


def _identity(row: Provider, body: Any) -> tuple[tuple[tuple[str, str], ...], str | None]:
    """What the provider's answer says about the key, and a problem it reveals (`billing:…`,
    `blocked`) though the request itself succeeded. Only fields a person can act on."""
    if not isinstance(body, dict):
        return (), None
    fields: list[tuple[str, str]] = []

    def put(name: str, value: Any) -> None:
        if value is not None and value != "" and not isinstance(value, dict | list):
            fields.append((name, str(value).lower() if isinstance(value, bool) else str(value)))

    problem = None
    if row.id == "openrouter":
        data = as_object(body.get("data"))
        for name in ("label", "limit", "limit_remaining", "usage", "is_free_tier", "expires_at"):
            put(name, data.get(name))
        remaining = data.get("limit_remaining")
        if isinstance(remaining, int | float) and not isinstance(remaining, bool) and remaining <= 0:
            problem = "billing:key_limit"
    elif row.id == "xai":
        for name in ("redacted_api_key", "name", "team_id", "api_key_blocked", "api_key_disabled", "team_blocked"):
            put(name, body.get(name))
        if any(body.get(n) is True for n in ("api_key_blocked", "api_key_disabled", "team_blocked")):
            problem = "blocked"
    elif row.id == "deepseek":
        put("is_available", body.get("is_available"))
        for info in body.get("balance_infos") or []:
            if isinstance(info, dict):
                put(f"balance_{as_text(info.get('currency')) or '?'}", info.get("total_balance"))
        if body.get("is_available") is False:
            problem = "billing:credit"
    return tuple(fields), problem


def classify_provider_response(row: Provider, status: int, headers: Mapping[str, str], text: str) -> Outcome:
    """Name what another provider (a `providers` row) said to its free probe."""
    body = _json(text)
    etype, message, code, body_rid = _provider_error(body)
    base: dict[str, Any] = {
        "status": status,
        "error_type": etype,
        "message": message,
        "request_id": (headers.get(row.request_id_header) if row.request_id_header else None) or body_rid,
        "org_id": headers.get(row.org_header) if row.org_header else None,
    }
    if 200 <= status < 300:
        if not isinstance(body, dict):
            return Outcome("probe.unexpected", **{**base, "message": _snippet(text)}, detail="not_anthropic")
        identity, problem = _identity(row, body)
        if problem == "blocked":
            return Outcome("probe.invalid_key", **base, detail="blocked", identity=identity)
        if problem is not None:
            return Outcome("probe.billing", **base, detail=problem.split(":", 1)[1], identity=identity)
        return Outcome("probe.ok", **base, identity=identity)
    if 300 <= status < 400:
        return Outcome("probe.unexpected", **base, detail=f"redirect:{_location_host(headers.get('location', ''))}")
    found, detail = _provider_error_code(status, etype or "", message or "", code or "")
    if message is None and found == "probe.unexpected":
        base["message"] = _snippet(text)
    return Outcome(found, **base, retry_after=headers.get("retry-after"), detail=detail)
