"""Profile labels exactly as `openclaw models status` prints them.

`anthropic:default=sk-ant-a...5o4gvyAA`, `anthropic:manual=token:sk-ant-a..._HeoVAAA
[cooldown 25m]`, `anthropic:x=ref(env:ANTHROPIC_API_KEY)`: the user matches these against
their own terminal, so they must agree character for character (the oracle tests check).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from ..keys import mask
from ..model import AuthStore, Era, Profile
from ..util.jsonio import as_object
from ..util.jsstr import js_trim
from .coerce import normalize_provider
from .order import unusable_until

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from typing import Any

_MARKERS_2026_3 = frozenset(
    {
        "minimax-oauth",
        "qwen-oauth",
        "ollama-local",
        "custom-local",
        "secretref-managed",
        "AWS_BEARER_TOKEN_BEDROCK",
        "AWS_ACCESS_KEY_ID",
        "AWS_PROFILE",
    }
)
_MARKERS_2026_9 = frozenset(
    {
        "custom-local",
        "codex-app-server",
        "gcp-vertex-credentials",
        "ollama-local",
        "secretref-managed",
        "openclaw:claude-cli-native-auth",
        "apple-fm-local",
        "lmstudio-local",
        "minimax-oauth",
        "AWS_BEARER_TOKEN_BEDROCK",
        "AWS_ACCESS_KEY_ID",
        "AWS_PROFILE",
    }
)
_COOLDOWN_EXEMPT = frozenset({"openrouter", "kilocode"})


def is_marker(value: str, era: Era) -> bool:
    """`isNonSecretApiKeyMarker(value, {includeEnvVarName: false})`: a non-secret placeholder."""
    text = js_trim(value)
    if not text:
        return False
    if era is Era.JSON:
        return text in _MARKERS_2026_3
    return text in _MARKERS_2026_9 or text.startswith(("oauth:", "secretref-env:"))


def _js_round(x: float) -> int:
    return math.floor(x + 0.5)


def format_remaining_short(ms: float | None) -> str:
    """OpenClaw's `formatRemainingShort`: 25m, 5h, 3d."""
    if ms is None or math.isnan(ms):
        return "unknown"
    if ms <= 0:
        return "0m"
    minutes = _js_round(ms / 60000)
    if minutes < 1:
        return "1m"
    if minutes < 60:
        return f"{minutes}m"
    hours = _js_round(minutes / 60)
    if hours < 48:
        return f"{hours}h"
    return f"{_js_round(hours / 24)}d"


def secret_display(value: str, era: Era) -> str:
    """A stored value as models status shows it: `marker(x)` or the mask."""
    text = js_trim(value)
    return f"marker({text})" if is_marker(text, era) else mask(text, era=era)


def _raw_ref_label(raw: Any) -> str:
    """2026.3 prints any truthy ref as `ref(<source>:<id>)`, even one it cannot use."""
    if isinstance(raw, dict):
        source = raw.get("source", "undefined")
        ident = raw.get("id", "undefined")
        return f"ref({_js_str(source)}:{_js_str(ident)})"
    return "ref(undefined:undefined)"


def _js_str(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def unusable_suffix(store: AuthStore, profile: Profile, now_ms: float, era: Era) -> str:
    """` [cooldown 25m]` / ` [disabled:auth_permanent 5h]` while a window is active."""
    if normalize_provider(profile.provider, era) in _COOLDOWN_EXEMPT:
        return ""
    health = store.usage.get(profile.id)
    until = unusable_until(health, era)
    if health is None or not until or now_ms >= until:
        return ""
    if health.disabled_until is not None and now_ms < health.disabled_until:
        kind = "disabled" + (f":{health.disabled_reason}" if health.disabled_reason else "")
    else:
        kind = "cooldown"
    return f" [{kind} {format_remaining_short(until - now_ms)}]"


def display_label(profile: Profile, config: Mapping[str, Any], era: Era) -> str:
    """`<id> (<email or display name>)` for OAuth profiles."""
    auth = as_object(config.get("auth"))
    cfg_profiles = as_object(auth.get("profiles"))
    cfg = as_object(cfg_profiles.get(profile.id))
    if era is Era.SQLITE:
        for name in (cfg.get("displayName"), profile.extra.get("displayName")):
            if isinstance(name, str) and name.strip():
                return f"{profile.id} ({name.strip()})"
    for email in (cfg.get("email"), profile.email):
        if isinstance(email, str) and email.strip():
            return f"{profile.id} ({email.strip()})"
    return profile.id


def profile_label(
    store: AuthStore, profile: Profile, config: Mapping[str, Any], now_ms: float, era: Era, *, masked: str | None = None
) -> str:
    """The whole `id=...` label of one profile (`masked`: the stored value's mask, if known)."""
    suffix = unusable_suffix(store, profile, now_ms, era)
    kind = profile.type
    if kind == "oauth":
        shown = display_label(profile, config, era)
        if shown == profile.id:
            extra = ""
        elif shown.startswith(profile.id):
            extra = shown[len(profile.id) :].strip()
        else:
            extra = f"({shown})"
        return f"{profile.id}=OAuth{' ' + extra if extra else ''}{suffix}"
    prefix = "token:" if kind == "token" else ""
    value = js_trim(profile.secret.get_secret_value()) if profile.secret is not None else ""
    if value:
        body = masked if masked is not None and not is_marker(value, era) else secret_display(value, era)
    elif profile.ref is not None:
        body = f"ref({profile.ref.source}:{profile.ref.id})"
    elif era is Era.JSON and profile.extra.get("keyRef" if kind == "api_key" else "tokenRef"):
        body = _raw_ref_label(profile.extra.get("keyRef" if kind == "api_key" else "tokenRef"))
    else:
        body = "missing"
    return f"{profile.id}={prefix}{body}{suffix}"
