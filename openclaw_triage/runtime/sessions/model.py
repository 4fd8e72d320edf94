"""What a chat session is once read: its pin, the session, and one agent's store of them.

Plain dataclasses shared by both storage eras' readers, the pin rules and the app; nothing
here reads a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ...model import Era, StoreIssue

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from typing import Any

USER_SOURCES = frozenset({"user", "user-link"})


@dataclass(frozen=True, slots=True)
class Pin:
    """A session's auth pin as OpenClaw reads it."""

    profile_id: str
    source: str  # auto | user | user-link (as OpenClaw resolves it; a missing source is inferred)
    stored_source: Any = None  # the raw `authProfileOverrideSource`, None when absent
    compaction_count: int | float | None = None

    @property
    def is_user(self) -> bool:
        """A pin the user chose (`/model …@profile`), not one OpenClaw picked."""
        return self.source in USER_SOURCES


@dataclass(slots=True)
class Session:
    """One chat session: who, where, which model, and the pin."""

    agent_id: str
    key: str
    session_id: str | None
    updated_at: float | None  # ms: the last activity OpenClaw recorded
    channel: str | None  # discord, telegram, ... (None: the main/direct session)
    kind: str  # direct | group | channel | global
    label: str  # the chat's name, peer or display name, else the key's tail
    model: str | None  # provider/model: the chat's override, else the model it last ran
    model_is_override: bool
    provider: str | None  # the provider the chat's model needs (None: unknown)
    pin: Pin | None
    compaction_count: int = 0
    archived: bool = False
    transcript: str | None = None  # 2026.3: the transcript file (its `.lock` means a turn is running)

    def to_json(self) -> dict[str, Any]:
        pin = self.pin
        return {
            "agent": self.agent_id,
            "key": self.key,
            "sessionId": self.session_id,
            "updatedAt": self.updated_at,
            "channel": self.channel,
            "kind": self.kind,
            "label": self.label,
            "model": self.model,
            "modelIsOverride": self.model_is_override,
            "pin": None
            if pin is None
            else {"profileId": pin.profile_id, "source": pin.source, "compactionCount": pin.compaction_count},
            "compactionCount": self.compaction_count,
            "archived": self.archived,
        }


@dataclass(slots=True)
class SessionStore:
    """One agent's session store and what could not be read from it."""

    agent_id: str
    era: Era
    location: str  # file path, or `<db>#session_nodes`
    format: str  # sessions.json | session_nodes | session_entries | none
    exists: bool
    sessions: list[Session] = field(default_factory=list)
    issues: list[StoreIssue] = field(default_factory=list)
    mode: int | None = None
    size: int | None = None

    @property
    def path(self) -> Path:
        return Path(self.location.split("#", 1)[0])


def store_issue(code: str, message: str, subject: str) -> StoreIssue:
    return StoreIssue(code, message, subject)
