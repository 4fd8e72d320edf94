"""The live probe against real HTTP servers on 127.0.0.1 that answer like Anthropic.

Installs point at the fake through `models.providers.anthropic.baseUrl`, exactly as a user's
proxy would be configured, and are built with `tests.builders` for both storage eras.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

import pytest

from openclaw_triage.cli.probe import probe_json, probe_text
from openclaw_triage.diagnose.run import Diagnosis, diagnose
from openclaw_triage.findings import Severity
from openclaw_triage.model import Era
from openclaw_triage.openclaw.install import inspect_install
from openclaw_triage.openclaw.locate import Options
from openclaw_triage.probe import ProbeError, ProbeResult, probe_profiles, probe_profiles_sync
from tests import fakekeys
from tests.builders import CurrentHome, LegacyHome, api_key_profile, token_profile, write_json
from tests.fakeanthropic import Reply
from tests.probe_server import ORG_ID, ForwardProxy, HungServer, ProbeReply, ProbeServer, refused_port

GOOD = fakekeys.api_key("probe-good")
BAD = fakekeys.api_key("probe-bad")
OAT = fakekeys.oauth_token("probe-oat")
PID = "anthropic:default"
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

CREDIT = "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."
SPEND = "You have reached your specified API usage limits. You will regain access on 2026-12-01 at 00:00 UTC."
POLICY = "This credential is only authorized for use with Claude Code and cannot be used for other API requests."
EXPIRED = "OAuth token has expired. Please obtain a new token or refresh your existing token."


@pytest.fixture(autouse=True)
def _no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback requests must not wander through a proxy the test machine happens to set."""
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)


def providers(base_url: str | None, era: Era = Era.JSON) -> dict[str, Any]:
    if base_url is None:
        return {}
    entry: dict[str, Any] = {"baseUrl": base_url}
    if era is Era.JSON:
        entry["models"] = []  # 2026.3's schema wants it
    return {"models": {"providers": {"anthropic": entry}}}


def legacy(home: Path, profiles: dict[str, Any], base_url: str | None, **config: Any) -> Diagnosis:
    LegacyHome(home).config({**providers(base_url), **config}).store({"profiles": profiles})
    return run_diagnose(home)


def current(home: Path, profiles: dict[str, Any], base_url: str | None) -> Diagnosis:
    h = CurrentHome(home).config({"agents": {"entries": {"main": {}}}, **providers(base_url, Era.SQLITE)})
    h.shared_store({"profiles": profiles})
    return run_diagnose(home)


def run_diagnose(home: Path, **env: str) -> Diagnosis:
    return diagnose(inspect_install(Options(), env={"HOME": str(home), "PATH": "", **env}))


def one(diag: Diagnosis, **kw: Any) -> ProbeResult:
    results = probe_profiles_sync(diag, **kw)
    assert len(results) == 1, results
    return results[0]


def probe_key(tmp_path: Path, reply: Reply, *, secret: str = GOOD, post: Reply | None = None, deep: bool = False):
    with ProbeServer({secret: reply}, post={secret: post} if post else None) as api:
        result = one(legacy(tmp_path, {PID: api_key_profile(secret)}, api.url), deep=deep)
        return result, list(api.seen)


# --- every classification -------------------------------------------------------------------


def test_ok_shows_org_latency_request_id_and_host(tmp_path: Path) -> None:
    with ProbeServer({GOOD: Reply.ok()}) as api:
        r = one(legacy(tmp_path, {PID: api_key_profile(GOOD)}, api.url))
        assert (r.code, r.status, r.org_id) == ("probe.ok", 200, ORG_ID)
        assert r.request_id == "req_fake_000001" and r.latency_ms is not None and r.latency_ms > 0
        assert r.host == f"127.0.0.1:{api.port}" and r.path == "/v1/models?limit=1"
        assert (r.auth, r.proxy, r.base_url_source) == ("x-api-key", None, "config")
        assert r.finding.severity is Severity.INFO and r.finding.subject == PID
        assert "req_fake_000001" in r.finding.message and ORG_ID in r.finding.message
        assert [s.path for s in api.seen] == ["/v1/models?limit=1"]


