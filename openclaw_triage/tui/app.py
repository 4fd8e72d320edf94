"""The Textual app: five panes and findings on one screen, every fix one key away.

The middle of the screen is tabbed: the auth profiles, the chats (and their pins), and the
gateway with its channels and agents, so the whole seed thread (key, order, chat, gateway,
Discord) is answered without leaving the screen.

The app is a thin shell. Its one state is `snapshot` (`tui.state.Snapshot`), a reactive that
every widget watches and draws from; which fix a key applies is decided by the domain
(`diagnose.fixes`) from what is selected, and every fix is applied by `write.apply`, in a worker
thread, whose re-read of the install becomes the next snapshot. Keys, palette entries and hints
come from one list (`tui.keys`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Container, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header, Static, TabbedContent, TabPane

from ..diagnose import fixes
from ..findings import Finding
from ..openclaw.locate import Options
from ..util.state import STATE_DIR_ENV
from ..util.termsafe import termsafe
from . import keys
from .keys import KEYMAP_ENV, keymap_path
from .layouts import VIEW_ORDER, VIEWS, Compact, Full, fits_full
from .state import Snapshot, from_install, load
from .widgets.channels import ChannelsPane
from .widgets.findings import FindingsList
from .widgets.panes import ProbePane
from .widgets.profiles import ProfilesTable
from .widgets.sessions import SessionsTable
from .widgets.sources import SourcesPane
from .widgets.text import shown

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from ..actions import Action
    from ..write.change import Change

__all__ = ["KEYMAP_ENV", "TriageApp", "confirm", "keymap_path", "run"]

TAB_OF_AREA = {"chats": "chats", "live": "channels"}  # findings of these areas mark their tab
UNDO = "undo"


def _command_provider() -> type[Any]:
    """The palette provider, imported only when the palette opens (textual.command is slow)."""
    from .commands import TriageCommands

    return TriageCommands


class TriageApp(App[int]):
    """openclaw-triage's full-screen app."""

    CSS_PATH = "app.tcss"
    TITLE = "openclaw-triage"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    COMMANDS = App.COMMANDS | {_command_provider}
    BINDINGS = keys.bindings()

    snapshot: reactive[Snapshot] = reactive(None, always_update=True, init=False)  # type: ignore[arg-type]
    """The install as last read: every widget draws from it."""
    finding: reactive[Finding | None] = reactive(None, always_update=True)
    """The highlighted finding (the detail pane explains it; o, a, x apply its fix)."""

    def __init__(
        self,
        options: Options | None = None,
        snapshot: Snapshot | None = None,
        *,
        env: dict[str, str] | None = None,
        now_ms: float | None = None,
        demo_home: Path | None = None,
        background: bool = True,
        read_clipboard: Callable[[], str] | None = None,
        write_clipboard: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__()
        self.options = options or Options()
        self.env = env
        self.now_ms = now_ms
        self.set_reactive(TriageApp.snapshot, snapshot or load(self.options, env=env, now_ms=now_ms))
        self.demo_home = demo_home
        self.background = background  # tests turn off the Node/gateway look-ups
        self.read_clipboard = read_clipboard  # None: the system clipboard (pyperclip)
        self.write_clipboard = write_clipboard  # None: pyperclip, else the terminal's (OSC 52)
        self.busy: str | None = None
        self.made: list[str] = []  # journal ids of the changes this app made, oldest first: z takes these back first
        self.keymap, self.keymap_problem = keys.read_keymap(keymap_path())
        self.shown_keys = keys.shown_keys(self.keymap)  # what hints, marks and help call each key

    # --- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="⚕")
        yield self._layout_for(*self.size)
        yield Static("", id="status")
        yield Footer()

    def _layout_for(self, columns: int, rows: int) -> Container:
        """Every pane at once when the terminal has room, else one at a time (`tui.layouts`)."""
        compact = not fits_full(columns, rows)
        self.screen.set_class(compact, "-compact")
        self.screen.set_class(not compact, "-full")
        return Compact(id="layout") if compact else Full(id="layout")

    @property
    def compact(self) -> bool:
        return isinstance(self.query_one("#layout"), Compact)

    async def on_resize(self, event: events.Resize) -> None:
        """Swap the layout when the terminal crosses the size that shows every pane."""
        if self.compact == fits_full(event.size.width, event.size.height):
            layout = self._layout_for(event.size.width, event.size.height)
            await self.query_one("#layout").remove()
            await self.mount(layout, before="#status")
            self._after_layout()

    def on_mount(self) -> None:
        if self.keymap:
            self.set_keymap(self.keymap)
        if self.keymap_problem:
            self.notify(self.keymap_problem, severity="warning")
        self._after_layout()
        if self.background:
            self.look_up_node()
            self.check_gateway()
        if not self.snapshot.found and self.demo_home is None:
            from .screens.not_found import NotFoundScreen

            self.push_screen(NotFoundScreen(self._looked_in()), self._after_not_found)

    def _after_layout(self) -> None:
        """A layout was built: label its tabs, fill the hidden ones soon, put the focus on the findings."""
        self.call_after_refresh(self._fill_hidden_tabs)
        self.watch_snapshot(self.snapshot)
        self.query_one(FindingsList).focus()

    async def _fill_hidden_tabs(self) -> None:
        """Mount the Chats, Gateway and Sources tabs after the first frame: the app shows up sooner.
        Each draws the snapshot once it is mounted."""
        chats = self.query(f"#{VIEWS['chats'][0]}").results(TabPane)
        for pane in chats:
            if not pane.children:
                await pane.mount(SessionsTable(id="sessions"))
        for pane in self.query(f"#{VIEWS['channels'][0]}").results(TabPane):
            if not pane.children:
                await pane.mount(VerticalScroll(ChannelsPane(id="channels"), id="channels-scroll"))
        for pane in self.query(f"#{VIEWS['sources'][0]}").results(TabPane):
            if not pane.children:
                await pane.mount(VerticalScroll(SourcesPane(id="sources"), id="sources-scroll"))

    def _looked_in(self) -> list[str]:
        finding = next((f for f in self.snapshot.diagnosis.findings if f.code == "install.not_found"), None)
        return list(finding.details.get("places", [])) if finding is not None else []

    def _after_not_found(self, choice: str | None) -> None:
        if choice == "demo":
            self.open_demo()
        else:
            self.exit(3)

    def open_demo(self) -> None:
        from ..demo import make_demo

        home = make_demo()
        self.demo_home = home
        self.options, self.env = demo_options(home, self.env or dict(os.environ))
        self.snapshot = load(self.options, env=self.env, now_ms=self.now_ms)
        self.notify(f"Demo install in {home} (fake keys). Try o, z, u.", title="Demo")

    # --- the state --------------------------------------------------------------------

    def watch_snapshot(self, snapshot: Snapshot) -> None:
        """The title and the tab labels; the widgets watch the snapshot themselves."""
        diag = snapshot.diagnosis
        version = diag.install.cli.version or "unknown version"
        self.sub_title = termsafe(
            f"OpenClaw {version} · {diag.install.storage_label} · agent {diag.agent.agent_id}"
        ) + (" · DEMO" if self.demo_home else "")
        worst: dict[str, str] = {}
        for finding in diag.findings:
            tab = TAB_OF_AREA.get(finding.area)
            if tab and finding.severity.value != "info" and worst.get(tab) != "error":
                worst[tab] = finding.severity.value
        mark = {"error": " ✖", "warning": " !"}
        pinned = sum(1 for s in snapshot.sessions if s.pin is not None)
        layout = self.query("#layout")
        compact = bool(layout) and isinstance(layout.first(), Compact)
        errors = sum(1 for f in diag.findings if f.severity.value == "error")
        chats_mark = mark.get(worst.get("chats", ""), "")
        channels_mark = mark.get(worst.get("channels", ""), "")
        if compact:  # eight tabs across 80 columns: short words, counts only where they warn
            labels = {
                "findings": f"Findings {errors}✖" if errors else "Findings",
                "profiles": f"Profiles {len(diag.profiles)}",
                "chats": (f"Chats {pinned} pinned" if pinned else "Chats") + chats_mark,
                "channels": f"Gateway{channels_mark}",
            }
        else:
            labels = {
                "profiles": f"Auth profiles ({len(diag.profiles)})",
                "chats": f"Chats ({len(snapshot.sessions)}{f', {pinned} pinned' if pinned else ''}){chats_mark}",
                "channels": f"Gateway & channels{channels_mark}",
            }
        for tabs in self.query("#middle").results(TabbedContent):
            for name, label in labels.items():
                if tabs.query(f"#{VIEWS[name][0]}"):
                    tabs.get_tab(VIEWS[name][0]).label = label

    def on_findings_list_selected(self, message: FindingsList.Selected) -> None:
        self.finding = message.finding

    def action_show_tab(self, name: str) -> None:
        """Show a view (a tab in the compact layout, a pane of the full one) and focus it."""
        pane_id, target = VIEWS[name]
        tabs = self.query_one("#middle", TabbedContent)
        if tabs.query(f"#{pane_id}"):
            tabs.active = pane_id
        widgets = self.query(target)
        if widgets:
            widgets.first().focus()
        else:  # pressed in the instant before the hidden tabs are filled
            self.call_after_refresh(lambda: [w.focus() for w in self.query(target)])

    def action_next_view(self) -> None:
        """The next view after the one shown (compact), or the next pane (full)."""
        tabs = self.query_one("#middle", TabbedContent)
        names = [n for n in VIEW_ORDER if tabs.query(f"#{VIEWS[n][0]}")] if self.compact else list(VIEW_ORDER)
        current = next((n for n in names if VIEWS[n][0] == tabs.active), names[0]) if self.compact else None
        if not self.compact:
            focused = self.focused
            current = next((n for n in names if focused is not None and focused.id == VIEWS[n][1][1:]), None)
        index = names.index(current) + 1 if current in names else 0
        self.action_show_tab(names[index % len(names)])

    def scrub(self, text: str) -> str:
        """Text from outside (an exception, a CLI) with every secret of the install masked."""
        from ..scrub import scrubber_for

        return scrubber_for(self.snapshot.install)(text)

    # --- background look-ups ----------------------------------------------------------

    @work(thread=True, exclusive=True, group="node")
    def look_up_node(self) -> None:
        from ..runtime.node import node_version

        version = node_version(self.snapshot.install.cli.path)
        self.call_from_thread(self._set_snapshot, lambda s: replace(s, node=version))

    @work(thread=True, exclusive=True, group="gateway")
    def check_gateway(self) -> None:
        """The full look at the gateway: readiness, its environment, its log, the journal, Discord."""
        from ..runtime.collect import collect

        try:
            runtime = collect(self.snapshot.install, full=True)
        except Exception as exc:  # an unexpected state on the running side: keep what `load` found
            message = self.scrub(f"Could not look at the running gateway: {exc}")
            self.call_from_thread(self.notify, message, title="Gateway", severity="warning")
            return
        self.call_from_thread(self._set_snapshot, lambda s: replace(s, live=runtime))

    def _set_snapshot(self, change: Callable[[Snapshot], Snapshot]) -> None:
        self.snapshot = change(self.snapshot)

    @work(thread=True, exclusive=True, group="reload")
    def reload_worker(self, note: str | None = None) -> None:
        snapshot = load(self.options, env=self.env, now_ms=self.now_ms, probe=self.snapshot.probe)
        self.call_from_thread(self._reloaded, snapshot, note)

    def _reloaded(self, snapshot: Snapshot, note: str | None) -> None:
        self.snapshot = snapshot.carrying(self.snapshot)
        if note:
            self.notify(note, title="Reloaded")

    # --- the keys -----------------------------------------------------------------------

    def action_reload(self) -> None:
        self.reload_worker("Read again from disk.")
        if self.background:
            self.check_gateway()

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        self.push_screen(HelpScreen(keys.help_rows(self.shown_keys), str(keymap_path())))

    def _selected_profile(self) -> tuple[str | None, bool]:
        """The profile row selected in the profiles table, and whether the user is in that table."""
        table = self.query_one(ProfilesTable)
        return table.selected_profile, self.focused is table

    def action_fix_order(self) -> None:
        profile, in_table = self._selected_profile()
        fix = fixes.order_fix(self.snapshot.diagnosis, finding=self.finding, profile_id=profile, profile_first=in_table)
        if fix is None:
            self.notify("Nothing to fix in the order. Select a profile to pin it first.", severity="warning")
            return
        self.apply_fix(fix[0], fix[1])

    def action_clear_override(self) -> None:
        action = fixes.clear_fix(self.snapshot.diagnosis)
        if action is None:
            self.notify("There is no stored order override to clear.", severity="information")
            return
        self.apply_fix(action, f"clears the {action.provider} override")

    def action_undo(self, force: bool = False, change_id: str | None = None) -> None:
        """Take back what this app did, newest first; a change made before (from the command line,
        or another session) only after asking, by name."""
        from .. import write

        if change_id is None:
            change_id = next((c for c in reversed(self.made) if write.undoable(c)), None)
        if change_id is None:
            install = self.snapshot.install
            agent = self.snapshot.diagnosis.agent.agent_id
            older = write.latest_undoable(install.state_dir, None if agent == install.default_agent_id else agent)
            if older is None:
                self._change_failed(
                    "There is no change left to undo on this install (openclaw-triage history lists them)."
                )
                return
            confirm(
                self,
                f"This app has changed nothing yet. The last change on this install was made before, at "
                f"{older.time}: {older.summary} Undo it?",
                lambda yes: self.action_undo(change_id=older.id) if yes else None,
            )
            return
        self.run_change(UNDO, "undoes the last change" + (" (forced)" if force else ""), force=force, target=change_id)

    def action_reload_gateway(self) -> None:
        from ..actions import GatewayReload

        runtime = self.snapshot.runtime
        gateway = runtime.gateway if runtime is not None else None
        if gateway is not None and gateway.mode == "local" and not gateway.running:
            self.notify(
                "No gateway is running here: the next start loads the keys as they are now.",
                title="Nothing to reload",
            )
            return
        self.apply_fix(GatewayReload(self.snapshot.diagnosis.agent.agent_id), "reloads the gateway's keys")

    def action_approve_pairing(self) -> None:
        action = fixes.pairing_fix(self.finding, self.snapshot.runtime)
        if action is None:
            self.notify(
                "No Discord pairing request is waiting (a user gets a code when they DM the bot).",
                title="Discord",
                severity="warning",
            )
            return
        who = action.who or "this user"
        confirm(
            self,
            f"Approve the Discord DM pairing {action.code} from {who}? They can then talk to the bot in DMs.",
            lambda yes: self.apply_fix(action, f"approves Discord pairing {action.code}") if yes else None,
        )

    def action_doctor_fix(self) -> None:
        fix = fixes.doctor_fix(self.snapshot.diagnosis, self.finding)
        if fix is None:
            self.notify("Nothing here needs OpenClaw's upgrade repair (openclaw doctor --fix).", title="Doctor fix")
            return
        action, question = fix
        confirm(self, question, lambda yes: self.apply_fix(action, "runs openclaw doctor --fix") if yes else None)

    # --- chats ------------------------------------------------------------------------

    def _selected_chat(self) -> Any:
        """The chat `x` acts on: the selected row of the Chats tab, else the selected finding's chat."""
        tables = self.query(SessionsTable)
        if self.query_one("#middle", TabbedContent).active == VIEWS["chats"][0] and tables:
            key = tables.first().selected_key
        else:
            key = self.finding.details.get("session") if self.finding is not None else None
        return next((s for s in self.snapshot.sessions if s.key == key), None)

    def action_unpin_chat(self) -> None:
        session = self._selected_chat()
        if session is None:
            self.action_show_tab("chats")
            self.notify("Select a chat in the Chats tab, then press x.", title="Unpin")
            return
        action = fixes.unpin_chat(session, self.snapshot.diagnosis.agent.agent_id)
        if action is None:
            self.notify(f"{session.label} is not pinned: it follows the order.", title="Unpin")
            return
        self.apply_fix(action, f"unpins {session.label} from {session.pin.profile_id}")

    def action_unpin_profile_chats(self) -> None:
        session = self._selected_chat()
        profile = session.pin.profile_id if session is not None and session.pin is not None else None
        if profile is None:
            self.action_show_tab("chats")
            self.notify("Select a pinned chat in the Chats tab, then press X.", title="Unpin")
            return
        count = self.snapshot.pinned.get(profile)
        many = count.total if count is not None else 1
        action = fixes.unpin_profile_chats(profile, self.snapshot.diagnosis.agent.agent_id)
        confirm(
            self,
            f"Unpin all {many} chat(s) pinned to {profile}? Their next turn follows the order (z undoes it).",
            lambda yes: self.apply_fix(action, f"unpins {many} chat(s) from {profile}") if yes else None,
        )

    def _offer_to_unpin_left_behind(self, provider: str) -> None:
        """After an order change: say how many chats it does not reach, and offer to unpin them."""
        behind = fixes.left_behind(self.snapshot.diagnosis, self.snapshot.stores, provider)
        if behind is None:
            return
        reach, unpin = behind
        chats = [*reach.kept, *reach.lagging]
        names = ", ".join(s.label for s in chats[:3]) + (" …" if len(chats) > 3 else "")
        parts = []
        if reach.kept:
            parts.append(f"{len(reach.kept)} pinned in the chat (they stay until unpinned)")
        if reach.lagging:
            parts.append(f"{len(reach.lagging)} pinned automatically (they move at their next reset or compaction)")
        told = f"This order change does not reach {len(chats)} chat(s) ({names}) yet: {'; '.join(parts)}."
        if unpin is None:
            result = self.snapshot.diagnosis.orders.get(provider)
            first = (result.next if result else None) or "profile"
            self.notify(
                f"{told} OpenClaw 2026.9 lets only the chat itself change its pin: /model provider/model@"
                f"{first} in each (the Chats tab, 2, lists them).",
                title="Chats not reached",
                severity="warning",
                timeout=15,
            )
            return
        confirm(
            self,
            f"{told} Unpin them so their next turn follows the new order? (z undoes it)",
            lambda yes: self.apply_fix(unpin, f"unpins {len(chats)} chat(s)") if yes else None,
        )

    # --- the probe --------------------------------------------------------------------

    def action_probe(self) -> None:
        self.run_probe(deep=False)

    def action_deep_probe(self) -> None:
        confirm(
            self,
            "A deep probe sends one Messages request with max_tokens 1 per key: a tiny fraction of a cent each, "
            "and the only way to see billing, spend-limit and model-access errors. Send them?",
            lambda yes: self.run_probe(deep=True) if yes else None,
        )

    def run_probe(self, *, deep: bool) -> None:
        from ..probe.run import plan_probes

        plans = plan_probes(self.snapshot.diagnosis)
        if not plans:
            self.notify("No Anthropic profile to probe.", severity="warning")
            return
        self.query_one(ProbePane).begin({p.report.profile.id: p.ctx.host for p in plans}, deep=deep)
        self.probe_worker(deep)

    @work(exclusive=True, group="probe")
    async def probe_worker(self, deep: bool) -> None:
        from ..probe import probe_profiles

        pane = self.query_one(ProbePane)
        from ..probe.run import summary

        results = await probe_profiles(self.snapshot.diagnosis, deep=deep, on_result=pane.add_result)
        self.snapshot = replace(self.snapshot, probe=results)
        everything_accepted = all(r.verdict == "accepted" for r in results)
        self.notify(
            "Anthropic accepted every key probed." if everything_accepted else summary(results) + ".",
            title="Probe done",
            severity="information" if everything_accepted else "warning",
        )
        self.reload_worker()

    # --- the guarded paste ------------------------------------------------------------

    def action_paste(self) -> None:
        from .screens.paste import PasteScreen

        target = fixes.paste_target(self.snapshot.diagnosis, finding=self.finding, profile_id=self._paste_profile())
        self.push_screen(
            PasteScreen(
                self.snapshot,
                target=target,
                agent=self.snapshot.diagnosis.agent.agent_id,
                read_clipboard=self.read_clipboard,
            ),
            self._after_paste,
        )

    def _paste_profile(self) -> str | None:
        """The profile row the user picked in the profiles table, if they are in it."""
        profile, in_table = self._selected_profile()
        return profile if in_table else None

    def _after_paste(self, saved: Any) -> None:
        if saved is None:
            return
        change = saved.change
        notes = "\n".join(change.notes)
        self.notify(
            f"{change.summary} Press {self.shown_keys.get(UNDO, 'z')} to undo.\n{notes}\n"
            "A chat that still fails keeps its own profile: type /reset (or /new) in it.",
            title="Key saved",
            timeout=12,
        )
        if change.id and change.undoable:
            self.made.append(change.id)
        self.show_change(change)
        pin = fixes.pin_after_save(self.snapshot.diagnosis, saved.provider, saved.profile_id)
        if pin is None:
            return
        result = self.snapshot.diagnosis.orders.get(saved.provider)
        first = (result.next if result else None) or "nothing"
        confirm(
            self,
            f"OpenClaw still tries {first} first for {saved.provider}. Pin {saved.profile_id} first? (z undoes it)",
            lambda yes: self.apply_fix(pin, f"pins {saved.profile_id} first") if yes else None,
        )

    # --- the report -------------------------------------------------------------------

    def action_export_report(self) -> None:
        """The report goes into our own state dir (never a checkout the app was started in), and the
        toast says where; `openclaw-triage report -o FILE` writes it anywhere else."""
        from ..util.state import state_root

        self.report_worker(state_root() / "reports")

    def action_copy_report(self) -> None:
        self.report_worker(None)

    @work(thread=True, exclusive=True, group="report")
    def report_worker(self, folder: Path | None) -> None:
        """Render the report (a full gateway look-up may take a moment), then write it into `folder`,
        or, with no folder, copy it."""
        from ..output.report import default_report_name, render_report, write_report

        snapshot = self.snapshot
        try:
            text = render_report(snapshot.diagnosis, probe_results=snapshot.probe, runtime=snapshot.runtime)
        except Exception as exc:  # never take the app down for a report (and never show a key-shaped string)
            message = self.scrub(f"Could not make the report: {exc}")
            self.call_from_thread(self.notify, message, title="No report", severity="error")
            return
        if folder is None:
            self.call_from_thread(self.copy_report_text, text)
            return
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            path = write_report(text, folder / default_report_name())
        except OSError as exc:
            self.call_from_thread(
                self.notify,
                f"Could not write the report in {folder}: {exc.strerror or exc}",
                title="No report",
                severity="error",
            )
            return
        self.call_from_thread(self._report_written, path, text)

    def _report_written(self, path: Path, text: str) -> None:
        self.notify(f"{path} (only you can read it)", title="Report written", timeout=12)
        confirm(
            self,
            f"The report is in {path}. Keys are masked and your user and host names left out, so it can be "
            "pasted in a support thread as is. Copy it to the clipboard too?",
            lambda yes: self.copy_report_text(text) if yes else None,
        )

    def copy_report_text(self, text: str) -> None:
        """The system clipboard (pyperclip), else the terminal's (OSC 52, over SSH too)."""
        how = "the clipboard"
        try:
            if self.write_clipboard is not None:
                self.write_clipboard(text)
            else:
                import pyperclip

                pyperclip.copy(text)
        except Exception:  # no clipboard mechanism here (SSH, headless): ask the terminal
            self.copy_to_clipboard(text)
            how = "the terminal's clipboard (if it allows OSC 52)"
        self.notify(f"The report (keys masked) is on {how}.", title="Copied")

    # --- applying a fix ---------------------------------------------------------------

    def apply_fix(self, action: Action, why: str) -> None:
        """Apply one fix (`write.apply`) off the UI thread: the OpenClaw CLI takes seconds."""
        self.run_change(action, why)

    def run_change(self, what: Action | str, why: str, *, force: bool = False, target: str | None = None) -> None:
        if self.busy:
            self.notify(f"Still busy: {self.busy}", severity="warning")
            return
        self.busy = why
        self.say(f"Working: {why}…")
        self.change_worker(what, force, target)

    def say(self, text: str) -> None:
        """The status line above the footer: what is happening now (empty when nothing is)."""
        for status in self.query("#status").results(Static):
            status.update(shown(text))

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """A toast, drawn as text: its ids, names and paths are never markup, never escapes."""
        super().notify(
            termsafe(message, multiline=True), title=termsafe(title), severity=severity, timeout=timeout, markup=markup
        )

    @work(thread=True, exclusive=True, group="write")
    def change_worker(self, what: Action | str, force: bool, target: str | None) -> None:
        """The change, then the install as the write layer re-read it, diagnosed here (not re-read)."""
        from .. import write
        from ..write.errors import Conflict

        def progress(text: str) -> None:
            self.call_from_thread(self.say, f"Working: {text}")

        install = self.snapshot.install
        try:
            if what == UNDO:
                change = write.undo(target, force=force, progress=progress, install=install)
            else:
                assert not isinstance(what, str)
                change = write.apply(install, what, progress=progress)
        except Conflict as exc:
            if what == UNDO:  # changed since our write: the CLI's --force, as a question
                self.call_from_thread(self._offer_forced_undo, str(exc), target)
            else:
                self.call_from_thread(self._change_failed, str(exc))
            return
        except Exception as exc:  # a WriteError, or any failure: say it, never crash the UI
            self.call_from_thread(self._change_failed, self.scrub(str(exc)) or type(exc).__name__)
            return
        snapshot = self._snapshot_after(change)
        self.call_from_thread(self._changed, what, change, snapshot)

    def _snapshot_after(self, change: Change) -> Snapshot | None:
        """The next screen, from the install the change re-read (None: read it again, it failed)."""
        if change.install is None:
            return None
        # What the probe said of a key that was just replaced or removed is about another key.
        gone = change.profile_id if change.action in ("set_key", "remove_profile") else None
        probe = [r for r in self.snapshot.probe if r.profile_id != gone]
        try:
            return from_install(change.install, now_ms=self.now_ms, probe=probe)
        except Exception:
            return None

    def _changed(self, what: Action | str, change: Change, snapshot: Snapshot | None) -> None:
        self.busy = None
        self.say("")
        if change.id and change.undoable and what != UNDO:
            self.made.append(change.id)
        extra = ("\n" + "\n".join(change.notes)) if change.notes else ""
        if what == UNDO:
            self.notify(f"{change.summary}{extra}", title="Undone", timeout=8)
        elif not change.changed:
            self.notify(f"{change.summary}{extra}", title="Nothing to change", timeout=8)
        elif change.id:  # journaled
            tail = f" Press {self.shown_keys.get(UNDO, 'z')} to undo." if change.undoable else ""
            self.notify(f"{change.summary}{tail}{extra}", title="Changed", timeout=8)
        else:  # the live side: a reload or an approval, nothing to take back
            self.notify(f"{change.summary}{extra}", title=f"Done: {change.action}", timeout=8)
        self.show_change(change, snapshot)
        if what != UNDO and change.action in ("set_order", "clear_order") and change.provider:
            self._offer_to_unpin_left_behind(change.provider)

    def show_change(self, change: Change, snapshot: Snapshot | None = None) -> None:
        """Show the install as the change left it, and look at the gateway again."""
        if snapshot is None and change.install is not None:
            snapshot = self._snapshot_after(change)
        if snapshot is None:
            self.reload_worker()
        else:
            self.snapshot = snapshot.carrying(self.snapshot)
        if self.background:
            self.check_gateway()

    def _offer_forced_undo(self, message: str, change_id: str | None) -> None:
        self.busy = None
        self.say("")
        confirm(
            self,
            f"{message}\n\nUndo anyway? What changed since is overwritten (on 2026.3 a backup of it is kept).",
            lambda yes: self.action_undo(force=True, change_id=change_id) if yes else None,
        )

    def _change_failed(self, message: str) -> None:
        self.busy = None
        self.say("")
        self.notify(message, title="Nothing was changed", severity="error", timeout=10)

    # --- safety -----------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title != "Screenshot":  # Textual's saves into a folder that may not exist: ours
                yield command
        yield SystemCommand(
            "Screenshot", "Save an SVG picture of the screen (keys are masked on it)", self.action_save_screenshot
        )
        yield SystemCommand("Help: keys and panes", "Every key, and where to remap them", self.action_help)

    def action_save_screenshot(self) -> None:
        """An SVG of the screen in our own state dir (0600), and where it went, on screen."""
        from datetime import datetime

        from ..util.state import state_root

        folder = state_root() / "screenshots"
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            path = folder / f"openclaw-triage-{datetime.now().strftime('%Y%m%d-%H%M%S')}.svg"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(self.export_screenshot())
        except OSError as exc:
            self.notify(f"Could not save the screenshot in {folder}: {exc.strerror or exc}", severity="error")
            return
        self.notify(str(path), title="Screenshot saved", timeout=10)

    def _fatal_error(self) -> None:
        """Textual's crash report prints local variables, which may hold secrets: not ours."""
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        traceback = Traceback(show_locals=False, width=None)
        self._exit_renderables.append(Segments(self.console.render(traceback, self.console.options)))
        self._close_messages_no_wait()


def run(options: Options, *, demo: str | None = None) -> int:
    """Open the app (on a fresh demo copy of the era `demo` names, if given)."""
    env = dict(os.environ)
    demo_home = None
    if demo:
        from ..demo import make_demo

        demo_home = make_demo(era=demo)
        # The JSON demo never needs the CLI; the SQLite one writes only through a 2026.9 CLI the user names.
        cli = options.openclaw if demo == "2026.9" and options.openclaw else "none"
        options, env = demo_options(demo_home, env, cli=cli)
    app = TriageApp(options, env=env, demo_home=demo_home)
    result = app.run()
    if demo_home is not None:
        print(f"The demo install is kept in {demo_home} (delete it when done).")
    return int(result or 0)


def demo_options(home: Path, env: dict[str, str], *, cli: str = "none") -> tuple[Options, dict[str, str]]:
    """A demo touches nothing outside its folder: its install is sandboxed (no host temp dir, log
    or port is read as its own), and this process's journal and backups go inside it too."""
    state = home / "triage-state"
    os.environ[STATE_DIR_ENV] = str(state)  # the whole process is the demo
    options = Options(state_dir=str(home / ".openclaw"), openclaw=cli, sandbox=str(home))
    return options, {**env, "HOME": str(home), "TMPDIR": str(home / "tmp"), STATE_DIR_ENV: str(state)}


def confirm(app: App[Any], question: str, then: Callable[[bool], None]) -> None:
    """Ask a yes/no question on top of the current screen."""
    from .screens.confirm import ConfirmScreen

    app.push_screen(ConfirmScreen(question), lambda answer: then(bool(answer)))
