"""One profile's secret, token and health, and secrets shared between profiles.

Severity follows what the user's OpenClaw version really does: a key with a space inside is
an error (Anthropic sees another key), whitespace around a key is cosmetic (OpenClaw trims
it), an OAuth token in an api_key profile still goes out as `Bearer` (OpenClaw picks the
header from the text), so it is a warning, not an error.
"""

from __future__ import annotations

from ...actions import OrderPin
from ...findings import Severity
from ...keys import KeyInfo, KeyKind, Problem
from ...model import Era, Install
from ...openclaw import commands as fixes
from ...openclaw.coerce import normalize_provider
from ...openclaw.config import get_path
from ...openclaw.labels import format_remaining_short
from ...openclaw.order import OrderResult, token_expiry_state
from ...providers import Provider
from ...providers import get as provider_row
from ..result import Collector, ProfileView

_DAY_MS = 86_400_000

# Problems that make Anthropic reject the key, by finding code.
_ERROR_PROBLEMS = {
    Problem.INNER_WHITESPACE: "key.whitespace",
    Problem.LINE_BREAK: "key.line_break",
    Problem.CONTROL_CHARS: "key.bad_characters",
    Problem.ZERO_WIDTH: "key.bad_characters",
    Problem.SMART_QUOTES: "key.bad_characters",
    Problem.SURROUNDING_QUOTES: "key.bad_characters",
    Problem.BEARER_PREFIX: "key.bad_characters",
    Problem.ENV_ASSIGNMENT: "key.bad_characters",
    Problem.FRAGMENT: "key.bad_characters",
    Problem.BAD_CHARACTERS: "key.bad_characters",
    Problem.LENGTH: "key.length",
    Problem.SUFFIX: "key.length",
}


def _key_fix(install: Install, report: ProfileView, agent_flag: str | None) -> str:
    profile = report.profile
    if report.info is not None and report.info.kind is KeyKind.OAUTH_TOKEN and report.info.judged_as == "anthropic":
        return fixes.enter_token(install.era, profile.id, profile.provider, agent_flag)
    return fixes.enter_api_key(install.era, profile.id, profile.provider, agent_flag, release=install.release)


def _judged_by_row(info: KeyInfo | None, is_anthropic: bool) -> Provider | None:
    """The provider row whose key shapes judged a non-Anthropic profile's key, if any did."""
    if info is None or is_anthropic or info.judged_as == "anthropic":
        return None
    return provider_row(info.judged_as)


def _what(info: KeyInfo) -> str:
    """`Anthropic API key`, `OpenAI project key`: what the secret is, for a message."""
    if info.judged_as != "anthropic" and info.kind is KeyKind.API_KEY:
        return f"{info.owner} {info.shape or 'API key'}"
    return info.kind.label


def _looks(row: Provider) -> str:
    """How a row's keys start, for a message: `sk-proj-…, sk-svcacct-…`."""
    starts = [f"{s.prefix}…" for s in row.shapes if s.prefix]
    if starts:
        return "they start with " + ", ".join(dict.fromkeys(starts))
    lengths = sorted({n for s in row.shapes for n in s.lengths})
    return f"they are {' or '.join(map(str, lengths))} letters and digits"


