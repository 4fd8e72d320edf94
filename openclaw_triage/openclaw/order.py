"""Which profile OpenClaw tries first, step by step, with a reason for every profile.

A re-implementation of `resolveAuthProfileOrder` for each era (2026.3 `auth-profiles-*.js`,
2026.9 `order-*.mjs`): the stored override replaces the config order; ineligible profiles
drop out; when every explicit id is missing OpenClaw falls back to all stored profiles;
without an explicit order, OAuth and token profiles go before API keys, least recently used
first; profiles in cooldown go to the end, soonest back first.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..model import AuthStore, Era, Health, Profile
from ..providers import env_vars
from ..util.jsonio import as_object
from ..util.jsstr import js_trim
from .coerce import normalize_provider
from .refs import coerce_secret_ref

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from typing import Any

_COOLDOWN_EXEMPT = frozenset({"openrouter", "kilocode"})
_MODEL_SCOPED = frozenset({"rate_limit", "timeout", "model_not_found"})
_MAX_EXPIRES = 8.64e15


@dataclass(frozen=True, slots=True)
class Eligibility:
    eligible: bool
    reason: str  # ok | profile_missing | provider_mismatch | mode_mismatch | missing_credential | expired | invalid_expires | malformed_api_key

    @property
    def text(self) -> str:
        return _INELIGIBLE_TEXT.get(self.reason, self.reason)


_INELIGIBLE_TEXT = {
    "ok": "usable",
    "profile_missing": "no such profile in the store",
    "provider_mismatch": "belongs to another provider",
    "mode_mismatch": "its type differs from the config's auth.profiles entry",
    "missing_credential": "has no secret and no reference",
    "expired": "its token has expired",
    "invalid_expires": "its `expires` is not a valid timestamp",
    "malformed_api_key": "its key is an `openclaw onboard` command line",
    "retired": "this release retired the id and skips it (`openclaw doctor --fix` removes it)",
}


RETIRED = Eligibility(False, "retired")
"""A profile id the release retired (`layouts.retired_profile_ids`): skipped, and fatal to a chat pinned to it."""


def token_expiry_state(expires: Any, now_ms: float, era: Era) -> str:
    """`resolveTokenExpiryState`: missing | invalid_expires | expired | valid."""
    if expires is None:
        return "missing"
    if isinstance(expires, bool) or not isinstance(expires, int | float):
        return "invalid_expires"
    if not math.isfinite(expires) or expires <= 0:
        return "invalid_expires"
    if era is Era.SQLITE and expires > _MAX_EXPIRES:
        return "invalid_expires"
    return "expired" if now_ms >= expires else "valid"


def _has_string(secret: Any) -> bool:
    return secret is not None and bool(js_trim(secret.get_secret_value()))


def credential_eligibility(profile: Profile, now_ms: float, era: Era) -> Eligibility:
    """`evaluateStoredCredentialEligibility` (refs count as present; they are not resolved)."""
    if profile.type == "api_key":
        if era is Era.SQLITE and profile.secret is not None:
            text = js_trim(profile.secret.get_secret_value())
            if re.match(r"^openclaw\s+onboard(?:\s+.*)?\s+--auth-choice(?:\s|=|$)", text, re.IGNORECASE):
                return Eligibility(False, "malformed_api_key")
        if not _has_string(profile.secret) and profile.ref is None:
            return Eligibility(False, "missing_credential")
        return Eligibility(True, "ok")
    if profile.type == "token":
        if not _has_string(profile.secret) and profile.ref is None:
            return Eligibility(False, "missing_credential")
        state = token_expiry_state(profile.expires, now_ms, era)
        if state in ("invalid_expires", "expired"):
            return Eligibility(False, state)
        return Eligibility(True, "ok")
    if not _has_string(profile.secret) and not _has_string(profile.refresh):
        return Eligibility(False, "missing_credential")
    return Eligibility(True, "ok")


def eligibility(
    store: AuthStore, config: Mapping[str, Any], provider: str, profile_id: str, now_ms: float, era: Era
) -> Eligibility:
    """`resolveAuthProfileEligibility`."""
    key = normalize_provider(provider, era)
    profile = store.profiles.get(profile_id)
    if profile is None:
        return Eligibility(False, "profile_missing")
    if normalize_provider(profile.provider, era) != key:
        return Eligibility(False, "provider_mismatch")
    cfg_profile = _cfg_profiles(config).get(profile_id)
    if isinstance(cfg_profile, dict):
        cfg_provider = cfg_profile.get("provider")
        if not isinstance(cfg_provider, str) or normalize_provider(cfg_provider, era) != key:
            return Eligibility(False, "provider_mismatch")
        mode = cfg_profile.get("mode")
        if mode != profile.type and not (mode == "oauth" and profile.type == "token"):
            return Eligibility(False, "mode_mismatch")
    return credential_eligibility(profile, now_ms, era)


def _cfg_profiles(config: Mapping[str, Any]) -> dict[str, Any]:
    auth = config.get("auth")
    profiles = auth.get("profiles") if isinstance(auth, dict) else None
    return profiles if isinstance(profiles, dict) else {}


def _find_provider_value(mapping: Any, provider: str, era: Era) -> Any:
    """`findNormalizedProviderValue`: the first key that normalises to the provider."""
    if not isinstance(mapping, dict):
        return None
    key = normalize_provider(provider, era)
    for raw_key, value in mapping.items():
        if isinstance(raw_key, str) and normalize_provider(raw_key, era) == key:
            return value
    return None


def unusable_until(health: Health | None, era: Era, for_model: str | None = None) -> float | None:
    """`resolveProfileUnusableUntil`; 2026.9 adds blocked windows and per-model cooldowns."""
    if health is None or (
        health.cooldown_until is None and health.disabled_until is None and health.blocked_until is None
    ):
        return None
    if era is Era.JSON:
        windows = [v for v in (health.cooldown_until, health.disabled_until) if v is not None and v > 0]
        return max(windows) if windows else None
    block_other_model = bool(
        for_model and health.blocked_scope == "model" and health.blocked_model and health.blocked_model != for_model
    )
    values: list[float | None] = [
        None if block_other_model else health.blocked_until,
        health.cooldown_until,
        health.disabled_until,
    ]
    present = [v for v in values if v is not None and v > 0]
    return max(present) if present else None


def in_cooldown(store: AuthStore, profile_id: str, now_ms: float, era: Era, for_model: str | None = None) -> bool:
    """`isProfileInCooldown`: openrouter and kilocode never cool down."""
    health = store.usage.get(profile_id)
    if health is None or (
        health.cooldown_until is None and health.disabled_until is None and health.blocked_until is None
    ):
        return False
    profile = store.profiles.get(profile_id)
    if profile is not None and normalize_provider(profile.provider, era) in _COOLDOWN_EXEMPT:
        return False
    if era is Era.SQLITE and for_model:
        scoped_elsewhere = (
            health.cooldown_reason in _MODEL_SCOPED and health.cooldown_model and health.cooldown_model != for_model
        )
        blocked_active = bool(health.blocked_until and now_ms < health.blocked_until) and not (
            health.blocked_scope == "model" and health.blocked_model and health.blocked_model != for_model
        )
        disabled_active = bool(health.disabled_until and now_ms < health.disabled_until)
        if scoped_elsewhere and not blocked_active and not disabled_active:
            return False
    until = unusable_until(health, era, for_model)
    return bool(until and now_ms < until)


@dataclass(slots=True)
class OrderResult:
    """The effective order for one provider and why."""

    provider: str
    stored: list[str] | None
    stored_origin: str | None
    config_order: list[str] | None
    explicit_from: str | None  # "store" | "config" | None
    base: list[str]
    base_from: str  # stored override | config auth.order | config auth.profiles | store
    effective: list[str]
    excluded: dict[str, Eligibility] = field(default_factory=dict)
    not_in_order: list[str] = field(default_factory=list)  # stored profiles left out by the explicit order
    missing_from_store: list[str] = field(default_factory=list)
    cooled: dict[str, float] = field(default_factory=dict)  # id -> until (ms)
    fell_back_to_store: bool = False
    reasons: dict[str, str] = field(default_factory=dict)
    steps: list[str] = field(default_factory=list)
    env_fallback: str | None = None  # env var name used when the order is empty

    @property
    def next(self) -> str | None:
        return self.effective[0] if self.effective else None


def resolve_order(
    store: AuthStore,
    config: Mapping[str, Any],
    provider: str,
    *,
    era: Era,
    now_ms: float,
    stored_origin: str | None = None,
    for_model: str | None = None,
    env: Mapping[str, str] | None = None,
    known: Mapping[str, Eligibility] | None = None,
    retired: frozenset[str] = frozenset(),
) -> OrderResult:
    """Reproduce OpenClaw's choice for `provider`, recording every decision.

    `retired`: ids this release skips whatever the order says (`layouts.retired_profile_ids`)."""
    key = normalize_provider(provider, era)
    stored = _find_provider_value(store.order, provider, era)
    stored = list(stored) if isinstance(stored, list) else None
    auth = as_object(config.get("auth"))
    cfg_order_raw = _find_provider_value(auth.get("order"), provider, era)
    config_order = [i for i in cfg_order_raw if isinstance(i, str)] if isinstance(cfg_order_raw, list) else None
    explicit = stored if stored is not None else config_order
    explicit_from = "store" if stored is not None else ("config" if config_order is not None else None)
    cfg_ids = [
        pid
        for pid, p in _cfg_profiles(config).items()
        if isinstance(p, dict) and isinstance(p.get("provider"), str) and normalize_provider(p["provider"], era) == key
    ]
    store_ids = [pid for pid, p in store.profiles.items() if normalize_provider(p.provider, era) == key]
    if explicit is not None:
        base, base_from = list(explicit), "stored override" if explicit_from == "store" else "config auth.order"
    elif cfg_ids:
        base, base_from = cfg_ids, "config auth.profiles"
    else:
        base, base_from = store_ids, "store"
    result = OrderResult(
        provider=key,
        stored=stored,
        stored_origin=stored_origin if stored is not None else None,
        config_order=config_order,
        explicit_from=explicit_from,
        base=base,
        base_from=base_from,
        effective=[],
    )
    steps = result.steps
    if stored is not None:
        steps.append(
            f"A stored order override is set ({', '.join(stored) or 'empty'}): it replaces the config order entirely."
        )
        if config_order is not None and config_order != stored:
            steps.append(f"The config's auth.order ({', '.join(config_order)}) is ignored while the override exists.")
    elif config_order is not None:
        steps.append(f"No stored override; the config's auth.order is used: {', '.join(config_order)}.")
    elif cfg_ids:
        steps.append(f"No explicit order; candidates are the config's auth.profiles for {key}: {', '.join(cfg_ids)}.")
    else:
        steps.append(f"No explicit order and no auth.profiles entries; candidates are all stored {key} profiles.")
    if explicit is not None:
        explicit_set = set(explicit)
        result.not_in_order = [pid for pid in store_ids if pid not in explicit_set]
        result.missing_from_store = [pid for pid in explicit if pid not in store.profiles]
    if not base:
        steps.append("There are no candidates at all.")
        _env_fallback(result, key, env, config, era)
        return result

    def check(pid: str) -> Eligibility:
        if pid in retired and pid in store.profiles:
            return RETIRED
        verdict = known.get(pid) if known is not None else None
        return verdict if verdict is not None else eligibility(store, config, provider, pid, now_ms, era)

    filtered = []
    for pid in base:
        verdict = check(pid)
        if verdict.eligible:
            filtered.append(pid)
        else:
            result.excluded[pid] = verdict
            steps.append(f"{pid} is skipped: {verdict.text}.")
    all_missing = all(pid not in store.profiles for pid in base)
    fallback_allowed = bool(cfg_ids) if era is Era.JSON else (explicit_from == "store" or bool(cfg_ids))
    if not filtered and all_missing and fallback_allowed:
        filtered = [pid for pid in store_ids if check(pid).eligible]
        result.fell_back_to_store = True
        for pid in store_ids:
            result.excluded.pop(pid, None)
        steps.append(
            "Every id in the order is missing from the store, so OpenClaw falls back to all stored profiles: "
            + (", ".join(filtered) or "none usable")
            + "."
        )
    deduped = list(dict.fromkeys(filtered))

    def until(pid: str) -> float:
        value = unusable_until(store.usage.get(pid), era, for_model)
        return value if value is not None else now_ms

    explicit_path = bool(explicit) and (era is Era.JSON or not result.fell_back_to_store)
    cooled = {pid for pid in deduped if in_cooldown(store, pid, now_ms, era, for_model)}
    available = [pid for pid in deduped if pid not in cooled]
    cooling = [pid for pid in deduped if pid in cooled]
    for pid in cooling:
        result.cooled[pid] = until(pid)
    cooling.sort(key=until)
    if explicit_path:
        ordered = available + cooling
        position = {pid: i for i, pid in reversed(list(enumerate(explicit or [])))}
        for i, pid in enumerate(available):
            where = "the stored override" if explicit_from == "store" else "the config's auth.order"
            result.reasons[pid] = (
                f"position {position[pid] + 1} in {where}" if pid in position else f"kept from {where}"
            )
            if i == 0:
                result.reasons[pid] = "first usable profile in " + where
    else:

        def type_score(pid: str) -> int:
            return {"oauth": 0, "token": 1, "api_key": 2}.get(store.profiles[pid].type, 3)

        def expiry_score(pid: str) -> int:
            p = store.profiles[pid]
            if era is Era.SQLITE and p.type == "oauth" and token_expiry_state(p.expires, now_ms, era) == "expired":
                return 1
            return 0

        def last_used(pid: str) -> float:
            health = store.usage.get(pid)
            return health.last_used if health and health.last_used is not None else 0.0

        available.sort(key=lambda pid: (type_score(pid), expiry_score(pid), last_used(pid)))
        ordered = available + cooling
        if len(available) > 1:
            steps.append(
                "Without an explicit order OpenClaw sorts by type (OAuth, then token, then API key), then least recently used first."
            )
        for pid in available:
            kind = store.profiles[pid].type
            used = last_used(pid)
            result.reasons[pid] = f"{kind.replace('_', ' ')} profile" + (", least recently used" if used == 0 else "")
    for pid in cooling:
        result.reasons[pid] = "in cooldown or disabled: tried last"
    if cooling:
        steps.append(f"In cooldown or disabled, so moved to the end: {', '.join(cooling)}.")
    result.effective = ordered
    if ordered:
        steps.append(f"The next request uses {ordered[0]}.")
    else:
        steps.append(f"No usable {key} profile is left.")
        _env_fallback(result, key, env, config, era)
    return result


def _env_fallback(
    result: OrderResult, key: str, env: Mapping[str, str] | None, config: Mapping[str, Any], era: Era
) -> None:
    """With an empty order OpenClaw uses the environment (`resolveEnvApiKey`: the provider's
    variables in order, `providers.env_vars`), then the config's provider apiKey. Providers we
    have no row for are left alone: we do not know which variables they read."""
    names = env_vars(key, era)
    if not names or env is None:
        return
    for name in names:
        value = env.get(name)
        if value and value.strip():
            result.env_fallback = name
            result.steps.append(f"With no usable profile, OpenClaw falls back to ${name} from the environment.")
            return
    providers = config.get("models", {}).get("providers") if isinstance(config.get("models"), dict) else None
    if isinstance(providers, dict):
        cfg = _find_provider_value(providers, key, Era.SQLITE)
        if isinstance(cfg, dict) and (
            isinstance(cfg.get("apiKey"), str) or coerce_secret_ref(cfg.get("apiKey"), Era.SQLITE)
        ):
            result.env_fallback = f"models.providers.{key}.apiKey"
            result.steps.append(f"With no usable profile, OpenClaw falls back to models.providers.{key}.apiKey.")
