"""openclaw.json as OpenClaw loads it: JSON5, `$include`, the `env` block, `${VAR}`.

The order follows OpenClaw's `loadConfig`: parse, resolve includes (confined to the config's
folder, depth ≤ 10, no cycles, ≤ 2 MiB each), export the `env` block into the environment
it will see, then substitute `${VAR}` in every string value. A missing variable keeps its
literal text and is recorded, as OpenClaw warns and does.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping, MutableMapping
from pathlib import Path

from ..model import ConfigFile, Era
from ..util.jsonio import ParseError, parse_json5
from ..util.readonce import Reads
from ..util.safe_read import DEFAULT_LIMIT
from .locate import agent_settings

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from typing import Any

INCLUDE_KEY = "$include"
MAX_INCLUDE_DEPTH = 10
MAX_INCLUDE_BYTES = 2 * 1024 * 1024
_VAR_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_ENV_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_BLOCKED_ENV_KEYS = frozenset(
    [
        "NODE_OPTIONS",
        "NODE_PATH",
        "PYTHONHOME",
        "PYTHONPATH",
        "PERL5LIB",
        "PERL5OPT",
        "RUBYLIB",
        "RUBYOPT",
        "BASH_ENV",
        "ENV",
        "GIT_EXTERNAL_DIFF",
        "GIT_EXEC_PATH",
        "SHELL",
        "SHELLOPTS",
        "PS4",
        "GCONV_PATH",
        "IFS",
        "SSLKEYLOGFILE",
        "HOME",
        "ZDOTDIR",
        "GIT_SSH_COMMAND",
        "GIT_SSH",
        "GIT_PROXY_COMMAND",
        "GIT_ASKPASS",
        "SSH_ASKPASS",
        "LESSOPEN",
        "LESSCLOSE",
        "PAGER",
        "MANPAGER",
        "GIT_PAGER",
        "EDITOR",
        "VISUAL",
        "FCEDIT",
        "SUDO_EDITOR",
        "PROMPT_COMMAND",
        "HISTFILE",
        "PERL5DB",
        "PERL5DBCMD",
        "OPENSSL_CONF",
        "OPENSSL_ENGINES",
        "PYTHONSTARTUP",
        "WGETRC",
        "CURL_HOME",
    ]
)
_BLOCKED_ENV_PREFIXES = ("DYLD_", "LD_", "BASH_FUNC_", "GIT_CONFIG_", "NPM_CONFIG_")


class ConfigError(Exception):
    """openclaw.json cannot be loaded; OpenClaw itself would refuse to start."""


# --- $include ---------------------------------------------------------------------------


def _deep_merge(target: Any, source: Any) -> Any:
    if isinstance(target, list) and isinstance(source, list):
        return [*target, *source]
    if isinstance(target, dict) and isinstance(source, dict):
        out = dict(target)
        for key, value in source.items():
            if key in ("__proto__", "prototype", "constructor"):
                continue
            out[key] = _deep_merge(out[key], value) if key in out else value
        return out
    return source


class _Includes:
    def __init__(self, root_dir: Path, reads: Reads) -> None:
        self.root_dir = root_dir
        self.reads = reads
        self.files: list[Path] = []

    def resolve(self, value: Any, base_dir: Path, chain: tuple[Path, ...]) -> Any:
        if isinstance(value, list):
            return [self.resolve(v, base_dir, chain) for v in value]
        if not isinstance(value, dict):
            return value
        if INCLUDE_KEY not in value:
            return {k: self.resolve(v, base_dir, chain) for k, v in value.items()}
        spec = value[INCLUDE_KEY]
        if isinstance(spec, str):
            paths = [spec]
        elif isinstance(spec, list):
            for item in spec:
                if not isinstance(item, str):
                    raise ConfigError(f"Invalid $include array item: expected string, got {_js_type(item)}")
            paths = list(spec)
        else:
            raise ConfigError(f"Invalid $include value: expected string or array of strings, got {_js_type(spec)}")
        included: Any = {}
        for rel in paths:
            included = _deep_merge(included, self._load(rel, base_dir, chain))
        siblings = {k: v for k, v in value.items() if k != INCLUDE_KEY}
        if not siblings:
            return included
        if not isinstance(included, dict):
            raise ConfigError("Sibling keys require included content to be an object")
        return _deep_merge(included, self.resolve(siblings, base_dir, chain))

    def _load(self, rel: str, base_dir: Path, chain: tuple[Path, ...]) -> Any:
        target = Path(os.path.normpath(base_dir / rel))
        root = Path(os.path.normpath(self.root_dir))
        if target != root and root not in target.parents:
            raise ConfigError(f"Include path escapes config directory: {rel} (root: {root})")
        if target in chain:
            names = " -> ".join(str(p) for p in (*chain, target))
            raise ConfigError(f"Circular include detected: {names}")
        if len(chain) > MAX_INCLUDE_DEPTH:
            raise ConfigError(f"Maximum include depth ({MAX_INCLUDE_DEPTH}) exceeded at: {rel}")
        try:
            real = target.resolve(strict=True)
            real_root = root.resolve()
        except OSError:
            raise ConfigError(f"Failed to read include file: {rel} (resolved: {target})") from None
        if real != real_root and real_root not in real.parents:
            raise ConfigError(f"Include path resolves outside config directory (symlink): {rel}")
        try:
            st = target.stat()
        except OSError:
            raise ConfigError(f"Failed to read include file: {rel} (resolved: {target})") from None
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_INCLUDE_BYTES or st.st_nlink > 1:
            raise ConfigError(
                "Include file failed security checks (regular file, max 2097152 bytes, no hardlinks): " + rel
            )
        try:
            data = parse_json5(self.reads.text(target, limit=DEFAULT_LIMIT))
        except OSError:
            raise ConfigError(f"Failed to read include file: {rel} (resolved: {target})") from None
        except ParseError:
            raise ConfigError(f"Failed to parse include file: {rel} (resolved: {target})") from None
        self.files.append(target)
        return self.resolve(data, target.parent, (*chain, target))


def _js_type(value: Any) -> str:
    if value is None:
        return "object"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object"


# --- env block and ${VAR} ---------------------------------------------------------------


def config_env_vars(data: Mapping[str, Any], *, strict: bool = False) -> dict[str, str]:
    """The variables the config's `env` block exports (`env.vars.K`, and string `env.K` unless
    `strict`: 2026.9 accepts only `vars` and `shellEnv` there)."""
    env = data.get("env")
    if not isinstance(env, dict):
        return {}
    entries: dict[str, str] = {}
    vars_ = env.get("vars")
    if isinstance(vars_, dict):
        for key, value in vars_.items():
            if value:
                entries[key] = str(value)
    for key, value in env.items():
        if key in ("shellEnv", "vars") or strict:
            continue
        if isinstance(value, str) and value.strip():
            entries[key] = value
    out: dict[str, str] = {}
    for raw_key, value in entries.items():
        key = raw_key.strip()
        upper = key.upper()
        if not _ENV_KEY.match(key) or upper in _BLOCKED_ENV_KEYS or upper.startswith(_BLOCKED_ENV_PREFIXES):
            continue
        if "${" in value:
            continue
        out[key] = value
    return out


def apply_config_env(data: Mapping[str, Any], env: MutableMapping[str, str], *, strict: bool = False) -> list[str]:
    """Export the env block into `env` where a variable is unset or blank; return what was set."""
    applied = []
    for key, value in config_env_vars(data, strict=strict).items():
        if not env.get(key, "").strip():
            env[key] = value
            applied.append(key)
    return applied


def substitute(value: Any, env: Mapping[str, str], missing: list[tuple[str, str]], path: str = "") -> Any:
    """Replace `${VAR}` in every string value (never keys), as OpenClaw does."""
    if isinstance(value, str):
        return _substitute_string(value, env, missing, path)
    if isinstance(value, list):
        return [substitute(v, env, missing, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: substitute(v, env, missing, f"{path}.{k}" if path else k) for k, v in value.items()}
    return value


def _substitute_string(text: str, env: Mapping[str, str], missing: list[tuple[str, str]], path: str) -> str:
    if "$" not in text:
        return text
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch != "$":
            out.append(ch)
            i += 1
            continue
        if text.startswith("$${", i):
            close = text.find("}", i + 3)
            if close != -1 and _VAR_NAME.match(text[i + 3 : close]):
                out.append(text[i + 1 : close + 1])
                i = close + 1
                continue
        if text.startswith("${", i):
            close = text.find("}", i + 2)
            if close != -1:
                name = text[i + 2 : close]
                if _VAR_NAME.match(name):
                    found = env.get(name)
                    if found is None or found == "":
                        missing.append((name, path))
                        out.append(text[i : close + 1])
                    else:
                        out.append(found)
                    i = close + 1
                    continue
        out.append(ch)
        i += 1
    return "".join(out)


# --- loading ----------------------------------------------------------------------------


def load_config(
    path: Path, env: MutableMapping[str, str], *, strict_env: bool = False, reads: Reads | None = None
) -> ConfigFile:
    """Load openclaw.json into a `ConfigFile`; errors are recorded, never raised.

    `env` is the environment OpenClaw would see; the `env` block is applied to it. `reads`: the
    run's (`Install.reads`), so a second load (with another environment) reads no file again.
    """
    reads = reads or Reads()
    try:
        st = path.stat()
    except FileNotFoundError:
        return ConfigFile(path=path, exists=False)
    except OSError as exc:
        return ConfigFile(path=path, exists=True, error=f"cannot read: {exc.strerror}")
    result = ConfigFile(path=path, exists=True, mode=stat.S_IMODE(st.st_mode), mtime=st.st_mtime)
    if stat.S_ISDIR(st.st_mode):
        result.error = "is a directory"
        return result
    try:
        raw = parse_json5(reads.text(path, limit=DEFAULT_LIMIT))
    except PermissionError:
        result.error = "permission denied"
        return result
    except OSError as exc:
        result.error = f"cannot read: {exc.strerror}"
        return result
    except ParseError as exc:
        result.error = str(exc)
        return result
    if not isinstance(raw, dict):
        kind = "an array" if isinstance(raw, list) else "null" if raw is None else f"a {_js_type(raw)}"
        result.error = f"the top level is {kind}, not an object"
        return result
    includes = _Includes(path.parent, reads)
    try:
        data = includes.resolve(raw, path.parent, (path,))
    except ConfigError as exc:
        result.error = str(exc)
        result.includes = includes.files
        return result
    except RecursionError:
        result.error = "nested too deeply"
        return result
    result.includes = includes.files
    apply_config_env(data, env, strict=strict_env)
    missing: list[tuple[str, str]] = []
    result.data = substitute(data, env, missing)
    result.missing_env = missing
    return result


# --- typed accessors --------------------------------------------------------------------


def config_stamp(config: Mapping[str, Any]) -> str | None:
    """`meta.lastTouchedVersion`: the release of OpenClaw that last wrote the config."""
    meta = config.get("meta")
    stamp = meta.get("lastTouchedVersion") if isinstance(meta, dict) else None
    return stamp if isinstance(stamp, str) and stamp.strip() else None


def get_path(data: Mapping[str, Any], dotted: str, default: Any = None) -> Any:
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


def model_primary(value: Any) -> str | None:
    """`agents.defaults.model` is a string or `{primary, fallbacks}`."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        primary = value.get("primary")
        if isinstance(primary, str) and primary.strip():
            return primary.strip()
    return None


