"""One stored session entry as a `Session`: its pin as OpenClaw resolves it, its chat, label and model.

Both eras store the same entry object (2026.3 as a `sessions.json` value, 2026.9 as
`session_nodes.entry_json`), so both readers build sessions here.
"""

from __future__ import annotations

from ...model import Era
from ...openclaw.locate import normalize_agent_id
from ...scrub import SHORTEST_SHAPE as _SHORTEST_SHAPE
from ...scrub import scrub
from .model import Pin, Session

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

PIN_FIELDS = ("authProfileOverride", "authProfileOverrideSource", "authProfileOverrideCompactionCount")
_MAX_SOURCE = 32  # the sources are short words; anything longer is shown as what it does
_NOT_CHANNELS = frozenset({"main", "cron", "subagent", "acp", "hook", "hooks", "heartbeat", "probe", "global"})


def resolve_pin(entry: Mapping[str, Any], era: Era) -> Pin | None:
    """The pin as OpenClaw reads it: the id trimmed, the source inferred when absent.

    2026.3 infers with `??` (only a missing source), 2026.9 with `||` (an empty one too): a
    numeric compaction count means `auto`, else `user`.
    """
    raw = entry.get("authProfileOverride")
    if not isinstance(raw, str) or not raw.strip():
        return None
    count = entry.get("authProfileOverrideCompactionCount")
    numeric = isinstance(count, int | float) and not isinstance(count, bool)
    stored = entry.get("authProfileOverrideSource")
    missing = stored is None if era is Era.JSON else not stored
    if missing:
        source = "auto" if numeric else "user"
    elif isinstance(stored, str) and len(stored) <= _MAX_SOURCE:
        source = stored
    else:  # a list, an object, a pasted key: not `user`, so OpenClaw treats it as automatic; never printed
        source = "auto"
    if era is Era.JSON and source == "user-link":
        source = "auto"  # 2026.3 knows only `user`; anything else behaves as an automatic pin
    return Pin(raw.strip(), source, stored, count if numeric else None)


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _sub(entry: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = entry.get(name)
    return value if isinstance(value, dict) else {}


def _key_rest(key: str) -> list[str]:
    """The parts of `agent:<id>:<rest>` after the agent id (the whole key otherwise)."""
    parts = key.split(":")
    if len(parts) >= 3 and parts[0].lower() == "agent":
        return [p for p in parts[2:] if p]
    return [p for p in parts if p]


def _channel(entry: Mapping[str, Any], rest: list[str]) -> str | None:
    for value in (
        entry.get("channel"),
        entry.get("lastChannel"),
        _sub(entry, "deliveryContext").get("channel"),
        _sub(entry, "origin").get("provider"),
    ):
        text = _text(value)
        if text:
            return text.lower()
    if len(rest) >= 2 and rest[0].lower() not in _NOT_CHANNELS:
        return rest[0].lower()
    return None


def _kind(key: str, entry: Mapping[str, Any]) -> str:
    """`classifySessionKey`, keeping `channel` apart from `group`."""
    if key == "global":
        return "global"
    chat_type = _text(entry.get("chatType"))
    if chat_type in ("direct", "group", "channel"):
        return chat_type
    if ":channel:" in key:
        return "channel"
    if ":group:" in key:
        return "group"
    return "direct"


def _label(entry: Mapping[str, Any], rest: list[str], extra: Sequence[Any] = ()) -> str:
    origin = _sub(entry, "origin")
    for value in (
        *extra,
        entry.get("displayName"),
        entry.get("label"),
        entry.get("subject"),
        entry.get("groupChannel"),
        origin.get("label"),
        origin.get("from"),
        entry.get("lastTo"),
        _sub(entry, "deliveryContext").get("to"),
        origin.get("to"),
    ):
        text = _text(value)
        if text:
            # A name is whatever someone typed or a peer sent, and only ever shown: a key pasted
            # into it is masked here, once, for every list, report and finding that shows it.
            return scrub(text)[:120] if len(text) >= _SHORTEST_SHAPE else text
    return ":".join(rest) or "(unnamed)"


def _model(entry: Mapping[str, Any]) -> tuple[str | None, bool, str | None]:
    """(provider/model, whether it is the chat's own override, the provider it needs)."""
    for prov_field, model_field, override in (
        ("providerOverride", "modelOverride", True),
        ("modelProvider", "model", False),
    ):
        model = _text(entry.get(model_field))
        provider = _text(entry.get(prov_field))
        if model:
            if "/" in model and not provider:
                provider = model.split("/", 1)[0]
                return model, override, provider.lower()
            return (f"{provider}/{model}" if provider else model), override, provider.lower() if provider else None
        if provider:
            return None, override, provider.lower()
    return None, False, None


def _number(value: Any) -> float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) and value > 0 else None


def session_from_entry(
    agent_id: str, key: str, entry: Mapping[str, Any], era: Era, *, columns: Mapping[str, Any] | None = None
) -> Session:
    """One store entry (2026.9: plus its `session_nodes` columns) as a `Session`."""
    cols = columns or {}
    rest = _key_rest(key)
    model, is_override, provider = _model(entry)
    count = entry.get("compactionCount")
    updated = (
        _number(cols.get("last_activity_at"))
        or _number(entry.get("lastInteractionAt"))
        or _number(entry.get("lastActivityAt"))
        or _number(entry.get("updatedAt"))
        or _number(cols.get("updated_at"))
    )
    session_id = _text(entry.get("sessionId")) or _text(cols.get("current_session_id"))
    return Session(
        agent_id=agent_id,
        key=key,
        session_id=session_id,
        updated_at=updated,
        channel=_channel(entry, rest),
        kind=_kind(key, entry),
        label=_label(entry, rest, (cols.get("display_name"), cols.get("label"))),
        model=model,
        model_is_override=is_override,
        provider=provider,
        pin=resolve_pin(entry, era),
        compaction_count=int(count) if isinstance(count, int) and not isinstance(count, bool) else 0,
        archived=cols.get("archived_at") is not None or entry.get("archivedAt") is not None,
        transcript=_text(entry.get("sessionFile")),
    )


def agent_of(key: str, default: str) -> str:
    parts = key.split(":")
    if len(parts) >= 3 and parts[0].lower() == "agent" and parts[1]:
        return normalize_agent_id(parts[1])
    return default
