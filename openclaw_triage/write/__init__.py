"""The write layer: every change openclaw-triage makes to an OpenClaw install goes through here.

Atomic, lock-aware, journaled and undoable; secrets never leave it unmasked. No Textual, and
nothing heavy is imported until a write actually happens.
"""

from __future__ import annotations

from .api import (
    Change,
    apply,
    clear_order,
    history,
    latest_undoable,
    remove_profile,
    set_key,
    set_order,
    undo,
    undoable,
    unpin,
)
from .errors import (
    CliFailed,
    CliTimeout,
    ConfigBroken,
    Conflict,
    InvalidInput,
    InvalidSecret,
    JournalError,
    LockBusy,
    LockLost,
    NothingToUndo,
    NotWritable,
    ProfileNotFound,
    StoreBroken,
    StoreChanged,
    UndoRefused,
    Unsupported,
    WriteError,
)
from .journal import JournalEntry

__all__ = [
    "Change",
    "CliFailed",
    "CliTimeout",
    "ConfigBroken",
    "Conflict",
    "InvalidInput",
    "InvalidSecret",
    "JournalEntry",
    "JournalError",
    "LockBusy",
    "LockLost",
    "NotWritable",
    "NothingToUndo",
    "ProfileNotFound",
    "StoreBroken",
    "StoreChanged",
    "UndoRefused",
    "Unsupported",
    "WriteError",
    "apply",
    "clear_order",
    "history",
    "latest_undoable",
    "remove_profile",
    "set_key",
    "set_order",
    "undo",
    "undoable",
    "unpin",
]
