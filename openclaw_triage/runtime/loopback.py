"""Loopback HTTP to a gateway, with the standard library's C socket module and nothing else.

`GET /health` and `/ready` on 127.0.0.1 with HTTP/1.0, a short timeout per step and a size cap:
`check` must not pay for an HTTP client import (`socket` alone costs ~7 ms, `_socket` ~0.3).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

HTTP_TIMEOUT = 0.3  # seconds per socket step; loopback answers in about a millisecond


@dataclass(slots=True)
class HttpAnswer:
    """One loopback GET: the status and JSON body, or why there was none."""

    path: str
    status: int | None = None
    body: dict[str, Any] | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200

    def summary(self) -> str:
        if self.status is None:
            return f"{self.path}: {self.error or 'no answer'}"
        body = json.dumps(self.body, separators=(",", ":"))[:120] if self.body is not None else ""
        return f"{self.path}: HTTP {self.status} {body}".rstrip()


def _socket_module() -> Any:
    """The C socket module: `import socket` costs ~7 ms, `_socket` ~0.3 ms."""
    try:
        import _socket

        return _socket
    except ImportError:  # pragma: no cover - every CPython has it
        import socket

        return socket


def http_get(port: int, path: str, *, timeout: float = HTTP_TIMEOUT, host: str = "127.0.0.1") -> HttpAnswer:
    """`GET path` on loopback with HTTP/1.0 over a raw socket: no HTTP library, bounded in time and size."""
    sock_mod = _socket_module()
    try:
        sock = sock_mod.socket(sock_mod.AF_INET, sock_mod.SOCK_STREAM)
    except OSError as exc:
        return HttpAnswer(path, error=f"no socket ({exc.strerror})")
    try:
        sock.settimeout(timeout)
        sock.connect((host, port))
        sock.sendall(f"GET {path} HTTP/1.0\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode("ascii"))
        data = b""
        while len(data) < 65536:
            chunk = sock.recv(8192)
            if not chunk:
                break
            data += chunk
            if _complete(data):
                break
    except ConnectionRefusedError:
        return HttpAnswer(path, error="connection refused (nothing listens)")
    except TimeoutError:
        return HttpAnswer(path, error=f"no answer within {timeout:g} s")
    except OSError as exc:
        return HttpAnswer(path, error=exc.strerror or type(exc).__name__)
    finally:
        sock.close()
    return _parse_http(path, data)


def _complete(data: bytes) -> bool:
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            try:
                return len(body) >= int(value.strip())
            except ValueError:
                return False
    return False


def _parse_http(path: str, data: bytes) -> HttpAnswer:
    head, _, body = data.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
    parts = status_line.split()
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        return HttpAnswer(path, error="not an HTTP answer")
    try:
        parsed = json.loads(body.decode("utf-8")) if body.strip() else None
    except ValueError:
        parsed = None
    return HttpAnswer(path, int(parts[1]), parsed if isinstance(parsed, dict) else None)