_MATCHING_KIND = {"api_key": KeyKind.API_KEY, "token": KeyKind.OAUTH_TOKEN}
_ANTHROPIC_KINDS = frozenset(
    {KeyKind.API_KEY, KeyKind.OAUTH_TOKEN, KeyKind.ADMIN_KEY, KeyKind.REFRESH_TOKEN, KeyKind.ANTHROPIC_OTHER}
)
# A secret of the wrong kind in an Anthropic profile: (code, severity, message template).
_WRONG_KIND = {
    KeyKind.PLACEHOLDER: (
        "key.placeholder",
        Severity.ERROR,
        "{pid} holds a placeholder, not a key{where}: it is sent as is and rejected.",
    ),
    KeyKind.MASKED_COPY: (
        "key.masked_copy",
        Severity.ERROR,
        "{pid} holds a masked copy ({masked}) instead of the key{where}: a display string was pasted back.",
    ),
    KeyKind.REFRESH_TOKEN: (
        "key.refresh_token",
        Severity.ERROR,
        "{pid} holds an OAuth refresh token (sk-ant-ort01-){where}: it never authenticates a request.",
    ),
    KeyKind.ADMIN_KEY: (
        "key.admin_key",
        Severity.ERROR,
        "{pid} holds an Admin API key (sk-ant-admin01-){where}: it cannot call the Messages API (403).",
    ),
    KeyKind.UNKNOWN: (
        "key.unknown_format",
        Severity.ERROR,
        "{pid} holds a secret that is not an Anthropic key{where} (Anthropic keys start with sk-ant-).",
    ),
    KeyKind.ANTHROPIC_OTHER: (
        "key.unknown_format",
        Severity.WARNING,
        "{pid} holds an sk-ant- secret of an unknown kind{where}; Messages needs an sk-ant-api03- key or an sk-ant-oat01- token.",
    ),
}


def _plainly_fine(report: ProfileView, is_anthropic: bool) -> bool:
    """The common case, decided fast: a well-formed key of the profile's own kind, usable and healthy."""
    info = report.info
    if is_anthropic:
        matches = info is not None and info.kind is _MATCHING_KIND.get(report.profile.type)
    elif info is not None and info.judged_as != "anthropic":  # judged by its own provider's shapes
        matches = info.kind is KeyKind.API_KEY
    else:
        matches = info is not None and info.kind is KeyKind.OTHER_PROVIDER
    return (
        matches
        and info is not None
        and not info.problems
        and report.ref_status is None
        and report.eligibility.eligible
        and report.health_state == "ok"
    )


