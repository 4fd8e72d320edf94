"""What the gateway last saw: recent model-auth failures and reloads, from OpenClaw's own log.

OpenClaw writes JSON lines (tslog) to `/tmp/openclaw/openclaw-YYYY-MM-DD.log` (local date;
`$TMPDIR/openclaw-<uid>/` when /tmp/openclaw is not safe; `logging.file` overrides both), and
the same events as console lines to a launchd agent's `~/Library/Logs/openclaw/gateway.log`
or the systemd journal. Failures name the profile only as `sha256:<first 12 hex of
sha256(profile id)>`, and the Anthropic request id likewise; we hash our profile ids to
match them.

Bounded: at most the last `max_bytes` of each file are read, and only lines that contain one
of a few markers are decoded. Text kept from a log line (the error) passes a `Scrubber`.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Install
from ..util.isotime import local_date, parse_iso
from ..util.jsonio import as_object
from ..util.safe_read import read_tail

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from typing import Any

MAX_BYTES = 2 * 1024 * 1024  # per file: the tail holds the recent events
MAX_ERROR_CHARS = 300
_MARKERS = re.compile(
    rb"auth.profile.failure.state.updated|embedded.run.agent.end|Secrets reloaded|hot reload applied"
    rb"|res \xe2\x9c\x93 (?:models\.authRefresh|secrets\.reload)|listening on ws://|request_id: req_"
)
_CONSOLE = re.compile(r"^(\d{4}-\d{2}-\d{2}T[0-9:.]+(?:Z|[+-]\d{2}:?\d{2}))\s+(?:\[([^\]]+)\]\s+)?(.*)$")
_KV = re.compile(r"(\w+)=(\S+)")
_RAW_REQUEST_ID = re.compile(r"request_id: (req_[A-Za-z0-9]+)")
_PID = re.compile(r"\(PID (\d+)\)")


@dataclass(frozen=True, slots=True)
class LogFile:
    path: Path
    size: int
    read_bytes: int  # how much of its tail was read

    @property
    def truncated(self) -> bool:
        return self.read_bytes < self.size


@dataclass(slots=True)
class AuthFailure:
    """Failures of one profile: how many, the last one's reason, error and time."""

    profile_hash: str  # sha256:<12 hex>, as OpenClaw logs it
    profile_id: str | None  # ours, when the hash matches one of this install's profiles
    provider: str | None = None
    count: int = 0
    first_at: float = 0.0
    last_at: float = 0.0
    reason: str | None = None  # auth, billing, rate_limit, ...
    window: str | None = None  # cooldown | disabled
    error: str | None = None  # the last error text, masked
    http_code: str | None = None
    request_id: str | None = None  # the last request id (OpenClaw logs a sha256 of it; CLI runs print it raw)

    def to_json(self) -> dict[str, Any]:
        return {
            "profileHash": self.profile_hash,
            "profileId": self.profile_id,
            "provider": self.provider,
            "count": self.count,
            "firstAt": self.first_at,
            "lastAt": self.last_at,
            "reason": self.reason,
            "window": self.window,
            "error": self.error,
            "httpCode": self.http_code,
            "requestId": self.request_id,
        }


@dataclass(slots=True)
class GatewayLog:
    files: list[LogFile] = field(default_factory=list)
    failures: list[AuthFailure] = field(default_factory=list)  # newest first
    reloads: list[tuple[float, str]] = field(default_factory=list)  # (epoch, how)
    starts: list[tuple[float, int | None]] = field(default_factory=list)  # gateway start lines (epoch, pid)
    problems: list[str] = field(default_factory=list)  # files we could not read, and why

    def for_profile(self, profile_id: str) -> AuthFailure | None:
        return next((f for f in self.failures if f.profile_id == profile_id), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "files": [{"path": str(f.path), "size": f.size, "readBytes": f.read_bytes} for f in self.files],
            "failures": [f.to_json() for f in self.failures],
            "reloads": [{"at": at, "how": how} for at, how in self.reloads],
            "problems": self.problems,
        }


# --- where ---------------------------------------------------------------------------------


