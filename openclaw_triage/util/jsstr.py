"""JavaScript string semantics that OpenClaw's behaviour depends on.

OpenClaw is Node.js: `String.prototype.trim` strips a different set of characters than
`str.strip`, and `slice`/`length` count UTF-16 code units, not code points. Masks and
lengths must match what `openclaw models status` prints, so we reproduce both here.
"""

from __future__ import annotations

import re

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")

# ECMAScript WhiteSpace + LineTerminator (what String.prototype.trim removes).
JS_WHITESPACE = frozenset(
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)


def js_trim(value: str) -> str:
    """`value.trim()` as Node.js does it."""
    if not value or (value[0] not in JS_WHITESPACE and value[-1] not in JS_WHITESPACE):
        return value
    start, end = 0, len(value)
    while start < end and value[start] in JS_WHITESPACE:
        start += 1
    while end > start and value[end - 1] in JS_WHITESPACE:
        end -= 1
    return value[start:end]


def utf16_len(value: str) -> int:
    """`value.length` in JavaScript: astral characters count twice."""
    if value.isascii():
        return len(value)
    return len(value) + len(_ASTRAL.findall(value))


def _utf16_units(value: str) -> list[str]:
    units: list[str] = []
    for ch in value:
        code = ord(ch)
        if code > 0xFFFF:
            code -= 0x10000
            units.append(chr(0xD800 + (code >> 10)))
            units.append(chr(0xDC00 + (code & 0x3FF)))
        else:
            units.append(ch)
    return units


def _join_units(units: list[str]) -> str:
    # Lone surrogates cannot be encoded later; "surrogatepass" keeps them printable-safe.
    return "".join(units).encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def utf16_slice(value: str, start: int, end: int | None = None, *, safe: bool = False) -> str:
    """`value.slice(start, end)` on UTF-16 code units.

    With ``safe`` (OpenClaw 2026.9's `sliceUtf16Safe`) a cut never splits a surrogate pair:
    the half pair at either edge is dropped.
    """
    if value.isascii() or _ASTRAL.search(value) is None:
        return value[start:end]
    units = _utf16_units(value)
    n = len(units)
    lo = max(n + start, 0) if start < 0 else min(start, n)
    hi = n if end is None else (max(n + end, 0) if end < 0 else min(end, n))
    if safe:
        if 0 < lo < n and "\udc00" <= units[lo] <= "\udfff" and "\ud800" <= units[lo - 1] <= "\udbff":
            lo += 1
        if 0 < hi < n and "\ud800" <= units[hi - 1] <= "\udbff" and "\udc00" <= units[hi] <= "\udfff":
            hi -= 1
    return _join_units(units[lo:hi]) if hi > lo else ""
