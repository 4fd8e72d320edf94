"""`JSON.stringify(value, null, 2)` in Python, byte for byte.

OpenClaw writes `auth-profiles.json` this way; producing the same bytes means every part of
the file we did not mean to change stays byte-identical. Python's `json.dumps(indent=2)`
differs on numbers (`1.0` vs `1`, `1e-05` vs `0.00001`) and on lone surrogates.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def js_number(value: float) -> str:
    """ECMAScript `Number::toString` for a float (shortest round-trip digits, JS exponent rules)."""
    if not math.isfinite(value):
        return "null"  # what JSON.stringify writes for NaN and ±Infinity
    if value == 0:
        return "0"
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    sign = "-" if value < 0 else ""
    text = repr(abs(value))
    mantissa, _, exp_text = text.partition("e")
    exponent = int(exp_text) if exp_text else 0
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0")
    exponent -= len(frac)
    stripped = digits.rstrip("0")
    exponent += len(digits) - len(stripped)
    digits = stripped or "0"
    k = len(digits)
    n = exponent + k  # value = 0.digits × 10^n
    if k <= n <= 21:
        out = digits + "0" * (n - k)
    elif 0 < n <= 21:
        out = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        out = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        e_text = ("+" if e >= 0 else "-") + str(abs(e))
        out = (digits if k == 1 else digits[0] + "." + digits[1:]) + "e" + e_text
    return sign + out


def js_string(value: str) -> str:
    """A JSON string literal as JSON.stringify writes it (UTF-8 kept, lone surrogates escaped)."""
    text = json.dumps(value, ensure_ascii=False)
    if _LONE_SURROGATE.search(text):
        text = _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
    return text


def stringify(value: Any, indent: str = "") -> str:
    """`JSON.stringify(value, null, 2)` for parsed JSON (dicts keep their key order)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return js_string(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return js_number(value)
    inner = indent + "  "
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{js_string(str(k))}: {stringify(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(inner + stringify(v, inner) for v in value) + "\n" + indent + "]"
    raise TypeError(f"cannot serialise {type(value).__name__} as JSON")


def dump_store(value: Any) -> bytes:
    """The bytes OpenClaw's `saveJsonFile` writes: pretty JSON plus a newline, UTF-8."""
    return (stringify(value) + "\n").encode("utf-8")
