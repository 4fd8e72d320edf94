"""From an inspected install to findings: what is wrong, how bad, and the exact fix.

Severity follows what the user's OpenClaw version really does: a key with a space inside is
an error (Anthropic sees another key), whitespace around a key is cosmetic (OpenClaw trims
it), an OAuth token in an api_key profile still goes out as `Bearer` (OpenClaw picks the
header from the text), so it is a warning, not an error.
"""

from __future__ import annotations

import re
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from . import fixes
from .coerce import normalize_provider
from .config import get_path, model_fallbacks, model_primary
from .findings import Action, Finding, Severity, sort_findings
from .jsstr import js_trim
from .keys import KeyInfo, KeyKind, Problem, classify, mask
from .labels import format_remaining_short, profile_label
from .model import AgentAuth, AuthStore, Era, Install, Profile
from .order import Eligibility, OrderResult, eligibility, resolve_order, token_expiry_state, unusable_until
from .refs import Resolution, coerce_secret_ref, resolve_ref
from .secret import Secret

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from typing import Any

ANTHROPIC_HOST = "api.anthropic.com"
DEFAULT_MODEL = {Era.JSON: "anthropic/claude-opus-4-6", Era.SQLITE: "openai/gpt-6-astra"}
_DAY_MS = 86_400_000
_SECRET_IN_TEXT = re.compile(r"sk-ant-(?:api|oat|ort|admin)\d{2}-[A-Za-z0-9_-]{20,}")

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


@dataclass(slots=True)
class ProfileReport:
    """One profile as the user sees it: label, what its secret looks like, its health."""

    profile: Profile
    label: str
    masked: str | None
    secret_source: str  # inline | ref | none
    info: KeyInfo | None
    ref_status: Resolution | None
    health_state: str
    health_until: float | None
    health_reason: str | None
    eligibility: Eligibility
    secret: Secret | None = field(default=None, repr=False)  # what a request would carry
    shares_with: list[str] = field(default_factory=list)
    broken: bool = False  # has an error-level problem: never a good first choice


@dataclass(slots=True)
class Diagnosis:
    install: Install
    agent: AgentAuth
    providers: list[str]
    profiles: list[ProfileReport]
    orders: dict[str, OrderResult]
    findings: list[Finding]
    now_ms: float
    default_model: str | None = None
    runtime: Any = None  # runtime.Runtime: gateway, service env, gateway log, Discord (None if not asked)

    @property
    def exit_code(self) -> int:
        if any(f.severity is Severity.ERROR for f in self.findings):
            return 1
        if any(f.severity is Severity.WARNING for f in self.findings):
            return 2
        return 0

    def report(self, profile_id: str) -> ProfileReport | None:
        for report in self.profiles:
            if report.profile.id == profile_id:
                return report
        return None


class _Collector:
    def __init__(self, agent: str | None, now_ms: float) -> None:
        self.items: list[Finding] = []
        self.agent = agent
        self.now = now_ms
        self.errors_by_subject: dict[str, set[str]] = {}

    def add(
        self,
        code: str,
        severity: Severity,
        subject: str,
        message: str,
        fix: str | None = None,
        action: Action | None = None,
        **details: Any,
    ) -> None:
        self.items.append(Finding(code, severity, subject, message, fix, action, self.agent, details))
        if severity is Severity.ERROR:
            self.errors_by_subject.setdefault(subject, set()).add(code)


def _provider_of(model_ref: str | None) -> str | None:
    if not model_ref:
        return None
    text = model_ref.strip()
    if "/" not in text:
        return "anthropic"
    provider = text.split("/", 1)[0].strip().lower()
    return provider or None


def _models_in_use(config: Mapping[str, Any], era: Era) -> tuple[str | None, list[str]]:
    model = get_path(config, "agents.defaults.model")
    primary = model_primary(model) or DEFAULT_MODEL[era]  # OpenClaw's own default when none is set
    return primary, model_fallbacks(model)


