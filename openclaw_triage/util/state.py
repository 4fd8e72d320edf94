"""openclaw-triage's own state dir (journal, backups, reload records): never OpenClaw's.

`OPENCLAW_TRIAGE_STATE_DIR` wins; else the platform's user state dir, as
`platformdirs.user_state_dir("openclaw-triage")` names it. Linux and macOS are spelled out here
because importing platformdirs costs ~25 ms, a third of `check`'s whole run, and `check` reads
the reload records; other platforms ask platformdirs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

STATE_DIR_ENV = "OPENCLAW_TRIAGE_STATE_DIR"
APP_NAME = "openclaw-triage"


def state_root() -> Path:
    """The folder; not created here (the write layer makes it 0700 when it first writes)."""
    override = (os.environ.get(STATE_DIR_ENV) or "").strip()
    if override:
        return Path(os.path.abspath(os.path.expanduser(override)))
    platform: str = sys.platform  # a plain str: every branch is checked, whatever runs the checker
    if platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_NAME
    if platform.startswith("linux"):
        xdg = (os.environ.get("XDG_STATE_HOME") or "").strip()
        return (Path(xdg) if xdg else Path.home() / ".local" / "state") / APP_NAME
    import platformdirs

    return Path(platformdirs.user_state_dir(APP_NAME))
