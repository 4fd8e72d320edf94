"""The request the user's OpenClaw would send, per era: headers and the deep-probe body.

Pure functions, no I/O, no httpx. Both eras pick the auth style from the secret's TEXT, never
from the profile type (FACTS 2026.3 §6, 2026.9 §7): a secret containing `sk-ant-oat` goes out
as `Authorization: Bearer` with the Claude-Code identity, anything else as `x-api-key`. What
differs between eras is the SDK's user agent, the Claude-Code version, and which implicit betas
ride along; the probe copies them so Anthropic judges the same request the gateway makes.

The SDK's `X-Stainless-*` telemetry headers are left out: they describe the JS runtime and do
not change how Anthropic authenticates or bills a request.
"""

from __future__ import annotations

from ..model import Era
from ..providers import ANTHROPIC, BEARER_MARKER, Provider

ANTHROPIC_HOST = ANTHROPIC.host
ANTHROPIC_VERSION = "2023-06-01"
OAUTH_BETA = "oauth-2025-04-20"
CLAUDE_CODE_BETA = "claude-code-20250219"
FINE_GRAINED_BETA = "fine-grained-tool-streaming-2025-05-14"
INTERLEAVED_BETA = "interleaved-thinking-2025-05-14"
CLAUDE_CODE_IDENTITY = "You are Claude Code, Anthropic's official CLI for Claude."

# What each era's bundle identifies as (FACTS 2026.3 §6 capture; 2026.9 dist).
SDK_USER_AGENT = {Era.JSON: "Anthropic/JS 0.73.0", Era.SQLITE: "Anthropic/JS 0.125.0"}
CLAUDE_CLI_VERSION = {Era.JSON: "2.1.75", Era.SQLITE: "2.1.278"}

# Headers that carry a credential: never taken from config, never logged.
CREDENTIAL_HEADERS = frozenset({"x-api-key", "authorization", "x-goog-api-key"})


def is_oauth_secret(secret: str) -> bool:
    """OpenClaw's test, both eras: the text contains `sk-ant-oat` (pi-ai / @openclaw/ai)."""
    return BEARER_MARKER in secret


def is_anthropic_host(host: str) -> bool:
    return host.strip().lower().rstrip(".") == ANTHROPIC_HOST


def _betas(oauth: bool, era: Era, host: str) -> list[str]:
    """2026.3 always sends its betas (captured against 127.0.0.1); 2026.9 sends the implicit
    defaults only to api.anthropic.com (FACTS 2026.9 §7: a custom host got no anthropic-beta),
    but the OAuth pair always, since Anthropic refuses a Bearer token without it."""
    identity = [CLAUDE_CODE_BETA, OAUTH_BETA] if oauth else []
    if era is Era.JSON:
        return [*identity, FINE_GRAINED_BETA]
    defaults = [FINE_GRAINED_BETA, INTERLEAVED_BETA] if is_anthropic_host(host) else []
    return [*identity, *defaults]


def request_headers(secret: str, era: Era, host: str) -> dict[str, str]:
    """The headers OpenClaw of `era` sends with `secret` to `host` (lower-case names).

    `secret` must already be the trimmed value OpenClaw sends; this function never alters it.
    """
    oauth = is_oauth_secret(secret)
    headers = {
        "accept": "application/json",
        "anthropic-version": ANTHROPIC_VERSION,
        "anthropic-dangerous-direct-browser-access": "true",
    }
    if oauth:
        headers["authorization"] = f"Bearer {secret}"
        headers["user-agent"] = f"claude-cli/{CLAUDE_CLI_VERSION[era]}"
        headers["x-app"] = "cli"
    else:
        headers["x-api-key"] = secret
        headers["user-agent"] = SDK_USER_AGENT[era]
    betas = _betas(oauth, era, host)
    if betas:
        headers["anthropic-beta"] = ",".join(betas)
    return headers


def provider_headers(row: Provider, secret: str) -> dict[str, str]:
    """What OpenClaw sends another provider (a `providers` row): the key in the row's header,
    `Authorization: Bearer` for the OpenAI-compatible APIs, `x-goog-api-key` for Gemini. Never in
    the URL: a `?key=` ends up in proxy and server logs."""
    return {
        "accept": "application/json",
        row.auth_header: f"{row.auth_scheme}{secret}",
        "user-agent": "openclaw-triage",
    }


def merge_configured_headers(headers: dict[str, str], configured: object) -> dict[str, str]:
    """Apply `models.providers.anthropic.headers` last, as OpenClaw does, except credentials.

    A credential header in config is not the profile being probed, so it never replaces it.
    """
    if not isinstance(configured, dict):
        return headers
    out = dict(headers)
    for name, value in configured.items():
        key = str(name).strip().lower()
        if not key or key in CREDENTIAL_HEADERS or not isinstance(value, str):
            continue
        out[key] = value
    return out


def messages_body(secret: str, era: Era, model: str) -> dict[str, object]:
    """The cheapest real Messages call: one token out. A token also carries the Claude-Code
    system prompt OpenClaw prepends, since Anthropic's subscription policy looks at it."""
    body: dict[str, object] = {
        "model": model,
        "max_tokens": 1,
        "messages": [{"role": "user", "content": "ping"}],
    }
    if is_oauth_secret(secret):
        blocks = [{"type": "text", "text": CLAUDE_CODE_IDENTITY}]
        if era is Era.SQLITE:
            version = CLAUDE_CLI_VERSION[era]
            billing = f"x-anthropic-billing-header: cc_version={version}; cc_entrypoint=sdk-cli;"
            blocks.insert(0, {"type": "text", "text": billing})
        body["system"] = blocks
    return body
