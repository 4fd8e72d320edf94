"""Where each OpenClaw release keeps credentials: one row per storage layout, measured.

OpenClaw moved its credential storage three times between 2026.3 and 2026.9. Each row says
where that layout keeps the profiles and the order override, where the shared store lives,
what a leftover older store does under it, and which releases it covers. The boundaries were
bisected in the npm packages' `dist/` (`auth-state.json` first appears in 2026.4.7's
`auth-profiles/paths`, `openclaw-agent.sqlite` in 2026.6.5, "requires legacy credential
migration" in 2026.8.1) and each row was then read by the real CLIs named in `seen`
(`tests/oracle/test_releases.py` builds the same states with each and compares).

`Era` stays the coarse split the write layer needs (JSON files we edit under OpenClaw's lock,
or SQLite databases only the `openclaw` CLI writes); a `Layout` says the rest.
"""

from __future__ import annotations

from ..model import Era, Layout, LegacyJson

Release = tuple[int, int, int]


AUTH_STATE_FILE = "auth-state.json"

LAYOUTS: tuple[Layout, ...] = (
    Layout(
        key="json",
        label="JSON store (auth-profiles.json)",
        short="JSON store",
        since=(2026, 1, 0),
        until=(2026, 4, 5),
        seen=("2026.3.13",),
        era=Era.JSON,
        profiles="agents/<id>/agent/auth-profiles.json",
        order="the store's own `order`",
        shared="the main agent's auth-profiles.json",
        legacy_json=LegacyJson.READ,
    ),
    Layout(
        key="json+state",
        label="JSON store (auth-profiles.json + auth-state.json)",
        short="JSON + auth-state.json",
        since=(2026, 4, 7),
        until=(2026, 6, 1),
        seen=("2026.4.29", "2026.5.28", "2026.6.1"),
        era=Era.JSON,
        profiles="agents/<id>/agent/auth-profiles.json",
        order="agents/<id>/agent/auth-state.json",
        shared="the main agent's auth-profiles.json",
        legacy_json=LegacyJson.READ,
        state_file=AUTH_STATE_FILE,
    ),
    Layout(
        key="agent-db",
        label="SQLite store (per-agent database)",
        short="SQLite, per agent",
        since=(2026, 6, 5),
        until=(2026, 7, 35),
        seen=("2026.6.5", "2026.7.35"),
        era=Era.SQLITE,
        profiles="agents/<id>/agent/openclaw-agent.sqlite",
        order="the agent database's auth_profile_state",
        shared="the main agent's openclaw-agent.sqlite",
        legacy_json=LegacyJson.IGNORED,
    ),
    Layout(
        key="state-db",
        label="SQLite store (shared state database)",
        short="SQLite store",
        since=(2026, 8, 1),
        until=None,
        seen=("2026.8.2", "2026.9.6"),
        era=Era.SQLITE,
        profiles="state/openclaw.sqlite (shared) and agents/<id>/agent/openclaw-agent.sqlite",
        order="the agent database's auth_profile_state",
        shared="state/openclaw.sqlite",
        legacy_json=LegacyJson.FAILS_CLOSED,
    ),
)

BY_KEY = {layout.key: layout for layout in LAYOUTS}

# OpenClaw's own default model when the config names none, as `models status --json` reports it
# on an empty HOME (`defaultModel`), by the first release measured with it. A release between two
# rows takes the earlier row: the nearest release measured before it.
DEFAULT_MODELS: tuple[tuple[Release, str], ...] = (
    ((2026, 1, 0), "anthropic/claude-opus-4-6"),  # 2026.3.13, 2026.4.2
    ((2026, 4, 7), "openai/gpt-5.4"),  # 2026.4.7, 2026.4.22 (2026.4.5 does not start: '@buape/carbon' missing)
    ((2026, 4, 23), "openai/gpt-5.5"),  # 2026.4.23, 2026.4.29, 2026.5.28, 2026.6.1, 2026.6.5
    ((2026, 6, 34), "openai/gpt-5.6-sol"),  # 2026.6.34, 2026.6.35
    ((2026, 7, 35), "openai/gpt-5.5"),  # 2026.7.35
    ((2026, 8, 1), "openai/gpt-5.6-sol"),  # 2026.8.1, 2026.8.2
    ((2026, 9, 6), "openai/gpt-6-astra"),  # 2026.9.6
)

# Keys that OpenClaw's strict config schema rejects from this release on ("Invalid config ...
# Unrecognized key"), though older releases wrote them: every command exits 1 until they go.
# Seen on 2026.8.2 with configs written by 2026.3.13 to 2026.7.35.
REJECTED_CONFIG_KEYS: tuple[tuple[Release, str], ...] = (
    ((2026, 8, 1), "meta.lastTouchedAt"),
    ((2026, 8, 1), "gateway.tailscale.resetOnExit"),
)

# Profile ids a provider retired from credential resolution (`deprecatedProfileIds`, the anthropic
# plugin's provider-policy-api; read in model-auth: `resolveApiKeyForProviderCore` skips them in
# every order and `assertAuthProfileNotRetired` fails a request that names one: 'Auth profile
# "anthropic:claude-cli" is retired. Run openclaw doctor --fix.'). Declared from 2026.8.1 (2026.7.35
# has the mechanism, no ids); doctor --fix removes them (doctor-auth-legacy-oauth.ts).
RETIRED_PROFILE_IDS: tuple[tuple[Release, str], ...] = (((2026, 8, 1), "anthropic:claude-cli"),)


def for_release(release: Release) -> Layout:
    """The layout a release uses (the newest row for releases after the last one known)."""
    for layout in LAYOUTS:
        if layout.covers(release):
            return layout
    # A gap between rows (a release never published, e.g. 2026.4.6) takes the row before it.
    earlier = [layout for layout in LAYOUTS if layout.since <= release]
    return earlier[-1] if earlier else LAYOUTS[0]


def default_model(release: Release | None, era: Era) -> str:
    """OpenClaw's own default model for this release (by era when the release is unknown)."""
    if release is None:
        return DEFAULT_MODELS[0][1] if era is Era.JSON else DEFAULT_MODELS[-1][1]
    model = DEFAULT_MODELS[0][1]
    for since, name in DEFAULT_MODELS:
        if release >= since:
            model = name
    return model


def rejected_config_keys(release: Release | None) -> list[str]:
    """The config keys this release refuses to load."""
    if release is None:
        return []
    return [path for since, path in REJECTED_CONFIG_KEYS if release >= since]


def retired_profile_ids(release: Release | None) -> frozenset[str]:
    """The profile ids this release skips in every order and refuses by name."""
    if release is None:
        return frozenset()
    return frozenset(pid for since, pid in RETIRED_PROFILE_IDS if release >= since)


def retired_since(profile_id: str) -> str:
    """`2026.8.1`: the release that retired this id."""
    return next(".".join(map(str, since)) for since, pid in RETIRED_PROFILE_IDS if pid == profile_id)


def openrouter_model_prefixed(release: Release | None) -> bool:
    """Whether this release resolves `openrouter/auto` as `openrouter/openrouter/auto` (seen on the
    real 2026.3.13's `models status`; 2026.4.29 and later print `openrouter/auto`)."""
    return release is not None and release < (2026, 4, 29)


def has_logout(release: Release | None) -> bool:
    """Whether the CLI can remove a profile (`models auth logout <id> --yes`): not on 2026.6.5 to
    2026.7.35 (`models auth --help` lists no logout there; seen on 2026.8.1, 2026.8.2, 2026.9.6)."""
    return release is None or release >= (2026, 8, 1) or release < (2026, 6, 5)