def test_invalid_key_names_the_fix_and_is_not_retried(tmp_path: Path) -> None:
    r, seen = probe_key(tmp_path, Reply.invalid_key(), deep=True)
    assert (r.code, r.status, r.error_type, r.error_message) == (
        "probe.invalid_key",
        401,
        "authentication_error",
        "invalid x-api-key",
    )
    assert r.finding.severity is Severity.ERROR
    assert "openclaw-triage key set" in (r.finding.fix or "") and "secrets reload" in (r.finding.fix or "")
    assert r.request_id in r.finding.message
    assert len(seen) == 1  # no retry, and no Messages call after a 401


def test_forbidden_is_not_retried_either(tmp_path: Path) -> None:
    r, seen = probe_key(tmp_path, Reply.permission_denied(), deep=True)
    assert (r.code, r.status, r.finding.severity) == ("probe.permission", 403, Severity.ERROR)
    assert "Workspaces" in (r.finding.fix or "")
    assert len(seen) == 1


def test_token_without_oauth_support(tmp_path: Path) -> None:
    reply = Reply.error(401, "authentication_error", "OAuth authentication is currently not supported.")
    with ProbeServer({OAT: reply}) as api:
        r = one(legacy(tmp_path, {"anthropic:manual": token_profile(OAT)}, api.url))
    assert (r.code, r.auth) == ("probe.oauth_not_supported", "bearer")
    assert "Console API key" in (r.finding.fix or "")


def test_subscription_policy_400_on_the_deep_call(tmp_path: Path) -> None:
    with ProbeServer({OAT: Reply.ok()}, post={OAT: Reply.error(400, "invalid_request_error", POLICY)}) as api:
        diag = legacy(tmp_path, {"anthropic:manual": token_profile(OAT)}, api.url)
        shallow = one(diag)
        deep = one(diag, deep=True)
        post = api.seen[-1]
    assert shallow.code == "probe.ok" and "--deep" in shallow.finding.message
    assert (deep.code, deep.status, deep.error_message) == ("probe.oauth_not_supported", 400, POLICY)
    assert deep.steps == ["GET /v1/models?limit=1 → 200", "POST /v1/messages → 400"]
    assert post.method == "POST" and post.path == "/v1/messages"


def test_expired_and_revoked_tokens(tmp_path: Path) -> None:
    expired = Reply.error(401, "authentication_error", EXPIRED)
    revoked = Reply.error(403, "permission_error", "OAuth token has been revoked")
    other = fakekeys.oauth_token("revoked")
    with ProbeServer({OAT: expired, other: revoked}) as api:
        profiles = {"anthropic:a": token_profile(OAT), "anthropic:b": token_profile(other)}
        results = probe_profiles_sync(legacy(tmp_path, profiles, api.url))
    assert [r.code for r in results] == ["probe.token_expired", "probe.token_revoked"]
    assert all("claude setup-token" in (r.finding.fix or "") for r in results)
    assert results[0].error_message == EXPIRED


