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
