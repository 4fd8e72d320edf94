"""Which Node runs this install's `openclaw`, and its version (the app's Version pane shows it).

npm's launcher for a global `openclaw` is a script whose first lines name the node binary (a
`#!` line or an `exec ".../node"`); a bare `openclaw.mjs` runs on whatever `node` is on PATH.
Asking that node for `--version` takes a process start, so the app does it after its first frame.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

from ..util.safe_read import read_bytes

_NODE_IN_SCRIPT = re.compile(r"""(/[^\s"'`]*/node)(?=["'\s])""")


def node_for(cli: str | None) -> str | None:
    """The Node that runs this `openclaw`: named in its launcher script, else on PATH."""
    if cli:
        try:
            head = read_bytes(os.path.realpath(cli), limit=4096, truncate=True).decode("utf-8", "replace")
        except OSError:
            head = ""
        match = _NODE_IN_SCRIPT.search(head)
        if match and os.access(match.group(1), os.X_OK):
            return match.group(1)
    return shutil.which("node")


def node_version(cli: str | None, *, timeout: float = 5.0) -> str:
    """`v24.1.0 (/usr/bin/node)`, `unknown (/usr/bin/node)` when it does not answer, or `not found`."""
    node = node_for(cli)
    if node is None:
        return "not found"
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.SubprocessError):
        return f"unknown ({node})"
    return f"{out.stdout.strip() or 'unknown'} ({node})"
