"""The command palette's entries (ctrl+p): every action of the app, searchable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.command import Hit, Hits, Provider


class TriageCommands(Provider):
    """The app's actions in the command palette (ctrl+p)."""

    COMMANDS: tuple[tuple[str, str, str], ...] = (
        ("Fix the order (apply the finding's order fix)", "fix_order", "Pins the healthy profile first; z undoes it"),
        ("Clear the stored order override", "clear_override", "OpenClaw falls back to the config order"),
        ("Undo the last change", "undo", "Restores exactly what was there before"),
        ("Reload from disk", "reload", "Re-read config and stores"),
        ("Probe the keys with Anthropic", "probe", "Ask the API whether each key is accepted (free)"),
        ("Deep probe: one 1-token message per key", "deep_probe", "Catches billing, spend limits and model access"),
        ("Paste a key safely", "paste", "Clipboard to profile, checked before anything is written"),
        ("Reload the gateway's keys", "reload_gateway", "A running gateway keeps the keys it loaded at start"),
        ("Approve a Discord DM pairing", "approve_pairing", "The selected finding's code, else the oldest waiting"),
        ("Unpin the selected chat", "unpin_chat", "Its next turn follows the order; z undoes it"),
        ("Unpin every chat on the selected chat's profile", "unpin_profile_chats", "z undoes it"),
        ("Write a report for a support thread", "export_report", "Markdown, keys masked, into the current folder"),
        ("Copy the report to the clipboard", "copy_report", "The same report, ready to paste"),
        ("Show the auth profiles", "show_tab('profiles')", "Tab 1"),
        ("Show the chats and their pins", "show_tab('chats')", "Tab 2"),
        ("Show the gateway, channels and agents", "show_tab('channels')", "Tab 3"),
        ("Help: keys and panes", "help", "Every key and what each pane shows"),
    )

    async def discover(self) -> Hits:
        for name, action, help_text in self.COMMANDS:
            yield Hit(1.0, name, self._runner(action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, help_text in self.COMMANDS:
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), self._runner(action), help=help_text)

    def _runner(self, action: str) -> Callable[[], Any]:
        async def run() -> None:
            await self.app.run_action(action)

        return run
