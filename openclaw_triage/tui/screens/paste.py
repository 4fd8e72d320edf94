"""The guarded paste: a key goes in whole, into the right kind of profile, or not at all.

The clipboard is read with pyperclip (in a worker); where there is none (SSH, headless, no
xclip/wl-paste) the screen says so and offers a masked field to paste into. Textual's `Input`
keeps only the first line of a paste, which would silently cut a wrapped key in two, so the
field here keeps the whole paste and lets `keys.sanitize` judge it: only what cannot change
the key is cleaned; anything else is refused with the reason. The key itself is never shown:
only OpenClaw's mask, its length and its last four characters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Select, Static

from ...keys import last4, mask
from ...model import CredentialType
from ...openclaw.coerce import normalize_provider
from ...secret import Secret
from ...write.validate import Checked, check_profile_fits, check_secret, default_profile_id
from ..state import Snapshot

ClipboardReader = Callable[[], str]
PROBE_ON = "Test it with Anthropic first (free GET /v1/models): on"
PROBE_OFF = "Test it with Anthropic first: off, the key is saved untested"


def read_system_clipboard() -> str:
    """pyperclip's paste; raises when this machine has no clipboard mechanism."""
    import pyperclip

    return str(pyperclip.paste())


class GuardedInput(Input):
    """A password field that keeps a multi-line paste whole (Textual's `Input` keeps line 1)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(password=True, **kwargs)
        self.pasted: str | None = None

    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()  # or Input's own handler would insert line 1 after us
        self.pasted = event.text
        # Show one bullet per character (line breaks included) so the user sees something arrived.
        self.value = "•" * len(event.text)
        self.cursor_position = len(self.value)

    @property
    def raw(self) -> str:
        """What the user gave us: the whole paste, or what they typed."""
        if self.pasted is not None and self.value == "•" * len(self.pasted):
            return self.pasted
        return self.value


@dataclass(frozen=True, slots=True)
class Saved:
    """What the paste screen returns: the change and the profile the key went into."""

    change: Any
    profile_id: str
    provider: str


class PasteScreen(ModalScreen[Saved | None]):
    """Read, check, optionally probe, then write one key; never show it."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="paste-cancel")]

    def __init__(
        self,
        snapshot: Snapshot,
        *,
        provider: str = "anthropic",
        target: str | None = None,
        read_clipboard: ClipboardReader | None = None,
        agent: str | None = None,
    ) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.provider = provider
        self.preferred_target = target
        self.read_clipboard = read_clipboard or read_system_clipboard
        self.agent = agent
        self.clipboard: str | None = None
        self.clipboard_problem: str | None = None
        self.checked: Checked | None = None
        self.refusal: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="paste"):
            yield Static("Paste a key safely", classes="title")
            with Horizontal(classes="buttons", id="paste-buttons"):
                yield Button("Save", id="paste-save", variant="primary", disabled=True)
                yield Button("Cancel", id="paste-cancel")
            with VerticalScroll(id="paste-body"):
                yield Static("Reading the clipboard…", id="paste-source")
                yield GuardedInput(placeholder="…or paste here (the key stays hidden); Enter saves", id="paste-input")
                yield Static("", id="paste-verdict")
                yield Select[str]([], prompt="Save into profile", id="paste-target", allow_blank=True)
                yield Checkbox(PROBE_ON, value=True, id="paste-probe")

    def on_mount(self) -> None:
        self._set_save_label()
        self.read_clipboard_worker()

    # --- reading --------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="clipboard")
    def read_clipboard_worker(self) -> None:
        try:
            text = self.read_clipboard()
            problem = None if text else "The clipboard is empty."
        except Exception as exc:  # pyperclip raises its own exception type when there is no mechanism
            text, problem = "", f"No clipboard here ({type(exc).__name__}: SSH, headless, or no xclip/wl-paste)."
        self.app.call_from_thread(self._clipboard_read, text, problem)

    def _clipboard_read(self, text: str, problem: str | None) -> None:
        self.clipboard = text or None
        self.clipboard_problem = problem
        source = self.query_one("#paste-source", Static)
        if problem:
            source.update(Text(f"{problem} Paste the key into the field below.", style="bold"))
            self.query_one(GuardedInput).focus()
        else:
            source.update(Text("Using the clipboard. Paste into the field below to use something else."))
        self._judge()

    @on(Input.Changed, "#paste-input")
    def _typed(self) -> None:
        self._judge()

    @on(Input.Submitted, "#paste-input")
    def _entered(self) -> None:
        """Enter in the field saves, as the Save button would (when the key may be saved)."""
        if not self.query_one("#paste-save", Button).disabled:
            self._save_pressed()

    @on(Checkbox.Changed, "#paste-probe")
    def _probe_toggled(self, event: Checkbox.Changed) -> None:
        event.checkbox.label = PROBE_ON if event.value else PROBE_OFF
        self._set_save_label()

    def _set_save_label(self) -> None:
        probe = self.query_one("#paste-probe", Checkbox).value
        self.query_one("#paste-save", Button).label = "Test and save" if probe else "Save untested"

    @on(Select.Changed, "#paste-target")
    def _target_changed(self) -> None:
        self._judge(keep_target=True)

    def raw_secret(self) -> str | None:
        typed = self.query_one(GuardedInput).raw
        return typed if typed else self.clipboard

    # --- judging --------------------------------------------------------------------------

    def _judge(self, *, keep_target: bool = False) -> None:
        verdict = self.query_one("#paste-verdict", Static)
        save = self.query_one("#paste-save", Button)
        raw = self.raw_secret()
        self.checked, self.refusal = None, None
        save.disabled = True
        if not raw:
            verdict.update(Text("Nothing to check yet.", style="dim"))
            return
        store = self.snapshot.diagnosis.agent.effective
        era = self.snapshot.install.era
        try:
            checked = check_secret(self.provider, raw, None, store=store)
        except Exception as exc:  # InvalidSecret / InvalidInput: the reason, never the key
            self.refusal = str(exc)
            verdict.update(Text(f"✗ Refused: {self.refusal}", style="bold red"))
            return
        if not keep_target:
            self._offer_targets(checked.type)
        target = self.target_id()
        try:
            if target:
                check_profile_fits(target, self.provider, checked.type, store, secret_kind=checked.info.kind.label)
        except Exception as exc:
            self.refusal = str(exc)
            verdict.update(Text(f"✗ {self.refusal}", style="bold red"))
            return
        self.checked = checked
        lines = Text()
        lines.append("✓ ", style="bold green")
        lines.append(f"{checked.info.kind.label}: {mask(checked.value, era=era)}")
        lines.append(f"  ·  {len(checked.value)} characters  ·  ends …{last4(checked.value)}", style="dim")
        if checked.type is CredentialType.API_KEY:  # tokens are not in the Console's list
            lines.append("\n  Match the last four against the Anthropic Console's key list.", style="dim")
        if checked.cleaned:
            lines.append("\n  Cleaned (cannot change the key): " + "; ".join(checked.cleaned), style="dim")
        verdict.update(lines)
        save.disabled = not target

    def _offer_targets(self, ctype: CredentialType) -> None:
        """Profiles of the key's own type, plus OpenClaw's default name for a new one."""
        store = self.snapshot.diagnosis.agent.effective
        same = [
            pid
            for pid, p in store.profiles.items()
            if p.type == ctype and normalize_provider(p.provider, self.snapshot.install.era) == self.provider
        ]
        new_id = default_profile_id(self.provider, ctype, store)
        options = [(f"{pid} ({ctype})", pid) for pid in same]
        if new_id not in same:
            options.append((f"new: {new_id} ({ctype})", new_id))
        select = self.query_one("#paste-target", Select)
        select.set_options(options)
        preferred = self.preferred_target if self.preferred_target in same else (same[0] if len(same) == 1 else new_id)
        with self.prevent(Select.Changed):
            select.value = preferred

    def target_id(self) -> str | None:
        value = self.query_one("#paste-target", Select).value
        return value if isinstance(value, str) else None

    # --- saving ---------------------------------------------------------------------------

    @on(Button.Pressed, "#paste-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#paste-save")
    def _save_pressed(self) -> None:
        checked, target = self.checked, self.target_id()
        if checked is None or not target:
            return
        self.query_one("#paste-save", Button).disabled = True
        self.save_worker(checked, target, self.query_one("#paste-probe", Checkbox).value)

    def healthy_key_in(self, profile_id: str) -> str | None:
        """The masked key `profile_id` holds now, if nothing is wrong with it (None: none, or broken)."""
        view = self.snapshot.diagnosis.view(profile_id)
        if view is None or view.broken or view.masked is None or not (view.info and view.info.ok):
            return None
        return view.masked

    @work(exclusive=True, group="paste-save")
    async def save_worker(self, checked: Checked, profile_id: str, probe_first: bool) -> None:
        """Test the key (if asked), ask before it replaces a healthy one, then write it."""
        verdict = self.query_one("#paste-verdict", Static)
        secret = Secret(checked.value)
        if probe_first:
            from ...probe import probe_candidate

            verdict.update(Text("Asking Anthropic about this key…", style="bold"))
            result = await probe_candidate(self.snapshot.diagnosis, secret, profile_id=profile_id, ctype=checked.type)
            if result.verdict != "accepted":
                self._not_saved(result)
                return
        masked = mask(checked.value, era=self.snapshot.install.era)
        replaced = self.healthy_key_in(profile_id)
        if replaced is not None and replaced != masked:
            from .confirm import ConfirmScreen

            question = (
                f"{profile_id} holds {replaced}, which looks healthy (nothing is wrong with it here). "
                f"Replace it with {masked}? (z undoes it)"
            )
            if not await self.app.push_screen_wait(ConfirmScreen(question)):
                verdict.update(Text(f"Not saved: {profile_id} keeps {replaced}.", style="bold"))
                self.query_one("#paste-save", Button).disabled = False
                return
        verdict.update(Text("Saving… (through the openclaw CLI on 2026.9: a few seconds)", style="bold"))
        try:
            change = await self._write(secret, profile_id, checked.type)
        except Exception as exc:
            verdict.update(Text(f"✗ Nothing was changed: {exc}", style="bold red"))
            self.query_one("#paste-save", Button).disabled = False
            return
        self.dismiss(Saved(change, profile_id, self.provider))

    def _not_saved(self, result: Any) -> None:
        """Say who said what: Anthropic's rejection, or that it could not be asked (and offer to save untested)."""
        verdict = self.query_one("#paste-verdict", Static)
        code = result.code.removeprefix("probe.")
        rid = f" (request-id {result.request_id})" if result.request_id else ""
        if result.verdict == "rejected":
            verdict.update(
                Text(
                    f"✗ Not saved: Anthropic rejected this key: {code}{rid}. {result.finding.message}", style="bold red"
                )
            )
        else:  # no answer: Anthropic said nothing; the key is neither good nor bad as far as we know
            verdict.update(
                Text(
                    f"! Not saved: Anthropic could not be asked ({code}: {result.finding.message}). The key itself "
                    "was not tested. Turn the test off to save it untested.",
                    style="bold yellow",
                )
            )
            probe = self.query_one("#paste-probe", Checkbox)
            probe.value = False  # the next Save (or Enter) saves it untested; the label says so
        self.query_one("#paste-save", Button).disabled = False

    async def _write(self, secret: Secret, profile_id: str, ctype: CredentialType) -> Any:
        import asyncio

        from ... import write

        install = self.snapshot.install
        return await asyncio.to_thread(
            write.set_key, install, self.provider, profile_id, secret, type=ctype, agent=self.agent
        )
