"""What a diagnosis holds: each profile as the user sees it, the findings, the orders.

`Collector` gathers findings while the checks run; `profile_view` builds one profile's view
(its effective secret, what that looks like, its health), also for a key not yet stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..findings import Finding, Severity
from ..keys import KeyInfo, classify, mask
from ..model import AgentAuth, AuthStore, Era, Install, Profile
from ..openclaw.coerce import normalize_provider
from ..openclaw.labels import profile_label
from ..openclaw.order import Eligibility, OrderResult, eligibility, unusable_until
from ..openclaw.refs import Resolution, coerce_secret_ref, resolve_ref
from ..secret import Secret
from ..util.jsstr import js_trim

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from typing import Any

    from ..actions import Action
    from ..runtime.collect import Runtime


@dataclass(slots=True, eq=False)  # a picture, never compared (eq costs `check` time)
class ProfileView:
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
    problems: list[str] = field(default_factory=list)  # its error-level findings' codes, worst first

    @property
    def broken(self) -> bool:
        """An error-level problem with its key (or Anthropic refused it): never a good first choice."""
        return bool(self.problems)


@dataclass(frozen=True, slots=True)
class Source:
    """(`diagnose.sources`) One place OpenClaw looks for a provider's key; `value` is masked, never the secret."""

    kind: str  # profile | config apiKey | process env | gateway env | shell env | .env | config env | models.json
    where: str  # profile id and store, variable and where it is set, path and key
    value: str  # masked, NOT_SET or UNRESOLVED
    status: str = "not set"  # used | shadowed | not set | unseen
    note: str = ""
    variable: str | None = None  # the environment variable, for the env kinds

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "where": self.where,
            "variable": self.variable,
            "value": self.value,
            "status": self.status,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class ProviderSources:
    provider: str
    sources: list[Source] = field(default_factory=list)

    @property
    def used(self) -> Source | None:
        return next((s for s in self.sources if s.status == "used"), None)

    def rows(self) -> list[Source]:
        """The sources as a table shows them (`check`, the app): every set source in precedence, and a
        variable set nowhere as one `env` row naming every place it was looked for, so the table stays short."""
        set_vars = {s.variable for s in self.sources if s.variable and s.status != "not set"}
        out: list[Source] = []
        collapsed: set[str] = set()
        for src in self.sources:
            if src.variable and src.variable not in set_vars:
                if src.variable not in collapsed:
                    collapsed.add(src.variable)
                    kinds = ", ".join(dict.fromkeys(s.kind for s in self.sources if s.variable == src.variable))
                    out.append(Source("env", f"{src.variable} ({kinds})", src.value, "not set", variable=src.variable))
                continue
            out.append(src)
        return out


@dataclass(slots=True, eq=False)  # a picture, never compared (eq costs `check` time)
class Diagnosis:
    install: Install
    agent: AgentAuth
    providers: list[str]
    profiles: list[ProfileView]
    orders: dict[str, OrderResult]
    findings: list[Finding]
    now_ms: float
    default_model: str | None = None
    runtime: Runtime | None = None  # the gateway, its environment and log, Discord (None if not asked)
    only_provider: str | None = None  # `check --provider P`: what the user asked to see
    sources: list[ProviderSources] = field(default_factory=list)  # where each key in use comes from

    @property
    def shown_profiles(self) -> list[ProfileView]:
        """The profiles to list: all, or only the asked provider's (`profiles` keeps them all,
        as the chat pins and the app need every one)."""
        if self.only_provider is None:
            return self.profiles
        era = self.install.era
        return [r for r in self.profiles if normalize_provider(r.profile.provider, era) == self.only_provider]

    @property
    def exit_code(self) -> int:
        """0 nothing wrong, 1 an error, 2 only warnings, 3 no OpenClaw install where it looks."""
        if not self.install.found:
            return 3
        if any(f.severity is Severity.ERROR for f in self.findings):
            return 1
        if any(f.severity is Severity.WARNING for f in self.findings):
            return 2
        return 0

    def view(self, profile_id: str) -> ProfileView | None:
        for report in self.profiles:
            if report.profile.id == profile_id:
                return report
        return None


class Collector:
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


def effective_secret(
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


def profile_view(
    store: AuthStore, profile: Profile, config: Mapping[str, Any], env: Mapping[str, str], now: float, era: Era
) -> ProfileView:
    """One profile as the user sees it (also used for a candidate key before it is stored)."""
    secret, source, resolution = effective_secret(profile, env, config, era)
    # An API key is judged by its provider's key shapes (`providers`); a token or sign-in of
    # another provider (a Codex JWT, a Copilot token) has no shape we know, so Anthropic's rules
    # only tell whether it is an Anthropic secret in the wrong place.
    judge = normalize_provider(profile.provider, era) if profile.type == "api_key" else None
    info = classify(secret.get_secret_value(), judge) if secret is not None else None
    stored_value = profile.secret.get_secret_value() if profile.secret is not None else None
    masked = mask(stored_value, era=era) if stored_value and js_trim(stored_value) else None
    state, until, reason = _health(store, profile, now, era)
    verdict = eligibility(store, config, profile.provider, profile.id, now, era)
    report = ProfileView(
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
