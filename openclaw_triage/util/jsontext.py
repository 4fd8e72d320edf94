"""Rewriting some of the strings of a serialised JSON text without parsing the rest of it.

A scan of the whole text (the scrubber's) finds positions; `rewrite_strings` finds the string
tokens around them and replaces each by a function of its value, so a document of 340,000
values costs a few passes over its bytes, not a walk of its values. No full tokenizer is
needed: once every escaped backslash (`\\\\`) is blanked out, a quote preceded by a backslash
is escaped and any other quote starts or ends a string, so whether a position lies inside a
string is the parity of the quotes before it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from json.encoder import encode_basestring  # `json.dumps` of a str, ensure_ascii=False

_BACKSLASH = 0x5C


def rewrite_strings(data: bytes, spans: Iterable[tuple[int, int]], rewrite: Callable[[str], str]) -> bytes:
    """`data` (UTF-8 JSON text) with every string token that overlaps one of `spans` (byte
    ranges; outside every string, in a number say, they are ignored) replaced by the JSON of
    `rewrite(value)`, keys included. Returns `data` itself when nothing changed."""
    plain = data.replace(b"\\\\", b"\0\0")  # same length; now every backslash escapes the next byte
    out: list[bytes] = []
    copied = 0  # data[:copied] is in `out`
    outside = 0  # a position outside every string (the start, or just past a string)
    done: dict[bytes, bytes | None] = {}  # a token seen before: its replacement, None if it stays
    for first, end in sorted(spans):
        start = max(first, outside)
        while start < end:
            quotes = plain.count(b'"', outside, start) - plain.count(b'\\"', outside, start)
            if quotes % 2:  # inside a string: it opened at the last unescaped quote before `start`
                opening = plain.rfind(b'"', outside, start)
                while opening > 0 and plain[opening - 1] == _BACKSLASH:
                    opening = plain.rfind(b'"', outside, opening)
            else:  # outside: no backslash out here, so the next quote opens a string
                opening = plain.find(b'"', start)
                if opening < 0 or opening >= end:
                    break
            closing = plain.find(b'"', opening + 1)
            while plain[closing - 1] == _BACKSLASH:
                closing = plain.find(b'"', closing + 1)
            token = data[opening : closing + 1]
            if token in done:
                new = done[token]
            else:
                value = json.loads(token.decode("utf-8", "surrogatepass"))
                changed = rewrite(value)
                new = done[token] = (
                    None if changed == value else encode_basestring(changed).encode("utf-8", "surrogatepass")
                )
            if new is not None:
                out += (data[copied:opening], new)
                copied = closing + 1
            outside = start = closing + 1
    if not out:
        return data
    out.append(data[copied:])
    return b"".join(out)
