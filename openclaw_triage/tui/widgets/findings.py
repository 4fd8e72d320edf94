"""Findings, most severe first, and the selected one explained in full with its fix.

A finding the tool can fix is marked with the key that applies its fix (`[o]`), and its
explanation says "Press <key> to …" in the words of the action itself; both come from
`tui.keys`, so a remapped key shows here too.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Group, RenderableType
from rich.text import Text
from textual.message import Message
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...actions import UNDOABLE, Action
from ...findings import Finding, Severity
from ...util.termsafe import termsafe
from ..keys import command_for, default_keys
from ..state import Snapshot
from .panes import colors
from .text import shown

ICONS = {Severity.ERROR: "✗", Severity.WARNING: "!", Severity.INFO: "·"}


def _keys(widget: Static | OptionList) -> Mapping[str, str]:
    """The keys as the app shows them (remaps included)."""
    return getattr(widget.app, "shown_keys", None) or default_keys()


def fix_key(action: Action | None, keys: Mapping[str, str]) -> str | None:
    """The key that applies this fix, as shown (None: the tool cannot apply it)."""
    command = command_for(action)
    return keys.get(command.id) if command is not None else None


def key_hint(finding: Finding, keys: Mapping[str, str]) -> str | None:
    """ "Press o to set the anthropic order to: … (z undoes it)." for a finding the tool can fix."""
    key = fix_key(finding.action, keys)
    if finding.action is None or key is None:
        return None
    undo = f" ({keys.get('undo', 'z')} undoes it)" if isinstance(finding.action, UNDOABLE) else ""
    return f"Press {key} to {finding.action.describe()}{undo}."


class FindingsList(OptionList):
    """Every finding; moving the highlight explains it in the detail pane."""

    BORDER_TITLE = "Findings"

    class Selected(Message):
        def __init__(self, finding: Finding | None) -> None:
            super().__init__()
            self.finding = finding

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.findings: list[Finding] = []

    def on_mount(self) -> None:
        self.border_title = self.BORDER_TITLE
        self.watch(self.app, "snapshot", self.show)

    def show(self, snapshot: Snapshot) -> None:
        keep = self.current
        self.findings = list(snapshot.diagnosis.findings)
        self.clear_options()
        c = colors(self)
        keys = _keys(self)
        style = {Severity.ERROR: c["error"], Severity.WARNING: c["warning"], Severity.INFO: "dim"}
        for index, finding in enumerate(self.findings):
            text = Text()
            text.append(f"{ICONS[finding.severity]} ", style=f"bold {style[finding.severity]}")
            text.append(finding.code, style=style[finding.severity])
            key = fix_key(finding.action, keys)
            if key:  # before the subject, which a narrow list cuts short
                text.append(f" [{key}]", style=f"bold {c['accent']}")
            text.append(termsafe(f"  {finding.subject}"), style="dim")
            self.add_option(Option(text, id=str(index)))
        counts = {s: sum(1 for f in self.findings if f.severity is s) for s in Severity}
        self.border_subtitle = (
            f"{counts[Severity.ERROR]} errors · {counts[Severity.WARNING]} warnings · {counts[Severity.INFO]} notes"
        )
        if self.findings:
            index = 0
            if keep is not None:
                index = next(
                    (i for i, f in enumerate(self.findings) if f.code == keep.code and f.subject == keep.subject), 0
                )
            self.highlighted = index
        self.post_message(self.Selected(self.current))

    @property
    def current(self) -> Finding | None:
        if self.highlighted is None or not 0 <= self.highlighted < len(self.findings):
            return None
        return self.findings[self.highlighted]

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.post_message(self.Selected(self.current))


class FindingDetail(Static):
    """The highlighted finding: what, why, and the exact fix (and our key for it). It sits in a
    scrollable frame (`detail-scroll`), so a long explanation scrolls in a small terminal."""

    BORDER_TITLE = "Why, and the fix"

    def on_mount(self) -> None:
        if isinstance(self.parent, Widget):
            self.parent.border_title = self.BORDER_TITLE
        self.watch(self.app, "finding", self.explain)

    def explain(self, finding: Finding | None) -> None:
        if finding is None:
            self.update(
                Text(
                    "Nothing wrong found in the stored credentials.\nA live check needs the API probe (t).", style="dim"
                )
            )
            return
        c = colors(self)
        style = {Severity.ERROR: c["error"], Severity.WARNING: c["warning"], Severity.INFO: "dim"}[finding.severity]
        head = Text()
        head.append(f"{finding.severity.value.upper()}  ", style=f"bold {style}")
        head.append(finding.code, style="bold")
        head.append("\n" + termsafe(finding.subject), style="dim")
        parts: list[RenderableType] = [head, Text(""), shown(finding.message)]
        if finding.fix:
            parts += [Text(""), Text("Fix", style=f"bold {c['accent']}"), shown(finding.fix)]
        hint = key_hint(finding, _keys(self))
        if hint:
            parts += [Text(""), Text(hint, style=f"bold {c['ok']}")]
        self.update(Group(*parts))
