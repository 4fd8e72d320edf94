"""One masking pass over every text the probe shows: errors, messages, exception text.

Anthropic never echoes a key, and a proxy or a library error might. So anything leaving the
prober passes here first: every known secret, and anything shaped like an Anthropic secret,
becomes its `models status` mask.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..keys import mask
from ..model import Era

_SHAPED = re.compile(r"sk-ant-[A-Za-z0-9_\-]{4,}")
_MIN_SECRET = 8  # shorter strings are not secrets worth hiding and would mangle normal text


class Redactor:
    """Replaces known secrets and `sk-ant-…` shapes with their masks."""

    __slots__ = ("_era", "_secrets")

    def __init__(self, secrets: Iterable[str], era: Era) -> None:
        self._era = era
        unique = {s for s in secrets if isinstance(s, str) and len(s.strip()) >= _MIN_SECRET}
        unique |= {s.strip() for s in unique}
        # Longest first, so a secret containing another is masked whole.
        self._secrets = sorted(unique, key=len, reverse=True)

    def __call__(self, text: str | None) -> str | None:
        if not text:
            return text
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, mask(secret, era=self._era))
        return _SHAPED.sub(lambda m: mask(m.group(0), era=self._era), text)

    def text(self, text: str) -> str:
        """Like calling it, typed for a `str` in and out."""
        return self(text) or ""
