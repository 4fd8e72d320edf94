"""No OpenClaw install where OpenClaw would look: say where we looked, offer the demo."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class NotFoundScreen(ModalScreen[str]):
    """Nothing where OpenClaw would look: say where we looked and offer the demo."""

    BINDINGS = [
        Binding("d", "choose('demo')", "Open the demo", id="open-demo"),
        Binding("q,escape", "choose('quit')", "Quit", id="quit-not-found"),
    ]

    def __init__(self, looked_in: list[str]) -> None:
        super().__init__()
        self.looked_in = looked_in

    def compose(self) -> ComposeResult:
        places = "\n".join(f"• {p}" for p in self.looked_in)
        with Vertical(id="not-found"):
            yield Static("No OpenClaw install found here", classes="title")
            with Horizontal(classes="buttons", id="not-found-buttons"):
                yield Button("Open the demo (d)", id="demo", variant="primary")
                yield Button("Quit (q)", id="quit")
            with VerticalScroll(id="not-found-body"):
                yield Static(
                    "Is the gateway on another machine? Run openclaw-triage there, as the user who runs "
                    "OpenClaw.\n\nTo point at an install here: --state-dir DIR, --profile NAME "
                    "(~/.openclaw-NAME), --config FILE, or OPENCLAW_HOME=DIR.\n\n"
                    f"Looked where OpenClaw itself looks:\n{places}\n\n"
                    "Or open the demo: a copy of a real broken install (fake keys) in a temp folder, where "
                    "every fix can be tried safely."
                )

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "quit")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)
