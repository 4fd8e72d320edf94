"""Mask secrets (and, on request, the user and host names) in text we did not write ourselves.

The one mechanism for it: log lines, the `openclaw` CLI's output, probe answers, exception text
and the support report all pass a `Scrubber`. Every secret it was given becomes its
`models status`-style mask, and so does anything shaped like a key or token it was not told
about (Anthropic and other providers' keys, Discord bot tokens, `Bearer …`, `token=…`, long hex
gateway tokens). Masks keep 8 characters at each end at most, as OpenClaw's `maskApiKey` does,
so a user can still match them.

A secret given whole is also looked for in its long whitespace-separated pieces, because a key
wrapped while pasting leaks in parts. All the known secrets are found in one pass over the text
(`_Matcher`: a scan for their first characters, then a dictionary look-up), and building it costs
a dictionary entry per secret, so a report on an install with 10,000 profiles costs what one with
ten does, per line. `scrubber_for(install)` builds it once per run, with every secret the install
holds or shows (`known_secrets`), for every caller.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from functools import cache
from json.encoder import encode_basestring  # `json.dumps` of a str, ensure_ascii=False

from .keys import mask
from .util.jsontext import rewrite_strings

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_MIN_SECRET = 8  # shorter "secrets" would garble ordinary words
_MIN_FRAGMENT = 12  # a piece of a wrapped secret shorter than this is too common to scrub
_PROBE = 4  # the matcher scans for the first characters of the known secrets ...
_HEAD = 20  # ... then looks the next ones up, and compares the few candidates whole
_JSON_PROBE, _JSON_HEADS = 9, 1024  # `_Matcher.json_spans`


def _provider_prefixes() -> list[str]:
    """Every prefixed key shape of `providers` (xai-, gsk_, AQ. ...): a key of a provider the
    install does not hold, seen in a log line or a server's answer, is masked all the same."""
    from .providers import PROVIDERS

    covered = ("sk-", "AIza")  # the hand-written shapes below
    prefixes = {
        s.prefix for p in PROVIDERS for s in p.shapes if len(s.prefix) >= 3 and not s.prefix.startswith(covered)
    }
    return [re.escape(prefix) + r"[A-Za-z0-9_.-]{16,}" for prefix in sorted(prefixes, key=len, reverse=True)]


_KEY_SHAPES = [  # each starts with a literal prefix, so a long text is searched for it fast
    r"sk-ant-[A-Za-z0-9_-]{8,}",  # Anthropic keys and tokens
    r"sk-(?:or-v1-|proj-)?[A-Za-z0-9_-]{20,}",  # OpenRouter, OpenAI, ...
    r"AIza[0-9A-Za-z_-]{30,}",  # Google
    *_provider_prefixes(),
]
_DISCORD = r"[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}"  # Discord bot token
_HEX = r"(?<![0-9a-fA-F])[0-9a-fA-F]{32,}(?![0-9a-fA-F])"  # hex tokens (gateway auth tokens)
_SHAPES = re.compile("|".join([*_KEY_SHAPES, _DISCORD, _HEX]))
_LABELLED = re.compile(
    r"(?i)(\bbearer\s+|\b(?:x-)?api[-_]?key[\"']?\s*[:=]\s*[\"']?|\b(?:token|password|secret)[\"']?\s*[:=]\s*[\"']?)"
    r"([^\s\"'\\,;)]{8,})"  # never a quote or backslash: a JSON text stays valid
)
# Every shape holds a run of 15 key characters, every label one of these words: a text with
# neither (most short ones) skips both expressions.
_MAYBE = re.compile(r"[A-Za-z0-9_-]{15}|(?i:bearer|key|token|password|secret)")
SHORTEST_SHAPE = 14  # nothing shorter matches `_SHAPES` or `_LABELLED`
_MASK_LIKE = re.compile(r"^.{1,8}\.\.\..{1,8}$")