def check_profile(
    report: ProfileView, install: Install, out: Collector, agent_flag: str | None, *, reachable: bool = True
) -> None:
    profile = report.profile
    era = install.era
    pid = profile.id
    provider = normalize_provider(profile.provider, era)
    is_anthropic = provider == "anthropic"
    if _plainly_fine(report, is_anthropic):
        check_token(report, install, out)
        return
    where = (
        f" (from {report.profile.ref.label() if report.profile.ref else 'its ${VAR}'})"
        if report.secret_source == "ref"
        else ""
    )

    if report.ref_status is not None and report.ref_status.status != "resolved":
        severity = Severity.INFO if report.ref_status.status == "unsupported" else Severity.ERROR
        code = "ref.unsupported" if report.ref_status.status == "unsupported" else "ref.unresolved"
        text = f"{pid} points to a secret that does not resolve here: {report.ref_status.reason}."
        if era is Era.JSON and profile.secret is not None and report.secret_source == "inline":
            text += " OpenClaw 2026.3 then sends the literal `${…}` text as the key."
        fix = (
            "Set the variable where the gateway runs (e.g. in ~/.openclaw/.env), then restart it; or store the key itself: "
            + _key_fix(install, report, agent_flag)
        )
        out.add(code, severity, pid, text, fix if code == "ref.unresolved" else None)

    if report.eligibility.reason in ("mode_mismatch", "provider_mismatch"):
        cfg_entry = get_path(install.config.data, "auth.profiles", {}).get(pid, {})
        what = (
            f"type is {profile.type} but the config's auth.profiles says mode {cfg_entry.get('mode')!r}"
            if report.eligibility.reason == "mode_mismatch"
            else f"provider is {profile.provider!r} but the config's auth.profiles says {cfg_entry.get('provider')!r}"
        )
        field_name = "mode" if report.eligibility.reason == "mode_mismatch" else "provider"
        value = profile.type if field_name == "mode" else profile.provider
        out.add(
            f"profile.{report.eligibility.reason}",
            Severity.WARNING,
            pid,
            f"{pid}'s {what}: OpenClaw skips the profile.",
            fixes.config_set(f"auth.profiles.{pid}.{field_name}", value),
        )

    if report.info is None:
        if report.ref_status is None and profile.type != "oauth":
            out.add(
                "key.missing",
                Severity.WARNING,
                pid,
                f"{pid} has no secret and no reference: OpenClaw skips it.",
                _key_fix(install, report, agent_flag),
            )
        check_token(report, install, out)
        check_health(report, install, out, reachable=reachable)
        return
    info = report.info
    kind = info.kind
    if era is Era.SQLITE and report.eligibility.reason == "malformed_api_key":
        out.add(
            "key.malformed_onboard_command",
            Severity.ERROR,
            pid,
            f"{pid} holds an `openclaw onboard` command line instead of a key.",
            _key_fix(install, report, agent_flag),
        )
    row = _judged_by_row(info, is_anthropic)
    wrong_kind = _WRONG_KIND.get(kind) if is_anthropic or row is not None else None
    anthropic_elsewhere = (
        kind in _ANTHROPIC_KINDS and info.judged_as == "anthropic" and not is_anthropic and provider != "claude-cli"
    )
    if kind is KeyKind.OTHER_PROVIDER and row is not None:
        out.add(
            "key.wrong_provider",
            Severity.ERROR,
            pid,
            f"{pid} holds {_a(info.provider_guess or 'other')} key{where}, not {_a(row.label)} one: "
            f"{row.label} rejects it (401).",
            f"Store {_a(row.label)} key ({_key_fix(install, report, agent_flag)}); the {info.provider_guess} key "
            f"belongs to {info.belongs}.",
            provider=row.id,
        )
    elif kind is KeyKind.OTHER_PROVIDER and is_anthropic:
        out.add(
            "key.wrong_provider",
            Severity.ERROR,
            pid,
            f"{pid} holds {_a(info.provider_guess or 'other')} key{where}, not an Anthropic one: Anthropic answers 401 invalid x-api-key.",
            f"Store an Anthropic key ({_key_fix(install, report, agent_flag)}); the {info.provider_guess} key belongs to {info.belongs}.",
        )
    elif anthropic_elsewhere:
        out.add(
            "key.wrong_provider",
            Severity.ERROR,
            pid,
            f"{pid} holds an Anthropic credential under provider {profile.provider!r}: anthropic/* models never use it.",
            f"Store it under provider anthropic: {fixes.enter_api_key(era, 'anthropic:default', 'anthropic', agent_flag)}",
        )
    elif wrong_kind is not None:
        code, severity, text = wrong_kind
        refresh_fix = (
            fixes.enter_token(era, pid, profile.provider, agent_flag) if kind is KeyKind.REFRESH_TOKEN else None
        )
        if row is not None and kind is KeyKind.UNKNOWN:
            text = f"{{pid}} holds a secret that is not {_a(row.label)} key{{where}} ({row.label} keys: {_looks(row)})."
        message = text.format(pid=pid, where=where, masked=report.masked or "with …")
        out.add(code, severity, pid, message, refresh_fix or _key_fix(install, report, agent_flag))

    seen_codes: set[str] = set()
    for problem in info.problems:
        if problem is Problem.SURROUNDING_WHITESPACE:
            if report.secret_source == "inline":
                out.add(
                    "key.surrounding_whitespace",
                    Severity.INFO,
                    pid,
                    f"{pid}'s key has whitespace or a newline around it; OpenClaw trims it before use, so it is harmless.",
                )
            continue
        problem_code = _ERROR_PROBLEMS.get(problem)
        if problem_code is None or problem_code in seen_codes:
            continue
        if (
            kind in (KeyKind.PLACEHOLDER, KeyKind.MASKED_COPY, KeyKind.OTHER_PROVIDER, KeyKind.UNKNOWN)
            and problem_code == "key.bad_characters"
        ):
            continue
        seen_codes.add(problem_code)
        severity = Severity.ERROR
        if problem is Problem.SUFFIX and Problem.LENGTH not in info.problems:
            severity = Severity.WARNING
        details = [p for p in info.problems if _ERROR_PROBLEMS.get(p) == problem_code]
        text = _problem_message(pid, info, details, where, row)
        copy = f"at {row.keys_url}" if row is not None else "with the Console's copy button"
        out.add(
            problem_code,
            severity,
            pid,
            text,
            _key_fix(install, report, agent_flag) + f". Copy it {copy}; never edit it.",
        )
    report.problems = sorted(code for code in out.errors_by_subject.get(pid, ()) if code.startswith(("key.", "ref.")))
    if is_anthropic and kind is KeyKind.OAUTH_TOKEN and profile.type == "api_key":
        out.add(
            "key.token_in_api_key_profile",
            Severity.WARNING if reachable else Severity.INFO,
            pid,
            f"{pid} is an api_key profile holding an OAuth token (sk-ant-oat01-){where}. OpenClaw still sends it as "
            "`Authorization: Bearer` (it decides from the text), but the profile is sorted, counted and replaced as an "
            "API key, and subscription tokens can be refused for third-party use.",
            f"Store it as a token profile: {fixes.enter_token(era, None, profile.provider, agent_flag)}; or replace it with a Console API key: {fixes.enter_api_key(era, pid, profile.provider, agent_flag)}",
        )
    if is_anthropic and kind is KeyKind.API_KEY and profile.type == "token":
        out.add(
            "key.api_key_in_token_profile",
            Severity.WARNING if reachable else Severity.INFO,
            pid,
            f"{pid} is a token profile holding a Console API key (sk-ant-api03-){where}. OpenClaw sends it as x-api-key "
            "anyway, but as a token it is tried before API-key profiles when no order is pinned (usually made by "
            "`paste-token` with an API key).",
            _token_profile_fix(report, install, agent_flag),
        )

    check_token(report, install, out)
    check_health(report, install, out, reachable=reachable)


