"""The probe's pure parts: headers per era and key text, Anthropic's answers, masking, base URL."""

from __future__ import annotations

import json
import socket
import ssl
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from openclaw_triage.model import Era
from openclaw_triage.probe import classify_response, messages_body, proxy_for, request_headers, resolve_base_url
from openclaw_triage.probe.classify import STEP_MESSAGES, STEP_MODELS, classify_exception
from openclaw_triage.probe.headers import merge_configured_headers
from openclaw_triage.probe.target import BaseUrl
from openclaw_triage.scrub import Scrubber
from tests import fakekeys

API = fakekeys.api_key("unit")
OAT = fakekeys.oauth_token("unit")
PROXY_VARS = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
)


@pytest.fixture(autouse=True)
def _no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)


# --- headers --------------------------------------------------------------------------------


def test_api_key_headers_2026_3_send_their_beta_to_any_host() -> None:
    for host in ("api.anthropic.com", "127.0.0.1"):
        h = request_headers(API, Era.JSON, host)
        assert h["x-api-key"] == API
        assert "authorization" not in h
        assert h["anthropic-version"] == "2023-06-01"
        assert h["anthropic-beta"] == "fine-grained-tool-streaming-2025-05-14"
        assert h["user-agent"] == "Anthropic/JS 0.73.0"
        assert h["anthropic-dangerous-direct-browser-access"] == "true"
        assert "x-app" not in h


def test_token_headers_2026_3_are_claude_code_identity() -> None:
    h = request_headers(OAT, Era.JSON, "127.0.0.1")
    assert h["authorization"] == f"Bearer {OAT}"
    assert "x-api-key" not in h
    assert h["anthropic-beta"] == "claude-code-20250219,oauth-2025-04-20,fine-grained-tool-streaming-2025-05-14"
    assert h["user-agent"] == "claude-cli/2.1.75"
    assert h["x-app"] == "cli"
    assert h["anthropic-version"] == "2023-06-01"


def test_2026_9_suppresses_implicit_betas_for_other_hosts() -> None:
    direct = request_headers(API, Era.SQLITE, "api.anthropic.com")
    assert direct["anthropic-beta"] == "fine-grained-tool-streaming-2025-05-14,interleaved-thinking-2025-05-14"
    assert direct["user-agent"] == "Anthropic/JS 0.125.0"
    proxied = request_headers(API, Era.SQLITE, "127.0.0.1")
    assert "anthropic-beta" not in proxied
    assert proxied["x-api-key"] == API


def test_2026_9_token_keeps_the_oauth_betas_everywhere() -> None:
    direct = request_headers(OAT, Era.SQLITE, "API.Anthropic.com")
    assert direct["anthropic-beta"] == (
        "claude-code-20250219,oauth-2025-04-20,fine-grained-tool-streaming-2025-05-14,interleaved-thinking-2025-05-14"
    )
    proxied = request_headers(OAT, Era.SQLITE, "proxy.internal")
    assert proxied["anthropic-beta"] == "claude-code-20250219,oauth-2025-04-20"
    assert proxied["user-agent"] == "claude-cli/2.1.278"
    assert proxied["x-app"] == "cli"


@given(st.sampled_from([Era.JSON, Era.SQLITE]), st.text(alphabet="abcXYZ019-_", min_size=0, max_size=40))
def test_header_style_follows_the_text_only(era: Era, filler: str) -> None:
    """`sk-ant-oat` anywhere in the secret means Bearer; its absence means x-api-key."""
    secret = f"{filler}sk-ant-oat{filler}"
    assert "authorization" in request_headers(secret, era, "h") and "x-api-key" not in request_headers(secret, era, "h")
    plain = filler.replace("sk-ant-oat", "") or "k"
    assert request_headers(plain, era, "h")["x-api-key"] == plain


