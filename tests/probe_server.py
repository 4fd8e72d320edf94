"""Loopback servers for the probe tests, built on `tests.fakeanthropic` (not a copy of it).

- `ProbeServer`: a `FakeAnthropic` that also answers per method (a key that lists models but
  gets a billing 400 on Messages, as Anthropic does), sends redirects, raw bodies, error
  `details` and an organization id, and records every header of every request.
- `HungServer`: accepts connections and never answers (timeouts).
- `ForwardProxy`: a tiny CONNECT-less HTTP proxy that relays `GET http://…` and records it.
- `refused_port()`: a loopback port nothing listens on.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from tests.fakeanthropic import FakeAnthropic, Reply, _Handler, _Server

ORG_ID = "3f2b1c4d-fake-org0-0000-000000000001"
ANTHROPIC_PATHS = frozenset({"/v1/models", "/v1/messages"})


@dataclass(frozen=True)
class ProbeReply(Reply):
    """A `Reply` with what the base class cannot say: error details, redirects, raw bodies."""

    details: dict[str, Any] | None = None
    location: str | None = None
    raw_body: str | None = None
    delay: float = 0.0

    @property
    def special(self) -> bool:
        return bool(self.details or self.location or self.raw_body is not None or self.delay)

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> ProbeReply:
        return cls(status=status, location=location)


NOT_FOUND = ProbeReply(404, "not_found_error", "Not Found")


@dataclass(frozen=True)
class SeenRequest:
    """Every header as it arrived (names lower-cased), plus the Host the client addressed."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)


class _ProbeHandler(_Handler):
    server: _ProbeHTTPServer  # type: ignore[assignment]
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall

    def _handle(self) -> None:
        fake = self.server.fake
        fake.enter()
        try:
            self._dispatch(fake)
        finally:
            fake.leave()

    def _dispatch(self, fake: ProbeServer) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        fake.record_seen(SeenRequest(self.command, self.path, headers))
        credential = headers.get("x-api-key")
        if credential is None and headers.get("authorization", "").lower().startswith("bearer "):
            credential = headers["authorization"][7:]
        reply = fake.reply_for_method(self.command, credential)
        if fake.strict_paths and self.path.split("?", 1)[0] not in ANTHROPIC_PATHS:
            reply = NOT_FOUND  # Anthropic's answer to `/v1/v1/models` and other unknown paths
        if isinstance(reply, ProbeReply) and (reply.special or reply is NOT_FOUND):
            self._special(reply, headers)
            return
        fake.method_context.method = self.command
        super()._handle()

    def _special(self, reply: ProbeReply, headers: dict[str, str]) -> None:
        body = self._read_body() if self.command == "POST" else None
        fake = self.server.fake
        rec = fake._record(self.command, self.path, headers, body)
        if reply.delay:
            time.sleep(reply.delay)
        if reply.raw_body is not None:
            data = reply.raw_body.encode()
            ctype = "text/html"
        elif reply.status >= 400:
            error: dict[str, Any] = {"type": reply.error_type, "message": reply.message}
            if reply.details:
                error["details"] = reply.details
            data = json.dumps({"type": "error", "error": error, "request_id": rec.request_id}).encode()
            ctype = "application/json"
        else:
            data = b""
            ctype = "text/plain"
        extra = dict(reply.headers)
        if reply.location:
            extra["location"] = reply.location
        self._send(reply.status, data, ctype, rec, Reply(reply.status, headers=extra))

    def _send(self, status: int, data: bytes, ctype: str, rec: Any, reply: Reply) -> None:
        org = self.server.fake.org_id
        if org and "anthropic-organization-id" not in reply.headers:
            reply = Reply(
                reply.status, reply.error_type, reply.message, {**reply.headers, "anthropic-organization-id": org}
            )
        super()._send(status, data, ctype, rec, reply)

    do_GET = do_POST = _handle  # the base binds its own `_handle`; rebind ours


class _ProbeHTTPServer(_Server):
    fake: ProbeServer  # type: ignore[assignment]

    def __init__(self, fake: ProbeServer) -> None:
        self.fake = fake
        ThreadingHTTPServer.__init__(self, ("127.0.0.1", 0), _ProbeHandler)


class ProbeServer(FakeAnthropic):
    """`FakeAnthropic` plus per-method replies and full header recording."""

    def __init__(
        self,
        keys: dict[str, Reply] | None = None,
        *,
        unknown: Reply | None = None,
        post: dict[str, Reply] | None = None,
        org_id: str | None = ORG_ID,
        strict_paths: bool = True,
    ) -> None:
        super().__init__(keys, unknown=unknown)
        self.strict_paths = strict_paths
        self.post: dict[str, Reply] = dict(post or {})
        self.org_id = org_id
        self.seen: list[SeenRequest] = []
        self.method_context = threading.local()
        self.in_flight = 0
        self.max_in_flight = 0

    def enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def record_seen(self, req: SeenRequest) -> None:
        with self._lock:
            self.seen.append(req)

    def reply_for_method(self, method: str, credential: str | None) -> Reply:
        with self._lock:
            if method == "POST" and credential is not None and credential in self.post:
                return self.post[credential]
        return FakeAnthropic.reply_for(self, credential)

    def reply_for(self, credential: str | None) -> Reply:
        method = getattr(self.method_context, "method", "GET")
        return self.reply_for_method(method, credential)

    def start(self) -> ProbeServer:
        self._server = _ProbeHTTPServer(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="probeserver", daemon=True
        )
        self._thread.start()
        return self

    def __enter__(self) -> ProbeServer:
        return self.start()


class HungServer:
    """Accepts TCP connections on 127.0.0.1 and never answers: every request times out."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._conns: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="hungserver", daemon=True)

    def _accept(self) -> None:
        self._sock.settimeout(0.05)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            self._conns.append(conn)

    @property
    def accepted(self) -> int:
        return len(self._conns)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def __enter__(self) -> HungServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for conn in self._conns:
            conn.close()
        self._sock.close()


def refused_port() -> int:
    """A loopback port that was free a moment ago: connecting to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


_HOP_BY_HOP = {
    "connection",
    "proxy-connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "upgrade",
    "proxy-authorization",
}


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _ProxyHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _relay(self) -> None:
        self.server.owner.record(self.command, self.path)
        target = urlsplit(self.path)
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        conn = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=10)
        try:
            path = target.path + (f"?{target.query}" if target.query else "")
            conn.request(self.command, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in _HOP_BY_HOP and k.lower() != "content-length":
                self.send_header(k, v)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _relay


class _ProxyHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, owner: ForwardProxy) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _ProxyHandler)


class ForwardProxy:
    """A plain-HTTP forward proxy on loopback (no CONNECT), recording the URLs it relays."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self._lock = threading.Lock()
        self._server = _ProxyHTTPServer(self)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def record(self, method: str, url: str) -> None:
        with self._lock:
            self.urls.append(f"{method} {url}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> ForwardProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
