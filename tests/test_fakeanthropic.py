"""The fake Anthropic server answers per credential and records what arrived."""

from __future__ import annotations

import json

import httpx

from tests import fakekeys
from tests.fakeanthropic import FakeAnthropic, Reply

GOOD = fakekeys.api_key("fake-good")
BAD = fakekeys.api_key("fake-bad")
OAT = fakekeys.oauth_token("fake-oat")


def test_per_key_replies_and_recording() -> None:
    with FakeAnthropic(keys={GOOD: Reply.ok(), BAD: Reply.invalid_key()}) as api:
        body = {"model": "claude-opus-5", "max_tokens": 1, "messages": [{"role": "user", "content": "hi"}]}
        bad = httpx.post(
            f"{api.url}/v1/messages", headers={"x-api-key": BAD, "anthropic-version": "2023-06-01"}, json=body
        )
        good = httpx.post(f"{api.url}/v1/messages", headers={"x-api-key": GOOD}, json=body)
        models = httpx.get(f"{api.url}/v1/models", headers={"authorization": f"Bearer {OAT}"})

    assert bad.status_code == 401
    assert bad.json()["error"] == {"type": "authentication_error", "message": "invalid x-api-key"}
    assert bad.headers["request-id"] == bad.json()["request_id"] == "req_fake_000001"
    assert good.status_code == 200 and good.json()["content"][0]["text"] == "ok"
    # An unknown credential (the OAT) gets the default 401.
    assert models.status_code == 401

    assert api.credentials() == [BAD, GOOD, OAT]
    first, _, third = api.requests
    assert (first.method, first.path, first.scheme) == ("POST", "/v1/messages", "x-api-key")
    assert first.headers["anthropic-version"] == "2023-06-01"
    assert first.body is not None and first.body["max_tokens"] == 1
    assert (third.method, third.path, third.scheme) == ("GET", "/v1/models", "bearer")


def test_stream_answers_server_sent_events() -> None:
    with FakeAnthropic(unknown=Reply.ok()) as api:
        body = {"model": "claude-opus-5", "max_tokens": 1, "stream": True, "messages": []}
        with httpx.stream("POST", f"{api.url}/v1/messages", headers={"x-api-key": GOOD}, json=body) as resp:
            assert resp.headers["content-type"] == "text/event-stream"
            lines = [line for line in resp.iter_lines() if line]
    events = [line.removeprefix("event: ") for line in lines if line.startswith("event: ")]
    assert events[0] == "message_start" and events[-1] == "message_stop"
    deltas = [json.loads(line[6:]) for line in lines if line.startswith("data: ") and "text_delta" in line]
    assert deltas[0]["delta"]["text"] == "ok"


def test_error_reply_headers_and_reconfiguration() -> None:
    with FakeAnthropic() as api:
        api.set_key(GOOD, Reply.rate_limited("12"))
        resp = httpx.post(f"{api.url}/v1/messages", headers={"x-api-key": GOOD}, json={})
        assert resp.status_code == 429
        assert resp.headers["retry-after"] == "12"
        assert resp.json()["error"]["type"] == "rate_limit_error"
        api.set_key(GOOD, Reply.ok())
        assert httpx.post(f"{api.url}/v1/messages", headers={"x-api-key": GOOD}, json={}).status_code == 200