def test_configured_headers_merge_last_but_never_replace_the_credential() -> None:
    h = merge_configured_headers(
        request_headers(API, Era.SQLITE, "proxy"),
        {"anthropic-beta": "my-beta", "X-Api-Key": "other", "Authorization": "Bearer x", "x-team": "a", "n": 3},
    )
    assert h["anthropic-beta"] == "my-beta"
    assert h["x-api-key"] == API and "authorization" not in h
    assert h["x-team"] == "a" and "n" not in h


def test_deep_body_is_one_token_and_tokens_carry_the_identity() -> None:
    body = messages_body(API, Era.JSON, "claude-haiku-4-5")
    assert body == {"model": "claude-haiku-4-5", "max_tokens": 1, "messages": [{"role": "user", "content": "ping"}]}
    legacy = messages_body(OAT, Era.JSON, "m")["system"]
    assert legacy == [{"type": "text", "text": "You are Claude Code, Anthropic's official CLI for Claude."}]
    current = messages_body(OAT, Era.SQLITE, "m")["system"]
    assert current[0]["text"].startswith("x-anthropic-billing-header: cc_version=2.1.278;")
    assert current[1]["text"].startswith("You are Claude Code")


# --- classification on Anthropic's own words ------------------------------------------------


def error(status: int, etype: str, message: str, step: str = STEP_MODELS, **extra: object) -> object:
    body = {"type": "error", "error": {"type": etype, "message": message, **extra}, "request_id": "req_011CAbc"}
    return classify_response(step, status, {"request-id": "req_011CAbc"}, json.dumps(body))


@pytest.mark.parametrize(
    ("status", "etype", "message", "step", "code", "detail"),
    [
        (401, "authentication_error", "invalid x-api-key", STEP_MODELS, "probe.invalid_key", None),
        (401, "authentication_error", "Invalid bearer token", STEP_MODELS, "probe.invalid_key", None),
        (
            401,
            "authentication_error",
            "OAuth authentication is currently not supported.",
            STEP_MODELS,
            "probe.oauth_not_supported",
            "no_oauth_beta",
        ),
        (
            401,
            "authentication_error",
            "OAuth token has expired. Please obtain a new token or refresh your existing token.",
            STEP_MODELS,
            "probe.token_expired",
            None,
        ),
        (
            401,
            "authentication_error",
            "OAuth access token has expired. Re-authenticate to continue.",
            STEP_MODELS,
            "probe.token_expired",
            None,
        ),
        (403, "permission_error", "OAuth token has been revoked", STEP_MODELS, "probe.token_revoked", None),
        (401, "authentication_error", "OAuth token has been revoked", STEP_MODELS, "probe.token_revoked", None),
        (
            400,
            "invalid_request_error",
            "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.",
            STEP_MESSAGES,
            "probe.billing",
            "credit",
        ),
        (
            400,
            "invalid_request_error",
            "You have reached your specified API usage limits. You will regain access on 2026-12-01 at 00:00 UTC.",
            STEP_MESSAGES,
            "probe.billing",
            "spend_limit",
        ),
        (
            400,
            "invalid_request_error",
            "You have run out of extra usage",
            STEP_MESSAGES,
            "probe.billing",
            "extra_usage",
        ),
        (
            400,
            "invalid_request_error",
            "This credential is only authorized for use with Claude Code and cannot be used for other API requests.",
            STEP_MESSAGES,
            "probe.oauth_not_supported",
            "subscription_policy",
        ),
        (402, "billing_error", "Payment required", STEP_MESSAGES, "probe.billing", "payment"),
        (
            403,
            "permission_error",
            "Your API key does not have permission to use the specified resource.",
            STEP_MODELS,
            "probe.permission",
            None,
        ),
        (404, "not_found_error", "model: claude-haiku-4-5", STEP_MESSAGES, "probe.model_not_found", None),
        (404, "not_found_error", "Not Found", STEP_MODELS, "probe.wrong_path", None),
        (
            429,
            "rate_limit_error",
            "Number of request tokens has exceeded your rate limit.",
            STEP_MODELS,
            "probe.rate_limited",
            None,
        ),
        (529, "overloaded_error", "Overloaded", STEP_MODELS, "probe.overloaded", None),
        (504, "timeout_error", "Request timeout", STEP_MESSAGES, "probe.timeout", "gateway"),
        (500, "api_error", "Internal server error", STEP_MODELS, "probe.unexpected", None),
        (400, "invalid_request_error", "messages: field required", STEP_MESSAGES, "probe.unexpected", None),
    ],
)
def test_anthropic_answers_classify(
    status: int, etype: str, message: str, step: str, code: str, detail: str | None
) -> None:
    o = error(status, etype, message, step)
    assert (o.code, o.detail) == (code, detail)
    assert o.message == message and o.error_type == etype and o.request_id == "req_011CAbc"