@cache
def _json_hints() -> tuple[list[re.Pattern[bytes]], list[re.Pattern[bytes]], bytes]:
    """What `Scrubber.dumps` scans a serialised JSON text for. Wherever `_SHAPES` or `_LABELLED`
    matches a string, one of these matches in the string as serialised (a superset: the strings
    hit are then checked whole): the key shapes themselves (no character in them is escaped); a
    Discord token's middle; in the ASCII lower case of the text, a label word and the quote or
    white space and `:` or `=` after it, escaped or not, with the letters that `(?i)` matches
    elsewhere in Unicode (K for k, ı and İ for i, ſ for s: `secret` is looked for as `ecret`),
    unless what follows is plainly a mask, which `_LABELLED` leaves (`token:sk-ant-o...AbCdEfAA`
    in every token profile's label). And a table marking hex digits, for a run of 32 (`_HEX`)."""
    k, i, s = ("(?:k|\u212a)".encode(), "(?:i|\u0130|\u0131)".encode(), "(?:s|\u017f)".encode())
    gap = rb"(?:[ '\x80-\xff]|\\[\"bfnrt]|\\u[0-9a-f]{4})"  # `["']` or white space, serialised
    # `\s*["']?` then a whole value that `_MASK_LIKE` takes, each byte as it is in the string
    # (no escape, no multi-byte character: those are never skipped), then what ends a value.
    plain = rb"[^\s\"'\\,;)\x80-\xff]"
    masked = rb"(?:[ ]|\\[tnrf]|\\u00(?:0b|1[c-f]))*(?:\\\"|')?" + plain + rb"{1,8}\.\.\." + plain + rb"{1,8}[ \"',;)]"
    field = gap + rb"*[:=](?!" + masked + rb")"
    keys = [r"sk-[A-Za-z0-9_-]{12}", *_KEY_SHAPES[2:]]  # sk-ant- and 8 more, or sk- and 20 more: one scan
    shapes = [re.compile(p.encode()) for p in keys] + [re.compile(rb"\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27}")]
    labels = [
        re.compile(rb"bearer(?=[ \x80-\xff]|\\[bfnrt]|\\u[0-9a-f]{4})(?!" + masked + rb")"),
        re.compile(rb"ap" + i + rb"[-_]?" + k + rb"ey" + field),
        re.compile(rb"to" + k + rb"en" + field),
        re.compile(rb"pa" + s + s + rb"word" + field),
        re.compile(rb"ecret" + field),
    ]
    hex_digits = b"0123456789abcdefABCDEF"
    return shapes, labels, bytes(0x68 if c in hex_digits else 0x20 for c in range(256))  # hex: "h"


class Scrubber:
    """Callable text filter: known secrets, secret shapes, then (optionally) user and host names.

    Build one per run with every secret the run knows (`scrubber_for(install)`), and pass every
    text from outside through it.
    """

    __slots__ = ("_era", "_matchers", "_names")

    def __init__(
        self,
        secrets: Iterable[str | None] = (),
        *,
        era: str = "sqlite",
        names: Iterable[tuple[str, str]] = (),
    ) -> None:
        """`names`: (text, replacement) pairs such as ("alice", "<user>"), applied last."""
        self._era = era
        pieces = _pieces(secrets)
        self._matchers: tuple[_Matcher, ...] = (_Matcher(pieces),) if pieces else ()
        ordered = sorted(((n, r) for n, r in names if n and n.strip()), key=lambda nr: len(nr[0]), reverse=True)
        self._names = [(_name_regex(n), r, _serialised(n)) for n, r in ordered]

    def __call__(self, text: str | None) -> str:
        if not text:
            return ""
        for matcher in self._matchers:
            text = matcher.sub(text, self.mask)
        if _MAYBE.search(text):
            text = _LABELLED.sub(lambda m: m.group(1) + self._mask_unless_masked(m.group(2)), text)
            text = _SHAPES.sub(lambda m: self._mask_unless_masked(m.group(0)), text)
        for pattern, replacement, _ in self._names:
            text = pattern.sub(replacement, text)
        return text

    def optional(self, text: str | None) -> str | None:
        """Like calling it, but `None` stays `None` (an optional field)."""
        return None if text is None else self(text)

    def json(self, value: Any) -> Any:
        """`value` (JSON-ready) with every string in it, keys too, scrubbed (`dumps`, read back)."""
        return json.loads(self.dumps(value))

    def dumps(self, value: Any, *, indent: int | None = None) -> str:
        """`json.dumps(value, ensure_ascii=False, indent=indent)` with every string in it (keys
        too) as calling the scrubber on it returns it, those shorter than a secret as they are.

        One pass over the serialised text rather than a walk of the values (a 10,000-profile
        `check --json` holds ~340,000): fast scans find every place a known secret, a shape, a
        label or a name could stand, as serialised (a quote in a secret reads `\\"` there); only
        the strings they land in are decoded, scrubbed whole and encoded again, so the result is
        what scrubbing each string would give, and valid JSON.
        """
        text = json.dumps(value, ensure_ascii=False, indent=indent)
        data = text.encode("utf-8", "surrogatepass")
        spans = self._suspects(data)
        out = rewrite_strings(data, spans, self._one) if spans else data
        return text if out is data else out.decode("utf-8", "surrogatepass")

    def _one(self, text: str) -> str:
        return text if len(text) < _MIN_SECRET else self(text)

    def _suspects(self, data: bytes) -> list[tuple[int, int]]:
        """Where in the JSON text `data` this scrubber may change a string (`_json_hints`)."""
        shapes, labels, hex_table = _json_hints()
        spans = [span for matcher in self._matchers for span in matcher.json_spans(data)]
        spans += (m.span() for pattern in shapes for m in pattern.finditer(data))
        lower = data.lower()
        spans += (m.span() for pattern in labels for m in pattern.finditer(lower))
        spans += _find_all(data.translate(hex_table), b"h" * 32)
        for _, _, needle in self._names:
            spans += _find_all(data, needle)
        return spans

    def plus(self, secrets: Iterable[str | None]) -> Scrubber:
        """This scrubber and more secrets (found first), sharing what is already built."""
        pieces = _pieces(secrets)
        return self._copy(matchers=((_Matcher(pieces),) if pieces else ()) + self._matchers)

    def with_names(self, names: Iterable[tuple[str, str]]) -> Scrubber:
        """This scrubber, also replacing user and host names (`names` as in the constructor)."""
        return self._copy(names=Scrubber(names=names)._names)

    def mask(self, value: str) -> str:
        return mask(value, era=self._era)

    def _copy(self, *, matchers: tuple[_Matcher, ...] | None = None, names: Any = None) -> Scrubber:
        other = Scrubber(era=self._era)
        other._matchers = self._matchers if matchers is None else matchers
        other._names = self._names if names is None else names
        return other

    def _mask_unless_masked(self, value: str) -> str:
        return value if _MASK_LIKE.match(value) else self.mask(value)


