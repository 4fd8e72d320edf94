"""Every way a change can fail, each with a message a user can act on.

All errors derive from `WriteError`, so callers (the CLI, the TUI) catch one type. Messages
never contain a secret: they are built from masks and paths, and `CliFailed` scrubs the
output of the `openclaw` CLI before keeping it.
"""

from __future__ import annotations


class WriteError(Exception):
    """A change was refused or failed. `str(exc)` is safe to show; nothing was changed unless it says so."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        from ..scrub import scrub  # defence in depth: nothing key-shaped survives into a message

        message = scrub(message)
        hint = scrub(hint) if hint else hint
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message


class LockBusy(WriteError):
    """OpenClaw (or another writer) kept `auth-profiles.json.lock` for longer than our timeout."""


class LockLost(WriteError):
    """Our lock was removed by someone else while we held it, so we did not write."""


class StoreBroken(WriteError):
    """The store cannot be parsed; overwriting it would destroy whatever the user can still rescue."""


class InvalidInput(WriteError):
    """A provider, profile id, agent or order that cannot be applied as asked."""


class InvalidSecret(InvalidInput):
    """The secret is malformed or of the wrong kind for the profile type."""


class ProfileNotFound(InvalidInput):
    """A profile id the operation needs does not exist for this agent."""


class Unsupported(WriteError):
    """The install cannot be changed this way (no CLI for a SQLite-era install, a keyRef profile, ...)."""


class CliFailed(WriteError):
    """The `openclaw` CLI refused or failed; `output` is its scrubbed stdout and stderr."""

    def __init__(self, message: str, *, output: str = "", returncode: int | None = None, hint: str | None = None):
        from ..scrub import scrub

        super().__init__(message, hint=hint)
        self.output = scrub(output)
        self.returncode = returncode

    def __str__(self) -> str:
        text = self.message
        if self.output.strip():
            text += "\n--- openclaw said ---\n" + self.output.strip()
        if self.hint:
            text += "\n" + self.hint
        return text


class CliTimeout(CliFailed):
    """The `openclaw` CLI did not finish in time and was stopped."""


class UndoRefused(WriteError):
    """An undo that would lose data or was already done."""


class Conflict(UndoRefused):
    """The file or setting changed after our write; undoing would discard those changes (use force)."""


class NothingToUndo(UndoRefused):
    """The journal holds no change that can still be undone."""


class JournalError(WriteError):
    """The journal or a backup cannot be read or written."""


class NotWritable(WriteError):
    """The folder cannot be written (read-only, no permission, not a folder): nothing was changed."""


class StoreChanged(WriteError):
    """The file changed between our read and our write (a writer that takes no lock); nothing was changed."""


class ConfigBroken(WriteError):
    """openclaw.json is one OpenClaw refuses to load, so a change would not take effect; nothing was changed."""
