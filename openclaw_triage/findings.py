"""Findings: what is wrong, with what, and the exact fix.

Every finding has a stable `code` documented in `CODES` (and in docs/findings.md, which a
test keeps in sync), so scripts can match on it, and where the tool can fix it, a typed
`action` (`openclaw_triage.actions`) that `write.apply` performs and the app binds to a key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from typing import Any

    from .actions import Action


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: Severity
    subject: str  # profile id, provider, file, or agent concerned
    message: str
    fix: str | None = None
    action: Action | None = None  # the fix the tool can apply (`write.apply`), bound to a key in the app
    agent: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def area(self) -> str:
        """Which part of the install it is about: `keys` (profiles, order, config, stores), `chats`
        (session pins) or `live` (the gateway, its environment, channels, agents)."""
        return area_of(self.code)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity.value,
            "subject": self.subject,
            "message": self.message,
            "fix": self.fix,
        }
        if self.agent is not None:
            out["agent"] = self.agent
        if self.action is not None:
            out["action"] = self.action.to_json()
        return out


_AREAS = {"session": "chats", "gateway": "live", "discord": "live", "env": "live", "agent": "live"}


def area_of(code: str) -> str:
    """A finding code's area (see `Finding.area`), from its family (the part before the dot)."""
    return _AREAS.get(code.partition(".")[0], "keys")


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Most severe first; within a severity, findings about the keys before notes about the tool."""
    return sorted(findings, key=lambda f: (f.severity.rank, f.code.startswith("version.")))


# code -> (what it means, when it is raised). The severity is decided per case in diagnose.
CODES: dict[str, str] = {
    # secrets
    "key.whitespace": "A space or tab inside the key: a hand-edited or wrapped paste. Anthropic sees a different key (401).",
    "key.line_break": "A line break inside a stored key. OpenClaw's own writer strips these; a hand edit did not.",
    "key.surrounding_whitespace": "Whitespace around the key. OpenClaw trims it before use, so this is cosmetic.",
    "key.control_characters": "Invisible control characters in the key.",
    "key.zero_width": "Zero-width characters in the key (a rich-text paste).",
    "key.smart_quotes": "Typographic quotes in the key (pasted from a document or chat).",
    "key.surrounding_quotes": "The key is wrapped in quotes, which become part of it.",
    "key.bearer_prefix": "The key starts with `Bearer `, which is a header, not part of the key.",
    "key.env_assignment": "The stored value is `NAME=value`, a shell line, not a key.",
    "key.oauth_code_fragment": "An OAuth `code#state` was pasted instead of a token.",
    "key.bad_characters": "Characters no key of its provider uses (Anthropic keys are base64url: A-Z a-z 0-9 - _).",
    "key.length": "Wrong length or shape for its kind (Anthropic API keys are 108 characters, OpenRouter's 73, xAI's 84; every OpenAI key holds `T3BlbkFJ`): shortened or altered.",
    "key.suffix": "A Console API key that does not end in `AA`: shortened or altered.",
    "key.masked_copy": "A masked copy (`sk-ant-a...` / `…`) was stored instead of the key.",
    "key.placeholder": "A placeholder or redaction marker was stored instead of a key.",
    "key.wrong_provider": "Another provider's key stored for this one (an OpenRouter key in an Anthropic or OpenAI profile, ...), or an Anthropic credential under another provider.",
    "key.token_in_api_key_profile": "An `sk-ant-oat` OAuth token stored in an api_key profile.",
    "key.api_key_in_token_profile": "An `sk-ant-api` API key stored in a token profile.",
    "key.refresh_token": "An OAuth refresh token (`sk-ant-ort01-`) stored as a credential; it never authenticates requests.",
    "key.admin_key": "An Admin API key (`sk-ant-admin01-`); it cannot call the Messages API (403).",
    "key.unknown_format": "A secret that matches no key format of its profile's provider.",
    "key.missing": "A profile with no secret and no reference: OpenClaw skips it.",
    "key.malformed_onboard_command": "An `openclaw onboard ... --auth-choice` command line stored as the key.",
    "profiles.duplicate_secret": "The same secret is stored in more than one profile; fixing one leaves the other.",
    "ref.unresolved": "A keyRef/tokenRef (or `${VAR}`) that does not resolve here: the variable or file is missing.",
    "ref.unsupported": "A SecretRef source this tool cannot resolve offline (exec, store); checked only for shape.",
    "token.expired": "A token profile whose `expires` has passed; OpenClaw skips it.",
    "token.expiring": "A token profile that expires within 24 hours.",
    "token.expires_invalid": "A token profile whose `expires` is not a positive ms timestamp; OpenClaw skips it.",
    "profile.cooldown": "A profile in cooldown after failures: OpenClaw tries it last until the cooldown ends.",
    "profile.disabled": "A profile disabled (billing or permanent auth failure) until a set time.",
    "profile.mode_mismatch": "The profile's type differs from its `auth.profiles` entry in config; OpenClaw skips it.",
    "profile.provider_mismatch": "The profile's provider differs from its `auth.profiles` entry in config; OpenClaw skips it.",
    "profile.entry_dropped": "A store entry OpenClaw drops on load (bad type, no provider) and loses on its next write.",
    "order.missing_profile": "The explicit order names a profile that does not exist.",
    "order.excludes_profiles": "The explicit order leaves out stored profiles, so OpenClaw never tries them.",
    "order.first_unusable": "The first profile OpenClaw will try is broken while another is fine: pin the good one.",
    "order.empty": "No profile is usable for this provider: every request fails or falls back to the environment.",
    "order.fallback_to_store": "Every id in the explicit order is missing, so OpenClaw falls back to all stored profiles.",
    "order.override_shadows_config": "A stored order override replaces the config's `auth.order` entirely.",
    "auth.missing": "A provider the models in use need (the default model, OpenClaw's own default when none is set, a fallback) has no credential at all.",
    "auth.env_fallback": "No stored profile: the provider's key comes from an environment variable.",
    "auth.env_shadowed": "An environment key is set but stored profiles win, so it is not used.",
    "config.parse_error": "openclaw.json cannot be read; OpenClaw refuses to start.",
    "config.missing": "No openclaw.json where OpenClaw looks; it runs on defaults.",
    "config.missing_env": "A `${VAR}` in openclaw.json names a variable that is not set.",
    "config.base_url_override": "Requests for the provider go to a host other than its own (a proxy or reseller).",
    "config.base_url_invalid": "`baseUrl` is not a valid URL (a port out of range, a broken IPv6 literal): every request for the provider fails.",
    "config.base_url_v1_suffix": "`baseUrl` ends in `/v1`, so requests go to `/v1/v1/messages` (404).",
    "config.redacted_placeholder": "A secret in openclaw.json was overwritten by `__OPENCLAW_REDACTED__`.",
    "config.api_key_in_config": "A provider apiKey in openclaw.json; stored profiles win over it.",
    "store.parse_error": "auth-profiles.json is not valid JSON: OpenClaw 2026.3 silently treats it as empty.",
    "store.wrong_shape": "The store parses but has the wrong shape (e.g. a flat map); OpenClaw reads no profiles from it.",
    "store.unreadable": "A credential store exists but cannot be read (permissions, corruption, newer schema).",
    "profile.retired": "A profile id this release retired (2026.8.1+: anthropic:claude-cli): OpenClaw skips it in every order and fails a chat pinned to it; `openclaw doctor --fix` removes it.",
    "store.legacy_unmigrated": "A JSON store an older release left under a SQLite release: 2026.6.5-2026.7 read no credentials from it, 2026.8.1+ fail every auth command, until `openclaw doctor --fix`.",
    "store.permissions": "A credential store or its folder is readable by other users.",
    "store.unknown_fields": "Top-level keys OpenClaw 2026.3 drops on its next write.",
    "fs.secret_in_log": "A full secret in plaintext in OpenClaw's config audit log.",
    "fs.leftover_temp": "A temp copy of a store (keys included) that openclaw-triage left when it was killed mid-write.",
    "version.cli_not_found": "The `openclaw` CLI was not found; version and era were inferred.",
    "version.unknown_era": "Neither the version nor the disk tells which storage era this install uses.",
    "version.era_mismatch": "The openclaw CLI's storage era differs from what the state dir holds (two installs?).",
    "model.default_changed": "No model configured, and OpenClaw's own default changed with the upgrade (2026.3's Anthropic model became an OpenAI one).",
    "config.rejected": "openclaw.json parses, but this OpenClaw version's strict schema refuses it (e.g. keys an older release wrote).",
    "agent.not_found": "The requested agent does not exist in config or on disk.",
    "config.agents": "The agent roster in openclaw.json is one this OpenClaw version rejects or cannot resolve.",
    "install.not_found": "No OpenClaw state dir or config where OpenClaw would look.",
    "key.env_malformed": "A provider's key variable in the environment (ANTHROPIC_API_KEY, OPENAI_API_KEY, ...) does not look like that provider's key.",
    "agent.no_auth": "An agent has no credentials of its own or inherited (and which channel bindings route to it).",
    # chat sessions and their auth pins (`openclaw_triage.runtime.sessions`); the session key is the subject
    "session.user_pin": "A chat pinned to one auth profile by its user (`/model …@profile`): this chat only ever uses that profile (2026.9: tries it first), whatever the order says.",
    "session.pin_unusable": "A chat pinned to a profile that is missing, malformed, ineligible, cooled down, disabled or rejected by the probe: 2026.3 tries only that profile there, so every reply fails (2026.9 tries it first, then fails over).",
    "session.pin_behind_order": "The order now puts another profile first, but this chat stays on its pinned profile until it is unpinned or reset (an automatic pin follows at its next reset, compaction or cooldown).",
    "session.store_unreadable": "A session store OpenClaw cannot read (2026.3: invalid `sessions.json` reads as empty, so every chat starts over and its next write replaces it).",
    "session.store_too_large": "A `sessions.json` too large to read here; OpenClaw re-reads and rewrites all of it on every turn.",
    "session.store_unknown_format": "Session entries or tables in a shape this tool does not know (non-object entries, an older `session_entries` table): shown as far as they can be read.",
    # the running gateway, its environment and log, channels (`openclaw_triage.runtime.collect`)
    "gateway.not_running": "No gateway of this install is running (no lock file with a live process, nothing answers `/health` on its port).",
    "gateway.remote": "`gateway.mode` is remote: the gateway and its keys are on another host, where fixes must be made.",
    "gateway.stale_credentials": "A credential store (or `.env`) changed after the running gateway loaded its keys: 2026.3 keeps and writes back its old copy; reload or restart it.",
    "gateway.recent_auth_failures": "The gateway log shows model-auth failures for a profile since the gateway started: the last error, when, and its request id.",
    "env.missing_in_service": "A variable a credential needs is set in your environment but not in the gateway's (systemd/launchd do not inherit your shell).",
    "env.shadowing_key": "The gateway's environment holds another value for a key variable than your shell or `.env`; which one wins follows OpenClaw's precedence.",
    "discord.token_missing": "Discord is enabled but has no bot token (config or `DISCORD_BOT_TOKEN`): the bot cannot connect.",
    "discord.pairing_pending": "Someone DMed the bot and waits for pairing approval (`openclaw pairing approve discord <CODE>`); codes expire after an hour.",
    # live API probe (`openclaw-triage probe`, `check --probe`): Anthropic's own verdict
    "probe.ok": "The host accepted the key (Anthropic: `GET /v1/models`, or with --deep a 1-token Messages call; other providers: their free request, e.g. OpenAI `GET /v1/models`, OpenRouter `GET /api/v1/key`); shows the organization id, latency, and what OpenRouter, xAI and DeepSeek say of the key (label, limit, usage, balance).",
    "probe.skipped": "No request was sent, and why: a malformed or wrong-kind secret, a reference that does not resolve, a sign-in (not an API key), a provider the probe does not know.",
    "probe.invalid_key": "401 `invalid x-api-key` / `Invalid bearer token`: the key or token is revoked, deleted or altered.",
    "probe.oauth_not_supported": "An OAuth token refused: 401 `OAuth authentication is currently not supported.`, or the 400 `only authorized for use with Claude Code` subscription policy.",
    "probe.token_expired": "401 `OAuth token has expired`: the token must be replaced.",
    "probe.token_revoked": "`OAuth token has been revoked` (401 or 403): the token was signed out or replaced.",
    "probe.billing": "Authenticated, but not served: `credit balance is too low`, a spend limit (400, or 429 `enforced_spend_limit_reached`), extra usage used up, or 402.",
    "probe.permission": "403 `permission_error`: the key's workspace may not use this resource or model.",
    "probe.model_not_found": "404 on the Messages call: this key cannot see the model.",
    "probe.wrong_path": "404 for `/v1/models`: the baseUrl path is wrong (e.g. it ends in `/v1`) or the host is not Anthropic-compatible.",
    "probe.rate_limited": "429 `rate_limit_error`: the key works, the account is over a rate limit (with `retry-after`).",
    "probe.overloaded": "529 `overloaded_error`: Anthropic is overloaded for everyone; says nothing about the key.",
    "probe.region": "The provider will not serve requests from this country or region (OpenAI 403 `unsupported_country_region_territory`, Gemini 400 `FAILED_PRECONDITION`); says nothing about the key.",
    "probe.project": "Gemini refuses the key for its Google Cloud project: the Generative Language API is disabled there (`SERVICE_DISABLED`) or the key is restricted from it (`API_KEY_SERVICE_BLOCKED`).",
    "probe.network": "No HTTP answer: DNS, connection refused, TLS, a failing proxy, or a dropped connection.",
    "probe.timeout": "No answer within the probe's timeout (or a 504 from the API).",
    "probe.unexpected": "Any other answer, shown verbatim with its status: a redirect (never followed), a 5xx, a non-Anthropic 200.",
}