def _pieces(secrets: Iterable[str | None]) -> set[str]:
    """The strings to look for: each secret whole, and the long pieces a wrapped paste leaves."""
    pieces: set[str] = set()
    for secret in secrets:
        if not isinstance(secret, str):
            continue
        whole = secret.strip()
        if len(whole) >= _MIN_SECRET:
            pieces.add(whole)
        pieces.update(p for p in whole.split() if len(p) >= _MIN_FRAGMENT)
    return pieces


def _serialised(text: str) -> bytes:
    """`text` as it stands inside a JSON string that `Scrubber.dumps` wrote (UTF-8)."""
    return encode_basestring(text)[1:-1].encode("utf-8", "surrogatepass")


def _find_all(data: bytes, needle: bytes) -> list[tuple[int, int]]:
    spans = []
    at = data.find(needle)
    while at >= 0:
        spans.append((at, at + len(needle)))
        at = data.find(needle, at + len(needle))
    return spans


_SHAPES_ONLY = Scrubber()


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` with the given secrets, and anything shaped like a secret, masked."""
    return (Scrubber(secrets) if secrets else _SHAPES_ONLY)(text)


class _Matcher:
    """Every occurrence of any of many strings (at least `_PROBE` characters each), found in one pass.

    A regular expression (a trie of the strings' first `_PROBE` characters, zero-width so that
    overlapping starts are all seen) finds where one may start; there the text's next `_HEAD`
    characters pick the few long strings that begin that way, and each length of the short ones
    is one set look-up. The longest string found at a start wins, so a secret holding another
    is masked whole. Building costs a dictionary entry per string, never a regex of all of them.
    """

    __slots__ = ("_json", "_long", "_short", "_short_lengths", "_starts")

    def __init__(self, strings: Iterable[str]) -> None:
        unique = set(strings)
        self._long: dict[str, list[str]] = {}
        self._short = {s for s in unique if len(s) < _HEAD}
        for s in sorted(unique - self._short, key=len, reverse=True):
            self._long.setdefault(s[:_HEAD], []).append(s)
        self._short_lengths = sorted({len(s) for s in self._short}, reverse=True)
        self._starts = re.compile(f"(?=(?:{_trie_pattern({s[:_PROBE] for s in unique})}))")
        self._json: re.Pattern[bytes] | None = None

    def json_spans(self, data: bytes) -> list[tuple[int, int]]:
        """Where one of the strings may stand in the JSON text `data` (`Scrubber.dumps`): the
        first bytes of each as serialised there, a quote in it escaped. Its first 9 bytes by
        default, past the 8 a mask keeps (so masks are not hits); fewer when that would make
        an expression of more than `_JSON_HEADS` of them."""
        if self._json is None:  # a character takes a byte or more: the first 9 bytes come from the first 9
            starts = {s[:_JSON_PROBE] for s in self._short} | {s[:_JSON_PROBE] for s in self._long}
            serialised = {_serialised(s) for s in starts}
            for n in range(_JSON_PROBE, 0, -1):
                heads = {s[:n] for s in serialised}
                if len(heads) <= _JSON_HEADS:
                    break
            self._json = re.compile(_trie_pattern(h.decode("latin-1") for h in heads).encode("latin-1"))
        return [m.span() for m in self._json.finditer(data)]

    def at(self, text: str, start: int) -> str | None:
        """The longest of the strings that starts at `start`, if any."""
        for candidate in self._long.get(text[start : start + _HEAD], ()):
            if text.startswith(candidate, start):
                return candidate
        for n in self._short_lengths:
            piece = text[start : start + n]
            if piece in self._short:
                return piece
        return None

    def sub(self, text: str, replace: Callable[[str], str]) -> str:
        out: list[str] = []
        done = 0
        for match in self._starts.finditer(text):
            start = match.start()
            if start < done:
                continue
            found = self.at(text, start)
            if found is not None:
                out += (text[done:start], replace(found))
                done = start + len(found)
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
    """Every secret an install holds or shows that we can see: stored keys and tokens of every
    agent (and anything key-shaped in their other fields: an id, an email, a field we do not
    model), secret-looking config values (gateway and channel tokens, apiKeys, every request
    header a provider is configured to send, in openclaw.json and in each agent's models.json),
    URL passwords (`https://user:pass@proxy`) and key-shaped strings in any config field, the
    values of secret-named variables, of variables a profile refers to, and of `.env` files."""
    out: list[str] = []
    for agent in getattr(install, "agents", ()):
        for layer in agent.layers:
            for profile in layer.profiles.values():
                for secret in (profile.secret, profile.refresh):
                    if secret is not None:
                        out.append(secret.get_secret_value())
                out += _found_in((profile.id, profile.email, profile.extra))
                ref = profile.ref
                if ref is not None and ref.source == "env":
                    out.append((getattr(install, "seen_env", {}) or {}).get(ref.id, ""))
        out += _models_json_secrets(install, getattr(agent, "agent_dir", None))
    config = getattr(getattr(install, "config", None), "data", {}) or {}
    out += _config_secrets(config)
    out += _found_in(config)
    env_block = config.get("env") if isinstance(config, dict) else None  # `env.K` and `env.vars.K`
    for block in (env_block, env_block.get("vars") if isinstance(env_block, dict) else None):
        if isinstance(block, dict):
            out += (v for v in block.values() if isinstance(v, str) and not _PLAIN_VALUE.match(v.strip()))
    for name, value in (getattr(install, "seen_env", {}) or {}).items():
        if _SECRET_ENV.search(name) and isinstance(value, str):
            out.append(value)
    for var in (getattr(install, "env", {}) or {}).values():  # what .env files (and the shell) set
        value = var.value.get_secret_value()
        if _SECRET_ENV.search(var.name) or not _PLAIN_VALUE.match(value.strip()):
            out.append(value)
    return out


_PLAIN_VALUE = re.compile(r"^(?:[~/.].*|[a-z]+://[^@\s]*|\d+|true|false|)$", re.IGNORECASE)  # paths, URLs, numbers
_USERINFO = re.compile(r"://([^/?#@\s:]*):([^/?#@\s]+)@")


def _found_in(node: object) -> list[str]:
    """Key-shaped strings, and the passwords of URLs, anywhere in a value (dict keys too)."""
    out: list[str] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if len(item) >= _MIN_SECRET:
                out += (m.group(0) for m in _SHAPES.finditer(item))
                out += (m.group(2) for m in _USERINFO.finditer(item))
        elif isinstance(item, dict):
            stack += item.keys()
            stack += item.values()
        elif isinstance(item, list | tuple):
            stack += item
    return out


def _models_json_secrets(install: object, agent_dir: Any) -> list[str]:
    """The agent's `models.json` (a provider's apiKey and headers, read by the probe)."""
    if agent_dir is None:
        return []
    from pathlib import Path

    from .model import read_models_json
    from .util.readonce import Reads

    data = read_models_json(getattr(install, "reads", None) or Reads(), Path(agent_dir))
    return [] if data is None else [*_config_secrets(data), *_found_in(data)]


def scrubber_for(install: object, *, extra: Iterable[str | None] = ()) -> Scrubber:
    """The run's scrubber: every secret of `install` (`known_secrets`), built once per install
    object and shared by every part of the run (the log reader, the probe, the report, the app);
    `extra` secrets (a key being pasted) join it without rebuilding it."""
    if not _RUN or _RUN[0] is not install:
        _RUN[:] = [install, Scrubber(known_secrets(install), era=getattr(install, "era", "sqlite"))]
    base: Scrubber = _RUN[1]
    return base.plus(extra) if extra else base


_RUN: list[Any] = []  # [install, its scrubber]: one install's at a time, held so its id stays its own


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
