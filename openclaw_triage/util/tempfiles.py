"""The names of openclaw-triage's own temp files, so a write can clean a kill's leftovers and `check` can see them.

Every atomic write (`write.atomic`) writes `.<name>.<12 hex>.tmp` beside `<name>` and renames
it over `<name>`; a kill in between leaves it, 0600, holding what was being written (for a
store, every key). Only that exact pattern is ours: OpenClaw's own temps (`<name>.<uuid>.tmp`,
its `writeTextAtomic`) are not matched. Entries are looked at without following symlinks.
"""

from __future__ import annotations

import os
import re
import stat
import time
from pathlib import Path

LEFTOVER_AGE_S = 2.0  # older than this, a temp of ours is no write in flight (ours take milliseconds)
_TEMP = re.compile(r"^\.(?P<name>.+)\.[0-9a-f]{12}\.tmp$")


def temp_name(target_name: str) -> str:
    """Our temp file's name beside `target_name` (random, never derived from content; `os.urandom`
    is what `secrets.token_hex` reads, without the ~4 ms `secrets` costs `check` to import)."""
    return f".{target_name}.{os.urandom(6).hex()}.tmp"


def leftover_temps(
    directory: Path, target_name: str | None = None, *, older_than: float = LEFTOVER_AGE_S
) -> list[Path]:
    """Our temp files in `directory` (for `target_name`, else for any file) older than `older_than`
    seconds: regular files only, never followed through a symlink."""
    found: list[Path] = []
    now = time.time()
    try:
        with os.scandir(directory) as it:
            for entry in it:
                m = _TEMP.match(entry.name)
                if m is None or (target_name is not None and m.group("name") != target_name):
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                if stat.S_ISREG(st.st_mode) and now - st.st_mtime >= older_than:
                    found.append(Path(entry.path))
    except OSError:
        return []
    return sorted(found)
