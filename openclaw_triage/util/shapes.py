"""JSON values as the shape the code needs: OpenClaw's files are hand-edited, so every value read
from them may be of any type, and a wrong type reads as empty (never a crash)."""

from __future__ import annotations

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from typing import Any


def as_object(value: object) -> dict[str, Any]:
    """A JSON object, else `{}`."""
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[Any]:
    """A JSON array, else `[]`."""
    return value if isinstance(value, list) else []


def as_text(value: object) -> str | None:
    """A JSON string, else None."""
    return value if isinstance(value, str) else None
