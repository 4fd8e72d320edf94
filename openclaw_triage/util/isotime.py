"""ISO 8601 timestamps as OpenClaw writes them, without importing `datetime`.

`check` must start fast, and `datetime` alone costs about 1 ms; the lock files, pairing
requests and log lines only ever hold `2026-11-24T18:50:45.451Z` or `...+00:00` forms.
"""

from __future__ import annotations

import re
import time

_ISO = r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$"


def _days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm)."""
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def parse_iso(text: object) -> float | None:
    """Epoch seconds for an ISO timestamp (no zone means UTC, as `Date.parse` of a `Z` time); else None."""
    if not isinstance(text, str):
        return None
    match = re.match(_ISO, text.strip())  # re caches the compiled pattern; compiling at import costs `check`
    if match is None:
        return None
    y, mo, d, h, mi, s = (int(match.group(i)) for i in range(1, 7))
    if not (1 <= mo <= 12 and 1 <= d <= 31 and h < 24 and mi < 60 and s < 61):
        return None
    frac = float("0." + match.group(7)) if match.group(7) else 0.0
    offset = 0
    zone = match.group(8)
    if zone and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    return _days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s + frac - offset


def iso_utc(epoch: float | None) -> str:
    """`2026-11-24 18:50:45Z` (seconds precision, UTC): stable across the user's and helper's zones."""
    if epoch is None:
        return "unknown"
    try:
        return time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime(epoch))
    except (OverflowError, OSError, ValueError):  # a hand-edited 9e99 or NaN: no date at all
        return "out of range"


def ago(seconds: float | None) -> str:
    """A short human duration: `45 s`, `12 min`, `3 h 5 min`, `2 d`."""
    if seconds is None:
        return "unknown"
    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes = seconds / 60
    if minutes < 90:
        return f"{minutes:.0f} min"
    hours = int(minutes // 60)
    if hours < 48:
        rest = int(minutes - hours * 60)
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{hours // 24} d"


def local_date(epoch: float) -> str:
    """`YYYY-MM-DD` in the local zone: the date in OpenClaw's rolling log file names."""
    return time.strftime("%Y-%m-%d", time.localtime(epoch))
