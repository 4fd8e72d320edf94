"""One loopback server that answers as any non-Anthropic provider of `openclaw_triage.providers` does.

Per provider it serves the free probe at the real path under the real base path (`/v1/models`
for OpenAI, `/api/v1/key` for OpenRouter, `/v1beta/models` for Gemini, ...), reads the key from
the header that provider reads (and only from there), and answers with the provider's own status
codes, error bodies and request-id headers (research/providers.md §2-3). It records every request,
so a test can assert which header carried the key and that no key was in any URL.

    with FakeProvider("openai", {GOOD: "ok", BAD: "invalid"}) as api:
        config models.providers.openai.baseUrl = api.base_url
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from openclaw_triage import providers

REQUEST_ID = "req_fake_0001"
ORG = "org-fakeorg0001"

_LIST = {"object": "list", "data": [{"id": "some-model", "object": "model"}]}


def _openai_error(message: str, etype: str, code: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "type": etype, "param": None, "code": code}}


# provider -> answer -> (status, body, extra headers)
ANSWERS: dict[str, dict[str, tuple[int, Any, dict[str, str]]]] = {
    "openai": {
        "ok": (200, _LIST, {"openai-organization": ORG}),
        "invalid": (
            401,
            _openai_error(
                "Incorrect API key provided: sk-proj-********************wxyz. You can find your API key at "
                "https://platform.openai.com/account/api-keys.",
                "invalid_request_error",
                "invalid_api_key",
            ),
            {},
        ),
        "no_credit": (
            429,
            _openai_error(
                "You exceeded your current quota, please check your plan and billing details.",
                "insufficient_quota",
                "insufficient_quota",
            ),
            {},
        ),
        "rate_limited": (
            429,
            _openai_error("Rate limit reached for requests", "requests", "rate_limit_exceeded"),
            {"retry-after": "20"},
        ),
        "region": (
            403,
            _openai_error(
                "Country, region, or territory not supported",
                "request_forbidden",
                "unsupported_country_region_territory",
            ),
            {},
        ),
    },
    "openrouter": {
        "ok": (
            200,
            {
                "data": {
                    "label": "sk-or-v1-2d7...a1b",
                    "limit": 10,
                    "limit_remaining": 7.5,
                    "usage": 2.5,
                    "is_free_tier": False,
                }
            },
            {},
        ),
        "invalid": (401, {"error": {"message": "User not found.", "code": 401}}, {}),
        "no_credit": (
            200,
            {
                "data": {
                    "label": "sk-or-v1-2d7...a1b",
                    "limit": 5,
                    "limit_remaining": 0,
                    "usage": 5,
                    "is_free_tier": False,
                }
            },
            {},
        ),
        "rate_limited": (429, {"error": {"message": "Rate limit exceeded", "code": 429}}, {"retry-after": "5"}),
    },
    "google": {
        "ok": (200, {"models": [{"name": "models/gemini-2.5-pro"}]}, {}),
        "invalid": (
            400,
            {
                "error": {
                    "code": 400,
                    "message": "API key not valid. Please pass a valid API key.",
                    "status": "INVALID_ARGUMENT",
                    "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}],
                }
            },
            {},
        ),
        "project": (
            403,
            {
                "error": {
                    "code": 403,
                    "message": "Generative Language API has not been used in project 1234 before or it is disabled.",
                    "status": "PERMISSION_DENIED",
                    "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SERVICE_DISABLED"}],
                }
            },
            {},
        ),
        "rate_limited": (
            429,
            {"error": {"code": 429, "message": "Resource has been exhausted.", "status": "RESOURCE_EXHAUSTED"}},
            {},
        ),
    },
    "xai": {
        "ok": (
            200,
            {
                "redacted_api_key": "xai-...wxyz",
                "name": "triage test",
                "team_id": "team-fake",
                "api_key_blocked": False,
                "api_key_disabled": False,
                "team_blocked": False,
            },
            {},
        ),
        "invalid": (
            400,
            {
                "code": "Client specified an invalid argument",
                "error": "Incorrect API key provided: xa***yz. You can obtain an API key from https://console.x.ai.",
            },
            {},
        ),
        "no_credit": (
            403,
            {
                "code": "The caller does not have permission to execute the specified operation",
                "error": "Your newly created team doesn't have any credits or licenses yet. You can purchase those on "
                "https://console.x.ai/team/team-fake.",
            },
            {},
        ),
    },
    "groq": {
        "ok": (200, _LIST, {"x-groq-region": "fake-1"}),
        "invalid": (
            401,
            {"error": {"message": "Invalid API Key", "type": "invalid_request_error", "code": "invalid_api_key"}},
            {},
        ),
        "rate_limited": (
            429,
            {
                "error": {
                    "message": "Rate limit reached in organization `org_fake`",
                    "type": "tokens",
                    "code": "rate_limit_exceeded",
                }
            },
            {"retry-after": "7"},
        ),
    },
    "mistral": {
        "ok": (200, _LIST, {}),
        "invalid": (401, {"message": "Unauthorized", "request_id": "mistral-req-0001"}, {}),
        "rate_limited": (
            429,
            {"object": "error", "message": "Requests rate limit exceeded", "type": "rate_limit_error"},
            {},
        ),
    },
    "deepseek": {
        "ok": (
            200,
            {
                "is_available": True,
                "balance_infos": [
                    {"currency": "USD", "total_balance": "4.20", "granted_balance": "0.00", "topped_up_balance": "4.20"}
                ],
            },
            {},
        ),
        "invalid": (
            401,
            {
                "error": {
                    "message": "Authentication Fails, Your api key: ****wxyz is invalid",
                    "type": "authentication_error",
                    "param": None,
                    "code": "invalid_request_error",
                }
            },
            {},
        ),
        "no_credit": (
            200,
            {
                "is_available": False,
                "balance_infos": [
                    {"currency": "USD", "total_balance": "0.00", "granted_balance": "0.00", "topped_up_balance": "0.00"}
                ],
            },
            {},
        ),
    },
}


@dataclass(frozen=True)
class Seen:
    method: str
    target: str  # the request target as sent: path and query
    headers: dict[str, str] = field(default_factory=dict)


class FakeProvider:
    """A provider's API on 127.0.0.1. `keys` maps a key to an answer of `ANSWERS[provider]`;
    any other key (or none) gets "invalid"."""

    def __init__(self, provider: str, keys: dict[str, str]) -> None:
        self.row = providers.get(provider)
        assert self.row is not None and provider in ANSWERS
        self.provider = provider
        self.keys = dict(keys)
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_path(self) -> str:
        return urlsplit(self.row.base_url).path.rstrip("/")  # type: ignore[union-attr]

    @property
    def base_url(self) -> str:
        """What `models.providers.<id>.baseUrl` says to reach this fake: the real base path."""
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.base_path}"

    def __enter__(self) -> FakeProvider:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def credential(self, headers: dict[str, str]) -> str | None:
        row = self.row
        assert row is not None
        value = headers.get(row.auth_header)
        if value is None:
            return None
        if row.auth_scheme:
            return value[len(row.auth_scheme) :] if value.startswith(row.auth_scheme) else None
        return value

    def answer(self, method: str, target: str, headers: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        row = self.row
        assert row is not None
        with self._lock:
            self.seen.append(Seen(method, target, headers))
        expected = self.base_path + row.probe_path.split("?", 1)[0]
        if target.split("?", 1)[0] != expected:
            return 404, {"error": {"message": f"Unknown path {target.split('?', 1)[0]}", "code": 404}}, {}
        key = self.credential(headers)
        answer = self.keys.get(key or "", "invalid")
        return ANSWERS[self.provider][answer]


class _Handler(BaseHTTPRequestHandler):
    server: ThreadingHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        fake: FakeProvider = self.server.fake  # type: ignore[attr-defined]
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, body, extra = fake.answer("GET", self.path, headers)
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        if fake.row is not None and fake.row.request_id_header:
            self.send_header(fake.row.request_id_header, REQUEST_ID)
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_POST = do_GET
