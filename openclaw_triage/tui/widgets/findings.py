"""Findings, most severe first, and the selected one explained in full with its fix."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...findings import Finding, Severity
from ..state import Snapshot
from .panes import colors

ICONS = {Severity.ERROR: "✗", Severity.WARNING: "!", Severity.INFO: "·"}
ACTION_KEYS = {"order.set": "o", "gateway.reload": "g", "pairing.approve": "a", "session.unpin": "x"}


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

    def show(self, snapshot: Snapshot) -> None:
        keep = self.current
        self.findings = list(snapshot.diagnosis.findings)
        self.clear_options()
        c = colors(self)
        style = {Severity.ERROR: c["error"], Severity.WARNING: c["warning"], Severity.INFO: "dim"}
        for index, finding in enumerate(self.findings):
            text = Text()
            text.append(f"{ICONS[finding.severity]} ", style=f"bold {style[finding.severity]}")
            text.append(finding.code, style=style[finding.severity])
            key = ACTION_KEYS.get(finding.action.kind) if finding.action is not None else None
            if key:  # before the subject, which a narrow list cuts short
                text.append(f" [{key}]", style=f"bold {c['accent']}")
            text.append(f"  {finding.subject}", style="dim")
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
    """The highlighted finding: what, why, and the exact fix (and our key for it)."""

    BORDER_TITLE = "Why, and the fix"

    def on_mount(self) -> None:
        self.border_title = self.BORDER_TITLE

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
        head.append(f"\n{finding.subject}", style="dim")
        parts: list[object] = [head, Text(""), Text(finding.message)]
        if finding.fix:
            parts += [Text(""), Text("Fix", style=f"bold {c['accent']}"), Text(finding.fix)]
        key_hint = _key_hint(finding)
        if key_hint:
            parts += [Text(""), Text(key_hint, style=f"bold {c['ok']}")]
        self.update(Group(*parts))


def _key_hint(finding: Finding) -> str | None:
    """The key that applies this finding's fix, in words."""
    action = finding.action
    if action is None:
        return None
    if action.kind == "order.set":
        return f"Press o to set the {action.provider} order to: {', '.join(action.profile_ids)} (z undoes it)."
    if action.kind == "gateway.reload":
        return "Press g to make the running gateway load the keys as they are now."
    if action.kind == "pairing.approve":
        return f"Press a to approve the Discord pairing {action.profile_ids[0]}."
    if action.kind == "session.unpin":
        return "Press x to unpin this chat so its next turn follows the order (z undoes it)."
    return None
