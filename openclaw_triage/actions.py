"""The fixes the tool itself can apply, as values: what a finding offers and `write.apply` performs.

Each action says everything needed to carry it out on an install (the provider, the profile
ids, the chats, the agent), so a finding can carry its fix, the app can bind a key to it, the
CLI can print it, and one door (`write.apply`) can perform any of them. None holds a secret
except `KeySet`, which keeps its key in a `Secret` and never comes from a finding.

`agent` is the agent id the change applies to; `None` means the install's selected agent.

They are small immutable records written by hand rather than dataclasses: `check` builds
findings with them on every run, and making six dataclasses would cost it ~5 ms at import, a
twentieth of its whole run.
"""

from __future__ import annotations

from .model import CredentialType
from .secret import Secret

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from typing import Any


class _Record:
    """Equality, hashing and repr from `__slots__`; no attribute changes after `__init__`."""

    __slots__: tuple[str, ...] = ()

    def _set(self, **values: object) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Record) and type(other) is type(self) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._values()))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"


class OrderPin(_Record):
    """Store an order override for `provider` (`openclaw models auth order set`)."""

    __slots__ = ("agent", "profile_ids", "provider")
    provider: str
    profile_ids: tuple[str, ...]
    agent: str | None

    def __init__(self, provider: str, profile_ids: tuple[str, ...], agent: str | None = None) -> None:
        self._set(provider=provider, profile_ids=profile_ids, agent=agent)

    kind = "order.set"  # not a field: the same for every value of the class

    def describe(self) -> str:
        return f"set the {self.provider} order to: {', '.join(self.profile_ids)}"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "provider": self.provider, "profileIds": list(self.profile_ids)}


class OrderClear(_Record):
    """Remove the stored order override for `provider` (`openclaw models auth order clear`)."""

    __slots__ = ("agent", "provider")
    provider: str
    agent: str | None

    def __init__(self, provider: str, agent: str | None = None) -> None:
        self._set(provider=provider, agent=agent)

    kind = "order.clear"  # not a field: the same for every value of the class

    def describe(self) -> str:
        return f"clear the stored {self.provider} order override"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "provider": self.provider, "profileIds": []}


class KeySet(_Record):
    """Store `secret` in the api_key or token profile `profile_id` (created if missing)."""

    __slots__ = ("agent", "profile_id", "provider", "secret", "type")
    provider: str
    profile_id: str
    type: CredentialType
    secret: Secret
    agent: str | None

    def __init__(
        self, provider: str, profile_id: str, type: CredentialType, secret: Secret, agent: str | None = None
    ) -> None:
        self._set(provider=provider, profile_id=profile_id, type=type, secret=secret, agent=agent)

    kind = "key.set"  # not a field: the same for every value of the class

    def describe(self) -> str:
        return f"save the {'API key' if self.type is CredentialType.API_KEY else 'token'} in {self.profile_id}"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "provider": self.provider, "profileIds": [self.profile_id]}


class Unpin(_Record):
    """Clear chats' auth pins so their next turn follows the order: the chats named, or every
    chat pinned to `profile_id`, or every pinned chat of the agent."""

    __slots__ = ("agent", "every", "pinned_to", "profile_id", "provider", "session_keys")
    session_keys: tuple[str, ...]  # these chats
    profile_id: str | None  # with no keys: every chat pinned to this profile
    every: bool  # every pinned chat of the agent
    pinned_to: str | None  # with keys: the profile they are pinned to (words and JSON only)
    provider: str  # the provider of the pinned profile (words and JSON only)
    agent: str | None

    def __init__(
        self,
        session_keys: tuple[str, ...] = (),
        profile_id: str | None = None,
        every: bool = False,
        pinned_to: str | None = None,
        provider: str = "",
        agent: str | None = None,
    ) -> None:
        self._set(
            session_keys=session_keys,
            profile_id=profile_id,
            every=every,
            pinned_to=pinned_to,
            provider=provider,
            agent=agent,
        )

    kind = "session.unpin"  # not a field: the same for every value of the class

    def describe(self) -> str:
        if self.every:
            return "unpin every chat of the agent, so their next turn follows the order"
        if self.session_keys:
            many = len(self.session_keys)
            return f"unpin {'this chat so its' if many == 1 else f'{many} chats so their'} next turn follows the order"
        return f"unpin every chat pinned to {self.profile_id}, so their next turn follows the order"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "provider": self.provider,
            "profileIds": [pid] if (pid := self.profile_id or self.pinned_to) else [],
        }
        if self.session_keys:
            out["sessionKeys"] = list(self.session_keys)
        return out


class GatewayReload(_Record):
    """Make the running gateway load the credentials as they are now (2026.3 `secrets reload`,
    2026.9 `models.authRefresh`)."""

    __slots__ = ("agent",)
    agent: str | None

    def __init__(self, agent: str | None = None) -> None:
        self._set(agent=agent)

    kind = "gateway.reload"  # not a field: the same for every value of the class

    def describe(self) -> str:
        return "make the running gateway load the keys as they are now"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "provider": "gateway", "profileIds": []}


class PairingApprove(_Record):
    """Approve a channel's DM pairing request (`openclaw pairing approve discord <CODE>`)."""

    __slots__ = ("agent", "channel", "code", "who")
    code: str
    channel: str
    who: str  # the requester's name or id, for the question asked first
    agent: str | None

    def __init__(self, code: str, channel: str = "discord", who: str = "", agent: str | None = None) -> None:
        self._set(code=code, channel=channel, who=who, agent=agent)

    kind = "pairing.approve"  # not a field: the same for every value of the class

    def describe(self) -> str:
        return f"approve the {self.channel.capitalize()} pairing {self.code}" + (
            f" from {self.who}" if self.who else ""
        )

    def to_json(self) -> dict[str, Any]:
        # provider/profileIds keep check --json's schema v1 shape: the channel and the code
        return {"kind": self.kind, "provider": self.channel, "profileIds": [self.code], "code": self.code}


class DoctorFix(_Record):
    """Run the release's own upgrade repair, `openclaw doctor --fix --non-interactive` (it imports a
    JSON store an older release left, drops config keys this release rejects, removes retired
    profiles), with the state dir backed up first (`write.doctor`)."""

    __slots__ = ("agent", "why")
    why: str  # what it repairs here, for the question asked first
    agent: str | None

    def __init__(self, why: str = "", agent: str | None = None) -> None:
        self._set(why=why, agent=agent)

    kind = "openclaw.doctor_fix"  # not a field: the same for every value of the class

    def describe(self) -> str:
        return "run OpenClaw's upgrade repair (openclaw doctor --fix), with the state dir backed up first"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "provider": "openclaw", "profileIds": []}


Action = OrderPin | OrderClear | KeySet | Unpin | GatewayReload | PairingApprove | DoctorFix
"""Every fix `write.apply` performs."""

UNDOABLE: tuple[type, ...] = (OrderPin, OrderClear, KeySet, Unpin, DoctorFix)
"""Actions that are journaled and can be taken back with undo (the others change the live side)."""