def test_spend_cap_429_is_billing_not_a_rate_limit() -> None:
    o = error(
        429,
        "rate_limit_error",
        "You have reached your monthly spend limit.",
        details={"error_code": "enforced_spend_limit_reached"},
    )
    assert (o.code, o.detail) == ("probe.billing", "spend_cap")


def test_ok_needs_an_anthropic_shaped_body() -> None:
    headers = {"request-id": "req_1", "anthropic-organization-id": "org-uuid"}
    ok = classify_response(STEP_MODELS, 200, headers, json.dumps({"data": [], "has_more": False}))
    assert (ok.code, ok.org_id, ok.request_id) == ("probe.ok", "org-uuid", "req_1")
    portal = classify_response(STEP_MODELS, 200, {}, "<html><body>Sign in to the Wi-Fi</body></html>")
    assert (portal.code, portal.detail) == ("probe.unexpected", "not_anthropic")
    assert portal.message and "Sign in" in portal.message
    msg = classify_response(STEP_MESSAGES, 200, {}, json.dumps({"type": "message", "content": []}))
    assert msg.code == "probe.ok"


def test_request_id_from_the_body_when_the_header_is_missing() -> None:
    body = {"type": "error", "error": {"type": "authentication_error", "message": "x"}, "request_id": "req_body"}
    assert classify_response(STEP_MODELS, 401, {}, json.dumps(body)).request_id == "req_body"


def test_redirect_names_the_target_host_and_port_only() -> None:
    o = classify_response(STEP_MODELS, 307, {"location": "https://user:pw@evil.example:8443/v1/models"}, "")
    assert (o.code, o.status, o.detail) == ("probe.unexpected", 307, "redirect:evil.example:8443")


def test_network_failures_are_named() -> None:
    def connect_error(cause: BaseException) -> httpx.ConnectError:
        exc = httpx.ConnectError("boom")
        exc.__cause__ = cause
        return exc

    dns = classify_exception(connect_error(socket.gaierror(-2, "Name or service not known")), proxy=None)
    assert (dns.code, dns.detail) == ("probe.network", "dns")
    tls = classify_exception(connect_error(ssl.SSLError(1, "[SSL: CERTIFICATE_VERIFY_FAILED]")), proxy=None)
    assert tls.detail == "tls"
    refused = classify_exception(connect_error(ConnectionRefusedError(111, "Connection refused")), proxy=None)
    assert refused.detail == "refused"
    via_proxy = classify_exception(connect_error(ConnectionRefusedError(111, "refused")), proxy="http://p:3128")
    assert via_proxy.detail == "proxy"
    assert classify_exception(httpx.ProxyError("407"), proxy="http://p").detail == "proxy"
    assert classify_exception(httpx.ReadTimeout("slow"), proxy=None).code == "probe.timeout"
    assert classify_exception(TimeoutError(), proxy=None).code == "probe.timeout"
    assert classify_exception(httpx.RemoteProtocolError("closed"), proxy=None).detail == "dropped"
    assert classify_exception(ValueError("odd"), proxy=None).code == "probe.unexpected"


# --- masking --------------------------------------------------------------------------------


