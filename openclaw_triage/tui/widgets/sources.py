"""Where each credential comes from: for every provider in use, every place OpenClaw looks for its
key, in OpenClaw's order, with the one it uses and the ones that one hides (`diagnose.sources`).

The seed thread's first guess was "the gateway isn't seeing the env var you set"; this view
answers it at a glance. It only draws `Diagnosis.sources` (values are masked there already).
A source's place goes on the line under its value, so the view reads at 80 columns as well as
on a large terminal, and a long path wraps at a word rather than being cut.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.text import Text

from ...diagnose.result import ProviderSources, Source
from ..state import Snapshot
from .panes import Pane, colors, info_grid, info_row

INTRO = "In OpenClaw's order: the first one set is used, later ones are shadowed. Keys masked."
MARKS = {"used": "✓", "shadowed": "↓", "unseen": "!", "not set": "·"}


class SourcesPane(Pane):
    """One block per provider in use: which source wins, then every source in precedence."""

    BORDER_TITLE = ""  # the tab names it (and its scroll container draws the border)

    def render_snapshot(self, snapshot: Snapshot) -> Any:
        groups = snapshot.diagnosis.sources
        if not groups:
            return Text("No model uses a provider here, so no key is looked for.", style="dim")
        c = colors(self)
        parts: list[Any] = [Text(INTRO, style="dim")]
        for group in groups:
            parts += [Text(""), self._heading(group, c), self._table(group, c)]
        return Group(*parts)

    @staticmethod
    def _heading(group: ProviderSources, c: dict[str, str]) -> Text:
        text = Text(group.provider, style=f"bold {c['accent']}")
        used = group.used
        if used is None:
            text.append("  nothing set: every request for it fails", style=f"bold {c['error']}")
        else:
            text.append(f"  uses {used.kind} {_split(used.where)[0]}", style="bold")
        return text

    @staticmethod
    def _table(group: ProviderSources, c: dict[str, str]) -> Any:
        style = {"used": f"bold {c['ok']}", "shadowed": c["warning"], "unseen": c["warning"], "not set": "dim"}
        table = info_grid()
        table.columns[0].style = ""
        for src in group.rows():
            status = Text(f"{MARKS.get(src.status, ' ')} {src.status}", style=style.get(src.status, ""))
            info_row(table, status, _detail(src, c))
        return table


def _detail(src: Source, c: dict[str, str]) -> Text:
    """What it is and its masked value on one line, where it lives (and OpenClaw's note on it) under it."""
    text = Text()
    if src.status == "not set":
        text.append(f"{src.kind}  {src.where}", style="dim")
        return text
    name, place = _split(src.where)
    text.append(f"{src.kind} {name}  ")
    text.append(src.value, style="bold" if src.status == "used" else "")
    if place:  # a database's `path#table/key` may wrap at the `#`, never in the middle of a name
        text.append("\n" + place.replace("#", " #"), style="dim")
    if src.note:
        text.append(f"\n{src.note}", style=c["warning"] if src.status == "unseen" else "italic dim")
    return text


def _split(where: str) -> tuple[str, str]:
    """`anthropic:default (~/…/auth-profiles.json)` or `OPENAI_API_KEY in ~/.openclaw/.env`: the
    name, and the place it lives (`in this shell`, a path), so each gets a line of its own."""
    if where.endswith(")") and " (" in where:
        name, _, place = where[:-1].partition(" (")
        return name, f"in {place}"
    name, sep, place = where.partition(" in ")
    return (name, f"in {place}") if sep else (where, "")
