"""The help screen: every key (remaps included), where to remap them, and what each pane shows."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown, Static

PANES_HELP = """\
**Version**: which OpenClaw, which storage era (JSON file up to 2026.5, SQLite from 2026.6), where
its files are, and whether the gateway answers on loopback.

**Config**: the default model, `auth.profiles`, `auth.order`, provider `baseUrl`s (a proxy or a
`/v1` suffix is highlighted), and channels.

**Auth profiles** (tab `1`): every profile, its secret masked exactly as `openclaw models status` shows it,
its health, how many chats are pinned to it, what the secret looks like, and the other profiles
holding the same secret.

**Chats** (tab `2`): every chat of the agent, the profile it is pinned to (a user pin made with
`/model …@profile` ignores the order), and what OpenClaw does with that pin at the chat's next
turn. `x` unpins the selected chat, `X` every chat pinned to its profile (OpenClaw 2026.3; 2026.9
lets only the chat itself change a pin, and the table says how).

**Gateway & channels** (tab `3`): the running gateway and whether it loaded the keys before they
last changed (`g` makes it reload them), Discord (bot token, DM policy, pairing requests waiting:
`a` approves one), and every agent with the channels routed to it.

**Where keys come from** (tab `7`): for every provider a model uses, each place OpenClaw looks
for its key, in OpenClaw's order (the auth profiles, the gateway's environment, `~/.openclaw/.env`,
the config's `env` block, `models.providers.<p>.apiKey`, the agent's `models.json`), masked: the
one it uses, the ones that one shadows, and keys set where OpenClaw does not read them.

**Order override**: the stored override (which replaces the config order), the config order, and
the order OpenClaw will really use, with the reason for each place.

**Findings**: everything wrong, most severe first; the selected one is explained with its fix.
A finding marked `[o]`, `[g]`, `[a]` or `[x]` is fixed by pressing that key. `e` writes a report
(keys masked, user and host names replaced) to paste in a support thread.
"""


class HelpScreen(ModalScreen[None]):
    """Every key, what each pane shows, and where keys can be remapped."""

    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close", id="close-help")]

    def __init__(self, keys: Iterable[tuple[str, str, str]], keymap_path: str) -> None:
        super().__init__()
        self.keys = list(keys)
        self.keymap_path = keymap_path

    def compose(self) -> ComposeResult:
        from rich.table import Table
        from rich.text import Text

        keys = Table(box=None, padding=(0, 2), show_edge=False, header_style="bold")
        keys.add_column("key", style="bold", no_wrap=True)
        keys.add_column("does")
        keys.add_column("id (for the keymap)", style="dim", no_wrap=True)
        for key, description, binding_id in self.keys:
            keys.add_row(Text(key), Text(description), Text(binding_id))
        remap = (
            f'Remap any key by its id in `{self.keymap_path}`, e.g. `{{"fix-order": "ctrl+o"}}`. '
            "`ctrl+p` opens the command palette."
        )
        with VerticalScroll(id="help-body") as body:
            body.border_title = "Help"
            body.border_subtitle = "Esc, q or ? closes"
            yield Markdown("# openclaw-triage\n\n## Keys")
            yield Static(keys, id="help-keys")
            yield Markdown(remap + "\n\n## Panes\n\n" + PANES_HELP)

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
