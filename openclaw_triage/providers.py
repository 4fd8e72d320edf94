"""The model providers we know deeply, as data: one row each.

A row says what OpenClaw does with that provider's key (the ids and env variables it reads,
the header it sends, the base URL it sends it to) and what the provider does with it (the key
shapes it issues, the free request that proves a key, the endpoint that says whose key it is,
the header that names a request). Everything provider-specific elsewhere (`keys.classify`, the
diagnosis, the probe) reads these rows: adding a provider is a row and its tests.

Sources, per field (shared/research/providers.md has the details and links):
- env variables: OpenClaw 2026.3.13 `PROVIDER_ENV_API_KEY_CANDIDATES` (dist/model-selection-*.js)
  and 2026.9.6 `extensions/<p>/openclaw.plugin.json` `setup.providers[].envVars` (groq, mistral
  and deepseek are external plugins there: dist/official-external-provider-catalog-*.mjs);
- base URLs: 2026.9.6 `modelCatalog.providers.<p>.baseUrl` in those manifests, the external
  catalog for deepseek, OpenClaw's docs (providers/<p>.md) for groq, mistral, openrouter;
- key shapes: TruffleHog's and gitleaks' detectors; Anthropic's: research/anthropic-api.md §5;
- free probes, identity endpoints, error bodies and request-id headers: the providers' API docs.

Pure data and a few look-ups; no regex is compiled here (check's start-up budget is tight).
"""

from __future__ import annotations

from dataclasses import dataclass

# --- Anthropic's formats (research/anthropic-api.md §5); `keys` judges these in detail ------

API_KEY_PREFIX = "sk-ant-api03-"
API_KEY_LENGTH = 108
OAUTH_TOKEN_PREFIX = "sk-ant-oat01-"
OAUTH_TOKEN_MIN_LENGTH = 80  # `openclaw models auth paste-token` refuses shorter tokens
REFRESH_TOKEN_PREFIX = "sk-ant-ort01-"
ADMIN_KEY_PREFIX = "sk-ant-admin01-"
ADMIN_KEY_LENGTH = 110
BEARER_MARKER = "sk-ant-oat"  # OpenClaw sends any secret containing this as `Bearer`

OPENAI_MARKER = "T3BlbkFJ"  # base64 of "OpenAI": inside every OpenAI key (gitleaks `openai`)


@dataclass(frozen=True, slots=True)
class KeyShape:
    """One kind of key a provider issues: `prefix` + a body of `charset` characters.

    `lengths` are the whole key's possible lengths (empty: not fixed, then `min_length`);
    `marker` is a substring every such key holds. `charset` is a regex character class.
    """

    name: str
    prefix: str
    charset: str = "A-Za-z0-9_-"
    lengths: tuple[int, ...] = ()
    min_length: int = 20
    marker: str | None = None

    def pattern(self) -> str:
        """A regex that matches a well-formed key of this shape, whole."""
        import re

        body = f"[{self.charset}]"
        if self.lengths:
            counts = "|".join(f"{body}{{{n - len(self.prefix)}}}" for n in sorted(set(self.lengths)))
            return f"{re.escape(self.prefix)}(?:{counts})"
        return f"{re.escape(self.prefix)}{body}{{{max(0, self.min_length - len(self.prefix))},}}"


@dataclass(frozen=True, slots=True)
class Provider:
    """One provider: OpenClaw's side of it, then the provider's own."""

    id: str  # OpenClaw's provider id, as in `openai/gpt-5.5`
    label: str  # as people name it
    env_vars: tuple[str, ...]  # the variables OpenClaw reads for it, in its order
    base_url: str  # where OpenClaw sends requests unless `models.providers.<id>.baseUrl` says otherwise
    auth_header: str  # the header that carries the key (lower-case)
    auth_scheme: str  # what precedes the key in it: "Bearer " or ""
    probe_path: str  # the free request that proves a key, appended to the base URL
    shapes: tuple[KeyShape, ...] = ()
    aliases: tuple[str, ...] = ()  # other ids OpenClaw files under this one (none today: provider-id.ts)
    other_prefixes: tuple[str, ...] = ()  # older prefixes, only to recognise a key in the wrong place
    oauth_ids: tuple[str, ...] = ()  # sign-in (OAuth) provider ids of the same company: not API keys
    identity: bool = False  # the probe's answer says whose key it is or what it may spend
    request_id_header: str | None = None
    org_header: str | None = None
    keys_url: str = ""  # where a user gets a new key
    billing_url: str = ""  # where a user adds credit
    onboard_flag: str | None = None  # `openclaw onboard --<flag>`: takes the key in argv, never suggested
    auth_choice: str | None = None  # `openclaw onboard --auth-choice <choice>`
    note: str = ""
    env_vars_2026_3: tuple[str, ...] | None = None  # what the JSON-era releases read, when it differs

    @property
    def host(self) -> str:
        return self.base_url.split("://", 1)[-1].split("/", 1)[0].lower()

    @property
    def probe_request(self) -> str:
        """The free request that proves a key, as a person reads it: `GET /api/v1/key`."""
        rest = self.base_url.split("://", 1)[-1]
        base = "/" + rest.split("/", 1)[1] if "/" in rest else ""
        return f"GET {base.rstrip('/')}{self.probe_path.split('?', 1)[0]}"

    @property
    def sends_bearer(self) -> bool:
        return self.auth_header == "authorization"

    @property
    def belongs(self) -> str:
        """Where such a key belongs in OpenClaw, for a key found in the wrong place."""
        env = f" with {self.env_vars[0]}" if self.env_vars else ""
        return f"{self.id}/… models{env}"


