"""Where OpenClaw sends a provider's request: the base URL, its origin, and the proxy in between.

The base URL is found as OpenClaw finds it (notes dist-2026.3 §6, dist-2026.9 §7): the config's
`models.providers.<key>.baseUrl` (the exact key `anthropic`, else the first key that normalises
to it), else the agent's `<agentDir>/models.json` `providers.anthropic.baseUrl` (2026.3 keeps
using a stale one after the config entry is gone), else `https://api.anthropic.com`. Paths are
appended the way the Anthropic SDK does, so a `baseUrl` ending in `/v1` yields `/v1/v1/...`
exactly as in the gateway: the 404 that follows is the finding. Another provider's base URL is
found the same way under its own id, its default from its `providers` row (`https://api.openai.com/v1`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from ..model import Era, read_models_json
from ..openclaw.coerce import normalize_provider
from ..openclaw.config import get_path
from ..providers import ANTHROPIC
from ..providers import get as provider_row
from ..util.jsonio import as_object
from ..util.readonce import Reads

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

DEFAULT_BASE_URL = ANTHROPIC.base_url


@dataclass(frozen=True, slots=True)
class BaseUrl:
    """The base URL a request for provider anthropic goes to, and where that came from."""

    url: str
    source: str  # "default" | "config" | "models.json"
    where: str  # the config path or file that set it, for the fix
    headers: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def parts(self) -> Any:
        return urlsplit(self.url)

    @property
    def valid(self) -> bool:
        try:
            parts = urlsplit(self.url)
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            return False
        return parts.scheme in ("http", "https") and bool(parts.hostname)

    @property
    def host(self) -> str:
        """`host[:port]` as people read it; the port only when one is written."""
        try:
            parts = urlsplit(self.url)
            port = parts.port
        except ValueError:
            return display_url(self.url.strip())[:80]
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        return f"{host}:{port}" if port else host

    @property
    def hostname(self) -> str:
        try:
            return (urlsplit(self.url).hostname or "").lower()
        except ValueError:
            return ""

    @property
    def display(self) -> str:
        """The URL without any `user:password@`: safe to print."""
        return display_url(self.url)

    @property
    def ends_in_v1(self) -> bool:
        try:
            return urlsplit(self.url).path.rstrip("/").endswith("/v1")
        except ValueError:
            return False

    def endpoint(self, path: str) -> str:
        """`baseURL + path`, dropping one slash when both have it (the SDK's `buildURL`)."""
        base = self.url
        if base.endswith("/") and path.startswith("/"):
            path = path[1:]
        return base + path


def display_url(url: str) -> str:
    """A URL with its userinfo removed, so a proxy password never reaches the screen."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(invalid URL)"
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def _config_entry(config: Mapping[str, Any], era: Era, provider: str) -> tuple[str, dict[str, Any]] | None:
    providers = get_path(config, "models.providers")
    if not isinstance(providers, dict):
        return None
    if isinstance(providers.get(provider), dict):
        return provider, providers[provider]
    for key, entry in providers.items():
        if isinstance(entry, dict) and normalize_provider(str(key), era) == provider:
            return str(key), entry
    return None


def _nonblank(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _models_json_entry(agent_dir: Path, provider: str, reads: Reads | None) -> dict[str, Any] | None:
    """`<agentDir>/models.json` `providers.<provider>`; an unreadable file is ignored, as pi does."""
    data = read_models_json(reads or Reads(), agent_dir)
    entry = get_path(data, f"providers.{provider}") if isinstance(data, dict) else None
    return entry if isinstance(entry, dict) else None


def resolve_base_url(
    config: Mapping[str, Any], agent_dir: Path, era: Era, provider: str = "anthropic", *, reads: Reads | None = None
) -> BaseUrl:
    """Config first, then the agent's models.json, then the provider's own (`providers` row);
    `reads`: the install's (`Install.reads`), so the file is read once per run."""
    row = provider_row(provider) or ANTHROPIC
    found = _config_entry(config, era, row.id)
    headers: dict[str, Any] = {}
    if found is not None:
        key, entry = found
        headers = as_object(entry.get("headers"))
        url = _nonblank(entry.get("baseUrl"))
        if url:
            return BaseUrl(url, "config", f"models.providers.{key}.baseUrl", headers)
    stale = _models_json_entry(agent_dir, row.id, reads)
    if stale is not None:
        url = _nonblank(stale.get("baseUrl"))
        if url:
            if not headers and isinstance(stale.get("headers"), dict):
                headers = stale["headers"]
            return BaseUrl(url, "models.json", str(agent_dir / "models.json"), headers)
    return BaseUrl(row.base_url, "default", "built-in default", headers)


def proxy_for(url: str) -> str | None:
    """The proxy httpx (`trust_env=True`) uses for `url`, userinfo removed; None when direct.

    Uses httpx's own environment reading and mount matching, so the answer is what the
    client really does (HTTP(S)_PROXY, ALL_PROXY, NO_PROXY).
    """
    try:
        import httpx
        from httpx._utils import URLPattern, get_environment_proxies
    except ImportError:  # pragma: no cover - a future httpx moved them
        return None
    try:
        target = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return None
    mounts = sorted((URLPattern(key), proxy) for key, proxy in get_environment_proxies().items())
    for pattern, proxy in mounts:
        if pattern.matches(target):
            return display_url(proxy) if proxy else None
    return None