def _a(word: str) -> str:
    """`an OpenRouter`, `a Google Gemini`."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def _token_profile_fix(report: ProfileView, install: Install, agent_flag: str | None) -> str:
    profile = report.profile
    if report.shares_with and not report.broken:
        twin = report.shares_with[0]
        if install.era is Era.SQLITE:
            return (
                fixes.remove_profile(install.era, profile.id, profile.provider, [twin], agent_flag)
                + f" (the same key stays in {twin})"
            )
        return fixes.order_set(profile.provider, [twin], agent_flag) + f" (so only {twin}, the api_key copy, is tried)"
    return (
        f"{fixes.enter_api_key(install.era, 'anthropic:default', profile.provider, agent_flag)}; then "
        + fixes.remove_profile(install.era, profile.id, profile.provider, ["anthropic:default"], agent_flag)
    )


def _problem_message(pid: str, info: KeyInfo, problems: list[Problem], where: str, row: Provider | None) -> str:
    from ...keys import problem_text

    parts = "; ".join(problem_text(p, info) for p in problems)
    if row is not None:
        return f"{pid}'s {_what(info)}{where} {parts}. {row.label} receives a different string and rejects it (401)."
    return f"{pid}'s {info.kind.label}{where} {parts}. Anthropic receives a different string: 401 invalid x-api-key."


def check_token(report: ProfileView, install: Install, out: Collector) -> None:
    profile = report.profile
    if profile.type not in ("token", "oauth") or profile.expires is None:
        return
    era = install.era
    state = token_expiry_state(profile.expires, out.now, era)
    pid = profile.id
    if state == "expired" and profile.type == "token":
        out.add(
            "token.expired",
            Severity.WARNING,
            pid,
            f"{pid}'s token expired; OpenClaw skips it.",
            fixes.enter_token(era, pid, profile.provider),
        )
    elif state == "invalid_expires":
        out.add(
            "token.expires_invalid",
            Severity.WARNING,
            pid,
            f"{pid}'s `expires` is not a positive ms timestamp; OpenClaw skips the profile.",
            fixes.enter_token(era, pid, profile.provider),
        )
    elif state == "valid" and isinstance(profile.expires, int | float) and profile.expires - out.now <= _DAY_MS:
        left = format_remaining_short(profile.expires - out.now)
        out.add(
            "token.expiring",
            Severity.WARNING,
            pid,
            f"{pid}'s token expires in {left}.",
            fixes.enter_token(era, pid, profile.provider),
        )


def check_health(report: ProfileView, install: Install, out: Collector, *, reachable: bool = True) -> None:
    if report.health_state == "ok":
        return
    pid = report.profile.id
    left = format_remaining_short((report.health_until or 0) - out.now)
    health = install.agent.effective.usage.get(pid)
    errors = f" after {health.error_count} failure(s)" if health and health.error_count else ""
    why = f" ({report.health_reason})" if report.health_reason else ""
    if report.health_state == "disabled":
        out.add(
            "profile.disabled",
            Severity.WARNING,
            pid,
            f"{pid} is disabled{why} for {left}{errors}"
            + (
                ": OpenClaw tries it only after every other profile."
                if reachable
                else " (and the order leaves it out anyway)."
            ),
            "Fix the cause first (a billing top-up or a new key), then re-enter the key: a fresh paste resets the window.",
        )
    else:
        out.add(
            "profile.cooldown",
            Severity.WARNING,
            pid,
            f"{pid} is in {report.health_state}{why} for {left}{errors}"
            + (": OpenClaw tries it last until then." if reachable else " (and the order leaves it out anyway)."),
            "The cooldown is a symptom: fix the key problem behind it; it clears itself when it ends.",
        )


def duplicate_finding(
    group: list[ProfileView],
    orders: dict[str, OrderResult],
    install: Install,
    out: Collector,
    agent_flag: str | None,
) -> None:
    ids = [r.profile.id for r in group]
    types = sorted({r.profile.type for r in group})
    masked = group[0].masked or "the same value"
    # Keep the copy whose profile type matches what the secret is (an API key in an api_key
    # profile, a token in a token profile): the other copy is the mistake.
    keep = next(
        (r for r in group if r.info is not None and _MATCHING_KIND.get(r.profile.type) is r.info.kind), group[0]
    )
    drop = [i for i in ids if i != keep.profile.id]
    provider = normalize_provider(keep.profile.provider, install.era)
    result = orders.get(provider)
    reachable = [i for i in ids if result is None or i in result.effective]
    broken = keep.broken
    text = (
        f"{' and '.join(ids)} hold the same secret ({masked})"
        + (f" as {' and '.join(types)} profiles" if len(types) > 1 else "")
        + ": replacing the key in one leaves the old one in the other"
    )
    action = None
    if broken:
        text += ", and that key is broken, so every copy of it fails."
        severity = Severity.WARNING
        fix = f"Re-enter a good key in {keep.profile.id} ({_key_fix(install, keep, agent_flag)}), then " + "; ".join(
            fixes.remove_profile(install.era, d, provider, [keep.profile.id], agent_flag) for d in drop
        )
    elif len(reachable) <= 1:
        text += f". Only {reachable[0] if reachable else 'none'} is tried now (the order leaves the others out); remove the copy so a later order change cannot bring it back."
        severity = Severity.INFO
        fix = (
            "; ".join(fixes.remove_profile(install.era, d, provider, [keep.profile.id], agent_flag) for d in drop)
            if install.era is Era.SQLITE
            else f"Nothing urgent: the order already skips {', '.join(drop)}. To remove it, delete it from auth-profiles.json with the gateway stopped."
        )
    else:
        text += ", and OpenClaw rotates between them."
        severity = Severity.WARNING
        action = OrderPin(provider, (keep.profile.id,), out.agent)
        fix = (
            "; ".join(fixes.remove_profile(install.era, d, provider, [keep.profile.id], agent_flag) for d in drop)
            if install.era is Era.SQLITE
            else fixes.order_set(provider, [keep.profile.id], agent_flag)
            + f"  (2026.3 has no logout: pin the order so {', '.join(drop)} is never tried)"
        )
    out.add("profiles.duplicate_secret", severity, ids[0], text, fix, action, profiles=ids)