@pytest.mark.parametrize(
    ("post", "detail_text", "fix_text"),
    [
        (Reply.billing(), "out of prepaid credits", "Plans & Billing"),
        (Reply.error(400, "invalid_request_error", CREDIT), "out of prepaid credits", "Plans & Billing"),
        (Reply.error(400, "invalid_request_error", SPEND), "spend limit you set", "Limits"),
        (
            ProbeReply(
                429, "rate_limit_error", "Spend limit reached", details={"error_code": "enforced_spend_limit_reached"}
            ),
            "monthly spend cap",
            "Limits",
        ),
        (Reply.error(402, "billing_error", "Payment required"), "payment details", "Plans & Billing"),
    ],
)
def test_billing_shows_only_on_the_deep_call(tmp_path: Path, post: Reply, detail_text: str, fix_text: str) -> None:
    with ProbeServer({GOOD: Reply.ok()}, post={GOOD: post}) as api:
        diag = legacy(tmp_path, {PID: api_key_profile(GOOD)}, api.url)
        assert one(diag).code == "probe.ok"  # the free call cannot see billing
        r = one(diag, deep=True)
        body = api.seen[-1]
    assert (r.code, r.finding.severity) == ("probe.billing", Severity.ERROR)
    assert detail_text in r.finding.message and fix_text in (r.finding.fix or "")
    assert "paste the key again" in (r.finding.fix or "")
    assert body.method == "POST" and body.headers["content-type"] == "application/json"


def test_deep_body_is_the_cheapest_call(tmp_path: Path) -> None:
    with ProbeServer({GOOD: Reply.ok()}) as api:
        r = one(legacy(tmp_path, {PID: api_key_profile(GOOD)}, api.url), deep=True)
        body = api.requests[-1].body
    assert r.code == "probe.ok" and r.path == "/v1/messages"
    assert body == {"model": "claude-haiku-4-5", "max_tokens": 1, "messages": [{"role": "user", "content": "ping"}]}


def test_model_not_found_on_the_deep_call(tmp_path: Path) -> None:
    post = Reply.error(404, "not_found_error", "model: claude-haiku-4-5")
    r, _ = probe_key(tmp_path, Reply.ok(), post=post, deep=True)
    assert (r.code, r.status) == ("probe.model_not_found", 404)
    assert "claude-haiku-4-5" in r.finding.message


def test_rate_limited_is_a_warning_with_retry_after(tmp_path: Path) -> None:
    r, _ = probe_key(tmp_path, Reply.rate_limited("12"))
    assert (r.code, r.retry_after, r.finding.severity) == ("probe.rate_limited", "12", Severity.WARNING)
    assert "12 s" in r.finding.message and "12 s" in (r.finding.fix or "")


def test_overloaded_529_is_a_warning(tmp_path: Path) -> None:
    r, _ = probe_key(tmp_path, Reply.overloaded())
    assert (r.code, r.status, r.finding.severity) == ("probe.overloaded", 529, Severity.WARNING)
    assert r.error_message == "Overloaded" and r.request_id


def test_unexpected_answers_are_shown_verbatim(tmp_path: Path) -> None:
    r, _ = probe_key(tmp_path, Reply.error(500, "api_error", "Internal server error"))
    assert (r.code, r.status, r.finding.severity) == ("probe.unexpected", 500, Severity.WARNING)
    assert "500 api_error: Internal server error" in r.finding.message


def test_a_200_that_is_not_anthropic_is_unexpected(tmp_path: Path) -> None:
    portal = ProbeReply(200, raw_body="<html><title>Hotel Wi-Fi login</title></html>")
    r, _ = probe_key(tmp_path, portal)
    assert (r.code, r.status, r.finding.severity) == ("probe.unexpected", 200, Severity.ERROR)
    assert "Hotel Wi-Fi login" in r.finding.message


def test_v1_suffixed_base_url_gives_the_404_and_its_cause(tmp_path: Path) -> None:
    with ProbeServer({GOOD: Reply.ok()}) as api:
        r = one(legacy(tmp_path, {PID: api_key_profile(GOOD)}, api.url + "/v1"), deep=True)
        paths = [s.path for s in api.seen]
        port = api.port
    assert paths == ["/v1/v1/models?limit=1", "/v1/v1/messages"]  # as OpenClaw builds them
    assert (r.code, r.status, r.path) == ("probe.wrong_path", 404, "/v1/v1/messages")
    assert "ends in /v1" in r.finding.message
    assert r.finding.fix == f"openclaw config set models.providers.anthropic.baseUrl http://127.0.0.1:{port}"


