"""The JSON credential stores (2026.3 to 2026.6.1): `<agentDir>/auth-profiles.json`, read-only.

OpenClaw reads the file with `JSON.parse` and treats anything it cannot parse as an empty
store, silently. We read it the same way but say so loudly (`store.parse_error`). When the
file is absent or unusable it falls back to a legacy `auth.json` and `credentials/oauth.json`;
a non-main agent without a store uses the main agent's.

From 2026.4.7 the order override, `lastGood` and `usageStats` live beside it in
`auth-state.json`: `loadPersistedAuthProfileStore` merges the state fields still found in
`auth-profiles.json` with the state file's, the state file winning per provider and per
profile (2026.4.29 `dist/store-*.js`, `mergeAuthProfileState`).
"""

from __future__ import annotations

import stat
from pathlib import Path

from ..model import AuthStore, CredentialType, Era, Profile, StoreIssue
from ..secret import Secret
from ..util.jsonio import ParseError, parse_json, read_text
from .coerce import apply_state, coerce_store
from .locate import STORE_FILE

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from typing import Any

LEGACY_FILE = "auth.json"


def read_json_file(path: Path) -> tuple[Any, StoreIssue | None, tuple[int, float] | None]:
    """Parse a JSON file: (data, problem, (mode, mtime)). Missing gives (None, None, None)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None, None, None
    except OSError as exc:
        return None, StoreIssue("store.unreadable", f"{path} cannot be read: {exc.strerror}", str(path)), None
    meta = (stat.S_IMODE(st.st_mode), st.st_mtime)
    if not stat.S_ISREG(st.st_mode):
        return None, StoreIssue("store.unreadable", f"{path} is not a regular file", str(path)), meta
    try:
        text = read_text(path)
    except PermissionError:
        return None, StoreIssue("store.unreadable", f"{path} cannot be read: permission denied", str(path)), meta
    except OSError as exc:
        return None, StoreIssue("store.unreadable", f"{path} cannot be read: {exc.strerror}", str(path)), meta
    except ParseError as exc:
        return None, StoreIssue("store.parse_error", f"{path}: {exc}", str(path)), meta
    if not text.strip():
        return None, StoreIssue("store.parse_error", f"{path} is empty", str(path)), meta
    try:
        return parse_json(text), None, meta
    except ParseError as exc:
        return None, StoreIssue("store.parse_error", f"{path} is not valid JSON ({exc})", str(path)), meta


def load_agent_store(agent_dir: Path, oauth_dir: Path | None, layer: str, state_file: str | None = None) -> AuthStore:
    """What `loadAuthProfileStoreForAgent` sees for one agent dir (no writes).

    `state_file` names the file beside the store that holds the order and usage state
    (`auth-state.json` from 2026.4.7), or None where the store holds them itself.
    """
    path = agent_dir / STORE_FILE
    raw, issue, meta = read_json_file(path)
    store = coerce_store(raw, Era.JSON, location=str(path), layer=layer) if raw is not None else None
    if store is not None:
        store.mode, store.mtime = meta if meta else (None, None)
        if state_file:
            _apply_state_file(store, agent_dir / state_file)
        return store
    empty = AuthStore(location=str(path), layer=layer, exists=meta is not None)
    if meta:
        empty.mode, empty.mtime = meta
    if issue is not None:
        empty.issues.append(issue)
    elif raw is not None:
        what = "an array" if isinstance(raw, list) else 'has no "profiles" object'
        if isinstance(raw, dict) and raw and all(isinstance(v, dict) for v in raw.values()) and "profiles" not in raw:
            what = 'a flat map without "profiles" (a hand-written store?)'
        empty.issues.append(
            StoreIssue("store.wrong_shape", f"{path} is {what}: OpenClaw reads no profiles from it", str(path))
        )
    _import_legacy(empty, agent_dir, oauth_dir)
    return empty


def _apply_state_file(store: AuthStore, path: Path) -> None:
    """Lay `auth-state.json` over the state fields of the store, as 2026.4.7+ merges them."""
    raw, issue, _meta = read_json_file(path)
    if issue is not None:
        # `loadJsonFile` gives undefined for a file it cannot parse: the state is silently empty.
        issue.message += "; OpenClaw reads no order or cooldowns from it"
        store.issues.append(issue)
    if not isinstance(raw, dict):
        return
    before = {p: list(ids) for p, ids in store.order.items()}
    apply_state(store, raw, Era.JSON)
    store.state_location = str(path)
    store.order_from.update({p: str(path) for p, ids in store.order.items() if before.get(p) != ids})


def _import_legacy(store: AuthStore, agent_dir: Path, oauth_dir: Path | None) -> None:
    """Legacy `auth.json` (flat map) and `credentials/oauth.json`, as 2026.3 imports them."""
    raw, _, _ = read_json_file(agent_dir / LEGACY_FILE)
    if isinstance(raw, dict) and "profiles" not in raw:
        for provider, cred in raw.items():
            if not isinstance(cred, dict):
                continue
            ctype = cred.get("type", cred.get("mode"))
            prov = str(cred.get("provider") or provider)
            profile_id = f"{provider}:default"
            if ctype == "api_key" or (ctype is None and isinstance(cred.get("key", cred.get("apiKey")), str)):
                value = cred.get("key", cred.get("apiKey"))
                profile = Profile(profile_id, prov, CredentialType.API_KEY, layer="legacy auth.json")
                if isinstance(value, str):
                    profile.secret = Secret(value)
            elif ctype == "token":
                profile = Profile(profile_id, prov, CredentialType.TOKEN, layer="legacy auth.json")
                if isinstance(cred.get("token"), str):
                    profile.secret = Secret(cred["token"])
                if isinstance(cred.get("expires"), int | float):
                    profile.expires = cred["expires"]
            else:
                profile = Profile(profile_id, prov, CredentialType.OAUTH, layer="legacy auth.json")
                if isinstance(cred.get("access"), str):
                    profile.secret = Secret(cred["access"])
                if isinstance(cred.get("refresh"), str):
                    profile.refresh = Secret(cred["refresh"])
                profile.expires = cred.get("expires")
            store.profiles[profile_id] = profile
        if store.profiles:
            store.issues.append(
                StoreIssue(
                    "store.legacy_unmigrated",
                    f"profiles come from the legacy {agent_dir / LEGACY_FILE}; OpenClaw migrates it on its next write",
                    str(agent_dir / LEGACY_FILE),
                )
            )
    if oauth_dir is None:
        return
    raw, _, _ = read_json_file(oauth_dir / "oauth.json")
    if isinstance(raw, dict):
        for provider, creds in raw.items():
            if not isinstance(creds, dict) or not creds:
                continue
            profile_id = f"{provider}:default"
            if profile_id in store.profiles:
                continue
            merged = {"type": "oauth", "provider": provider, **creds}
            ctype = merged.get("type")
            if ctype not in ("api_key", "token", "oauth") or not isinstance(merged.get("provider"), str):
                continue
            profile = Profile(profile_id, merged["provider"], CredentialType(ctype), layer="legacy oauth.json")
            field = {"api_key": "key", "token": "token", "oauth": "access"}[ctype]
            if isinstance(merged.get(field), str):
                profile.secret = Secret(merged[field])
            if isinstance(merged.get("refresh"), str):
                profile.refresh = Secret(merged["refresh"])
            profile.expires = merged.get("expires")
            store.profiles[profile_id] = profile


def merge_stores(base: AuthStore, override: AuthStore, *, location: str) -> AuthStore:
    """2026.3's `mergeAuthProfileStores(main, agent)`: the agent wins per id and per key."""
    if not override.profiles and not override.order and not override.last_good and not override.usage:
        merged = AuthStore(location=location, layer="merged", exists=base.exists)
        merged.profiles = dict(base.profiles)
        merged.order = dict(base.order)
        merged.last_good = dict(base.last_good)
        merged.usage = dict(base.usage)
        merged.order_from = dict(base.order_from)
        return merged
    merged = AuthStore(location=location, layer="merged")
    merged.version = max(_num(base.version), _num(override.version))
    merged.profiles = {**base.profiles, **override.profiles}
    merged.order = {**base.order, **override.order}
    merged.last_good = {**base.last_good, **override.last_good}
    merged.usage = {**base.usage, **override.usage}
    merged.order_from = {p: f for p, f in {**base.order_from, **override.order_from}.items() if p in merged.order}
    for provider in override.order:
        if provider not in override.order_from:
            merged.order_from.pop(provider, None)
    return merged


def _num(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else 1.0
