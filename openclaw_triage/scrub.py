"""Mask secrets (and, on request, the user and host names) in text we did not write ourselves.

The one mechanism for it: log lines, the `openclaw` CLI's output, probe answers, exception text
and the support report all pass a `Scrubber`. Every secret it was given becomes its
`models status`-style mask, and so does anything shaped like a key or token it was not told
about (Anthropic and other providers' keys, Discord bot tokens, `Bearer …`, `token=…`, long hex
gateway tokens). Masks keep 8 characters at each end at most, as OpenClaw's `maskApiKey` does,
so a user can still match them.

A secret given whole is also looked for in its long whitespace-separated pieces, because a key
wrapped while pasting leaks in parts. All the known secrets are found in one pass over the text
(`_Matcher`), so a report on an install with 10,000 profiles costs what one with ten does, per
line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from .keys import mask

_MIN_SECRET = 8  # shorter "secrets" would garble ordinary words
_MIN_FRAGMENT = 12  # a piece of a wrapped secret shorter than this is too common to scrub
_HEAD = 20  # the matcher finds secrets by their first characters, then compares them whole
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
    """Callable text filter: known secrets, secret shapes, then (optionally) user and host names.

    Build one per run with every secret the run knows (`known_secrets`), and pass every text
    from outside through it.
    """

    __slots__ = ("_era", "_matcher", "_names")

    def __init__(
        self,
        secrets: Iterable[str | None] = (),
        *,
        era: str = "sqlite",
        names: Iterable[tuple[str, str]] = (),
    ) -> None:
        """`names`: (text, replacement) pairs such as ("alice", "<user>"), applied last."""
        self._era = era
        pieces: set[str] = set()
        for secret in secrets:
            if not isinstance(secret, str):
                continue
            whole = secret.strip()
            if len(whole) >= _MIN_SECRET:
                pieces.add(whole)
            pieces.update(p for p in whole.split() if len(p) >= _MIN_FRAGMENT)
        self._matcher = _Matcher(pieces) if pieces else None
        ordered = sorted(((n, r) for n, r in names if n and n.strip()), key=lambda nr: len(nr[0]), reverse=True)
        self._names = [(_name_regex(n), r) for n, r in ordered]

    def __call__(self, text: str | None) -> str:
        if not text:
            return ""
        if self._matcher is not None:
            text = self._matcher.sub(text, self.mask)
        text = _LABELLED.sub(lambda m: m.group(1) + self._mask_unless_masked(m.group(2)), text)
        text = _SHAPES.sub(lambda m: self._mask_unless_masked(m.group(0)), text)
        for pattern, replacement in self._names:
            text = pattern.sub(replacement, text)
        return text

    def optional(self, text: str | None) -> str | None:
        """Like calling it, but `None` stays `None` (an optional field)."""
        return None if text is None else self(text)

    def mask(self, value: str) -> str:
        return mask(value, era=self._era)

    def _mask_unless_masked(self, value: str) -> str:
        return value if _MASK_LIKE.match(value) else self.mask(value)


_SHAPES_ONLY = Scrubber()


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` with the given secrets, and anything shaped like a secret, masked."""
    return (Scrubber(secrets) if secrets else _SHAPES_ONLY)(text)


class _Matcher:
    """Every occurrence of any of many strings, found in one pass.

    A regular expression built as a trie of the strings' first `_HEAD` characters finds where one
    may start (zero-width, so overlapping starts are all seen); each start is then compared with
    the few strings that begin that way, longest first, so a secret holding another is masked
    whole. Building costs about a microsecond per character of head, not per character of text.
    """

    __slots__ = ("_candidates", "_starts")

    def __init__(self, strings: Iterable[str]) -> None:
        ordered = sorted(set(strings), key=len, reverse=True)
        by_head: dict[str, list[str]] = {}
        for s in ordered:
            by_head.setdefault(s[:_HEAD], []).append(s)
        # A start that matches a long head may also be where a shorter string (whose head is a
        # prefix of it) begins: its candidates are all of those, longest first.
        self._candidates: dict[str, list[str]] = {}
        for head in by_head:
            found = [s for n in range(len(head), 0, -1) for s in by_head.get(head[:n], ())]
            self._candidates[head] = sorted(found, key=len, reverse=True)
        self._starts = re.compile(f"(?=({_trie_pattern(by_head)}))")

    def sub(self, text: str, replace: Callable[[str], str]) -> str:
        out: list[str] = []
        done = 0
        for match in self._starts.finditer(text):
            start = match.start()
            if start < done:
                continue
            for candidate in self._candidates[match.group(1)]:
                if text.startswith(candidate, start):
                    out += (text[done:start], replace(candidate))
                    done = start + len(candidate)
                    break
        if not out:
            return text
        out.append(text[done:])
        return "".join(out)


def _trie_pattern(words: Iterable[str]) -> str:
    """A regex matching the longest of `words` at a position (a trie, runs of one child merged)."""
    root: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:  # type: ignore[type-arg]
        run = ""
        while len(node) == 1 and "" not in node:  # a chain: one literal
            ((ch, node),) = node.items()
            run += ch
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return re.escape(run)
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            body = f"(?:{body})?"
        return re.escape(run) + body

    return build(root)


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
# Request headers a provider config may set that never carry a credential.
_PLAIN_HEADERS = frozenset({"accept", "anthropic-beta", "anthropic-version", "content-type", "user-agent"})
_NOT_A_SECRET = re.compile(r"^(?:\$\{[A-Z_][A-Z0-9_]*\}|[A-Z_][A-Z0-9_]*|secretref-[a-z:-]+.*|__OPENCLAW_REDACTED__)$")


def known_secrets(install: object) -> list[str]:
    """Every secret an install holds that we can see: stored keys and tokens of every agent,
    secret-looking config values (gateway and channel tokens, apiKeys, every request header a
    provider is configured to send), and the values of secret-named variables."""
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


def _config_secrets(node: object, key: str = "", in_headers: bool = False) -> list[str]:
    if isinstance(node, dict):
        headers = key.lower() == "headers"
        return [
            s
            for k, v in node.items()
            if not (headers and str(k).strip().lower() in _PLAIN_HEADERS)
            for s in _config_secrets(v, str(k), headers)
        ]
    if isinstance(node, list):
        return [s for v in node for s in _config_secrets(v, key, in_headers)]
    if isinstance(node, str) and (in_headers or _SECRET_KEYS.search(key)) and not _NOT_A_SECRET.match(node.strip()):
        return [node]
    return []