def test_proxy_without_models_endpoint_is_decided_by_the_deep_call(tmp_path: Path) -> None:
    no_models = ProbeReply(404, "not_found_error", "Not Found")
    with ProbeServer({GOOD: no_models}, post={GOOD: Reply.ok()}) as api:
        diag = legacy(tmp_path, {PID: api_key_profile(GOOD)}, api.url)
        shallow = one(diag)
        deep = one(diag, deep=True)
    assert shallow.code == "probe.wrong_path" and "--deep" in shallow.finding.message
    assert deep.code == "probe.ok" and "no /v1/models" in deep.finding.message


# --- network failures -----------------------------------------------------------------------


def test_hung_server_times_out_fast(tmp_path: Path) -> None:
    with HungServer() as hung:
        diag = legacy(tmp_path, {PID: api_key_profile(GOOD)}, hung.url)
        start = time.perf_counter()
        r = one(diag, timeout=0.3)
        elapsed = time.perf_counter() - start
    assert (r.code, r.finding.severity, r.status) == ("probe.timeout", Severity.WARNING, None)
    assert elapsed < 3
    assert "0.3 s" in r.finding.message and "--timeout" in (r.finding.fix or "")


def test_refused_port_is_a_network_error(tmp_path: Path) -> None:
    port = refused_port()
    r = one(legacy(tmp_path, {PID: api_key_profile(GOOD)}, f"http://127.0.0.1:{port}"))
    assert (r.code, r.finding.severity, r.host) == ("probe.network", Severity.ERROR, f"127.0.0.1:{port}")
    assert "nothing accepts connections" in r.finding.message
    assert "config unset models.providers.anthropic.baseUrl" in (r.finding.fix or "")


def test_tls_to_a_plain_http_server_is_a_tls_error(tmp_path: Path) -> None:
    with ProbeServer({GOOD: Reply.ok()}) as api:
        r = one(legacy(tmp_path, {PID: api_key_profile(GOOD)}, f"https://127.0.0.1:{api.port}"))
    assert (r.code, r.finding.severity) == ("probe.network", Severity.ERROR)
    assert "TLS" in r.finding.message


def test_redirect_to_another_host_is_not_followed(tmp_path: Path) -> None:
    with ProbeServer({GOOD: Reply.ok()}) as elsewhere:
        target = f"{elsewhere.url}/v1/models?limit=1"
        with ProbeServer({GOOD: ProbeReply.redirect(target)}) as api:
            r = one(legacy(tmp_path, {PID: api_key_profile(GOOD)}, api.url), deep=True)
        assert elsewhere.seen == []
        assert f"127.0.0.1:{elsewhere.port}" in r.finding.message and "not followed" in r.finding.message
    assert (r.code, r.status, r.finding.severity) == ("probe.unexpected", 302, Severity.ERROR)
    assert len(r.steps) == 1


# --- proxies ----------------------------------------------------------------------------------


def test_http_proxy_from_the_environment_is_used_and_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with ProbeServer({GOOD: Reply.ok()}) as api, ForwardProxy() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url.replace("http://", "http://user:hunter2@"))
        r = one(legacy(tmp_path, {PID: api_key_profile(GOOD)}, api.url))
        assert proxy.urls == [f"GET {api.url}/v1/models?limit=1"]
        assert len(api.seen) == 1
    assert r.code == "probe.ok" and r.proxy == proxy.url
    assert "hunter2" not in json.dumps(r.to_json()) + repr(r)


def test_no_proxy_bypasses_the_proxy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with ProbeServer({GOOD: Reply.ok()}) as api, ForwardProxy() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        r = one(legacy(tmp_path, {PID: api_key_profile(GOOD)}, api.url))
        assert proxy.urls == []
    assert (r.code, r.proxy) == ("probe.ok", None)