def _effective_secret(
    profile: Profile, env: Mapping[str, str], config: Mapping[str, Any], era: Era
) -> tuple[Secret | None, str, Resolution | None]:
    """The secret a request would carry: inline value first (2026.3 resolves an inline `${VAR}`)."""
    if profile.secret is not None and js_trim(profile.secret.get_secret_value()):
        value = profile.secret.get_secret_value()
        if era is Era.JSON and "$" in value:
            inline_ref = coerce_secret_ref(js_trim(value), era)
            if inline_ref is not None:
                resolution = resolve_ref(inline_ref, env, config)
                if resolution.status == "resolved":
                    return resolution.value, "ref", resolution
                return profile.secret, "inline", resolution
        return profile.secret, "inline", None
    if profile.ref is not None:
        resolution = resolve_ref(profile.ref, env, config)
        return resolution.value, "ref", resolution
    return None, "none", None


def _health(store: AuthStore, profile: Profile, now_ms: float, era: Era) -> tuple[str, float | None, str | None]:
    health = store.usage.get(profile.id)
    if health is None or normalize_provider(profile.provider, era) in ("openrouter", "kilocode"):
        return "ok", None, None
    until = unusable_until(health, era)
    if not until or now_ms >= until:
        return "ok", None, None
    if health.disabled_until and now_ms < health.disabled_until:
        return "disabled", until, health.disabled_reason
    if health.blocked_until and now_ms < health.blocked_until:
        return "blocked", until, health.blocked_reason
    reason = health.cooldown_reason
    if reason is None and health.failure_counts:
        reason = max(health.failure_counts, key=lambda r: health.failure_counts[r])
    return "cooldown", until, reason


def diagnose(
    install: Install,
    *,
    provider: str | None = None,
    now_ms: float | None = None,
    probe_failed: Collection[str] = (),
    runtime: bool = True,
) -> Diagnosis:
    """Every finding for the selected agent of `install`, most severe first.

    `probe_failed`: profile ids Anthropic rejected in a live probe; they count as broken, so
    an order that tries one of them first gets its one-key fix. `runtime`: also look at the
    running gateway, its environment and log, and Discord (`openclaw_triage.runtime`).
    """
    now = time.time() * 1000 if now_ms is None else now_ms
    era = install.era
    agent = install.agent
    store = agent.effective
    config = install.config.data
    env = install.seen_env
    agent_flag = None if agent.agent_id == install.default_agent_id else agent.agent_id
    out = _Collector(agent.agent_id, now)

    _check_install(install, out)
    _check_config(install, out)
    _check_stores(install, agent, out)

    primary, fallbacks = _models_in_use(config, era)
    for_model = primary.split("/", 1)[1] if primary and "/" in primary else None
    providers_in_use = [p for p in (_provider_of(m) for m in [primary, *fallbacks]) if p]
    store_providers = [normalize_provider(p.provider, era) for p in store.profiles.values()]
    providers = list(dict.fromkeys([*store_providers, *providers_in_use]))
    if provider:
        providers = [normalize_provider(provider, era)]

    reports: list[ProfileReport] = []
    by_secret: dict[str, list[ProfileReport]] = {}
    for profile in store.profiles.values():
        report = profile_report(store, profile, config, env, now, era)
        reports.append(report)
        if provider and normalize_provider(profile.provider, era) not in providers:
            continue
        if report.secret is not None and js_trim(report.secret.get_secret_value()):
            by_secret.setdefault(js_trim(report.secret.get_secret_value()), []).append(report)
    groups = [g for g in by_secret.values() if len(g) > 1]
    for group in groups:
        ids = [r.profile.id for r in group]
        for r in group:
            r.shares_with = [i for i in ids if i != r.profile.id]

    verdicts = {r.profile.id: r.eligibility for r in reports}
    orders: dict[str, OrderResult] = {}
    for prov in providers:
        orders[prov] = resolve_order(
            store,
            config,
            prov,
            era=era,
            now_ms=now,
            stored_origin=agent.order_origin.get(prov),
            for_model=for_model if _provider_of(primary) == prov else None,
            env=env,
            known={
                pid: v for pid, v in verdicts.items() if normalize_provider(store.profiles[pid].provider, era) == prov
            },
        )
    reachable = {pid for result in orders.values() for pid in result.effective}
    for report in reports:
        if provider and normalize_provider(report.profile.provider, era) not in providers:
            continue
        _check_profile(report, install, out, agent_flag, reachable=report.profile.id in reachable)
        if report.profile.id in probe_failed:
            report.broken = True
    for prov, result in orders.items():
        _check_order(result, reports, install, out, agent_flag, in_use=prov in providers_in_use)
    for group in groups:
        _duplicate_finding(group, orders, install, out, agent_flag)
    from .sessions import check_sessions  # chats pinned to a profile (issue 8)

    check_sessions(install, agent, orders, reports, out, agent_flag)

    _check_env(install, store, providers_in_use, out)
    _check_logs(install, reports, out)
    _check_other_agents(install, out)
    live = _check_runtime(install, out) if runtime else None
    return Diagnosis(
        install=install,
        agent=agent,
        providers=providers,
        profiles=reports,
        orders=orders,
        findings=sort_findings(out.items),
        now_ms=now,
        default_model=primary,
        runtime=live,
    )