def resolve_model_ref(config: Mapping[str, Any], ref: str, *, openrouter_prefix: bool = False) -> str:
    """`provider/model` as OpenClaw resolves a configured ref (both eras, run on the real CLIs): an
    alias from `agents.defaults.models` (matched ignoring case), else a bare name is Anthropic's
    (`models status` warns "specified without provider. Falling back to anthropic/<name>").

    `openrouter_prefix`: 2026.3.13 gives an OpenRouter model id without a `/` the `openrouter/`
    prefix (`normalizeProviderModelId`), so `openrouter/auto` resolves to `openrouter/openrouter/auto`
    (`layouts.openrouter_model_prefixed`)."""
    text = ref.strip()
    if "/" in text:
        provider, _, model = text.partition("/")
        if openrouter_prefix and provider.strip().lower() == "openrouter" and "/" not in model:
            return f"{provider}/openrouter/{model}"
        return text
    models = get_path(config, "agents.defaults.models")
    if isinstance(models, dict):
        for key, entry in models.items():
            alias = entry.get("alias") if isinstance(entry, dict) else None
            if isinstance(alias, str) and alias.strip().lower() == text.lower() and "/" in str(key):
                return str(key).strip()
    return f"anthropic/{text}"


def model_setting(config: Mapping[str, Any], era: Era, agent_id: str | None = None) -> Any:
    """`agents.defaults.model`, or the agent's own `model` when it has one (both eras: `models
    status --agent X` shows it)."""
    own = agent_settings(config, era, agent_id).get("model") if agent_id else None
    return own if model_primary(own) else get_path(config, "agents.defaults.model")