def test_dead_proxy_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{refused_port()}")
    with ProbeServer({GOOD: Reply.ok()}) as api:
        r = one(legacy(tmp_path, {PID: api_key_profile(GOOD)}, api.url))
        assert api.seen == []
    assert r.code == "probe.network" and "proxy" in r.finding.message and "HTTP_PROXY" in (r.finding.fix or "")


# --- what is sent, per era and key text -------------------------------------------------------


def test_headers_2026_3_per_key_text_not_profile_type(tmp_path: Path) -> None:
    with ProbeServer(unknown=Reply.ok()) as api:
        profiles = {
            "anthropic:default": api_key_profile(OAT),  # a token in an api_key profile: still Bearer
            "anthropic:manual": token_profile(GOOD),  # a key in a token profile: still x-api-key
        }
        results = probe_profiles_sync(legacy(tmp_path, profiles, api.url))
        seen = {r.headers.get("x-api-key") or r.headers["authorization"]: r.headers for r in api.seen}
    assert [r.auth for r in results] == ["bearer", "x-api-key"]
    bearer = seen[f"Bearer {OAT}"]
    assert "x-api-key" not in bearer
    assert bearer["anthropic-beta"] == "claude-code-20250219,oauth-2025-04-20,fine-grained-tool-streaming-2025-05-14"
    assert (bearer["user-agent"], bearer["x-app"], bearer["anthropic-version"]) == (
        "claude-cli/2.1.75",
        "cli",
        "2023-06-01",
    )
    key = seen[GOOD]
    assert "authorization" not in key and "x-app" not in key
    assert (key["anthropic-beta"], key["user-agent"]) == (
        "fine-grained-tool-streaming-2025-05-14",
        "Anthropic/JS 0.73.0",
    )


def test_headers_2026_9_to_a_custom_host(tmp_path: Path) -> None:
    with ProbeServer(unknown=Reply.ok()) as api:
        profiles = {"anthropic:default": api_key_profile(GOOD), "anthropic:manual": token_profile(OAT)}
        diag = current(tmp_path, profiles, api.url)
        assert diag.install.era is Era.SQLITE
        probe_profiles_sync(diag, deep=True)
        by_cred = {(r.method, r.headers.get("x-api-key") or r.headers["authorization"]): r for r in api.seen}
        bodies = {r.credential: r.body for r in api.requests if r.method == "POST"}
    key = by_cred["GET", GOOD].headers
    assert "anthropic-beta" not in key  # 2026.9: no implicit betas for a non-Anthropic host
    assert key["user-agent"] == "Anthropic/JS 0.125.0"
    token = by_cred["GET", f"Bearer {OAT}"].headers
    assert token["anthropic-beta"] == "claude-code-20250219,oauth-2025-04-20"
    assert token["user-agent"] == "claude-cli/2.1.278" and token["x-app"] == "cli"
    assert "system" not in bodies[GOOD]
    assert bodies[OAT]["system"][1]["text"] == "You are Claude Code, Anthropic's official CLI for Claude."


def test_secret_is_sent_trimmed_as_openclaw_sends_it(tmp_path: Path) -> None:
    with ProbeServer({GOOD: Reply.ok()}) as api:
        r = one(legacy(tmp_path, {PID: api_key_profile(f"  {GOOD}\r\n")}, api.url))
        assert api.credentials() == [GOOD]
    assert r.code == "probe.ok"


def test_ref_resolved_from_the_environment_is_probed(tmp_path: Path) -> None:
    with ProbeServer({GOOD: Reply.ok()}) as api:
        LegacyHome(tmp_path).config(providers(api.url)).store(
            {"profiles": {PID: {"type": "api_key", "provider": "anthropic", "keyRef": {"source": "env", "provider": "default", "id": "MY_KEY"}}}}
        )  # fmt: skip
        r = one(run_diagnose(tmp_path, MY_KEY=GOOD))
        assert api.credentials() == [GOOD]
    assert r.code == "probe.ok"


