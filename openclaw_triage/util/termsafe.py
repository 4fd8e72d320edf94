"""Text from disk or the network, made safe to put on a terminal.

A profile id, a chat label, a log line or a server's error message can hold escape sequences
(`ESC]0;title BEL` retitles the window, `ESC[2J` clears the screen) or bidi overrides that
reorder what the user reads. `termsafe` shows every such character as a visible escape
(`\\x1b`, `\\u202e`) instead, so what reaches the terminal is exactly what we meant to print.
Apply it at the output boundary, after masking, to every string that came from outside.
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls (CSI, OSC, ... as single code points), the bidi embeddings,
# overrides and isolates, the directional marks, and the line and paragraph separators.
_OTHERS = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_ANY = re.compile(f"[\x00-\x1f{_OTHERS}]")
_BUT_LINES = re.compile(f"[\x00-\x08\x0b-\x1f{_OTHERS}]")  # keeps \t and \n


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def termsafe(text: str, *, multiline: bool = False) -> str:
    """`text` with every control and bidi character shown as `\\xNN` / `\\uNNNN`.

    `multiline=True` keeps line feeds and tabs (a whole document we laid out ourselves);
    otherwise they are escaped too, so one field stays on one line.
    """
    pattern = _BUT_LINES if multiline else _ANY
    if pattern.search(text) is None:
        return text
    return pattern.sub(_escape, text)
