"""The live API probe: ask Anthropic about each key exactly as the user's OpenClaw would.

OpenClaw's own `models status --probe` reports `ok` for a 401 (2026.3) or refuses while the
gateway runs (2026.9). This one runs beside a live gateway, sends the headers that OpenClaw
version sends to the base URL it would use, and names the cause of every failure.

    results = probe_profiles_sync(diagnosis, deep=False)          # CLI
    await probe_profiles(diagnosis, on_result=pane.add_result)    # TUI worker

Domain code: no Textual; httpx is imported only when a request is about to be sent.
"""

from __future__ import annotations

from .classify import Outcome, classify_response
from .headers import messages_body, request_headers
from .run import (
    DEEP_MODEL,
    DEFAULT_CONCURRENCY,
    DEFAULT_TIMEOUT,
    ProbeError,
    ProbeResult,
    probe_candidate,
    probe_profiles,
    probe_profiles_sync,
)
from .target import BaseUrl, proxy_for, resolve_base_url

__all__ = [
    "DEEP_MODEL",
    "DEFAULT_CONCURRENCY",
    "DEFAULT_TIMEOUT",
    "BaseUrl",
    "Outcome",
    "ProbeError",
    "ProbeResult",
    "classify_response",
    "messages_body",
    "probe_candidate",
    "probe_profiles",
    "probe_profiles_sync",
    "proxy_for",
    "request_headers",
    "resolve_base_url",
]
