"""Turning a credential-store document into our model, entry by entry as OpenClaw does.

Both eras hold the same JSON document (`{version, profiles, order, lastGood, usageStats}`);
they differ in what they keep. 2026.3 keeps each entry as written (extra fields included)
and drops only a bad `type` or a missing `provider`; 2026.9 rebuilds each entry field by
field, lower-cases the provider, and drops an inline key when a `keyRef` exists. Whatever
OpenClaw would drop becomes a `StoreIssue`, so the diagnosis can say so.
"""

from __future__ import annotations

import functools
import math

from ..model import AuthStore, CredentialType, Era, Health, Profile, StoreIssue
from ..secret import Secret
from .refs import coerce_secret_ref

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from typing import Any

_TYPES = {"api_key", "token", "oauth"}
_KNOWN_TOP = {"version", "profiles", "order", "lastGood", "usageStats"}
FAILURE_REASONS_2026_9 = frozenset(
    [
        "auth",
        "auth_permanent",
        "format",
        "overloaded",
        "rate_limit",
        "billing",
        "timeout",
        "model_not_found",
        "session_expired",
        "empty_response",
        "no_error_details",
        "unclassified",
        "unknown",
    ]
)
_HEALTH_FIELDS = {
    "lastUsed": "last_used",
    "lastFailureAt": "last_failure_at",
    "cooldownUntil": "cooldown_until",
    "disabledUntil": "disabled_until",
    "blockedUntil": "blocked_until",
}
_HEALTH_TEXT = {
    "cooldownReason": "cooldown_reason",
    "cooldownModel": "cooldown_model",
    "disabledReason": "disabled_reason",
    "blockedReason": "blocked_reason",
    "blockedModel": "blocked_model",
    "blockedScope": "blocked_scope",
}
_PROFILE_FIELDS = {
    "type",
    "provider",
    "key",
    "keyRef",
    "token",
    "tokenRef",
    "access",
    "refresh",
    "expires",
    "email",
    "mode",
    "apiKey",
}


