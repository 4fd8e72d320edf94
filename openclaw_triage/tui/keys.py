"""Every command of the app, once: the bindings, the command palette, the help screen and every
key hint are made from `COMMANDS`, so a key remapped in `keymap.json` shows everywhere.

A command applies a kind of fix (`applies`): a finding whose action is of that kind is marked
with the command's key, and its explanation says "Press <key> to …".
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from textual.binding import Binding, BindingType

from ..actions import Action, DoctorFix, GatewayReload, OrderPin, PairingApprove, Unpin
from ..util.jsonio import read_text

KEYMAP_ENV = "OPENCLAW_TRIAGE_CONFIG_DIR"


@dataclass(frozen=True, slots=True)
class Command:
    """One thing the user can do: its id (for the keymap), key, footer label and palette words."""

    id: str
    action: str  # the Textual action it runs
    key: str  # default key(s), comma-separated; "" for palette-only commands
    label: str  # the footer's word
    title: str  # the palette's and help screen's line
    help: str  # the palette's second line
    show: bool = True  # in the footer
    key_display: str | None = None
    applies: tuple[type, ...] = ()  # the kinds of fix it applies
    palette: bool = True  # offered in the command palette (quit is Textual's own there)


COMMANDS: tuple[Command, ...] = (
    Command(
        "fix-order", "fix_order", "o", "Fix order", "Fix the order (apply the finding's order fix)",
        "Pins the healthy profile first; z undoes it", applies=(OrderPin,),
    ),
    Command("clear-override", "clear_override", "u", "Clear override", "Clear the stored order override",
            "OpenClaw falls back to the config order", show=False),
    Command("undo", "undo", "z", "Undo", "Undo the last change", "Restores exactly what was there before"),
    Command("reload", "reload", "r", "Reload", "Reload from disk", "Re-read config and stores", show=False),
    Command("probe", "probe", "t", "Probe", "Probe every key with its provider",
            "Ask the API whether each key is accepted (free)"),
    Command("deep-probe", "deep_probe", "", "", "Deep probe: one 1-token message per key",
            "Catches billing, spend limits and model access", show=False),
    Command("paste-key", "paste", "p", "Paste", "Paste a key safely",
            "Clipboard to profile, checked before anything is written"),
    Command("reload-gateway", "reload_gateway", "g", "Gateway", "Reload the gateway's keys",
            "A running gateway keeps the keys it loaded at start", show=False, applies=(GatewayReload,)),
    Command("export-report", "export_report", "e", "Report", "Write a report for a support thread",
            "Markdown, keys masked, into the openclaw-triage state dir", show=False),
    Command("copy-report", "copy_report", "", "", "Copy the report to the clipboard", "The same report, ready to paste",
            show=False),
    Command("approve-pairing", "approve_pairing", "a", "Approve DM", "Approve a Discord DM pairing",
            "The selected finding's code, else the oldest waiting", show=False, applies=(PairingApprove,)),
    Command("doctor-fix", "doctor_fix", "d", "Doctor fix", "Run OpenClaw's upgrade repair (openclaw doctor --fix)",
            "Imports what an older release left; the state dir is copied first, z undoes it", show=False,
            applies=(DoctorFix,)),
    Command("unpin-chat", "unpin_chat", "x", "Unpin chat", "Unpin the selected chat",
            "Its next turn follows the order; z undoes it", show=False, applies=(Unpin,)),
    Command("unpin-profile-chats", "unpin_profile_chats", "X", "Unpin every chat on its profile",
            "Unpin every chat on the selected chat's profile", "z undoes it", show=False),
    Command("next-view", "next_view", "v", "Views", "Show the next view (or pane)",
            "Findings, profiles, chats, gateway, order, probe, install, sources"),
    Command("tab-findings", "show_tab('findings')", "0", "Findings", "Show the findings", "View 0", show=False),
    Command("tab-profiles", "show_tab('profiles')", "1", "Auth profiles tab", "Show the auth profiles", "View 1",
            show=False),
    Command("tab-chats", "show_tab('chats')", "2", "Chats tab", "Show the chats and their pins", "View 2",
            show=False),
    Command("tab-channels", "show_tab('channels')", "3", "Gateway and channels tab",
            "Show the gateway, channels and agents", "View 3", show=False),
    Command("tab-order", "show_tab('order')", "4", "Order", "Show the order override", "View 4", show=False),
    Command("tab-probe", "show_tab('probe')", "5", "Probe", "Show the live API probe", "View 5", show=False),
    Command("tab-install", "show_tab('install')", "6", "Install", "Show the version and the config", "View 6",
            show=False),
    Command("tab-sources", "show_tab('sources')", "7", "Where keys come from", "Show where each credential comes from",
            "View 7: every place OpenClaw looks for a key, which one it uses", show=False),
    Command("help", "help", "question_mark,f1", "Help", "Help: keys and panes", "Every key and what each pane shows",
            key_display="?"),
    Command("quit", "quit", "q", "Quit", "Quit", "Leave the app", palette=False),
)  # fmt: skip
"""In the footer's order; the palette lists them in this order too."""

BY_ID = {c.id: c for c in COMMANDS}


def bindings() -> list[BindingType]:
    """The app's bindings, one per command that has a key."""
    return [
        Binding(c.key, c.action, c.label or c.title, show=c.show, key_display=c.key_display, id=c.id)
        for c in COMMANDS
        if c.key
    ]


def default_keys() -> dict[str, str]:
    """Command id -> the key shown for it before any remap."""
    return {c.id: c.key_display or c.key.split(",")[0] for c in COMMANDS if c.key}


def command_for(action: Action | None) -> Command | None:
    """The command that applies this kind of fix, if any."""
    if action is None:
        return None
    return next((c for c in COMMANDS if isinstance(action, c.applies)), None)


def keymap_path() -> Path:
    """Where users remap keys by command id (`{"fix-order": "ctrl+o"}`)."""
    override = os.environ.get(KEYMAP_ENV)
    if override:
        return Path(override) / "keymap.json"
    import platformdirs

    return platformdirs.user_config_path("openclaw-triage") / "keymap.json"


def read_keymap(path: Path) -> tuple[dict[str, str], str | None]:
    """The user's remaps (known ids only), and a problem to say if the file is unusable."""
    try:
        data = json.loads(read_text(path, limit=1024 * 1024))  # a FIFO or folder there: ignored, never a hang
    except FileNotFoundError:
        return {}, None
    except (OSError, ValueError) as exc:
        return {}, f"Ignoring {path}: {exc}"
    if not isinstance(data, dict):
        return {}, f'Ignoring {path}: it should map command ids to keys, like {{"fix-order": "ctrl+o"}}.'
    unknown = [str(k) for k in data if k not in BY_ID]
    keymap = {str(k): str(v) for k, v in data.items() if k in BY_ID and isinstance(v, str) and v.strip()}
    problem = f"{path}: unknown command id(s) {', '.join(unknown)} (see the help screen)." if unknown else None
    return keymap, problem


def shown_keys(keymap: Mapping[str, str]) -> dict[str, str]:
    """Command id -> the key to show in hints, marks and help, remaps included."""
    return {**default_keys(), **{k: v.split(",")[0] for k, v in keymap.items()}}


def help_rows(keys: Mapping[str, str]) -> Iterable[tuple[str, str, str]]:
    """(key, what it does, id) for the help screen: every command with a key, then the palette."""
    for command in COMMANDS:
        if command.key:
            yield keys.get(command.id, command.key), command.label, command.id
    yield "ctrl+p", "Command palette", "command-palette"
