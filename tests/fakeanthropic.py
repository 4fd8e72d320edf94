"""A tiny stdlib stand-in for the Anthropic API, for state builders and tests.

Why: our tool (and OpenClaw, via `models.providers.anthropic.baseUrl`) must be tested against
real HTTP without a network and without real keys. The server answers per credential, so a
test can make one key good and another one 401, then assert which key actually arrived.

    with FakeAnthropic(keys={GOOD: Reply.ok(), BAD: Reply.invalid_key()}) as api:
        ...point the client at api.url...
        assert [r.credential for r in api.requests] == [BAD, GOOD]

- A credential is `x-api-key`, else the Bearer token of `authorization`.
- A known credential gets its `Reply`; an unknown one gets `unknown` (default: 401
  `authentication_error: invalid x-api-key`, as Anthropic answers).
- `POST` (any path, normally `/v1/messages`) answers a message; with `"stream": true` it answers
  server-sent events, `message_start` ... `message_stop` (OpenClaw's agent turns stream and time
  out without them). `GET` (normally `/v1/models`) answers a model list.
- Every reply carries a `request-id` header (`req_fake_000001`, ...); errors also carry it in
  the body, as Anthropic does.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODEL = "claude-opus-5"
AUTH_HEADERS = (
    "x-api-key",
    "authorization",
    "anthropic-version",
    "anthropic-beta",
    "user-agent",
    "x-app",
)


@dataclass(frozen=True)
class Reply:
    """What to answer: 200 with a message, or an Anthropic-style error."""

    status: int = 200
    error_type: str | None = None
    message: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def ok(cls) -> Reply:
        return cls()

    @classmethod
    def error(cls, status: int, error_type: str, message: str, **headers: str) -> Reply:
        return cls(status, error_type, message, dict(headers))

    @classmethod
    def invalid_key(cls) -> Reply:
        return cls.error(401, "authentication_error", "invalid x-api-key")

    @classmethod
    def permission_denied(cls) -> Reply:
        return cls.error(
            403, "permission_error", "Your API key does not have permission to use the specified resource."
        )

    @classmethod
    def billing(cls) -> Reply:
        return cls.error(400, "invalid_request_error", "Your credit balance is too low to access the Anthropic API.")

    @classmethod
    def rate_limited(cls, retry_after: str = "30") -> Reply:
        return cls.error(
            429,
            "rate_limit_error",
            "Number of request tokens has exceeded your rate limit.",
            **{"retry-after": retry_after},
        )

    @classmethod
    def overloaded(cls) -> Reply:
        return cls.error(529, "overloaded_error", "Overloaded")


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it; `headers` holds only the auth-relevant ones."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None
    request_id: str

    @property
    def credential(self) -> str | None:
        """The secret that arrived: `x-api-key`, else the Bearer token."""
        if "x-api-key" in self.headers:
            return self.headers["x-api-key"]
        auth = self.headers.get("authorization", "")
        return auth[7:] if auth.lower().startswith("bearer ") else None

    @property
    def scheme(self) -> str | None:
        """`x-api-key`, `bearer` or None: how the credential was sent."""
        if "x-api-key" in self.headers:
            return "x-api-key"
        return "bearer" if self.credential is not None else None


def _sse(events: list[tuple[str, dict[str, Any]]]) -> bytes:
    return "".join(f"event: {e}\ndata: {json.dumps(d)}\n\n" for e, d in events).encode()


def _message(model: str) -> dict[str, Any]:
    return {
        "id": "msg_fake_1",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": "ok"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 3, "output_tokens": 1},
    }


def _stream_events(model: str) -> list[tuple[str, dict[str, Any]]]:
    start = {**_message(model), "content": [], "stop_reason": None}
    return [
        ("message_start", {"type": "message_start", "message": start}),
        (
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        ),
        (
            "content_block_delta",
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "ok"}},
        ),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": 1},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server  # type: ignore[assignment]

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read .requests
        return

    def _read_body(self) -> dict[str, Any] | None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None
        return body if isinstance(body, dict) else None

    def _handle(self) -> None:
        body = self._read_body() if self.command == "POST" else None
        fake = self.server.fake
        wanted = {k.lower(): v for k, v in self.headers.items() if k.lower() in AUTH_HEADERS}
        rec = fake._record(self.command, self.path, wanted, body)
        reply = fake.reply_for(rec.credential)
        if reply.status >= 400:
            payload = {
                "type": "error",
                "error": {"type": reply.error_type, "message": reply.message},
                "request_id": rec.request_id,
            }
            self._send(reply.status, json.dumps(payload).encode(), "application/json", rec, reply)
        elif self.command == "GET":
            models = {
                "data": [
                    {
                        "type": "model",
                        "id": MODEL,
                        "display_name": "Claude Opus 5",
                        "created_at": "2026-09-01T00:00:00Z",
                    }
                ],
                "has_more": False,
                "first_id": MODEL,
                "last_id": MODEL,
            }
            self._send(200, json.dumps(models).encode(), "application/json", rec, reply)
        elif body and body.get("stream"):
            model = str(body.get("model") or MODEL)
            self._send(200, _sse(_stream_events(model)), "text/event-stream", rec, reply)
        else:
            model = str((body or {}).get("model") or MODEL)
            self._send(200, json.dumps(_message(model)).encode(), "application/json", rec, reply)

    def _send(self, status: int, data: bytes, ctype: str, rec: RecordedRequest, reply: Reply) -> None:
        self.send_response(status)
        self.send_header("content-type", ctype)
        self.send_header("content-length", str(len(data)))
        self.send_header("request-id", rec.request_id)
        for k, v in reply.headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeAnthropic) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)


class FakeAnthropic:
    """The server; a context manager that runs it on 127.0.0.1:<free port> in a thread."""

    def __init__(self, keys: dict[str, Reply] | None = None, *, unknown: Reply | None = None) -> None:
        self.keys: dict[str, Reply] = dict(keys or {})
        self.unknown = unknown or Reply.invalid_key()
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- configuration -------------------------------------------------------------------
    def set_key(self, credential: str, reply: Reply) -> None:
        with self._lock:
            self.keys[credential] = reply

    def reply_for(self, credential: str | None) -> Reply:
        with self._lock:
            if credential is not None and credential in self.keys:
                return self.keys[credential]
            return self.unknown

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakeAnthropic:
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fakeanthropic", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeAnthropic:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("server not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL without `/v1`: what `models.providers.anthropic.baseUrl` should hold."""
        return f"http://127.0.0.1:{self.port}"

    # -- recording ---------------------------------------------------------------------------
    def _record(self, method: str, path: str, headers: dict[str, str], body: dict[str, Any] | None) -> RecordedRequest:
        with self._lock:
            rid = f"req_fake_{len(self.requests) + 1:06d}"
            rec = RecordedRequest(method, path, headers, body, rid)
            self.requests.append(rec)
            return rec

    def credentials(self) -> list[str | None]:
        """The credential of each request, in arrival order."""
        with self._lock:
            return [r.credential for r in self.requests]