ANTHROPIC = Provider(
    id="anthropic",
    label="Anthropic",
    env_vars=("ANTHROPIC_OAUTH_TOKEN", "ANTHROPIC_API_KEY"),  # 2026.3.13 PROVIDER_ENV_API_KEY_CANDIDATES
    base_url="https://api.anthropic.com",
    auth_header="x-api-key",  # `sk-ant-oat…` goes as Bearer (probe/headers.py)
    auth_scheme="",
    probe_path="/v1/models?limit=1",
    shapes=(
        KeyShape("API key", API_KEY_PREFIX, lengths=(API_KEY_LENGTH,)),
        KeyShape("OAuth token", OAUTH_TOKEN_PREFIX, min_length=OAUTH_TOKEN_MIN_LENGTH),
        KeyShape("refresh token", REFRESH_TOKEN_PREFIX),
        KeyShape("Admin key", ADMIN_KEY_PREFIX, lengths=(ADMIN_KEY_LENGTH,)),
        KeyShape("key", "sk-ant-"),
    ),
    oauth_ids=("claude-cli",),
    request_id_header="request-id",
    org_header="anthropic-organization-id",
    keys_url="console.anthropic.com → API keys",
    billing_url="console.anthropic.com → Settings → Plans & Billing",
)

OPENAI = Provider(
    id="openai",
    label="OpenAI",
    env_vars=("OPENAI_API_KEY",),
    base_url="https://api.openai.com/v1",  # extensions/openai/openclaw.plugin.json modelCatalog
    auth_header="authorization",
    auth_scheme="Bearer ",
    probe_path="/models",  # free; a restricted key needs Models: Read
    shapes=(
        KeyShape("project key", "sk-proj-", marker=OPENAI_MARKER, min_length=40),
        KeyShape("service account key", "sk-svcacct-", marker=OPENAI_MARKER, min_length=40),
        KeyShape("admin key", "sk-admin-", marker=OPENAI_MARKER, min_length=40),
        KeyShape("legacy key", "sk-", charset="A-Za-z0-9", lengths=(51,), marker=OPENAI_MARKER),
    ),
    other_prefixes=("sk-None-",),  # older user keys (they hold the marker too)
    oauth_ids=("openai-codex", "codex"),  # ChatGPT/Codex sign-in: JWTs sent to chatgpt.com, not API keys
    request_id_header="x-request-id",
    org_header="openai-organization",
    keys_url="platform.openai.com → API keys",
    billing_url="platform.openai.com → Settings → Billing",
    onboard_flag="--openai-api-key",
    auth_choice="openai-api-key",
    note="`openai` profiles may also hold a ChatGPT/Codex sign-in (type oauth); only API keys are probed.",
)

OPENROUTER = Provider(
    id="openrouter",
    label="OpenRouter",
    env_vars=("OPENROUTER_API_KEY",),
    base_url="https://openrouter.ai/api/v1",
    auth_header="authorization",
    auth_scheme="Bearer ",
    probe_path="/key",  # GET /api/v1/key: free; label, limit, usage of the key itself
    shapes=(KeyShape("API key", "sk-or-v1-", charset="0-9a-f", lengths=(73,)),),
    other_prefixes=("sk-or-",),
    identity=True,
    keys_url="openrouter.ai → Settings → Keys",
    billing_url="openrouter.ai/settings/credits",
    auth_choice="openrouter-api-key",
)

