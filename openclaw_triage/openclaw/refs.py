"""SecretRefs: recognising them as each era does, and checking whether they resolve here.

A ref that does not resolve is a finding, never a request: the prober and the diagnosis
both ask `resolve_ref`, which reads environment variables and files but never runs an
`exec` provider (that would run the user's commands on our behalf).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from ..model import Era, SecretRef
from ..secret import Secret
from ..util.jsonio import as_object, as_text
from ..util.safe_read import read_bytes

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from typing import Any

_TEMPLATE = re.compile(r"^\$\{([A-Z][A-Z0-9_]{0,127})\}$")
_SHORTHAND = re.compile(r"^\$([A-Z][A-Z0-9_]{0,127})$")


_SOURCES = {Era.JSON: frozenset({"env", "file", "exec"}), Era.SQLITE: frozenset({"env", "file", "exec", "store"})}


def _sources(era: Era) -> frozenset[str]:
    return _SOURCES[era]


def _nonblank(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def coerce_secret_ref(value: Any, era: Era, defaults: Mapping[str, Any] | None = None) -> SecretRef | None:
    """OpenClaw's `coerceSecretRef`: an exact `{source, provider, id}`, a provider-less ref,
    or an env template string (`${NAME}`; 2026.9 also `$NAME`)."""
    sources = _sources(era)
    if isinstance(value, dict):
        source = value.get("source")
        if not isinstance(source, str) or source not in sources or not _nonblank(value.get("id")):
            return None
        if len(value) == 3 and _nonblank(value.get("provider")):
            return SecretRef(source, value["provider"], value["id"])
        if "provider" not in value:
            provider = (defaults or {}).get(source) if defaults else None
            return SecretRef(source, provider if isinstance(provider, str) and provider else "default", value["id"])
        return None
    if isinstance(value, str):
        text = value.strip()
        match = _TEMPLATE.match(text) or (_SHORTHAND.match(text) if era is Era.SQLITE else None)
        if match:
            provider = (defaults or {}).get("env") if defaults else None
            provider = provider.strip() if isinstance(provider, str) else ""
            return SecretRef("env", provider or "default", match.group(1))
    return None


@dataclass(frozen=True, slots=True)
class Resolution:
    status: str  # resolved | missing | unsupported | error
    value: Secret | None = None
    reason: str = ""


def resolve_ref(ref: SecretRef, env: Mapping[str, str], config: Mapping[str, Any]) -> Resolution:
    """Resolve `ref` against the environment OpenClaw would see and the config's providers."""
    secrets_cfg = as_object(config.get("secrets"))
    providers = as_object(secrets_cfg.get("providers"))
    defaults = as_object(secrets_cfg.get("defaults"))
    if ref.source == "env":
        default_alias = (as_text(defaults.get("env")) or "").strip()
        configured = providers.get(ref.provider)
        if ref.provider != (default_alias or "default") and not isinstance(configured, dict):
            return Resolution(
                "error", reason=f'secret provider "{ref.provider}" is not configured (ref: env:{ref.provider}:{ref.id})'
            )
        value = env.get(ref.id)
        if value is None or not value.strip():
            return Resolution("missing", reason=f'environment variable "{ref.id}" is missing or empty')
        return Resolution("resolved", Secret(value))
    if ref.source == "file":
        configured = providers.get(ref.provider)
        if not isinstance(configured, dict) or not isinstance(configured.get("path"), str):
            return Resolution(
                "error",
                reason=f'secret provider "{ref.provider}" is not configured (ref: file:{ref.provider}:{ref.id})',
            )
        return _resolve_file(ref, configured)
    return Resolution("unsupported", reason=f"{ref.source} refs are resolved only by OpenClaw itself (not run here)")


def _resolve_file(ref: SecretRef, provider: Mapping[str, Any]) -> Resolution:
    import os

    path = os.path.expanduser(str(provider["path"]))
    try:
        text = read_bytes(path, limit=1024 * 1024, truncate=True).decode("utf-8")
    except OSError as exc:  # a FIFO or folder in its place too: never a hang
        return Resolution("missing", reason=f"secret file {path} cannot be read ({exc.strerror})")
    except UnicodeDecodeError:
        return Resolution("error", reason=f"secret file {path} is not UTF-8 text")
    except ValueError:  # a NUL in the path
        return Resolution("missing", reason="the secret file's path is not valid")
    mode = provider.get("mode", "json")
    if ref.id == "value" or mode == "singleValue":
        value = text.strip()
        return (
            Resolution("resolved", Secret(value))
            if value
            else Resolution("missing", reason=f"secret file {path} is empty")
        )
    try:
        node: Any = json.loads(text)
    except (ValueError, RecursionError):
        return Resolution("error", reason=f"secret file {path} is not JSON")
    for raw in ref.id.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return Resolution("missing", reason=f"{ref.id} is not in secret file {path}")
    if not isinstance(node, str) or not node.strip():
        return Resolution("missing", reason=f"{ref.id} in secret file {path} is not a non-empty string")
    return Resolution("resolved", Secret(node))
