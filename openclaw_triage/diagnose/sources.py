"""Where each credential comes from, as `aws configure list` shows it (issue 15, step 4).

For every provider in use, every place OpenClaw looks for its key, in OpenClaw's precedence,
masked, with the one that wins (`used`), the ones it hides (`shadowed`), the empty ones
(`not set`) and values held where OpenClaw does not read them (`unseen`: your shell when the
gateway runs as a service, the agent's `models.json` copy). OpenClaw's order, both eras:

1. 2026.9 only, `models.providers.<p>.auth: "api-key"` with an `apiKey`: that key first
   (`shouldPreferExplicitConfigApiKeyAuth`, dist/loader-runtime-load-*.mjs, checked in
   `resolveApiKeyForProviderCore`, dist/model-auth-provider-*.mjs);
2. the auth profiles, in the effective order: the first whose secret resolves
   (`resolveApiKeyForProvider`: `resolveAuthProfileOrder` then `resolveApiKeyForProfile`,
   2026.3.13 dist/auth-profiles-*.js; the same loop in 2026.9.6);
3. the environment, `resolveEnvApiKey`: the provider's variables in order, the first set wins
   (`providers.env_vars`). A variable's value is the process's own, else the `.env` files, else
   the config's `env` block: neither ever overrides a variable already set (`load_environment`,
   `runtime.service_env`);
4. `models.providers.<p>.apiKey` in openclaw.json (`resolveUsableCustomProviderApiKey`; a value
   that names a known variable, `OPENAI_API_KEY`, reads that variable);
5. the agent's `models.json` is listed last: OpenClaw writes it from the config
   (`ensureOpenClawModelsJson`, keeping an `apiKey` left there: `mergeWithExistingProviderSecrets`)
   but resolves every request's key from the config (`getApiKeyForModel` then
   `authStorage.setRuntimeApiKey`), so a key only there is `unseen`.

Values are only ever masked (`keys.mask`, as OpenClaw masks).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..keys import mask
from ..model import Era, Install
from ..openclaw.coerce import normalize_provider
from ..openclaw.config import config_env_vars
from ..openclaw.dotenv import read_dotenv
from ..openclaw.install import dotenv_files
from ..openclaw.locate import shorten_home
from ..openclaw.order import OrderResult
from ..openclaw.refs import coerce_secret_ref, resolve_ref
from ..providers import PROVIDERS, env_vars
from ..secret import Secret
from ..util.jsonio import ParseError, as_object
from ..util.jsstr import js_trim
from .result import ProfileView, ProviderSources, Source

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from typing import Any

    from ..runtime.collect import Runtime

NOT_SET = "(not set)"
UNRESOLVED = "(unresolved ref)"
_KNOWN_ENV = frozenset(v for p in PROVIDERS for v in (*p.env_vars, *(p.env_vars_2026_3 or ())))


@dataclass(slots=True)
class _Candidate:
    kind: str
    where: str
    secret: str | None  # trimmed value, None when not set
    unresolved: bool = False
    read: bool = True  # False: OpenClaw does not read it (`unseen` when set)
    note: str = ""
    variable: str | None = None


def credential_sources(
    install: Install,
    providers: list[str],
    orders: Mapping[str, OrderResult],
    views: list[ProfileView],
    runtime: Runtime | None,
) -> list[ProviderSources]:
    """Every source of each provider's key in `providers`, in OpenClaw's precedence."""
    by_id = {v.profile.id: v for v in views}
    env_holders = _env_holders(install, runtime)
    stores: dict[str, str] = {}  # layer -> its store as shown, once (10,000 profiles share two)
    for layer in install.agent.layers:
        stores.setdefault(layer.layer, _home(install, layer.location))
    out = []
    for provider in dict.fromkeys(providers):
        candidates: list[_Candidate] = []
        config_key = _config_api_key(install, provider)
        explicit_first = install.era is Era.SQLITE and _auth_override(install, provider) == "api-key"
        if explicit_first and config_key.secret is not None:
            config_key.note = 'auth: "api-key" puts it before the profiles (2026.9)'
            candidates.append(config_key)
        order = orders.get(provider)
        for pid in order.effective if order is not None else []:
            view = by_id.get(pid)
            if view is not None:
                candidates.append(_profile(view, stores))
        for name in env_vars(provider, install.era):
            candidates += env_holders(name)
        if not (explicit_first and config_key.secret is not None):
            candidates.append(config_key)
        candidates.append(_models_json(install, provider))
        out.append(ProviderSources(provider, _judge(candidates, install.era)))
    return out


def _judge(candidates: list[_Candidate], era: Era) -> list[Source]:
    sources = []
    winner = False
    for c in candidates:
        if c.unresolved:
            value, status = UNRESOLVED, "not set"
        elif c.secret is None:
            value, status = NOT_SET, "not set"
        elif not c.read:
            value, status = mask(c.secret, era=era), "shadowed" if winner else "unseen"
        else:
            value, status = mask(c.secret, era=era), "shadowed" if winner else "used"
            winner = True
        sources.append(Source(c.kind, c.where, value, status, c.note, c.variable))
    return sources


def _profile(view: ProfileView, stores: Mapping[str, str]) -> _Candidate:
    profile = view.profile
    where = f"{profile.id} ({stores.get(profile.layer, profile.layer)})"
    if view.ref_status is not None and view.ref_status.status != "resolved" and view.secret_source == "ref":
        return _Candidate("profile", where, None, unresolved=True, note=view.ref_status.reason)
    secret = view.secret.get_secret_value() if view.secret is not None else ""
    note = f"ref {profile.ref.label()}" if view.secret_source == "ref" and profile.ref is not None else ""
    return _Candidate("profile", where, js_trim(secret) or None, note=note)


def _env_holders(install: Install, runtime: Runtime | None) -> Any:
    """`name` -> its holders in the gateway's precedence: the process, the `.env` files, the config."""
    service = runtime.service_env if runtime is not None else None
    strict = install.era is Era.SQLITE
    block = config_env_vars(install.config.data, strict=strict)
    config_where = f"env.vars in {_home(install, install.config.path)}"
    shell_values = {
        k: v for k, v in install.seen_env.items() if k not in install.env or install.env[k].origin == "process"
    }
    files: list[tuple[Path, dict[str, str]]] = []
    if service is None or not service.seen:
        for path in dotenv_files(install.era, install.seen_env, install.home):
            try:
                files.append((path, read_dotenv(install.reads, path)))
            except (OSError, ParseError):
                files.append((path, {}))

    def holders(name: str) -> list[_Candidate]:
        out: list[_Candidate] = []
        if service is not None and service.seen:
            for source in service.sources:
                if source.error is not None:
                    continue
                value = source.values.get(name)
                kind = {"dotenv": ".env", "config": "config env"}.get(source.kind, "gateway env")
                where = f"{name} in {_home(install, source.location)}"
                out.append(_Candidate(kind, where, _trimmed(value), variable=name))
            shell = _trimmed(shell_values.get(name))
            if shell is not None:
                note = "the gateway runs as a service and does not see your shell"
                out.append(
                    _Candidate("shell env", f"{name} in this shell", shell, read=False, note=note, variable=name)
                )
            return out
        out.append(_Candidate("process env", f"{name} in this shell", _trimmed(shell_values.get(name)), variable=name))
        for path, values in files:
            where = f"{name} in {_home(install, path)}"
            out.append(_Candidate(".env", where, _trimmed(values.get(name)), variable=name))
        out.append(_Candidate("config env", f"{name} in {config_where}", _trimmed(block.get(name)), variable=name))
        return out

    return holders