GOOGLE = Provider(
    id="google",
    label="Google Gemini",
    env_vars=("GEMINI_API_KEY", "GOOGLE_API_KEY"),
    env_vars_2026_3=("GEMINI_API_KEY",),  # 2026.3.13 PROVIDER_ENV_API_KEY_CANDIDATES
    base_url="https://generativelanguage.googleapis.com/v1beta",
    auth_header="x-goog-api-key",  # never `?key=`: a key in a URL ends up in logs
    auth_scheme="",
    probe_path="/models?pageSize=1",
    shapes=(
        KeyShape("API key", "AIza", lengths=(39,)),
        KeyShape("auth key", "AQ.", charset="A-Za-z0-9_.-", min_length=20),
    ),
    oauth_ids=("google-gemini-cli", "google-antigravity", "google-vertex"),
    keys_url="aistudio.google.com → API keys",
    billing_url="aistudio.google.com → Billing",
    onboard_flag="--gemini-api-key",
    auth_choice="gemini-api-key",
)

XAI = Provider(
    id="xai",
    label="xAI",
    env_vars=("XAI_API_KEY",),
    base_url="https://api.x.ai/v1",
    auth_header="authorization",
    auth_scheme="Bearer ",
    probe_path="/api-key",  # GET /v1/api-key: free; the key's name, team and whether it is blocked
    shapes=(KeyShape("API key", "xai-", charset="0-9A-Za-z_", lengths=(84,)),),
    identity=True,
    keys_url="console.x.ai → API keys",
    billing_url="console.x.ai → Billing",
)

GROQ = Provider(
    id="groq",
    label="Groq",
    env_vars=("GROQ_API_KEY",),
    base_url="https://api.groq.com/openai/v1",
    auth_header="authorization",
    auth_scheme="Bearer ",
    probe_path="/models",
    shapes=(KeyShape("API key", "gsk_", charset="A-Za-z0-9", lengths=(52, 56)),),  # TruffleHog 56, gitleaks 52
    request_id_header="x-request-id",
    keys_url="console.groq.com → API keys",
    billing_url="console.groq.com → Settings → Billing",
)

MISTRAL = Provider(
    id="mistral",
    label="Mistral",
    env_vars=("MISTRAL_API_KEY",),
    base_url="https://api.mistral.ai/v1",
    auth_header="authorization",
    auth_scheme="Bearer ",
    probe_path="/models",
    shapes=(KeyShape("API key", "", charset="A-Za-z0-9", lengths=(32,)),),  # no prefix
    keys_url="console.mistral.ai → API keys",
    billing_url="console.mistral.ai → Billing",
    onboard_flag="--mistral-api-key",
    auth_choice="mistral-api-key",
)

DEEPSEEK = Provider(
    id="deepseek",
    label="DeepSeek",
    env_vars=("DEEPSEEK_API_KEY",),  # 2026.9.6 external plugin manifest
    env_vars_2026_3=(),  # 2026.3.13 has no deepseek in PROVIDER_ENV_API_KEY_CANDIDATES
    base_url="https://api.deepseek.com",
    auth_header="authorization",
    auth_scheme="Bearer ",
    probe_path="/user/balance",  # free; whether the account can be served, and its balance
    shapes=(KeyShape("API key", "sk-", charset="a-z0-9", lengths=(35,)),),
    identity=True,
    keys_url="platform.deepseek.com → API keys",
    billing_url="platform.deepseek.com → Top up",
    onboard_flag="--deepseek-api-key",
    auth_choice="deepseek-api-key",
)

PROVIDERS: tuple[Provider, ...] = (ANTHROPIC, OPENAI, OPENROUTER, GOOGLE, XAI, GROQ, MISTRAL, DEEPSEEK)

_BY_ID = {p.id: p for p in PROVIDERS} | {alias: p for p in PROVIDERS for alias in p.aliases}


def get(provider_id: str | None) -> Provider | None:
    """The row for an OpenClaw provider id (normalised as OpenClaw does: trimmed, lower case)."""
    if not provider_id:
        return None
    return _BY_ID.get(provider_id.strip().lower())


def env_vars(provider_id: str, era: str = "sqlite") -> tuple[str, ...]:
    """The variables OpenClaw of `era` (an `Era`: "json" or "sqlite") reads for the provider, in
    its order (`resolveEnvApiKey`: the first one set wins)."""
    row = get(provider_id)
    if row is None:
        return ()
    if era == "json" and row.env_vars_2026_3 is not None:
        return row.env_vars_2026_3
    return row.env_vars


def owner_of_oauth(provider_id: str) -> Provider | None:
    """`openai` for `openai-codex`: the company a sign-in provider id belongs to."""
    key = provider_id.strip().lower()
    for row in PROVIDERS:
        if key in row.oauth_ids:
            return row
    return None
