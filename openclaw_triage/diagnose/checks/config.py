"""openclaw.json and the environment: parse errors, redacted placeholders, base URLs, env keys."""

from __future__ import annotations

from urllib.parse import urlsplit

from ...findings import Severity
from ...keys import KeyKind, classify, mask
from ...model import AuthStore, Era, Install
from ...openclaw import commands as fixes
from ...openclaw.coerce import normalize_provider
from ...openclaw.config import get_path
from ...providers import ANTHROPIC, env_vars
from ...providers import get as provider_row
from ...util.safe_read import exists_sync
from ..result import Collector

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from typing import Any


ANTHROPIC_HOST = ANTHROPIC.host


def check_config(install: Install, out: Collector) -> None:
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
    if not cfg.exists and exists_sync(install.state_dir):
        out.add("config.missing", Severity.INFO, path, f"There is no {path}: OpenClaw runs on its defaults.")
    _walk_redacted(cfg.data, "", out, path)
    providers = get_path(cfg.data, "models.providers")
    if isinstance(providers, dict):
        for name, entry in providers.items():
            if not isinstance(entry, dict):
                continue
            _check_base_url(str(name), entry.get("baseUrl"), f"models.providers.{name}.baseUrl", out)
            has_profiles = any(
                normalize_provider(p.provider, install.era) == normalize_provider(str(name), install.era)
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
        data = install.models_json(agent.agent_dir)  # None: absent, not a regular file, not JSON: pi ignores it too
        entry = get_path(data, "providers.anthropic") if isinstance(data, dict) else None
        if isinstance(entry, dict) and not (isinstance(providers, dict) and "anthropic" in providers):
            _check_base_url(
                "anthropic", entry.get("baseUrl"), f"{models_json} providers.anthropic.baseUrl", out, stale=True
            )


def _walk_redacted(node: Any, path: str, out: Collector, file: str) -> None:
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


def _check_base_url(provider: str, base_url: Any, where: str, out: Collector, *, stale: bool = False) -> None:
    if not isinstance(base_url, str) or not base_url.strip():
        return
    try:
        parsed = urlsplit(base_url.strip())
        host = (parsed.hostname or "").lower()
        port = parsed.port
    except ValueError as exc:
        # Node's `new URL()` refuses it too, so every request for the provider fails. The URL is
        # not quoted (it may carry a password); Python's reason is, reworded.
        reason = str(exc)
        why = "its port is out of range" if "out of range" in reason else "its port is not a number"
        if "Port" not in reason:
            why = "its host is not a valid address (an unclosed or invalid [IPv6] literal?)"
        out.add(
            "config.base_url_invalid",
            Severity.ERROR,
            where,
            f"{where} is not a valid URL: {why}. OpenClaw cannot build a request URL from it, so every "
            f"request for {provider} fails (Invalid URL).",
            f"Correct it (e.g. https://{ANTHROPIC_HOST}), or remove it: "
            + (
                fixes.config_unset(where) if not stale else f"delete providers.{provider} from {where.split(' ', 1)[0]}"
            ),
        )
        return
    path = parsed.path.rstrip("/")
    row = provider_row(provider)
    own_host = row.host if row is not None else None
    if own_host and host and host != own_host and not stale and provider != "anthropic":
        out.add(
            "config.base_url_override",
            Severity.WARNING,
            where,
            f"Requests for {provider} go to {host}{':' + str(parsed.port) if parsed.port else ''}{path}, "
            f"not {own_host}: a proxy's own key and errors apply.",
            fixes.config_unset(where),
        )
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
            f"Requests for {provider} go to {host}{':' + str(port) if port else ''}{path}, not {ANTHROPIC_HOST}{note}: "
            "a proxy's own key and errors apply.",
            fixes.config_unset(where)
            if not stale
            else f"delete providers.anthropic from {where.split(' ', maxsplit=1)[0]}",
        )
    if path.endswith("/v1") and (row is None or row is ANTHROPIC):  # OpenAI-style base URLs end in /v1
        out.add(
            "config.base_url_v1_suffix",
            Severity.ERROR,
            where,
            f"{where} ends in /v1, so requests go to {path}/v1/messages: 404 not_found_error.",
            fixes.config_set(where, base_url.strip().rstrip("/")[:-3]) if not stale else None,
        )


def check_env(install: Install, store: AuthStore, providers_in_use: list[str], out: Collector) -> None:
    """Each provider's key variables (`providers.env_vars`, the first set one is OpenClaw's):
    Anthropic's always, another provider's when a model in use or a stored profile needs it."""
    era = install.era
    stored = {normalize_provider(p.provider, era) for p in store.profiles.values()}
    for provider in dict.fromkeys(["anthropic", *providers_in_use, *sorted(stored)]):
        if provider != "anthropic" and provider not in providers_in_use and provider not in stored:
            continue
        _check_env_of(install, provider, provider in stored, out)


def _check_env_of(install: Install, provider: str, has_profiles: bool, out: Collector) -> None:
    env = install.seen_env
    for name in env_vars(provider, install.era):
        value = env.get(name)
        if not value or not value.strip():
            continue
        if has_profiles:
            out.add(
                "auth.env_shadowed",
                Severity.INFO,
                name,
                f"{name} is set ({mask(value, era=install.era)}) but stored {provider} profiles win, so it is not used for requests.",
            )
        info = classify(value, provider)
        if not info.ok and info.kind is not KeyKind.EMPTY:
            out.add(
                "key.env_malformed",
                Severity.WARNING if has_profiles else Severity.ERROR,
                name,
                f"{name} looks wrong: {info.describe()}.",
                provider=provider,
            )
        break
