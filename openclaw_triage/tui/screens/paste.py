"""The guarded paste: a key goes in whole, into the right kind of profile, or not at all.

The clipboard is read with pyperclip (in a worker); where there is none (SSH, headless, no
xclip/wl-paste) the screen says so and offers a masked field to paste into. Textual's `Input`
keeps only the first line of a paste, which would silently cut a wrapped key in two, so the
field here keeps the whole paste and lets `keys.sanitize` judge it: only what cannot change
the key is cleaned; anything else is refused with the reason. The key itself is never shown:
only OpenClaw's mask, its length and its last four characters.

Whose key it is, which profile it goes into and whether it may be saved at all (a key no model
in use needs is refused) is decided by `write.paste_plan.plan_paste`; this screen only shows the
plan, tests the key with that provider if asked, and hands it to `write.set_key`.
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
from ...providers import get as provider_row
from ...secret import Secret
from ...write.paste_plan import PastePlan, plan_paste
from ..state import Snapshot

ClipboardReader = Callable[[], str]


def probe_label(plan: PastePlan | None, on: bool) -> str:
    """The test toggle names the provider that would be asked, and the free request it costs."""
    row = provider_row(plan.probe_provider) if plan is not None and plan.probe_provider else None
    if plan is None or plan.provider is None:
        return f"Test it with its provider first: {'on' if on else 'off, the key is saved untested'}"
    if row is None:
        return f"No test speaks to {plan.label}: the key is saved untested"
    if on:
        return f"Test it with {row.label} first (free {row.probe_request}): on"
    return f"Test it with {row.label} first: off, the key is saved untested"


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
        target: str | None = None,
        read_clipboard: ClipboardReader | None = None,
        agent: str | None = None,
    ) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.preferred_target = target  # the profile the paste was opened for (a finding's, a row's)
        self.read_clipboard = read_clipboard or read_system_clipboard
        self.agent = agent
        self.clipboard: str | None = None
        self.clipboard_problem: str | None = None
        self.plan: PastePlan | None = None  # what the domain decided for what is pasted now
        self._options: list[tuple[str, str]] = []  # the profile list as last offered

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
                yield Checkbox(probe_label(None, True), value=True, id="paste-probe")

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
        event.checkbox.label = probe_label(self.plan, event.value)
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
        """Ask the domain what to do with what is pasted now, and show its answer (never the key)."""
        verdict = self.query_one("#paste-verdict", Static)
        save = self.query_one("#paste-save", Button)
        raw = self.raw_secret()
        save.disabled = True
        if not raw:
            self.plan = None
            verdict.update(Text("Nothing to check yet.", style="dim"))
            return
        chosen = self.target_id() if keep_target else None
        plan = self.plan = plan_paste(self.snapshot.diagnosis, raw, target=self.preferred_target, chosen=chosen)
        self._offer_targets(plan)
        self._set_probe(plan)
        checked = plan.checked
        if checked is None:  # malformed, or of a kind no profile takes
            verdict.update(Text(f"✗ Refused: {plan.refusal}", style="bold red"))
            return
        era = self.snapshot.install.era
        lines = Text()
        lines.append("✓ " if plan.allowed else "✗ ", style="bold green" if plan.allowed else "bold red")
        lines.append(f"{plan.what}: {mask(checked.value, era=era)}")
        lines.append(f"  ·  {len(checked.value)} characters  ·  ends …{last4(checked.value)}", style="dim")
        if not plan.allowed:
            lines.append(f"\nRefused: {plan.refusal}", style="bold red")
            verdict.update(lines)
            return
        row = provider_row(plan.provider)
        if checked.type is CredentialType.API_KEY and row is not None:  # tokens are in no key list
            lines.append(f"\n  Match the last four against {row.keys_url}.", style="dim")
        lines.append(f"\n  OpenClaw uses it for {', '.join(plan.used_by)}.", style="dim")
        if checked.cleaned:
            lines.append("\n  Cleaned (cannot change the key): " + "; ".join(checked.cleaned), style="dim")
        verdict.update(lines)
        save.disabled = False

    def _offer_targets(self, plan: PastePlan) -> None:
        """The profiles the key may go into (its provider's, of its type, then a new one), the plan's first."""
        select = self.query_one("#paste-target", Select)
        store = self.snapshot.diagnosis.agent.effective
        ctype = plan.checked.type if plan.checked is not None else None
        options = [
            (f"{pid} ({ctype})" if pid in store.profiles else f"new: {pid} ({ctype})", pid) for pid in plan.choices
        ]
        if options != self._options:
            self._options = options
            select.set_options(options)
        with self.prevent(Select.Changed):
            if plan.profile_id is None:
                select.clear()
            elif select.value != plan.profile_id:
                select.value = plan.profile_id

    def _set_probe(self, plan: PastePlan) -> None:
        """The test toggle names the plan's provider; with no probe for it, it is off and says so."""
        probe = self.query_one("#paste-probe", Checkbox)
        can = plan.probe_provider is not None
        with self.prevent(Checkbox.Changed):
            if can == probe.disabled:  # it turned off only because no test was possible: back on when one is
                probe.value = can
            probe.disabled = not can
        probe.label = probe_label(plan, probe.value)
        self._set_save_label()

    def target_id(self) -> str | None:
        value = self.query_one("#paste-target", Select).value
        return value if isinstance(value, str) else None

    # --- saving ---------------------------------------------------------------------------

    @on(Button.Pressed, "#paste-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#paste-save")
    def _save_pressed(self) -> None:
        plan = self.plan
        if plan is None or not plan.allowed:
            return
        self.query_one("#paste-save", Button).disabled = True
        self.save_worker(plan, self.query_one("#paste-probe", Checkbox).value)

    def healthy_key_in(self, profile_id: str) -> str | None:
        """The masked key `profile_id` holds now, if nothing is wrong with it (None: none, or broken)."""
        view = self.snapshot.diagnosis.view(profile_id)
        if view is None or view.broken or view.masked is None or not (view.info and view.info.ok):
            return None
        return view.masked

    @work(exclusive=True, group="paste-save")
    async def save_worker(self, plan: PastePlan, probe_first: bool) -> None:
        """Test the key with its provider (if asked), ask before it replaces a healthy one, then write it."""
        verdict = self.query_one("#paste-verdict", Static)
        checked, profile_id, provider = plan.checked, plan.profile_id, plan.provider
        assert checked is not None and profile_id is not None and provider is not None  # plan.allowed
        secret = Secret(checked.value)
        if probe_first and plan.probe_provider is not None:
            from ...probe import probe_candidate

            verdict.update(Text(f"Asking {plan.label} about this key…", style="bold"))
            result = await probe_candidate(
                self.snapshot.diagnosis, secret, profile_id=profile_id, ctype=checked.type, provider=plan.probe_provider
            )
            if result.verdict != "accepted":
                self._not_saved(result, plan.label)
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
            change = await self._write(secret, provider, profile_id, checked.type)
        except Exception as exc:
            verdict.update(Text(f"✗ Nothing was changed: {exc}", style="bold red"))
            self.query_one("#paste-save", Button).disabled = False
            return
        self.dismiss(Saved(change, profile_id, provider))

    def _not_saved(self, result: Any, who: str) -> None:
        """Say who said what: the provider's rejection, or that it could not be asked (and offer to save untested)."""
        verdict = self.query_one("#paste-verdict", Static)
        code = result.code.removeprefix("probe.")
        rid = f" (request-id {result.request_id})" if result.request_id else ""
        if result.verdict == "rejected":
            verdict.update(
                Text(f"✗ Not saved: {who} rejected this key: {code}{rid}. {result.finding.message}", style="bold red")
            )
        else:  # no answer: the provider said nothing; the key is neither good nor bad as far as we know
            verdict.update(
                Text(
                    f"! Not saved: {who} could not be asked ({code}: {result.finding.message}). The key itself "
                    "was not tested. Turn the test off to save it untested.",
                    style="bold yellow",
                )
            )
            probe = self.query_one("#paste-probe", Checkbox)
            probe.value = False  # the next Save (or Enter) saves it untested; the label says so
        self.query_one("#paste-save", Button).disabled = False

    async def _write(self, secret: Secret, provider: str, profile_id: str, ctype: CredentialType) -> Any:
        import asyncio

        from ... import write

        install = self.snapshot.install
        return await asyncio.to_thread(
            write.set_key, install, provider, profile_id, secret, type=ctype, agent=self.agent
        )
