"""Mask secrets (and, on request, the user and host names) in text we did not write ourselves.

Log lines, CLI output and anything pasted into a support thread pass through a `Scrubber`:
every secret we know becomes its `models status`-style mask, and so does anything shaped
like a key or token we were not told about (Anthropic and other providers' keys, Discord
bot tokens, `Bearer …`, `token=…`, long hex gateway tokens). Masks keep 8 characters at
each end at most, as OpenClaw's `maskApiKey` does, so a user can still match them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .keys import mask

_MIN_SECRET = 8  # shorter "secrets" would garble ordinary words
_SHAPES = re.compile(
    "|".join(
        [
            r"sk-ant-[A-Za-z0-9_-]{8,}",  # Anthropic keys and tokens
            r"sk-(?:or-v1-|proj-)?[A-Za-z0-9_-]{20,}",  # OpenRouter, OpenAI, ...
            r"AIza[0-9A-Za-z_-]{30,}",  # Google
            r"[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}",  # Discord bot token
            r"(?<![0-9a-fA-F])[0-9a-fA-F]{32,}(?![0-9a-fA-F])",  # hex tokens (gateway auth tokens)
        ]
    )
)
_LABELLED = re.compile(
    r"(?i)(\bbearer\s+|\b(?:x-)?api[-_]?key[\"']?\s*[:=]\s*[\"']?|\b(?:token|password|secret)[\"']?\s*[:=]\s*[\"']?)"
    r"([^\s\"',;)]{8,})"
)
_MASK_LIKE = re.compile(r"^.{1,8}\.\.\..{1,8}$")


class Scrubber:
    """Callable text filter: known secrets, secret shapes, then (optionally) user and host names."""

    __slots__ = ("_era", "_names", "_secrets")

    def __init__(
        self,
        secrets: Iterable[str | None] = (),
        *,
        era: str = "sqlite",
        names: Iterable[tuple[str, str]] = (),
    ) -> None:
        """`names`: (text, replacement) pairs such as ("alice", "<user>"), applied last."""
        self._era = era
        unique = {s.strip() for s in secrets if isinstance(s, str) and len(s.strip()) >= _MIN_SECRET}
        self._secrets = sorted(unique, key=len, reverse=True)  # a secret holding another is masked whole
        ordered = sorted(((n, r) for n, r in names if n and n.strip()), key=lambda nr: len(nr[0]), reverse=True)
        self._names = [(_name_regex(n), r) for n, r in ordered]

    def __call__(self, text: str | None) -> str:
        if not text:
            return ""
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, self.mask(secret))
        text = _LABELLED.sub(lambda m: m.group(1) + self._mask_unless_masked(m.group(2)), text)
        text = _SHAPES.sub(lambda m: self._mask_unless_masked(m.group(0)), text)
        for pattern, replacement in self._names:
            text = pattern.sub(replacement, text)
        return text

    def mask(self, value: str) -> str:
        return mask(value, era=self._era)

    def _mask_unless_masked(self, value: str) -> str:
        return value if _MASK_LIKE.match(value) else self.mask(value)


def _name_regex(name: str) -> re.Pattern[str]:
    """A path as a prefix (`/home/alice/x` -> `~/x`); a user or host name as a whole word or path
    segment (short names only inside paths)."""
    escaped = re.escape(name)
    if "/" in name:
        return re.compile(rf"{escaped}(?![A-Za-z0-9_.-])")
    if len(name) < 3:
        return re.compile(rf"(?<=/){escaped}(?=/|$)")
    return re.compile(rf"(?<![A-Za-z0-9_-]){escaped}(?![A-Za-z0-9_-])")


_SECRET_KEYS = re.compile(r"(?i)(token|secret|password|api[-_]?key|key)$")
_SECRET_ENV = re.compile(r"(?i)(KEY|TOKEN|SECRET|PASSWORD)")
# Variable names and references (`ANTHROPIC_API_KEY`, `${VAR}`) and OpenClaw's markers are not secrets.
_NOT_A_SECRET = re.compile(r"^(?:\$\{[A-Z_][A-Z0-9_]*\}|[A-Z_][A-Z0-9_]*|secretref-[a-z:-]+.*|__OPENCLAW_REDACTED__)$")


def known_secrets(install: object) -> list[str]:
    """Every secret an install holds that we can see: stored keys and tokens of every agent,
    secret-looking config values (gateway and channel tokens, apiKeys), and secret-named variables."""
    out: list[str] = []
    for agent in getattr(install, "agents", ()):
        for layer in agent.layers:
            for profile in layer.profiles.values():
                for secret in (profile.secret, profile.refresh):
                    if secret is not None:
                        out.append(secret.get_secret_value())
    config = getattr(getattr(install, "config", None), "data", {}) or {}
    out += _config_secrets(config)
    for name, value in (getattr(install, "seen_env", {}) or {}).items():
        if _SECRET_ENV.search(name) and isinstance(value, str):
            out.append(value)
    return out


def _config_secrets(node: object, key: str = "") -> list[str]:
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in _config_secrets(v, str(k))]
    if isinstance(node, list):
        return [s for v in node for s in _config_secrets(v, key)]
    if isinstance(node, str) and _SECRET_KEYS.search(key) and not _NOT_A_SECRET.match(node.strip()):
        return [node]
    return []