def test_redactor_masks_known_secrets_and_anything_shaped_like_one() -> None:
    other = fakekeys.openrouter_key("r")
    redact = Scrubber([API, other, "short"], era=Era.JSON)
    text = f"key {API} and {other} and {OAT}!"
    out = redact(text)
    assert API not in out and other not in out and OAT not in out
    assert f"{API[:8]}...{API[-8:]}" in out and f"{OAT[:8]}...{OAT[-8:]}" in out
    assert redact("short text stays") == "short text stays"
    assert redact.optional(None) is None


# --- base URL and proxy ---------------------------------------------------------------------


def test_base_url_config_then_models_json_then_default(tmp_path: Path) -> None:
    agent_dir = tmp_path / "agent"
    agent_dir.mkdir()
    assert resolve_base_url({}, agent_dir, Era.JSON).url == "https://api.anthropic.com"
    (agent_dir / "models.json").write_text(json.dumps({"providers": {"anthropic": {"baseUrl": "http://stale:1"}}}))
    stale = resolve_base_url({}, agent_dir, Era.JSON)
    assert (stale.url, stale.source, stale.where) == ("http://stale:1", "models.json", str(agent_dir / "models.json"))
    config = {"models": {"providers": {"anthropic": {"baseUrl": " http://cfg:2/ ", "models": []}}}}
    cfg = resolve_base_url(config, agent_dir, Era.JSON)
    assert (cfg.url, cfg.source, cfg.where) == ("http://cfg:2/", "config", "models.providers.anthropic.baseUrl")
    blank = {"models": {"providers": {"anthropic": {"baseUrl": "  "}}}}
    assert resolve_base_url(blank, agent_dir, Era.SQLITE).source == "models.json"


def test_base_url_key_is_found_like_openclaw(tmp_path: Path) -> None:
    config = {"models": {"providers": {"Anthropic ": {"baseUrl": "http://norm:3"}}}}
    found = resolve_base_url(config, tmp_path, Era.SQLITE)
    assert (found.url, found.where) == ("http://norm:3", "models.providers.Anthropic .baseUrl")
    both = {"models": {"providers": {"ANTHROPIC": {"baseUrl": "http://a"}, "anthropic": {"baseUrl": "http://exact"}}}}
    assert resolve_base_url(both, tmp_path, Era.SQLITE).url == "http://exact"


def test_paths_are_appended_like_the_sdk() -> None:
    assert BaseUrl("https://api.anthropic.com", "default", "").endpoint("/v1/models") == (
        "https://api.anthropic.com/v1/models"
    )
    assert BaseUrl("http://h/", "config", "").endpoint("/v1/messages") == "http://h/v1/messages"
    v1 = BaseUrl("http://h:9/v1", "config", "")
    assert v1.endpoint("/v1/messages") == "http://h:9/v1/v1/messages" and v1.ends_in_v1
    creds = BaseUrl("https://user:secret@h:8443/p", "config", "")
    assert creds.display == "https://h:8443/p" and creds.host == "h:8443"
    assert not BaseUrl("ftp://h", "config", "").valid and not BaseUrl("http://h:99999", "config", "").valid
    bad_port = BaseUrl("http://user:hunter2@h:99999/x", "config", "")
    assert "hunter2" not in bad_port.host + bad_port.display


def test_proxy_choice_follows_httpx(monkeypatch: pytest.MonkeyPatch) -> None:
    assert proxy_for("https://api.anthropic.com/v1/models") is None
    monkeypatch.setenv("HTTPS_PROXY", "http://user:pw@proxy.corp:3128")
    monkeypatch.setenv("HTTP_PROXY", "http://plain:8080")
    assert proxy_for("https://api.anthropic.com/v1/models") == "http://proxy.corp:3128"
    assert proxy_for("http://127.0.0.1:9/v1/models") == "http://plain:8080"
    monkeypatch.setenv("NO_PROXY", "anthropic.com,127.0.0.1")
    assert proxy_for("https://api.anthropic.com/v1/models") is None
    assert proxy_for("http://127.0.0.1:9/v1/models") is None
