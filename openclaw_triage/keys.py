"""What a secret string is, what is wrong with it, and how OpenClaw masks it.

Three pure functions, no I/O, used by every other part of the tool:

- `classify` names what a string looks like (API key, OAuth token, another provider's key,
  a masked copy, ...) and lists every problem with it, each with a stable finding code;
- `sanitize` removes only what is safe to remove (surrounding whitespace and quotes, CR/LF
  at the ends, a `Bearer ` prefix, zero-width characters) and refuses anything that would
  change the key's interior;
- `mask` prints a secret exactly as the user's OpenClaw version does in `models status`.

Nothing here ever returns or formats a full secret except `SanitizeResult.value`, which
the paste flow hands straight to the writer.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from enum import StrEnum

from . import providers as _providers
from .providers import (
    ADMIN_KEY_LENGTH,
    ADMIN_KEY_PREFIX,
    API_KEY_LENGTH,
    API_KEY_PREFIX,
    BEARER_MARKER,
    OAUTH_TOKEN_MIN_LENGTH,
    OAUTH_TOKEN_PREFIX,
    REFRESH_TOKEN_PREFIX,
    KeyShape,
    Provider,
)
from .util.jsstr import js_trim, utf16_len, utf16_slice

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from typing import Any

# The formats: Anthropic's (research/anthropic-api.md §5) and every other row's, in `providers`.
__all__ = [
    "ADMIN_KEY_LENGTH",
    "ADMIN_KEY_PREFIX",
    "API_KEY_LENGTH",
    "API_KEY_PREFIX",
    "BEARER_MARKER",
    "OAUTH_TOKEN_MIN_LENGTH",
    "OAUTH_TOKEN_PREFIX",
    "OTHER_PROVIDERS",
    "REFRESH_TOKEN_PREFIX",
    "SAFE_TO_CLEAN",
    "KeyInfo",
    "KeyKind",
    "OtherProvider",
    "Problem",
    "SanitizeResult",
    "classify",
    "last4",
    "mask",
    "problem_text",
    "provider_of",
    "sanitize",
    "sends_bearer",
]

_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_SMART_QUOTES = frozenset("\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u00ab\u00bb\u2039\u203a")
_QUOTES = frozenset("\"'`")
_ELLIPSES = ("...", "\u2026", "***", "•••", "\u2022\u2022")


class KeyKind(StrEnum):
    """What a secret string looks like."""

    API_KEY = "api_key"
    OAUTH_TOKEN = "oauth_token"
    REFRESH_TOKEN = "refresh_token"
    ADMIN_KEY = "admin_key"
    ANTHROPIC_OTHER = "anthropic_other"  # sk-ant-… of an unknown kind (e.g. a compliance key)
    OTHER_PROVIDER = "other_provider"
    PLACEHOLDER = "placeholder"
    MASKED_COPY = "masked_copy"
    EMPTY = "empty"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    KeyKind.API_KEY: "Anthropic API key",
    KeyKind.OAUTH_TOKEN: "Anthropic OAuth/setup token",
    KeyKind.REFRESH_TOKEN: "Anthropic OAuth refresh token",
    KeyKind.ADMIN_KEY: "Anthropic Admin API key",
    KeyKind.ANTHROPIC_OTHER: "Anthropic key of an unknown kind",
    KeyKind.OTHER_PROVIDER: "another provider's key",
    KeyKind.PLACEHOLDER: "a placeholder, not a key",
    KeyKind.MASKED_COPY: "a masked copy, not the key",
    KeyKind.EMPTY: "empty",
    KeyKind.UNKNOWN: "not a recognised key",
}


@dataclass(frozen=True, slots=True)
class OtherProvider:
    """A provider whose keys people paste into Anthropic slots by mistake."""

    name: str
    pattern: str  # a regex, compiled on first use (check's start-up budget is tight)
    belongs: str  # where such a key belongs in OpenClaw
    provider_id: str | None = None  # its row in `providers`, when it has one
    generic: bool = False  # a catch-all shape many providers share: it names no one provider

    def matches(self, value: str) -> bool:
        return _compiled(self.pattern).search(value) is not None


def _detector(row: Provider) -> OtherProvider | None:
    """How to spot `row`'s keys anywhere: a distinctive prefix (not the bare `sk-`), a shape with a
    fixed length behind a generic prefix (DeepSeek's `sk-` + 32), or the marker every key holds.
    A shape with no prefix (Mistral's 32 characters) is too plain to name a key by."""
    parts: list[str] = []
    for shape in row.shapes:
        if len(shape.prefix) > 3:
            parts.append("^" + re.escape(shape.prefix))
        elif shape.prefix and shape.lengths and not shape.marker:
            parts.append(f"^(?:{shape.pattern()})$")
    parts += ["^" + re.escape(prefix) for prefix in row.other_prefixes]
    parts += sorted({re.escape(s.marker) for s in row.shapes if s.marker})
    return OtherProvider(row.label, "|".join(parts), row.belongs, row.id) if parts else None


# Most specific first: `sk-or-`/`sk-proj-` must win over the bare OpenAI-compatible `sk-`. The
# rows of `providers` first (in their order), then providers we only recognise.
OTHER_PROVIDERS: tuple[OtherProvider, ...] = (
    *(d for d in (_detector(row) for row in _providers.PROVIDERS if row is not _providers.ANTHROPIC) if d),
    OtherProvider("Perplexity", r"^pplx-", "perplexity/… models with PERPLEXITY_API_KEY"),
    OtherProvider("Hugging Face", r"^hf_", "huggingface/… models with HF_TOKEN"),
    OtherProvider("Replicate", r"^r8_", "replicate with REPLICATE_API_TOKEN"),
    OtherProvider("Fireworks", r"^fw_", "fireworks/… models with FIREWORKS_API_KEY"),
    OtherProvider("NVIDIA", r"^nvapi-", "nvidia/… models with NVIDIA_API_KEY"),
    OtherProvider("Cerebras", r"^csk-", "cerebras/… models with CEREBRAS_API_KEY"),
    OtherProvider("GitHub", r"^(ghp_|gho_|ghu_|ghs_|github_pat_)", "GitHub Copilot sign-in, not Anthropic"),
    OtherProvider("Slack", r"^xox[abpr]-", "a Slack channel's config, not model auth"),
    OtherProvider(
        "an OpenAI-compatible provider (DeepSeek, Moonshot, …)",
        r"^sk-(?!ant-)[A-Za-z0-9]{20,}$",
        "that provider's own models",
        generic=True,
    ),
)

# Strings that stand in for a key rather than being one.
_PLACEHOLDER_PATTERNS = (
    r"^__OPENCLAW_REDACTED__$",
    r"^\$\{?[A-Z][A-Z0-9_]*\}?$",  # an env template nobody substituted
    r"^<[^<>]*>$",
    r"(?i:^(your[-_ ]?)?(anthropic[-_ ]?)?(api[-_ ]?)?(key|token)([-_ ]?here)?$)",
    r"(?i:^(changeme|change[-_ ]me|replace[-_ ]?me|todo|placeholder|dummy|test|none|null|undefined|xxx+|\*+)$)",
    r"(?i:^sk-ant-(api03-|oat01-)?(x{3,}|\.{3}|…|your.*|\*+)$)",
    r"(?i:^(secretref-env:|__env__:)[A-Z][A-Z0-9_]*$)",  # retired OpenClaw markers
)


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_PLACEHOLDER = "|".join(f"(?:{p})" for p in _PLACEHOLDER_PATTERNS)


_KIND_SHORT = {
    KeyKind.API_KEY: "API key",
    KeyKind.OAUTH_TOKEN: "OAuth token",
    KeyKind.REFRESH_TOKEN: "refresh token",
    KeyKind.ADMIN_KEY: "admin key",
    KeyKind.ANTHROPIC_OTHER: "sk-ant-? key",
    KeyKind.OTHER_PROVIDER: "other provider",
    KeyKind.PLACEHOLDER: "placeholder",
    KeyKind.MASKED_COPY: "masked copy",
    KeyKind.EMPTY: "empty",
    KeyKind.UNKNOWN: "not a key",
}


class Problem(StrEnum):
    """One thing wrong with a secret string; the value is its finding code."""

    INNER_WHITESPACE = "key.whitespace"
    LINE_BREAK = "key.line_break"
    SURROUNDING_WHITESPACE = "key.surrounding_whitespace"
    CONTROL_CHARS = "key.control_characters"
    ZERO_WIDTH = "key.zero_width"
    SMART_QUOTES = "key.smart_quotes"
    SURROUNDING_QUOTES = "key.surrounding_quotes"
    BEARER_PREFIX = "key.bearer_prefix"
    ENV_ASSIGNMENT = "key.env_assignment"
    FRAGMENT = "key.oauth_code_fragment"
    BAD_CHARACTERS = "key.bad_characters"
    LENGTH = "key.length"
    SUFFIX = "key.suffix"


_PROBLEM_SHORT = {
    "key.whitespace": "space inside",
    "key.line_break": "line break",
    "key.surrounding_whitespace": "padded",
    "key.control_characters": "control chars",
    "key.zero_width": "zero-width chars",
    "key.smart_quotes": "smart quotes",
    "key.surrounding_quotes": "quoted",
    "key.bearer_prefix": "Bearer prefix",
    "key.env_assignment": "NAME=value",
    "key.oauth_code_fragment": "code#state",
    "key.bad_characters": "bad chars",
    "key.length": "wrong length",
    "key.suffix": "no AA end",
}

# Problems `sanitize` may clean up: they never change the key's interior.
SAFE_TO_CLEAN = frozenset(
    {Problem.SURROUNDING_WHITESPACE, Problem.SURROUNDING_QUOTES, Problem.BEARER_PREFIX, Problem.ZERO_WIDTH}
)

_PROBLEM_TEXT = {
    Problem.INNER_WHITESPACE: "contains a space or tab inside the key (a key is one unbroken string)",
    Problem.LINE_BREAK: "contains a line break inside the key (a wrapped paste)",
    Problem.SURROUNDING_WHITESPACE: "has whitespace or a newline around it",
    Problem.CONTROL_CHARS: "contains invisible control characters",
    Problem.ZERO_WIDTH: "contains zero-width characters",
    Problem.SMART_QUOTES: "contains typographic (smart) quotes",
    Problem.SURROUNDING_QUOTES: "is wrapped in quotes",
    Problem.BEARER_PREFIX: "starts with 'Bearer ' (that is a header, not the key)",
    Problem.ENV_ASSIGNMENT: "starts with a variable assignment such as ANTHROPIC_API_KEY=",
    Problem.FRAGMENT: "contains '#': an OAuth code#state was pasted instead of a token",
    Problem.BAD_CHARACTERS: "contains characters no key uses",
    Problem.LENGTH: "has the wrong length: shortened or altered",
    Problem.SUFFIX: "does not end in 'AA' like every Console API key: shortened or altered",
}


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """What `classify` found. Holds no secret material, only facts about it."""

    kind: KeyKind
    problems: tuple[Problem, ...] = ()
    length: int = 0  # UTF-16 length, as OpenClaw counts it
    expected_length: int | None = None
    provider_guess: str | None = None  # for OTHER_PROVIDER
    belongs: str | None = None
    sends_bearer: bool = False  # OpenClaw picks `Authorization: Bearer` from the text
    judged_as: str = "anthropic"  # whose key shapes judged it (the profile's provider, a `providers` id)
    shape: str | None = None  # which of that provider's shapes it has (`project key`), when not Anthropic's

    @property
    def owner(self) -> str:
        """The provider's name whose rules judged the key: `Anthropic`, `OpenAI`, ..."""
        row = _providers.get(self.judged_as)
        return row.label if row is not None else self.judged_as

    @property
    def ok(self) -> bool:
        return self.kind in (KeyKind.API_KEY, KeyKind.OAUTH_TOKEN) and not self.problems

    def summary(self) -> str:
        """A few words for a table cell: `API key · 104/108 chars`."""
        text = self.shape if self.shape and self.kind is KeyKind.API_KEY else _KIND_SHORT[self.kind]
        if self.kind is KeyKind.OTHER_PROVIDER and self.provider_guess:
            text = f"{self.provider_guess} key"
        shorts = []
        for problem in self.problems:
            short = _PROBLEM_SHORT[problem]
            if problem is Problem.LENGTH and self.expected_length:
                short = f"{self.length}/{self.expected_length} chars"
            if short not in shorts:
                shorts.append(short)
        return " · ".join([text, *shorts])

    def describe(self) -> str:
        """One human line: the kind, then why it is malformed."""
        text = self.kind.label
        if self.judged_as != "anthropic" and self.kind is KeyKind.API_KEY:
            text = f"{self.owner} {self.shape or 'API key'}"
        if self.kind is KeyKind.OTHER_PROVIDER and self.provider_guess:
            text = f"{self.provider_guess} key (not {self.owner})"
        if self.problems:
            text += ": " + "; ".join(problem_text(p, self) for p in self.problems)
        return text


_ANTHROPIC_KINDS = frozenset(
    {KeyKind.API_KEY, KeyKind.OAUTH_TOKEN, KeyKind.REFRESH_TOKEN, KeyKind.ADMIN_KEY, KeyKind.ANTHROPIC_OTHER}
)


def provider_of(info: KeyInfo) -> str | None:
    """The provider (a `providers` id) whose key `info` looks like, from `classify(value)` with no
    provider: `anthropic` for every `sk-ant-` kind, a row's id for its prefix; None when the shape
    names none of the rows (a bare `sk-` many providers share, no prefix at all, a placeholder)."""
    if info.judged_as == "anthropic" and info.kind in _ANTHROPIC_KINDS:
        return "anthropic"
    if info.kind is KeyKind.OTHER_PROVIDER and info.provider_guess:
        for other in OTHER_PROVIDERS:
            if other.name == info.provider_guess and not other.generic:
                return other.provider_id
    return None


def problem_text(problem: Problem, info: KeyInfo | None = None) -> str:
    text = _PROBLEM_TEXT[problem]
    if problem is Problem.LENGTH and info is not None and info.expected_length:
        text = f"is {info.length} characters, expected {info.expected_length}: shortened or altered"
    return text


def _strip_quotes(value: str) -> tuple[str, bool]:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in _QUOTES:
        return value[1:-1], True
    return value, False


def _expected_shape(core: str) -> tuple[KeyKind, int | None]:
    if core.startswith(API_KEY_PREFIX):
        return KeyKind.API_KEY, API_KEY_LENGTH
    if core.startswith(OAUTH_TOKEN_PREFIX):
        return KeyKind.OAUTH_TOKEN, None
    if core.startswith(REFRESH_TOKEN_PREFIX):
        return KeyKind.REFRESH_TOKEN, None
    if core.startswith(ADMIN_KEY_PREFIX):
        return KeyKind.ADMIN_KEY, ADMIN_KEY_LENGTH
    if core.startswith("sk-ant-"):
        return KeyKind.ANTHROPIC_OTHER, None
    return KeyKind.UNKNOWN, None


def _is_placeholder(core: str) -> bool:
    # Every pattern is anchored at the start: `match`, not `search`, keeps this O(1) per key.
    return _compiled(_PLACEHOLDER).match(core) is not None


def _looks_masked(core: str) -> bool:
    return any(e in core for e in _ELLIPSES)


def classify(value: str | None, provider: str | None = None) -> KeyInfo:
    """Name what `value` looks like and list everything wrong with it.

    `provider`: the profile's provider (an id of `providers`); its key shapes judge the value.
    None or `anthropic`, or a provider without a row: Anthropic's rules, as before.
    """
    if value is None or value == "":
        return KeyInfo(KeyKind.EMPTY, judged_as=_judge_id(provider))
    row = _providers.get(provider) if provider else None
    if row is not None and row is not _providers.ANTHROPIC:
        return _classify_cached(value, row.id) if len(value) < 512 else _classify(value, row)
    # The common case first, without allocating: a well-formed key needs no further inspection.
    match = _compiled(_WELL_FORMED).fullmatch(value)
    if match is not None:
        if match.lastgroup == "api":
            return _OK_API_KEY
        return _ok_token(len(value))
    if len(value) < 512:
        return _classify_cached(value, None)
    return _classify(value)


def _judge_id(provider: str | None) -> str:
    row = _providers.get(provider) if provider else None
    return row.id if row is not None else "anthropic"


_WELL_FORMED = r"(?P<api>sk-ant-api03-[A-Za-z0-9_-]{93}AA)|(?P<oat>sk-ant-oat01-[A-Za-z0-9_-]{67,})"
_OK_API_KEY = KeyInfo(KeyKind.API_KEY, (), length=API_KEY_LENGTH)


@functools.lru_cache(maxsize=64)
def _ok_token(length: int) -> KeyInfo:
    return KeyInfo(KeyKind.OAUTH_TOKEN, (), length=length, sends_bearer=True)


@functools.lru_cache(maxsize=1024)
def _classify_cached(value: str, provider: str | None) -> KeyInfo:
    return _classify(value, _providers.get(provider))


def _classify(value: str, row: Provider | None = None) -> KeyInfo:
    problems: list[Problem] = []
    raw = value
    sends_bearer = BEARER_MARKER in raw

    trimmed = js_trim(raw)
    if trimmed != raw:
        problems.append(Problem.SURROUNDING_WHITESPACE)
    if not trimmed:
        return KeyInfo(KeyKind.EMPTY, tuple(problems), length=utf16_len(raw))
    core, quoted = _strip_quotes(trimmed)
    if quoted:
        problems.append(Problem.SURROUNDING_QUOTES)
    if not _SMART_QUOTES.isdisjoint(core):
        problems.append(Problem.SMART_QUOTES)
        core = "".join(c for c in core if c not in _SMART_QUOTES)
    if core.lower().startswith("bearer "):
        problems.append(Problem.BEARER_PREFIX)
        core = js_trim(core[7:])
    env_match = _compiled(r"^(export\s+)?[A-Z][A-Z0-9_]*=").match(core)
    if env_match:
        problems.append(Problem.ENV_ASSIGNMENT)
        core = _strip_quotes(core[env_match.end() :])[0]
    if _compiled(r"[A-Za-z0-9_-]*").fullmatch(core):
        compact = core  # the common case: nothing but key characters, nothing to inspect
    else:
        if not _ZERO_WIDTH.isdisjoint(core):
            problems.append(Problem.ZERO_WIDTH)
            core = "".join(c for c in core if c not in _ZERO_WIDTH)
        if _compiled("[\r\n\u2028\u2029]").search(core):
            problems.append(Problem.LINE_BREAK)
        if _compiled("[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]").search(core):
            problems.append(Problem.INNER_WHITESPACE)
        if _compiled("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]").search(core):
            problems.append(Problem.CONTROL_CHARS)
        # What is left once every visible separator is gone: judge its shape.
        compact = "".join(c for c in core if not c.isspace() and ord(c) >= 32 and not 127 <= ord(c) < 160)
    length = utf16_len(raw)

    judged = row.id if row is not None and not compact.startswith("sk-ant-") else "anthropic"
    if _is_placeholder(compact):
        return KeyInfo(KeyKind.PLACEHOLDER, tuple(problems), length=length, sends_bearer=sends_bearer, judged_as=judged)
    if _looks_masked(compact):
        return KeyInfo(KeyKind.MASKED_COPY, tuple(problems), length=length, sends_bearer=sends_bearer, judged_as=judged)
    if row is not None and row is not _providers.ANTHROPIC and not compact.startswith("sk-ant-"):
        return _judge_by_row(row, compact, problems, sends_bearer)

    kind, expected = _expected_shape(compact)
    if kind is KeyKind.UNKNOWN:
        for other in OTHER_PROVIDERS:
            if other.matches(compact):
                return KeyInfo(
                    KeyKind.OTHER_PROVIDER,
                    tuple(problems),
                    length=length,
                    provider_guess=other.name,
                    belongs=other.belongs,
                    sends_bearer=sends_bearer,
                    judged_as=judged,
                )
        return KeyInfo(KeyKind.UNKNOWN, tuple(problems), length=length, sends_bearer=sends_bearer, judged_as=judged)

    if "#" in compact:
        problems.append(Problem.FRAGMENT)
    body = compact.split("#", 1)[0]
    if not _compiled(r"[A-Za-z0-9_-]+").fullmatch(body):
        problems.append(Problem.BAD_CHARACTERS)
    compact_len = utf16_len(compact)
    if kind is KeyKind.API_KEY or kind is KeyKind.ADMIN_KEY:
        if expected is not None and compact_len != expected:
            problems.append(Problem.LENGTH)
        if not compact.endswith("AA"):
            problems.append(Problem.SUFFIX)
    elif kind is KeyKind.OAUTH_TOKEN and compact_len < OAUTH_TOKEN_MIN_LENGTH:
        problems.append(Problem.LENGTH)
        expected = OAUTH_TOKEN_MIN_LENGTH
    return KeyInfo(
        kind,
        tuple(dict.fromkeys(problems)),
        length=compact_len,
        expected_length=expected,
        sends_bearer=sends_bearer,
        judged_as=judged,
    )


def _shape_for(row: Provider, compact: str) -> KeyShape | None:
    """The row's shape whose prefix `compact` starts with, the longest prefix first."""
    matching = [s for s in row.shapes if compact.startswith(s.prefix)]
    return max(matching, key=lambda s: len(s.prefix)) if matching else None


def _fits(shape: KeyShape, compact: str) -> bool:
    if _compiled(shape.pattern()).fullmatch(compact) is None:
        return False
    return shape.marker is None or shape.marker in compact


def _judge_by_row(row: Provider, compact: str, problems: list[Problem], sends_bearer: bool) -> KeyInfo:
    """A non-Anthropic profile's secret, judged by its provider's key shapes (`providers`).

    Another provider's key wins over a shape of this one only when this one's prefix says
    little (`sk-`, or none at all): an `sk-or-v1-` key in an `openai` profile is OpenRouter's.
    """
    length = utf16_len(compact)

    def info(kind: KeyKind, **more: Any) -> KeyInfo:
        found = tuple(dict.fromkeys(problems))
        return KeyInfo(kind, found, length=length, sends_bearer=sends_bearer, judged_as=row.id, **more)

    for each in row.shapes:
        if _fits(each, compact):
            return info(KeyKind.API_KEY, shape=each.name)
    shape = _shape_for(row, compact)
    if shape is None or len(shape.prefix) <= 3:
        for other in OTHER_PROVIDERS:
            if other.provider_id != row.id and not other.generic and other.matches(compact):
                return info(KeyKind.OTHER_PROVIDER, provider_guess=other.name, belongs=other.belongs)
    if shape is None:
        return info(KeyKind.UNKNOWN)
    if "#" in compact:
        problems.append(Problem.FRAGMENT)
    body = compact[len(shape.prefix) :].split("#", 1)[0]
    if not _compiled(f"[{shape.charset}]*").fullmatch(body):
        problems.append(Problem.BAD_CHARACTERS)
    expected = None
    if shape.lengths and length not in shape.lengths:
        problems.append(Problem.LENGTH)
        expected = min(shape.lengths, key=lambda n: abs(n - length))
    elif not shape.lengths and length < shape.min_length:
        problems.append(Problem.LENGTH)
    if shape.marker and shape.marker not in compact:
        problems.append(Problem.LENGTH)  # every such key holds the marker: cut short or altered
    return info(KeyKind.API_KEY, expected_length=expected, shape=shape.name)


# --- sanitize ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SanitizeResult:
    """The cleaned value, what was cleaned, and what was refused (never repaired)."""

    value: str | None
    cleaned: tuple[Problem, ...] = ()
    refused: tuple[Problem, ...] = ()
    info: KeyInfo = field(default_factory=lambda: KeyInfo(KeyKind.EMPTY))

    @property
    def ok(self) -> bool:
        return self.value is not None and not self.refused

    def reason(self) -> str:
        """Why it was refused, for a person."""
        if not self.refused:
            return ""
        return "; ".join(problem_text(p, self.info) for p in self.refused)


def sanitize(raw: str) -> SanitizeResult:
    """Clean only what cannot change the key's interior; refuse everything else.

    Cleaned: whitespace and CR/LF at the ends, matching surrounding quotes, a leading
    `Bearer `, zero-width characters. Refused: inner whitespace or line breaks, smart quotes,
    an ellipsis, control characters, bad characters, a wrong length.
    """
    cleaned: list[Problem] = []
    value = raw
    if any(c in _ZERO_WIDTH for c in value):
        value = "".join(c for c in value if c not in _ZERO_WIDTH)
        cleaned.append(Problem.ZERO_WIDTH)
    for _ in range(3):  # quotes inside whitespace inside quotes: peel a few layers
        stripped = js_trim(value)
        if stripped != value:
            value = stripped
            cleaned.append(Problem.SURROUNDING_WHITESPACE)
        unquoted, quoted = _strip_quotes(value)
        if quoted:
            value = unquoted
            cleaned.append(Problem.SURROUNDING_QUOTES)
            continue
        if value.lower().startswith("bearer "):
            value = value[7:]
            cleaned.append(Problem.BEARER_PREFIX)
            continue
        break
    info = classify(value)
    refused: list[Problem] = [p for p in info.problems if p not in SAFE_TO_CLEAN]
    if info.kind in (KeyKind.EMPTY, KeyKind.PLACEHOLDER, KeyKind.MASKED_COPY):
        refused = refused or [Problem.BAD_CHARACTERS]
    return SanitizeResult(
        value=value if value else None,
        cleaned=tuple(dict.fromkeys(cleaned)),
        refused=tuple(dict.fromkeys(refused)),
        info=info,
    )


# --- mask ---------------------------------------------------------------------------------


def _strip_control(value: str) -> str:
    return _compiled("[\x00-\x1f\x7f-\x9f]").sub("", value)


def mask(value: str | None, *, era: str = "sqlite") -> str:  # `era` may be an `Era` (a str enum)
    """Mask a secret as OpenClaw's `maskApiKey` does (`sk-ant-a...5o4gvyAA`).

    2026.3 (era "json") trims and slices UTF-16 units; 2026.9 (era "sqlite") first drops
    control characters and never splits a surrogate pair. Empty gives "missing".
    """
    if not value:
        return "missing"
    safe = era != "json"
    text = js_trim(_strip_control(value) if safe else value)
    if not text:
        return "missing"
    n = utf16_len(text)
    if n <= 6:
        head, tail = 1, 1
    elif n <= 16:
        head, tail = 2, 2
    else:
        head, tail = 8, 8
    return f"{utf16_slice(text, 0, head, safe=safe)}...{utf16_slice(text, -tail, safe=safe)}"


def last4(value: str) -> str:
    """The last four characters, to match against the Anthropic Console's key list."""
    return js_trim(value)[-4:]


def sends_bearer(value: str) -> bool:
    """OpenClaw (both eras) sends a secret as `Authorization: Bearer` iff it contains `sk-ant-oat`."""
    return BEARER_MARKER in value