def log_paths(install: Install, now: float | None = None) -> list[Path]:
    """Today's and yesterday's rolling logs (or `logging.file`), and a launchd agent's log."""
    now = time.time() if now is None else now
    logging_cfg = install.config.data.get("logging")
    configured = logging_cfg.get("file") if isinstance(logging_cfg, dict) else None
    paths: list[Path] = []
    if isinstance(configured, str) and configured.strip():
        from ..openclaw.locate import resolve_user_path

        paths.append(resolve_user_path(configured, install.home))
    else:
        uid = f"openclaw-{os.getuid()}" if hasattr(os, "getuid") else "openclaw"
        if install.sandbox is not None:  # a demo: the host's logs are another install's
            dirs = [install.sandbox / "tmp" / "openclaw", install.sandbox / "tmp" / uid]
        else:
            tmp = (install.seen_env.get("TMPDIR") or "/tmp").rstrip("/") or "/"
            dirs = list(dict.fromkeys([Path("/tmp/openclaw"), Path(tmp) / uid]))
        for day in dict.fromkeys([local_date(now), local_date(now - 86400)]):
            paths += [d / f"openclaw-{day}.log" for d in dirs]
    paths.append(install.home / "Library" / "Logs" / "openclaw" / "gateway.log")
    return paths


# --- reading -------------------------------------------------------------------------------


def _tail(path: Path, max_bytes: int) -> tuple[bytes, LogFile] | None:
    try:
        data, size = read_tail(path, max_bytes)  # a FIFO or folder in its place is a problem, not a hang
    except (FileNotFoundError, NotADirectoryError):
        return None
    if size > max_bytes:
        cut = data.find(b"\n")
        data = data[cut + 1 :] if cut >= 0 else b""
    return data, LogFile(path, size, len(data))


def _interesting_lines(data: bytes) -> list[bytes]:
    """Only the lines holding a marker: a 2 MB tail has thousands of lines we never decode."""
    out: list[bytes] = []
    last_end = -1
    for match in _MARKERS.finditer(data):
        start = data.rfind(b"\n", 0, match.start()) + 1
        if start <= last_end:
            continue
        end = data.find(b"\n", match.end())
        end = len(data) if end < 0 else end
        out.append(data[start:end])
        last_end = end
    return out


@dataclass(frozen=True, slots=True)
class _Event:
    at: float
    text: str  # the message
    fields: dict[str, Any]  # structured meta (JSON lines) or key=value pairs (console lines)


def _parse_line(raw: bytes) -> _Event | None:
    text = raw.decode("utf-8", "replace").strip()
    if text.startswith("{"):
        return _parse_json_line(text)
    match = _CONSOLE.match(text)
    if match is None:
        return None
    at = parse_iso(match.group(1))
    if at is None:
        return None
    message = match.group(3)
    fields: dict[str, Any] = dict(_KV.findall(message))
    if "error=" in message:  # the error text runs to the end of the line, spaces included
        fields["error"] = message.split("error=", 1)[1]
    return _Event(at, message, fields)


def _parse_json_line(text: str) -> _Event | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    meta = as_object(data.get("_meta"))
    at = parse_iso(data.get("time")) or parse_iso(meta.get("date"))
    if at is None:
        return None
    args = [data[k] for k in sorted((k for k in data if k.isdigit()), key=int)]
    fields = next((a for a in args if isinstance(a, dict)), {})
    strings = [
        a for a in args if isinstance(a, str) and not a.startswith('{"subsystem"') and not a.startswith('{"module"')
    ]
    message = str(fields.get("consoleMessage") or (strings[-1] if strings else ""))
    return _Event(at, message, fields)


def read_gateway_log(
    install: Install,
    *,
    now: float | None = None,
    since: float | None = None,
    max_bytes: int = MAX_BYTES,
    scrub: Callable[[str], str] | None = None,
    journal: bool = False,
    paths: Iterable[Path] | None = None,
) -> GatewayLog:
    """Recent auth failures per profile, and reloads, from the gateway's logs (events after `since`)."""
    log = GatewayLog()
    events: list[_Event] = []
    for path in log_paths(install, now) if paths is None else paths:
        try:
            got = _tail(path, max_bytes)
        except OSError as exc:
            log.problems.append(f"{path}: {exc.strerror or type(exc).__name__}")
            continue
        if got is None:
            continue
        data, info = got
        log.files.append(info)
        events += [e for e in map(_parse_line, _interesting_lines(data)) if e is not None]
    if journal and install.sandbox is None:
        events += _journal_events(install, log)
    events.sort(key=lambda e: e.at)
    if since is not None:
        events = [e for e in events if e.at >= since]
    _collect(events, log, install, scrub or _default_scrub(install))
    return log