def _entries(value: Any) -> list[tuple[str, Any]]:
    """`Object.entries`: dicts as they are, arrays by index."""
    if isinstance(value, dict):
        return list(value.items())
    if isinstance(value, list):
        return [(str(i), v) for i, v in enumerate(value)]
    return []


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _js_number(value: Any) -> float:
    """`Number(value)` for the `version` field."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip() or 0)
        except ValueError:
            return math.nan
    return math.nan


@functools.cache
def normalize_provider(provider: str, era: Era) -> str:
    """`normalizeProviderId` (2026.9: trim + lower; 2026.3 also maps a few aliases)."""
    value = provider.strip().lower()
    if era is Era.JSON:
        value = _ALIASES_2026_3.get(value, value)
        value = {"volcengine-plan": "volcengine", "byteplus-plan": "byteplus"}.get(value, value)
    return value


_ALIASES_2026_3 = {
    "z.ai": "zai",
    "z-ai": "zai",
    "opencode-zen": "opencode",
    "opencode-go-auth": "opencode-go",
    "qwen": "qwen-portal",
    "kimi-code": "kimi-coding",
    "bedrock": "amazon-bedrock",
    "aws-bedrock": "amazon-bedrock",
    "bytedance": "volcengine",
    "doubao": "volcengine",
}


def coerce_store(raw: Any, era: Era, *, location: str, layer: str) -> AuthStore | None:
    """The store OpenClaw would load from `raw`, or None when it would load nothing at all."""
    if not isinstance(raw, dict):
        return None
    profiles_raw = raw.get("profiles")
    if era is Era.JSON:
        if not isinstance(profiles_raw, dict | list):  # `{}` and `[]` are truthy objects in JS
            return None
    elif not isinstance(profiles_raw, dict):
        return None
    store = AuthStore(location=location, layer=layer)
    version = _js_number(raw.get("version", 1) if raw.get("version") is not None else 1)
    store.version = (version if math.isfinite(version) and version > 0 else 1) if era is Era.SQLITE else version
    for key, value in raw.items():
        if key not in _KNOWN_TOP:
            store.extra[key] = value
    dropped = []
    for profile_id, entry in _entries(profiles_raw):
        profile, reason = (_profile_2026_3 if era is Era.JSON else _profile_2026_9)(profile_id, entry, layer)
        if profile is None:
            dropped.append((profile_id, reason))
            continue
        store.profiles[profile_id] = profile
    for profile_id, reason in dropped:
        store.issues.append(
            StoreIssue(
                "profile.entry_dropped",
                f"entry {profile_id!r} is ignored by OpenClaw ({reason}) and lost on its next write",
                profile_id,
            )
        )
    apply_state(store, raw, era)
    if era is Era.SQLITE:
        _drop_personal(store)
    return store


def apply_state(store: AuthStore, raw: Any, era: Era) -> None:
    """Read `order`, `lastGood` and `usageStats` from a store or (2026.9) a state document."""
    if not isinstance(raw, dict):
        return
    order_raw = raw.get("order")
    if era is Era.JSON:
        if isinstance(order_raw, dict | list):
            for provider, ids in _entries(order_raw):
                if not isinstance(ids, list):
                    continue
                cleaned = [i.strip() if isinstance(i, str) else "" for i in ids]
                cleaned = [i for i in cleaned if i]
                if cleaned:
                    store.order[provider] = cleaned
        for name, target in (("lastGood", store.last_good),):
            value = raw.get(name)
            if isinstance(value, dict):
                target.update({k: v for k, v in value.items() if isinstance(v, str)})
        usage = raw.get("usageStats")
        if isinstance(usage, dict):
            for profile_id, stats in usage.items():
                if isinstance(stats, dict):
                    store.usage[profile_id] = coerce_health(stats, era)
        return
    if isinstance(order_raw, dict):
        for provider, ids in order_raw.items():
            if not isinstance(ids, list):
                continue
            cleaned = [i.strip() for i in ids if isinstance(i, str) and i.strip()]
            if cleaned:
                store.order[normalize_provider(provider, era)] = cleaned
    last_good = raw.get("lastGood")
    if isinstance(last_good, dict):
        for provider, profile_id in last_good.items():
            if isinstance(profile_id, str) and profile_id.strip():
                store.last_good[normalize_provider(provider, era)] = profile_id.strip()
    usage = raw.get("usageStats")
    if isinstance(usage, dict):
        for profile_id, stats in usage.items():
            if isinstance(stats, dict) and isinstance(profile_id, str) and profile_id.strip():
                health = coerce_health(stats, era)
                if health != Health():
                    store.usage[profile_id.strip()] = health


def coerce_health(stats: dict[str, Any], era: Era) -> Health:
    """Usage stats: numbers must be finite numbers, reasons known strings (per era)."""
    health = Health()
    extra: dict[str, Any] = {}
    for name, value in stats.items():  # only the keys present: most stores hold one or two
        attr = _HEALTH_FIELDS.get(name)
        if attr is not None:
            if type(value) in (int, float) and math.isfinite(value):
                setattr(health, attr, float(value))
            continue
        attr = _HEALTH_TEXT.get(name)
        if attr is not None:
            if isinstance(value, str) and value.strip():
                if (
                    era is Era.SQLITE
                    and name in ("cooldownReason", "disabledReason")
                    and value not in FAILURE_REASONS_2026_9
                ):
                    continue
                setattr(health, attr, value.strip() if era is Era.SQLITE else value)
            continue
        if name == "errorCount":
            if type(value) in (int, float) and math.isfinite(value):
                health.error_count = int(value)
        elif name == "failureCounts":
            if isinstance(value, dict):
                for reason, n in value.items():
                    if type(n) in (int, float) and math.isfinite(n) and n > 0:
                        health.failure_counts[reason] = int(n)
        else:
            extra[name] = value
    health.extra = extra
    return health


_FIELDS_BY_TYPE = {"api_key": ("key", "keyRef"), "token": ("token", "tokenRef"), "oauth": ("access", None)}
_CTYPES = {t.value: t for t in CredentialType}


def _profile_2026_3(profile_id: str, entry: Any, layer: str) -> tuple[Profile | None, str]:
    if not isinstance(entry, dict):
        return None, "not an object"
    e = entry
    if ("type" not in e and "mode" in e) or ("key" not in e and "apiKey" in e):
        e = dict(entry)  # aliases apply only when the real field is absent
        if "type" not in e and isinstance(e.get("mode"), str):
            e["type"] = e["mode"]
        if "key" not in e and isinstance(e.get("apiKey"), str):
            e["key"] = e["apiKey"]
    ctype = e.get("type")
    if not isinstance(ctype, str) or ctype not in _TYPES:
        return None, f"type {_describe_type(ctype)} is not api_key, token or oauth"
    provider = e.get("provider")
    if not isinstance(provider, str) or not provider.strip():
        return None, "no provider"
    profile = Profile(id=profile_id, provider=provider, type=_CTYPES[ctype], layer=layer)
    value_field, ref_field = _FIELDS_BY_TYPE[ctype]
    value = e.get(value_field)
    if isinstance(value, str):
        profile.secret = Secret(value)
    elif value is not None:
        profile.extra[value_field] = _describe_wrong_type(value)
    if ref_field is not None:
        raw_ref = e.get(ref_field)
        if raw_ref is not None:
            profile.ref = coerce_secret_ref(raw_ref, Era.JSON)
            if profile.ref is None:
                profile.extra[ref_field] = raw_ref
    if ctype == "oauth" and isinstance(e.get("refresh"), str):
        profile.refresh = Secret(e["refresh"])
    if "expires" in e:
        profile.expires = e["expires"]
    email = e.get("email")
    if isinstance(email, str) and email.strip():
        profile.email = email.strip()
    if len(e) > 3:  # type, provider and the secret are known; anything more may be ours to keep
        for key, value in e.items():
            if key not in _PROFILE_FIELDS and key not in profile.extra:
                profile.extra[key] = value
    return profile, ""


def _describe_type(value: Any) -> str:
    """A `type` value for a message: a short string quoted, anything else by its JSON kind only
    (a hand-edited store can hold a list, an object or a pasted key there; none is printed)."""
    if isinstance(value, str):
        return repr(value) if len(value) <= 24 else f"<a {len(value)}-character string>"
    if value is None:
        return "null"
    kind = {bool: "boolean", int: "number", float: "number", list: "array", dict: "object"}.get(type(value), "value")
    return f"<{kind}>"


def _describe_wrong_type(value: Any) -> str:
    return f"<{type(value).__name__}, not a string>"


def _nonblank(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _profile_2026_9(profile_id: str, entry: Any, layer: str) -> tuple[Profile | None, str]:
    if not isinstance(entry, dict):
        return None, "not an object"
    e = dict(entry)
    if "type" not in e and isinstance(e.get("mode"), str):
        e["type"] = e["mode"]
    if e.get("type") == "apiKey":
        e["type"] = "api_key"
    if "key" not in e and coerce_secret_ref(e.get("keyRef"), Era.SQLITE) is None and isinstance(e.get("apiKey"), str):
        e["key"] = e["apiKey"]
    for value_field, ref_field in (("key", "keyRef"), ("token", "tokenRef")):
        value = e.get(value_field)
        if value is not None and not isinstance(value, str):
            ref = coerce_secret_ref(value, Era.SQLITE)
            if ref is not None and coerce_secret_ref(e.get(ref_field), Era.SQLITE) is None:
                e[ref_field] = {"source": ref.source, "provider": ref.provider, "id": ref.id}
            del e[value_field]
    ctype = e.get("type")
    if not isinstance(ctype, str) or ctype not in _TYPES:
        return None, f"type {_describe_type(ctype)} is not api_key, token or oauth"
    provider = e.get("provider")
    provider = provider.strip().lower() if isinstance(provider, str) else ""
    if not provider:
        return None, "no provider"
    profile = Profile(id=profile_id, provider=provider, type=CredentialType(ctype), layer=layer)
    if ctype == "api_key":
        profile.ref = coerce_secret_ref(e.get("keyRef"), Era.SQLITE)
        key = _nonblank(e.get("key"))
        if profile.ref is None and key is not None:
            profile.secret = Secret(key)
        elif profile.ref is not None and key is not None:
            profile.extra["key"] = "<dropped by OpenClaw because keyRef is set>"
    elif ctype == "token":
        token = _nonblank(e.get("token"))
        if token is not None:
            profile.secret = Secret(token)
        profile.ref = coerce_secret_ref(e.get("tokenRef"), Era.SQLITE)
    else:
        access = _nonblank(e.get("access"))
        if access is not None:
            profile.secret = Secret(access)
        refresh = _nonblank(e.get("refresh"))
        if refresh is not None:
            profile.refresh = Secret(refresh)
    if ctype in ("token", "oauth") and "expires" in e:
        expires = e["expires"]
        profile.expires = expires if _is_number(expires) and expires > 0 else 0
    email = _nonblank(e.get("email"))
    if email is not None:
        profile.email = email
    for key, value in e.items():
        if key not in _PROFILE_FIELDS and key not in profile.extra:
            profile.extra[key] = value
    return profile, ""


def _drop_personal(store: AuthStore) -> None:
    import re

    pattern = re.compile(r"^personal:[^:]+:[0-9a-f-]{36}$")
    for profile_id in [p for p in store.profiles if pattern.match(p)]:
        del store.profiles[profile_id]