def _check_runtime(install: Install, out: _Collector) -> Any:
    """The gateway, its environment and log, and Discord: `openclaw_triage.runtime`."""
    from .runtime import add_findings, collect, stores_changed_by_profile

    live = collect(install, now=out.now / 1000)
    add_findings(live, install, out.add, stores_changed_by_profile(install))
    return live


def profile_report(
    store: AuthStore, profile: Profile, config: Mapping[str, Any], env: Mapping[str, str], now: float, era: Era
) -> ProfileReport:
    """One profile as the user sees it (also used for a candidate key before it is stored)."""
    secret, source, resolution = _effective_secret(profile, env, config, era)
    info = classify(secret.get_secret_value()) if secret is not None else None
    stored_value = profile.secret.get_secret_value() if profile.secret is not None else None
    masked = mask(stored_value, era=era) if stored_value and js_trim(stored_value) else None
    state, until, reason = _health(store, profile, now, era)
    verdict = eligibility(store, config, profile.provider, profile.id, now, era)
    report = ProfileReport(
        profile=profile,
        label=profile_label(store, profile, config, now, era, masked=masked),
        masked=masked,
        secret_source=source,
        info=info,
        ref_status=resolution,
        health_state=state,
        health_until=until,
        health_reason=reason,
        eligibility=verdict,
        secret=secret,
    )
    return report


def _key_fix(install: Install, report: ProfileReport, agent_flag: str | None) -> str:
    profile = report.profile
    if report.info is not None and report.info.kind is KeyKind.OAUTH_TOKEN:
        return fixes.enter_token(install.era, profile.id, profile.provider, agent_flag)
    return fixes.enter_api_key(install.era, profile.id, profile.provider, agent_flag)


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


def _plainly_fine(report: ProfileReport, is_anthropic: bool) -> bool:
    """The common case, decided fast: a well-formed key of the profile's own kind, usable and healthy."""
    info = report.info
    return (
        info is not None
        and not info.problems
        and report.ref_status is None
        and report.eligibility.eligible
        and report.health_state == "ok"
        and (
            info.kind is _MATCHING_KIND.get(report.profile.type)
            if is_anthropic
            else info.kind is KeyKind.OTHER_PROVIDER
        )
    )


def _check_profile(
    report: ProfileReport, install: Install, out: _Collector, agent_flag: str | None, *, reachable: bool = True
) -> None:
    profile = report.profile
    era = install.era
    pid = profile.id
    provider = normalize_provider(profile.provider, era)
    is_anthropic = provider == "anthropic"
    if _plainly_fine(report, is_anthropic):
        _check_token(report, install, out)
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
        _check_token(report, install, out)
        _check_health(report, install, out, reachable=reachable)
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
    wrong_kind = _WRONG_KIND.get(kind) if is_anthropic else None
    anthropic_elsewhere = kind in _ANTHROPIC_KINDS and not is_anthropic and provider != "claude-cli"
    if kind is KeyKind.OTHER_PROVIDER and is_anthropic:
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
        fix = fixes.enter_token(era, pid, profile.provider, agent_flag) if kind is KeyKind.REFRESH_TOKEN else None
        message = text.format(pid=pid, where=where, masked=report.masked or "with …")
        out.add(code, severity, pid, message, fix or _key_fix(install, report, agent_flag))

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
        code = _ERROR_PROBLEMS.get(problem)
        if code is None or code in seen_codes:
            continue
        if (
            kind in (KeyKind.PLACEHOLDER, KeyKind.MASKED_COPY, KeyKind.OTHER_PROVIDER, KeyKind.UNKNOWN)
            and code == "key.bad_characters"
        ):
            continue
        seen_codes.add(code)
        severity = Severity.ERROR
        if problem is Problem.SUFFIX and Problem.LENGTH not in info.problems:
            severity = Severity.WARNING
        details = [p for p in info.problems if _ERROR_PROBLEMS.get(p) == code]
        text = _problem_message(pid, info, details, where)
        out.add(
            code,
            severity,
            pid,
            text,
            _key_fix(install, report, agent_flag) + ". Copy it with the Console's copy button; never edit it.",
        )
    report.broken = any(code.startswith(("key.", "ref.")) for code in out.errors_by_subject.get(pid, ()))
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

    _check_token(report, install, out)
    _check_health(report, install, out, reachable=reachable)