# --- no request for what cannot work ---------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "says"),
    [
        (GOOD[:50] + " " + GOOD[50:], "space or tab inside"),
        (GOOD[:50] + "\n" + GOOD[50:], "line break"),
        (GOOD[:-4], "shortened"),
        (fakekeys.openrouter_key("x"), "OpenRouter"),
        (fakekeys.refresh_token("x"), "refresh token"),
        (fakekeys.admin_key("x"), "Admin API key"),
        (GOOD[:8] + "..." + GOOD[-8:], "masked copy"),
        ("your-api-key-here", "placeholder"),
        ("${ANTHROPIC_API_KEY}", "does not resolve"),
    ],
)
def test_malformed_secret_is_a_finding_without_a_request(tmp_path: Path, stored: str, says: str) -> None:
    with ProbeServer(unknown=Reply.ok()) as api:
        r = one(legacy(tmp_path, {PID: api_key_profile(stored)}, api.url), deep=True)
        assert api.seen == []
    assert (r.code, r.sent, r.status, r.path) == ("probe.skipped", False, None, None)
    assert r.finding.severity is Severity.ERROR
    assert r.finding.message.startswith(f"No request sent for {PID}:") and says in r.finding.message
    assert r.finding.fix


def test_unresolved_key_ref_is_not_sent(tmp_path: Path) -> None:
    with ProbeServer(unknown=Reply.ok()) as api:
        LegacyHome(tmp_path).config(providers(api.url)).store(
            {"profiles": {PID: {"type": "api_key", "provider": "anthropic", "keyRef": {"source": "env", "provider": "default", "id": "NOPE"}}}}
        )  # fmt: skip
        r = one(run_diagnose(tmp_path))
        assert api.seen == []
    assert (r.code, r.finding.severity) == ("probe.skipped", Severity.ERROR)
    assert "NOPE" in r.finding.message


def test_providers_the_probe_does_not_know_are_left_alone(tmp_path: Path) -> None:
    other = "mm-" + fakekeys.api_key("minimax")[13:]
    with ProbeServer(unknown=Reply.ok()) as api:
        profiles = {PID: api_key_profile(GOOD), "minimax:default": api_key_profile(other, "minimax")}
        diag = legacy(tmp_path, profiles, api.url)
        assert [r.profile_id for r in probe_profiles_sync(diag)] == [PID]
        asked = one(diag, profile_id="minimax:default")
        assert api.credentials() == [GOOD]
    assert (asked.code, asked.finding.severity) == ("probe.skipped", Severity.INFO)
    assert other not in json.dumps(asked.to_json())
    with pytest.raises(ProbeError, match="no auth profile"):
        probe_profiles_sync(diag, profile_id="anthropic:nope")


# --- where the base URL comes from -------------------------------------------------------------


def test_stale_models_json_base_url_is_used_when_config_has_none(tmp_path: Path) -> None:
    with ProbeServer({GOOD: Reply.ok()}) as stale, ProbeServer({GOOD: Reply.ok()}) as cfg:
        h = LegacyHome(tmp_path).config({})
        h.store({"profiles": {PID: api_key_profile(GOOD)}})
        write_json(
            h.state / "agents" / "main" / "agent" / "models.json", {"providers": {"anthropic": {"baseUrl": stale.url}}}
        )
        r = one(run_diagnose(tmp_path))
        assert (r.base_url_source, r.host) == ("models.json", f"127.0.0.1:{stale.port}")
        assert len(stale.seen) == 1
        h.config(providers(cfg.url))  # the config wins over models.json
        r = one(run_diagnose(tmp_path))
        assert (r.base_url_source, r.host, len(stale.seen), len(cfg.seen)) == ("config", f"127.0.0.1:{cfg.port}", 1, 1)


# --- API shape: streaming, concurrency, async ------------------------------------------------


