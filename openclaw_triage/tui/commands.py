"""The command palette's entries (ctrl+p): every command of `tui.keys`, searchable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.command import Hit, Hits, Provider

from .keys import COMMANDS, Command


class TriageCommands(Provider):
    """The app's commands in the command palette (ctrl+p), with the key that runs each."""

    def _entries(self) -> list[tuple[str, Command]]:
        keys: dict[str, str] = getattr(self.app, "shown_keys", {})
        return [(f"{c.title}  ({keys[c.id]})" if c.id in keys else c.title, c) for c in COMMANDS if c.palette]

    async def discover(self) -> Hits:
        for name, command in self._entries():
            yield Hit(1.0, name, self._runner(command.action), help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, command in self._entries():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), self._runner(command.action), help=command.help)

    def _runner(self, action: str) -> Callable[[], Any]:
        async def run() -> None:
            await self.app.run_action(action)

        return run
