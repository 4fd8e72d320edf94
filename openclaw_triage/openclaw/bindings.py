"""Which agent a channel's messages go to, from the config's `bindings[]`.

`{"agentId": "work", "match": {"channel": "discord", "accountId"?, "peer"?: {kind, id}, "guildId"?}}`
routes matching messages to that agent (both eras); everything else goes to the default agent.
A Discord route to a second agent whose store is empty fails with "No API key found" while
the main agent works (research mode 9), so findings about an agent name the routes to it.
"""

from __future__ import annotations

from .locate import normalize_agent_id

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any


def _bindings(config: Mapping[str, Any]) -> list[dict[str, Any]]:
    items = config.get("bindings")
    return (
        [b for b in items if isinstance(b, dict) and isinstance(b.get("match"), dict)]
        if isinstance(items, list)
        else []
    )


def describe(binding: Mapping[str, Any]) -> str:
    """`discord (account default, dm 1234)`: a route in a few words, ids included (they are not secret)."""
    match = binding.get("match") or {}
    channel = str(match.get("channel") or "?").strip().lower()
    parts = []
    if match.get("accountId"):
        parts.append(f"account {match['accountId']}")
    peer = match.get("peer")
    if isinstance(peer, dict) and peer.get("id"):
        parts.append(f"{peer.get('kind', 'peer')} {peer['id']}")
    if match.get("guildId"):
        parts.append(f"guild {match['guildId']}")
    return f"{channel} ({', '.join(parts)})" if parts else channel


def routes_to_agent(config: Mapping[str, Any], agent_id: str) -> list[str]:
    """Descriptions of every binding that sends messages to `agent_id`."""
    wanted = normalize_agent_id(agent_id)
    return [describe(b) for b in _bindings(config) if normalize_agent_id(b.get("agentId")) == wanted]


def agents_for_channel(config: Mapping[str, Any], channel: str) -> list[str]:
    """Agents that some binding of `channel` routes to (normalised ids, in config order)."""
    out = []
    for binding in _bindings(config):
        if str(binding["match"].get("channel") or "").strip().lower() == channel:
            out.append(normalize_agent_id(binding.get("agentId")))
    return list(dict.fromkeys(out))