def test_results_stream_through_on_result_with_limited_concurrency(tmp_path: Path) -> None:
    keys = [fakekeys.api_key(f"c{i}") for i in range(8)]
    slow = ProbeReply(200, delay=0.15, raw_body='{"data": [], "has_more": false}')
    with ProbeServer(dict.fromkeys(keys, slow)) as api:
        diag = legacy(tmp_path, {f"anthropic:p{i}": api_key_profile(k) for i, k in enumerate(keys)}, api.url)
        seen: list[str] = []
        results = probe_profiles_sync(diag, on_result=lambda r: seen.append(r.profile_id), concurrency=4)
        assert api.max_in_flight <= 4
    assert sorted(seen) == sorted(r.profile_id for r in results) and len(seen) == 8
    assert [r.profile_id for r in results] == [f"anthropic:p{i}" for i in range(8)]  # profile order
    assert {r.code for r in results} == {"probe.ok"}


async def test_async_api_for_the_tui_worker(tmp_path: Path) -> None:
    with ProbeServer({GOOD: Reply.ok(), BAD: Reply.invalid_key()}) as api:
        profiles = {
            PID: api_key_profile(GOOD),
            "anthropic:bad": api_key_profile(BAD),
            "anthropic:sp": api_key_profile("x y"),
        }
        diag = legacy(tmp_path, profiles, api.url)
        streamed: list[str] = []

        async def pane(result: ProbeResult) -> None:
            await asyncio.sleep(0)
            streamed.append(result.code)

        results = await probe_profiles(diag, on_result=pane)
    assert [r.code for r in results] == ["probe.ok", "probe.invalid_key", "probe.skipped"]
    assert streamed[0] == "probe.skipped"  # local verdicts arrive before any network answer
    assert sorted(streamed) == sorted(r.code for r in results)


# --- never leak the secret ------------------------------------------------------------------