def _trimmed(value: str | Secret | None) -> str | None:
    if isinstance(value, Secret):
        value = value.get_secret_value()
    return js_trim(value) or None if isinstance(value, str) else None


def _provider_entry(providers: Any, provider: str, era: Era) -> dict[str, Any]:
    """`resolveProviderConfig`: the entry under the id itself, else one whose id normalises to it."""
    table = as_object(providers)
    entry = table.get(provider)
    if isinstance(entry, dict):
        return entry
    for key, value in table.items():
        if isinstance(value, dict) and normalize_provider(str(key), era) == provider:
            return value
    return {}


def _auth_override(install: Install, provider: str) -> str | None:
    models = as_object(install.config.data.get("models"))
    auth = _provider_entry(models.get("providers"), provider, install.era).get("auth")
    return auth if isinstance(auth, str) else None


def _api_key(raw: Any, kind: str, where: str, install: Install) -> _Candidate:
    """An `apiKey` value: a literal, a known variable's name (read from the environment), a SecretRef."""
    if isinstance(raw, str) and js_trim(raw) in _KNOWN_ENV:
        name = js_trim(raw)
        return _Candidate(kind, where, _trimmed(install.seen_env.get(name)), note=f"names {name}: reads that variable")
    ref = coerce_secret_ref(raw, install.era) if raw is not None else None
    if ref is not None:
        resolution = resolve_ref(ref, install.seen_env, install.config.data)
        if resolution.status != "resolved":
            return _Candidate(kind, where, None, unresolved=True, note=resolution.reason)
        return _Candidate(kind, where, _trimmed(resolution.value), note=f"ref {ref.label()}")
    return _Candidate(kind, where, _trimmed(raw) if isinstance(raw, str) else None)


def _config_api_key(install: Install, provider: str) -> _Candidate:
    models = as_object(install.config.data.get("models"))
    raw = _provider_entry(models.get("providers"), provider, install.era).get("apiKey")
    where = f"models.providers.{provider}.apiKey in {_home(install, install.config.path)}"
    return _api_key(raw, "config apiKey", where, install)


def _models_json(install: Install, provider: str) -> _Candidate:
    path = install.agent.agent_dir / "models.json"
    where = f"providers.{provider}.apiKey in {_home(install, path)}"
    raw = _provider_entry(
        as_object(install.models_json(install.agent.agent_dir)).get("providers"), provider, install.era
    )
    found = _api_key(raw.get("apiKey"), "models.json", where, install)
    found.read = False
    found.note = "a copy OpenClaw writes from the config; requests take the key from the config"
    return found


def _home(install: Install, path: Path | str) -> str:
    return shorten_home(path, install.home, install.seen_env)