def _journal_events(install: Install, log: GatewayLog) -> list[_Event]:
    """`journalctl --user -u openclaw-gateway[-profile]` when journald exists (never in `check`)."""
    import shutil
    import subprocess

    exe = shutil.which("journalctl")
    if exe is None:
        return []
    unit = "openclaw-gateway" + (f"-{install.profile_name}" if install.profile_name else "")
    try:
        proc = subprocess.run(
            [exe, "--user", "-u", unit, "--since", "yesterday", "-o", "cat", "--no-pager", "-n", "20000"],
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.problems.append(f"journalctl: {exc}")
        return []
    return [e for e in map(_parse_line, _interesting_lines(proc.stdout[-MAX_BYTES:])) if e is not None]


def _default_scrub(install: Install) -> Callable[[str], str]:
    from ..scrub import scrubber_for

    return scrubber_for(install)


def profile_hash(profile_id: str) -> str:
    """OpenClaw's `redactIdentifier(id, {len: 12})`: `sha256:` + the first 12 hex of sha256(id.trim())."""
    import hashlib

    return "sha256:" + hashlib.sha256(profile_id.strip().encode("utf-8")).hexdigest()[:12]


def _collect(events: list[_Event], log: GatewayLog, install: Install, scrub: Callable[[str], str]) -> None:
    runs: dict[str, _Event] = {}  # runId -> its "agent end" event (the error text)
    by_hash: dict[str, AuthFailure] = {}
    last: AuthFailure | None = None
    known: dict[str, str] | None = None
    for event in events:
        f = event.fields
        name = f.get("event") if isinstance(f.get("event"), str) else ""
        text = event.text
        if name == "embedded_run_agent_end" or text.startswith("embedded run agent end"):
            run = f.get("runId")
            if isinstance(run, str):
                runs[run] = event
        elif name == "auth_profile_failure_state_updated" or text.startswith("auth profile failure state updated"):
            if known is None:
                known = {profile_hash(p): p for p in _profile_ids(install)}
            last = _record_failure(event, by_hash, runs, known, scrub)
        elif "Secrets reloaded." in text:
            log.reloads.append((event.at, "secrets reload"))
        elif "hot reload applied" in text:
            log.reloads.append((event.at, "config hot reload"))
        elif "models.authRefresh" in text or "secrets.reload" in text:
            log.reloads.append((event.at, "auth refresh" if "authRefresh" in text else "secrets reload"))
        elif text.startswith("listening on ws://"):
            pid = _PID.search(text)
            log.starts.append((event.at, int(pid.group(1)) if pid else None))
        elif (raw_id := _RAW_REQUEST_ID.search(text)) is not None and last is not None and event.at - last.last_at <= 5:
            last.request_id = raw_id.group(1)
    log.failures = sorted(by_hash.values(), key=lambda x: (x.profile_id is None, -x.last_at))


def _profile_ids(install: Install) -> set[str]:
    ids = {pid for agent in install.agents for layer in agent.layers for pid in layer.profiles}
    auth = install.config.data.get("auth")
    profiles = auth.get("profiles") if isinstance(auth, dict) else None
    if isinstance(profiles, dict):
        ids.update(str(k) for k in profiles)
    return ids


def _record_failure(
    event: _Event,
    by_hash: dict[str, AuthFailure],
    runs: dict[str, _Event],
    known: dict[str, str],
    scrub: Callable[[str], str],
) -> AuthFailure | None:
    f = event.fields
    hashed = f.get("profileId") or f.get("profile")
    if not isinstance(hashed, str) or not hashed.startswith("sha256:"):
        return None
    failure = by_hash.get(hashed)
    if failure is None:
        failure = by_hash[hashed] = AuthFailure(hashed, known.get(hashed), first_at=event.at)
    failure.count += 1
    failure.last_at = event.at
    failure.provider = _str(f.get("provider")) or failure.provider
    failure.reason = _str(f.get("reason")) or failure.reason
    failure.window = _str(f.get("windowType") or f.get("window")) or failure.window
    run = runs.get(str(f.get("runId")))
    if run is not None:
        rf = run.fields
        error = _str(rf.get("error"))
        failure.error = scrub(error)[:MAX_ERROR_CHARS] if error else failure.error
        failure.http_code = _str(rf.get("httpCode")) or failure.http_code
        failure.request_id = _str(rf.get("requestIdHash")) or _request_id_in(failure.error) or failure.request_id
    return failure


def _request_id_in(text: str | None) -> str | None:
    match = re.search(r"request_id: (\S+?)\)", text or "")
    return match.group(1) if match else None


def _str(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None