def test_no_output_log_exception_or_repr_holds_the_secret(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    echo = Reply.error(401, "authentication_error", f"invalid x-api-key {GOOD} (echoed by a bad proxy)")
    page = ProbeReply(200, raw_body=f"<html>your key {OAT}</html>")
    third = fakekeys.api_key("third")
    caplog.set_level(logging.DEBUG)
    with ProbeServer({GOOD: echo, OAT: page, third: Reply.ok()}, post={third: Reply.billing()}) as api:
        profiles = {
            PID: api_key_profile(GOOD),
            "anthropic:tok": token_profile(OAT),
            "anthropic:third": api_key_profile(third),
            "anthropic:space": api_key_profile(BAD[:40] + " " + BAD[40:]),
        }
        diag = legacy(tmp_path, profiles, api.url)
        results = probe_profiles_sync(diag, deep=True)
        with HungServer() as hung:
            diag2 = legacy(tmp_path / "h", {PID: api_key_profile(GOOD)}, hung.url)
            results += probe_profiles_sync(diag2, timeout=0.2)
    assert {r.code for r in results} >= {"probe.invalid_key", "probe.unexpected", "probe.billing", "probe.skipped"}
    everything = "\n".join(
        [
            probe_text(diag, results, deep=True),
            json.dumps(probe_json(diag, results, deep=True)),
            repr(results),
            *(str(r) for r in results),
            *(r.getMessage() + str(r.exc_info or "") for r in caplog.records),
        ]
    )
    for secret in (GOOD, OAT, third, BAD):
        for part in (secret, secret[13:60], secret[40:]):
            assert part not in everything
    assert f"{GOOD[:8]}...{GOOD[-8:]}" in everything  # the echo was masked, not dropped


def test_secret_only_goes_to_the_configured_host(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Property: whatever the config, models.json or redirects say, the key reaches only the
    host OpenClaw itself would use, never another one."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    with ProbeServer(unknown=Reply.ok()) as other, ProbeServer(unknown=Reply.ok()) as target:

        @settings(max_examples=25, deadline=None)
        @given(
            source=st.sampled_from(["config", "models.json", "both", "normalised"]),
            redirect=st.booleans(),
            deep=st.booleans(),
            oauth=st.booleans(),
            era=st.sampled_from(["legacy", "current"]),
            path=st.sampled_from(["", "/", "/proxy", "/v1"]),
        )
        def check(source: str, redirect: bool, deep: bool, oauth: bool, era: str, path: str) -> None:
            secret = fakekeys.oauth_token(f"{source}{deep}") if oauth else fakekeys.api_key(f"{source}{deep}")
            reply = ProbeReply.redirect(f"{other.url}/v1/models") if redirect else Reply.ok()
            target.set_key(secret, reply)
            home = tmp_path_factory.mktemp("prop")
            profile = {PID: api_key_profile(secret)}
            url, elsewhere = target.url + path, other.url + path
            config_url = {"config": url, "both": url, "normalised": url}.get(source)
            models_json_url = {"models.json": url, "both": elsewhere}.get(source)
            builder = LegacyHome(home) if era == "legacy" else CurrentHome(home)
            cfg: dict[str, Any] = {"agents": {"entries": {"main": {}}}} if era == "current" else {}
            if config_url:
                key = "Anthropic" if source == "normalised" else "anthropic"
                cfg["models"] = {"providers": {key: {"baseUrl": config_url, "models": []}}}
            builder.config(cfg)
            if isinstance(builder, LegacyHome):
                builder.store({"profiles": profile})
            else:
                builder.shared_store({"profiles": profile})
            if models_json_url:
                write_json(
                    builder.state / "agents" / "main" / "agent" / "models.json",
                    {"providers": {"anthropic": {"baseUrl": models_json_url}}},
                )
            results = probe_profiles_sync(run_diagnose(home), deep=deep, timeout=5)
            assert results[0].host == f"127.0.0.1:{target.port}"
            assert all(secret not in json.dumps(s.headers) for s in other.seen)
            arrived = [s for s in target.seen if secret in json.dumps(s.headers)]
            assert arrived and all(s.headers["host"] == f"127.0.0.1:{target.port}" for s in arrived)

        check()
        assert other.seen == []


def test_probe_module_does_not_import_httpx_until_it_sends() -> None:
    import subprocess
    import sys

    code = "import sys, openclaw_triage.probe, openclaw_triage.cli.probe; print('httpx' in sys.modules)"
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(root)},
        check=False,
        timeout=60,
    )
    assert proc.stdout.strip() == "False", proc.stderr


def test_a_failing_callback_does_not_stop_the_probe(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with ProbeServer({GOOD: Reply.ok(), BAD: Reply.invalid_key()}) as api:
        diag = legacy(tmp_path, {PID: api_key_profile(GOOD), "anthropic:bad": api_key_profile(BAD)}, api.url)

        def broken(result: ProbeResult) -> None:
            raise RuntimeError("pane gone")

        results = probe_profiles_sync(diag, on_result=broken)
    assert [r.code for r in results] == ["probe.ok", "probe.invalid_key"]
    assert sum("on_result callback failed" in r.getMessage() for r in caplog.records) == 2


def test_progress_is_drawn_only_at_a_terminal(tmp_path: Path) -> None:
    import io

    from openclaw_triage.cli.probe import Progress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    with ProbeServer({GOOD: Reply.ok()}) as api:
        (result,) = probe_profiles_sync(legacy(tmp_path, {PID: api_key_profile(GOOD)}, api.url))
    tty, pipe = Tty(), io.StringIO()
    for stream in (tty, pipe):
        progress = Progress(1, stream)
        progress(result)
        progress.close()
    assert "probing… 1/1 (anthropic:default: probe.ok)" in tty.getvalue() and tty.getvalue().endswith("\r\x1b[2K")
    assert pipe.getvalue() == ""
