"""The `openclaw-triage` command line: argument parsing and printing only.

`main` dispatches each command to its module here (`write`, `sessions`, `probe`, `runtime`),
each imported only when its command runs, so `check` stays lean.
"""

from __future__ import annotations

from .commands import build_parser, main

__all__ = ["build_parser", "main"]