def default_model(
    config: Mapping[str, Any], era: Era, agent_id: str | None, builtin: str, *, openrouter_prefix: bool = False
) -> str:
    """The model a chat uses unless it chose another: the agent's or the configured primary
    (aliases resolved), else `builtin`, OpenClaw's own default for the release
    (`layouts.default_model`)."""
    primary = model_primary(model_setting(config, era, agent_id))
    return resolve_model_ref(config, primary, openrouter_prefix=openrouter_prefix) if primary else builtin


def fallback_models(config: Mapping[str, Any], era: Era, agent_id: str | None = None) -> list[str]:
    """The fallbacks, resolved: the agent's own list when its `model` object has one, else the defaults'."""
    own = agent_settings(config, era, agent_id).get("model") if agent_id else None
    if not (isinstance(own, dict) and isinstance(own.get("fallbacks"), list)):
        own = get_path(config, "agents.defaults.model")
    return [resolve_model_ref(config, ref) for ref in model_fallbacks(own)]


def model_provider(model_ref: str | None) -> str | None:
    """`anthropic` for `anthropic/claude-opus-4-6`; a ref without a provider is Anthropic's."""
    if not model_ref:
        return None
    text = model_ref.strip()
    if "/" not in text:
        return "anthropic"
    return text.split("/", 1)[0].strip().lower() or None


def model_fallbacks(value: Any) -> list[str]:
    if isinstance(value, dict):
        fallbacks = value.get("fallbacks")
        if isinstance(fallbacks, list):
            return [f.strip() for f in fallbacks if isinstance(f, str) and f.strip()]
    return []
