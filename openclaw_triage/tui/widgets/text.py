"""Strings from outside, drawn as text: never Textual markup, never a terminal escape.

A profile id, a chat name, a finding's message or a server's answer may hold `[bold]`, `[/x]`
(markup: restyled, or an error) or `ESC[2J` (obeyed by the terminal). Every widget shows them
through `shown`, which builds a Rich `Text` (no markup parsing) with control characters
escaped (`util.termsafe`); `safe_cell` does the same to any table cell.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from ...util.termsafe import termsafe


def shown(value: object, style: str = "") -> Text:
    """`value` as plain text, control characters escaped."""
    return Text(termsafe(str(value), multiline=True), style=style)


def safe_cell(cell: Any) -> Any:
    """A table cell fit to draw: a string becomes `Text`, a `Text` holding a control character
    is rebuilt from its escaped text (its spans are dropped; only its base style stays)."""
    if isinstance(cell, str):
        return shown(cell)
    if isinstance(cell, Text) and termsafe(cell.plain, multiline=True) != cell.plain:
        return shown(cell.plain, style=str(cell.style))
    return cell
