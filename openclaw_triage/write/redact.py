"""Scrub secrets out of text we did not write ourselves (CLI output, OS error strings).

Our own messages are built from masks; this is the defensive second line for text that
may echo what we sent, e.g. the `openclaw` CLI repeating a pasted value in an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..keys import mask

# Anything shaped like an Anthropic secret, even one we were not told about.
_ANTHROPIC_LIKE = re.compile(r"sk-ant-[A-Za-z0-9_-]{12,}")
_MIN_FRAGMENT = 12  # pieces shorter than this are too common to scrub without garbling the text
_MIN_SECRET = 6  # a whole "secret" shorter than this is no secret (and would garble everything)


def _fragments(secret: str) -> list[str]:
    """The secret, trimmed, and its long whitespace-separated pieces (a wrapped paste leaks in parts)."""
    parts = {secret, secret.strip()}
    parts.update(p for p in secret.split() if len(p) >= _MIN_FRAGMENT)
    whole = secret.strip()
    keep = (p for p in parts if len(p) >= _MIN_FRAGMENT or (p == whole and len(p) >= _MIN_SECRET))
    return sorted(keep, key=len, reverse=True)


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every given secret (and anything Anthropic-key-shaped) replaced by its mask."""
    for secret in secrets:
        if not secret or not secret.strip():
            continue
        for fragment in _fragments(secret):
            text = text.replace(fragment, mask(fragment))
    return _ANTHROPIC_LIKE.sub(lambda m: mask(m.group(0)), text)