def _token_profile_fix(report: ProfileReport, install: Install, agent_flag: str | None) -> str:
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


def _problem_message(pid: str, info: KeyInfo, problems: list[Problem], where: str) -> str:
    from .keys import problem_text

    parts = "; ".join(problem_text(p, info) for p in problems)
    return f"{pid}'s {info.kind.label}{where} {parts}. Anthropic receives a different string: 401 invalid x-api-key."


def _check_token(report: ProfileReport, install: Install, out: _Collector) -> None:
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


def _check_health(report: ProfileReport, install: Install, out: _Collector, *, reachable: bool = True) -> None:
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


def _duplicate_finding(
    group: list[ProfileReport],
    orders: dict[str, OrderResult],
    install: Install,
    out: _Collector,
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
        action = Action("order.set", provider, (keep.profile.id,))
        fix = (
            "; ".join(fixes.remove_profile(install.era, d, provider, [keep.profile.id], agent_flag) for d in drop)
            if install.era is Era.SQLITE
            else fixes.order_set(provider, [keep.profile.id], agent_flag)
            + f"  (2026.3 has no logout: pin the order so {', '.join(drop)} is never tried)"
        )
    out.add("profiles.duplicate_secret", severity, ids[0], text, fix, action, profiles=ids)


def _check_order(
    result: OrderResult,
    reports: list[ProfileReport],
    install: Install,
    out: _Collector,
    agent_flag: str | None,
    *,
    in_use: bool,
) -> None:
    era = install.era
    provider = result.provider
    by_id = {r.profile.id: r for r in reports}
    where = "stored order override" if result.explicit_from == "store" else "config auth.order"
    healthy = [
        pid for pid in result.effective if pid in by_id and not by_id[pid].broken and by_id[pid].health_state == "ok"
    ]
    if result.missing_from_store:
        missing = ", ".join(result.missing_from_store)
        existing = [pid for pid in (result.stored or result.config_order or []) if pid not in result.missing_from_store]
        target = (
            existing
            or healthy
            or [r.profile.id for r in reports if normalize_provider(r.profile.provider, era) == provider][:1]
        )
        if result.explicit_from == "store":
            fix = (
                fixes.order_set(provider, target, agent_flag) if target else _clear_stored(result, install, agent_flag)
            )
        else:
            fix = f"remove {missing} from auth.order.{provider} in {install.config.path}"
        severity = Severity.ERROR if not result.effective else Severity.WARNING
        extra = " OpenClaw falls back to every stored profile." if result.fell_back_to_store else ""
        out.add(
            "order.missing_profile",
            severity,
            provider,
            f"The {where} for {provider} names {missing}, which does not exist.{extra}",
            fix,
            Action("order.set", provider, tuple(target)) if target and result.explicit_from == "store" else None,
        )
    if result.fell_back_to_store:
        out.add(
            "order.fallback_to_store",
            Severity.WARNING,
            provider,
            f"Every profile in the {where} for {provider} is missing, so OpenClaw ignores the order and tries all stored profiles.",
            _clear_stored(result, install, agent_flag) if result.explicit_from == "store" else None,
        )
    if result.not_in_order and not result.fell_back_to_store:
        left_out = [pid for pid in result.not_in_order if pid in by_id]
        in_order = set(result.effective)
        good_left_out = [
            pid
            for pid in left_out
            if not by_id[pid].broken
            and by_id[pid].eligibility.eligible
            and not in_order.intersection(by_id[pid].shares_with)
        ]
        if left_out:
            severity = Severity.WARNING if good_left_out and not healthy else Severity.INFO
            new_order = [*healthy, *[p for p in good_left_out if p not in healthy]]
            if new_order == (result.stored if result.explicit_from == "store" else result.config_order):
                new_order = []
            out.add(
                "order.excludes_profiles",
                severity,
                provider,
                f"The {where} for {provider} leaves out {', '.join(left_out)}: OpenClaw never tries "
                + ("it." if len(left_out) == 1 else "them."),
                fixes.order_set(provider, new_order, agent_flag) if new_order else None,
                Action("order.set", provider, tuple(new_order)) if new_order and severity is Severity.WARNING else None,
            )
    if result.stored is not None and result.config_order is not None and result.stored != result.config_order:
        out.add(
            "order.override_shadows_config",
            Severity.INFO,
            provider,
            f"A stored order override ({', '.join(result.stored)}) replaces the config's auth.order.{provider} "
            f"({', '.join(result.config_order)}); clearing the override (u) would make OpenClaw follow the config "
            f"order again, trying {result.config_order[0] if result.config_order else 'nothing'} first.",
        )
    if result.effective:
        first = by_id.get(result.effective[0])
        if first is not None and first.broken:
            good = [pid for pid in result.effective[1:] if pid in by_id and not by_id[pid].broken]
            effective = set(result.effective)
            good += [
                r.profile.id
                for r in reports
                if r.profile.id not in effective
                and normalize_provider(r.profile.provider, era) == provider
                and not r.broken
                and r.eligibility.eligible
            ]
            if good:
                new_order = [good[0], *[pid for pid in result.effective if pid != good[0]]]
                out.add(
                    "order.first_unusable",
                    Severity.ERROR,
                    provider,
                    f"OpenClaw tries {first.profile.id} first for {provider}, and its key is broken, while {good[0]} "
                    "looks fine: every request fails until the order changes.",
                    fixes.order_set(provider, new_order, agent_flag),
                    Action("order.set", provider, tuple(new_order)),
                )
    elif in_use or result.base:
        if result.env_fallback:
            out.add(
                "auth.env_fallback",
                Severity.INFO,
                provider,
                f"No usable {provider} profile: OpenClaw uses {result.env_fallback}.",
            )
        elif result.base or in_use:
            reasons = "; ".join(f"{pid} {v.text}" for pid, v in result.excluded.items())
            code = "order.empty" if result.base else "auth.missing"
            message = (
                f"No usable {provider} profile is left ({reasons}): every request fails with "
                f'"No API key found for provider {provider}".'
                if result.base
                else f'The model in use needs {provider}, and there is no {provider} credential at all: requests fail with "No API key found".'
            )
            fix = (
                fixes.enter_api_key(era, f"{provider}:default", provider, agent_flag)
                if provider == "anthropic"
                else f"openclaw configure (add a {provider} credential)"
            )
            out.add(code, Severity.ERROR, provider, message, fix)


def _a(word: str) -> str:
    """`an OpenRouter`, `a Google Gemini`."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def _clear_stored(result: OrderResult, install: Install, agent_flag: str | None) -> str:
    """How to get rid of a stored order: `order clear` removes only the agent's own order in 2026.9."""
    provider = result.provider
    if install.era is Era.SQLITE and result.stored_origin and "agent" not in result.stored_origin:
        keep = result.effective or [pid for pid in (result.stored or []) if pid not in result.missing_from_store]
        masking = fixes.order_set(provider, keep, agent_flag) if keep else None
        note = (
            "(the order is inherited from the shared store, which `order clear` does not touch; "
            "to delete it, paste a placeholder under each missing id and log it out: "
            + "; ".join(f"openclaw models auth logout {pid} --yes" for pid in result.missing_from_store)
            + ")"
        )
        return f"{masking}  {note}" if masking else note
    return fixes.order_clear(provider, agent_flag)


def _check_install(install: Install, out: _Collector) -> None:
    cli = install.cli
    if cli.path is None:
        severity = (
            Severity.INFO if install.era_reason and not install.era_reason.startswith("unknown") else Severity.WARNING
        )
        if cli.requested == "none":
            where, fix = "Not using an openclaw CLI (--openclaw none)", None
        elif cli.requested:
            where, fix = (
                f"--openclaw {cli.requested} is not an executable file",
                "Give the path of the openclaw binary (e.g. $(which openclaw)).",
            )
            severity = Severity.WARNING
        else:
            where, fix = "The openclaw CLI is not on PATH", "Pass --openclaw PATH, or run this where the gateway runs."
        out.add(
            "version.cli_not_found",
            severity,
            "openclaw",
            f"{where}; the storage era was inferred ({install.era_reason}).",
            fix,
        )
    elif install.era_on_disk is not None and install.era_on_disk is not install.era and install.cli.source != "config":
        out.add(
            "version.era_mismatch",
            Severity.WARNING,
            "openclaw",
            f"The openclaw CLI is {install.cli.version} ({install.era.label}), but the state dir holds a "
            f"{install.era_on_disk.label}: two OpenClaw installs, or an upgrade/downgrade half done. This report "
            "reads the files the way that CLI would.",
            "Check `which -a openclaw`; the gateway's OpenClaw decides which store is used.",
        )
    if install.era_reason.startswith("unknown"):
        out.add(
            "version.unknown_era",
            Severity.WARNING,
            "openclaw",
            "Neither the version nor the files tell which storage era this install uses.",
        )
    if not install.state_dir.exists() and not install.config.exists:
        out.add(
            "install.not_found",
            Severity.ERROR,
            str(install.state_dir),
            f"No OpenClaw install at {install.state_dir} (looked for {install.config.path}).",
            "Run this as the user who runs OpenClaw, or pass --state-dir / --profile.",
        )
    for note in install.notes:
        code = "agent.not_found" if "not configured" in note else "config.agents"
        out.add(code, Severity.WARNING, install.selected_agent_id, note)


def _check_config(install: Install, out: _Collector) -> None:
    cfg = install.config
    path = str(cfg.path)
    if cfg.error:
        out.add(
            "config.parse_error",
            Severity.ERROR,
            path,
            f"{path} cannot be loaded: {cfg.error}. OpenClaw refuses to start with it.",
            f"Fix the file at the place named, or restore {path}.bak.",
        )
        return
    env_block = cfg.data.get("env")
    if install.era is Era.SQLITE and isinstance(env_block, dict):
        unknown = sorted(k for k in env_block if k not in ("shellEnv", "vars"))
        if unknown:
            out.add(
                "config.rejected",
                Severity.ERROR,
                path,
                f"OpenClaw {install.cli.version or '2026.9'} refuses this config: env: Unrecognized key "
                + ", ".join(f'"{k}"' for k in unknown)
                + " (only env.vars and env.shellEnv are allowed since the 2026.9 schema).",
                f"Move them under env.vars (e.g. env.vars.{unknown[0]}), or into ~/.openclaw/.env.",
            )
    for var, where in cfg.missing_env:
        severity = Severity.ERROR if where.endswith(("apiKey", "baseUrl", "token")) else Severity.WARNING
        out.add(
            "config.missing_env",
            severity,
            var,
            f"{path} uses ${{{var}}} at {where}, but {var} is not set: OpenClaw keeps the literal text.",
            f"Set {var} in ~/.openclaw/.env or the gateway's environment.",
        )
    if not cfg.exists and install.state_dir.exists():
        out.add("config.missing", Severity.INFO, path, f"There is no {path}: OpenClaw runs on its defaults.")
    _walk_redacted(cfg.data, "", out, path)
    providers = get_path(cfg.data, "models.providers")
    if isinstance(providers, dict):
        for name, entry in providers.items():
            if not isinstance(entry, dict):
                continue
            _check_base_url(str(name), entry.get("baseUrl"), f"models.providers.{name}.baseUrl", out)
            has_profiles = any(
                normalize_provider(p.provider, install.era) == str(name).strip().lower()
                for p in install.agent.effective.profiles.values()
            )
            if entry.get("apiKey") is not None and has_profiles:
                out.add(
                    "config.api_key_in_config",
                    Severity.INFO,
                    f"models.providers.{name}.apiKey",
                    f"models.providers.{name}.apiKey is set in {path}, but stored {name} profiles win over it: it is not used.",
                )
    for agent in install.agents:
        models_json = agent.agent_dir / "models.json"
        if models_json.is_file():
            try:
                import json

                data = json.loads(models_json.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            entry = get_path(data, "providers.anthropic") if isinstance(data, dict) else None
            if isinstance(entry, dict) and not (isinstance(providers, dict) and "anthropic" in providers):
                _check_base_url(
                    "anthropic", entry.get("baseUrl"), f"{models_json} providers.anthropic.baseUrl", out, stale=True
                )


def _walk_redacted(node: Any, path: str, out: _Collector, file: str) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _walk_redacted(value, f"{path}.{key}" if path else str(key), out, file)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _walk_redacted(value, f"{path}[{i}]", out, file)
    elif isinstance(node, str) and node.strip() == "__OPENCLAW_REDACTED__":
        out.add(
            "config.redacted_placeholder",
            Severity.ERROR,
            path,
            f"{path} in {file} holds __OPENCLAW_REDACTED__: a UI saved the redacted view over the real secret.",
            f"Restore {file}.bak (or .bak.1 ...) or set the value again.",
        )


def _check_base_url(provider: str, base_url: Any, where: str, out: _Collector, *, stale: bool = False) -> None:
    if not isinstance(base_url, str) or not base_url.strip():
        return
    parsed = urlparse(base_url.strip())
    host = (parsed.hostname or "").lower()
    path = parsed.path.rstrip("/")
    if provider == "anthropic" and host and host != ANTHROPIC_HOST:
        note = (
            " (left in the agent's models.json after the config entry was removed: OpenClaw 2026.3 still uses it)"
            if stale
            else ""
        )
        out.add(
            "config.base_url_override",
            Severity.WARNING,
            where,
            f"Requests for {provider} go to {host}{':' + str(parsed.port) if parsed.port else ''}{path}, not {ANTHROPIC_HOST}{note}: "
            "a proxy's own key and errors apply.",
            fixes.config_unset(where)
            if not stale
            else f"delete providers.anthropic from {where.split(' ', maxsplit=1)[0]}",
        )
    if path.endswith("/v1"):
        out.add(
            "config.base_url_v1_suffix",
            Severity.ERROR,
            where,
            f"{where} ends in /v1, so requests go to {path}/v1/messages: 404 not_found_error.",
            fixes.config_set(where, base_url.strip().rstrip("/")[:-3]) if not stale else None,
        )


def _check_stores(install: Install, agent: AgentAuth, out: _Collector) -> None:
    era = install.era
    seen: set[str] = set()
    for layer in agent.layers:
        for issue in layer.issues:
            key = issue.code + issue.message
            if key in seen:
                continue
            seen.add(key)
            if issue.code == "store.parse_error":
                text = (
                    f"{issue.message}. OpenClaw 2026.3 silently reads it as an EMPTY store: no profile is used."
                    if era is Era.JSON
                    else issue.message
                )
                out.add(
                    "store.parse_error",
                    Severity.ERROR,
                    issue.subject,
                    text,
                    "Restore the file from a backup, or re-enter the keys (openclaw onboard).",
                )
            elif issue.code == "store.legacy_unmigrated":
                severity = Severity.ERROR if era is Era.SQLITE else Severity.WARNING
                out.add(
                    "store.legacy_unmigrated",
                    severity,
                    issue.subject,
                    issue.message,
                    fixes.doctor_fix() if era is Era.SQLITE else None,
                )
            elif issue.code == "profile.entry_dropped":
                out.add(
                    "profile.entry_dropped",
                    Severity.WARNING,
                    issue.subject,
                    issue.message,
                    "Fix the entry's type/provider or re-enter it through the CLI.",
                )
            else:
                out.add(
                    issue.code,
                    Severity.ERROR,
                    issue.subject,
                    issue.message,
                    fixes.doctor_fix() if era is Era.SQLITE else None,
                )
        if layer.extra and era is Era.JSON:
            out.add(
                "store.unknown_fields",
                Severity.INFO,
                layer.location,
                f"{layer.location} has top-level keys OpenClaw 2026.3 drops on its next write: {', '.join(sorted(layer.extra))}.",
            )
        _check_permissions(layer, out)


def _check_permissions(layer: AuthStore, out: _Collector) -> None:
    if layer.mode is None:
        return
    path = layer.location.split("#", 1)[0]
    if layer.mode & 0o077:
        out.add(
            "store.permissions",
            Severity.WARNING,
            path,
            f"{path} is readable by other users (mode {layer.mode:o}); it holds your keys in plain text.",
            f"chmod 600 {path}",
        )
    parent = Path(path).parent
    try:
        parent_mode = parent.stat().st_mode & 0o777
    except OSError:
        return
    if parent_mode & 0o077:
        out.add(
            "store.permissions",
            Severity.INFO,
            str(parent),
            f"{parent} can be listed by other users (mode {parent_mode:o}); OpenClaw creates it 0700.",
            f"chmod 700 {parent}",
        )


def _check_env(install: Install, store: AuthStore, providers_in_use: list[str], out: _Collector) -> None:
    env = install.seen_env
    has_profiles = any(normalize_provider(p.provider, install.era) == "anthropic" for p in store.profiles.values())
    for name in ("ANTHROPIC_OAUTH_TOKEN", "ANTHROPIC_API_KEY"):
        value = env.get(name)
        if not value or not value.strip():
            continue
        if has_profiles:
            out.add(
                "auth.env_shadowed",
                Severity.INFO,
                name,
                f"{name} is set ({mask(value, era=install.era)}) but stored anthropic profiles win, so it is not used for requests.",
            )
        info = classify(value)
        if not info.ok and info.kind is not KeyKind.EMPTY:
            out.add(
                "key.env_malformed",
                Severity.WARNING if has_profiles else Severity.ERROR,
                name,
                f"{name} looks wrong: {info.describe()}.",
            )
        break


def _check_logs(install: Install, reports: list[ProfileReport], out: _Collector) -> None:
    """2026.3 onboarding logs its argv, `--anthropic-api-key` included, in plain text."""
    log = install.state_dir / "logs" / "config-audit.jsonl"
    try:
        size = log.stat().st_size
        with open(log, "rb") as fh:
            if size > 32 * 1024 * 1024:
                fh.seek(size - 32 * 1024 * 1024)
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return
    found = _SECRET_IN_TEXT.findall(text)
    known = {r.profile.secret.get_secret_value().strip() for r in reports if r.profile.secret is not None}
    if found:
        current = sum(1 for f in set(found) if f in known)
        out.add(
            "fs.secret_in_log",
            Severity.WARNING,
            str(log),
            f"{log} holds {len(set(found))} full key(s) in plain text"
            + (f", {current} of them in use" if current else "")
            + " (OpenClaw logs the onboard command line).",
            f"Delete the lines holding keys from {log} (or the file), and rotate any key that is still in use.",
        )


def _check_other_agents(install: Install, out: _Collector) -> None:
    for agent in install.agents:
        if agent.agent_id == install.selected_agent_id:
            continue
        if not agent.effective.profiles and agent.agent_id in install.agent_ids_configured:
            out.add(
                "agent.no_auth",
                Severity.WARNING,
                agent.agent_id,
                f"Agent {agent.agent_id} has no credentials: chats routed to it fail with 'No API key found'."
                + _routes_note(install, agent.agent_id),
                _no_auth_fix(install, agent.agent_id, agent.agent_dir),
            )


def _no_auth_fix(install: Install, agent_id: str, agent_dir: object) -> str:
    """Give the agent a key of its own, always naming the profile: 2026.9's `paste-api-key --agent X`
    without `--profile-id` overwrites the SHARED anthropic:default (every agent's key)."""
    ours = (
        f"openclaw-triage key set --provider anthropic --agent {agent_id} --profile-id anthropic:{agent_id} --clipboard"
    )
    if install.era is Era.SQLITE:
        return (
            f"{ours}  or  openclaw models auth paste-api-key --provider anthropic --agent {agent_id} "
            f"--profile-id anthropic:{agent_id} (paste the key at the prompt; without --profile-id it would replace "
            "the shared anthropic:default, which every agent uses)"
        )
    return f"{ours}  (OpenClaw 2026.3 has no per-agent paste; or copy auth-profiles.json into {agent_dir})"


def _routes_note(install: Install, agent_id: str) -> str:
    """` bindings[] route discord (account default) to it.` when the config routes a channel there."""
    from .bindings import routes_to_agent

    routes = routes_to_agent(install.config.data, agent_id)
    return f" bindings[] route {', '.join(routes)} to it." if routes else ""
