"""The Textual app: five panes and findings on one screen, every fix one key away.

The middle of the screen is tabbed: the auth profiles, the chats (and their pins), and the
gateway with its channels and agents, so the whole seed thread (key, order, chat, gateway,
Discord) is answered without leaving the screen.

All reading is done by the domain (`openclaw_triage.openclaw.install`/`diagnose`); all writing by
`openclaw_triage.write`. This module only lays out, binds keys, and runs slow work (the
`openclaw` CLI, the network, re-reading the disk) in worker threads so the UI never freezes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, TabbedContent, TabPane

from ..findings import Action
from ..model import Era
from ..openclaw.coerce import normalize_provider
from ..openclaw.locate import Options
from .state import Snapshot, load
from .widgets.channels import ChannelsPane
from .widgets.findings import FindingDetail, FindingsList
from .widgets.panes import ConfigPane, OrderPane, ProbePane, VersionPane, gateway_line
from .widgets.profiles import ProfilesTable
from .widgets.sessions import SessionsTable

KEYMAP_ENV = "OPENCLAW_TRIAGE_CONFIG_DIR"
TABS = {"profiles": "tab-profiles", "chats": "tab-chats", "channels": "tab-channels"}


def keymap_path() -> Path:
    """Where users remap keys by binding id (`{"fix-order": "ctrl+o"}`)."""
    override = os.environ.get(KEYMAP_ENV)
    if override:
        return Path(override) / "keymap.json"
    import platformdirs

    return platformdirs.user_config_path("openclaw-triage") / "keymap.json"


def _command_provider() -> type[Any]:
    """The palette provider, imported only when the palette opens (textual.command is slow)."""
    from .commands import TriageCommands

    return TriageCommands


class TriageApp(App[int]):
    """openclaw-triage's full-screen app."""

    CSS_PATH = "app.tcss"
    TITLE = "openclaw-triage"
    COMMANDS = App.COMMANDS | {_command_provider}
    BINDINGS = [
        Binding("o", "fix_order", "Fix order", id="fix-order"),
        Binding("u", "clear_override", "Clear override", id="clear-override"),
        Binding("z", "undo", "Undo", id="undo"),
        Binding("r", "reload", "Reload", id="reload"),
        Binding("t", "probe", "Probe", id="probe"),
        Binding("p", "paste", "Paste key", id="paste-key"),
        Binding("g", "reload_gateway", "Reload gateway", id="reload-gateway"),
        Binding("e", "export_report", "Report", id="export-report"),
        Binding("a", "approve_pairing", "Approve DM", id="approve-pairing", show=False),
        Binding("x", "unpin_chat", "Unpin chat", id="unpin-chat", show=False),
        Binding("X", "unpin_profile_chats", "Unpin every chat on its profile", id="unpin-profile-chats", show=False),
        Binding("1", "show_tab('profiles')", "Auth profiles tab", id="tab-profiles", show=False),
        Binding("2", "show_tab('chats')", "Chats tab", id="tab-chats", show=False),
        Binding("3", "show_tab('channels')", "Gateway and channels tab", id="tab-channels", show=False),
        Binding("question_mark,f1", "help", "Help", id="help", key_display="?"),
        Binding("q", "quit", "Quit", id="quit"),
    ]

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
        self.snapshot = snapshot or load(self.options, env=env, now_ms=now_ms)
        self.demo_home = demo_home
        self.background = background  # tests turn off the Node/gateway look-ups
        self.read_clipboard = read_clipboard  # None: the system clipboard (pyperclip)
        self.write_clipboard = write_clipboard  # None: pyperclip, else the terminal's (OSC 52)
        self.busy: str | None = None
        self.probe_results: list[Any] = []
        self.runtime: Any = None  # the last full `runtime.collect` (gateway, service env, log, Discord)

    # --- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="⚕")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                with Horizontal(id="top"):
                    yield VersionPane(id="version")
                    yield ConfigPane(id="config")
                with TabbedContent(id="middle", initial=TABS["profiles"]):
                    with TabPane("Auth profiles", id=TABS["profiles"]):
                        yield ProfilesTable(id="profiles")
                    # The hidden tabs are filled just after the first frame (`_fill_hidden_tabs`).
                    yield TabPane("Chats", id=TABS["chats"])
                    yield TabPane("Gateway & channels", id=TABS["channels"])
                with Horizontal(id="bottom"):
                    yield OrderPane(id="order")
                    yield ProbePane(id="probe")
            with Vertical(id="right"):
                yield FindingsList(id="findings")
                yield FindingDetail(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.call_after_refresh(self._fill_hidden_tabs)
        self._load_keymap()
        self.apply_snapshot(self.snapshot)
        self.query_one(FindingsList).focus()
        if self.background:
            self.look_up_node()
            self.check_gateway()
        if not self.snapshot.found and self.demo_home is None:
            from .screens.dialogs import NotFoundScreen

            self.push_screen(NotFoundScreen(self._looked_in()), self._after_not_found)

    async def _fill_hidden_tabs(self) -> None:
        """Mount the Chats and Gateway tabs after the first frame: the app shows up sooner.
        Each fills itself from `self.snapshot` when mounted."""
        await self.query_one(f"#{TABS['chats']}", TabPane).mount(SessionsTable(id="sessions"))
        await self.query_one(f"#{TABS['channels']}", TabPane).mount(
            VerticalScroll(ChannelsPane(id="channels"), id="channels-scroll")
        )

    def _load_keymap(self) -> None:
        path = keymap_path()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            self.notify(f"Ignoring {path}: {exc}", severity="warning")
            return
        if isinstance(data, dict):
            self.set_keymap({str(k): str(v) for k, v in data.items()})

    def _looked_in(self) -> list[str]:
        install = self.snapshot.install
        return [f"state dir {install.state_dir} ({install.state_dir_origin})", f"config {install.config.path}"]

    def _after_not_found(self, choice: str | None) -> None:
        if choice == "demo":
            self.open_demo()
        else:
            self.exit(3)

    def open_demo(self) -> None:
        from ..demo import make_demo

        home = make_demo()
        self.demo_home = home
        self.options = Options(state_dir=str(home / ".openclaw"), openclaw="none")
        self.env = {**(self.env or dict(os.environ)), "HOME": str(home)}
        self.apply_snapshot(load(self.options, env=self.env, now_ms=self.now_ms))
        self.notify(f"Demo install in {home} (fake keys). Try o, z, u.", title="Demo")

    # --- showing a snapshot -----------------------------------------------------------

    def apply_snapshot(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        diag = snapshot.diagnosis
        install = diag.install
        version = install.cli.version or "unknown version"
        self.sub_title = f"OpenClaw {version} · {install.era.label} · agent {diag.agent.agent_id}" + (
            " · DEMO" if self.demo_home else ""
        )
        for pane in (VersionPane, ConfigPane, OrderPane, ProbePane):
            self.query_one(pane).show(snapshot)
        for channels in self.query(ChannelsPane):  # none yet before the lazy tabs mount
            channels.show(snapshot)
        for sessions in self.query(SessionsTable):
            sessions.show(snapshot)
        self.query_one(ProfilesTable).show(snapshot)
        self.query_one(FindingsList).show(snapshot)
        self._label_tabs(snapshot)

    def _label_tabs(self, snapshot: Snapshot) -> None:
        """Tab labels carry counts and a mark when a finding concerns what the tab shows."""
        diag = snapshot.diagnosis
        worst: dict[str, str] = {}
        for finding in diag.findings:
            tab = "chats" if finding.code.startswith("session.") else None
            if finding.code.startswith(("gateway.", "discord.", "env.", "agent.")):
                tab = "channels"
            if tab and finding.severity.value != "info" and worst.get(tab) != "error":
                worst[tab] = finding.severity.value
        mark = {"error": " ✖", "warning": " !"}
        pinned = sum(1 for s in snapshot.sessions if s.pin is not None)
        labels = {
            "profiles": f"Auth profiles ({len(diag.profiles)})",
            "chats": f"Chats ({len(snapshot.sessions)}{f', {pinned} pinned' if pinned else ''})"
            + mark.get(worst.get("chats", ""), ""),
            "channels": f"Gateway & channels{mark.get(worst.get('channels', ''), '')}",
        }
        tabs = self.query_one(TabbedContent)
        for name, label in labels.items():
            tabs.get_tab(TABS[name]).label = label

    def action_show_tab(self, name: str) -> None:
        self.query_one(TabbedContent).active = TABS[name]
        target = {"profiles": "#profiles", "chats": "#sessions", "channels": "#channels-scroll"}[name]
        widgets = self.query(target)
        if widgets:
            widgets.first().focus()
        else:  # pressed in the instant before the hidden tabs are filled
            self.call_after_refresh(lambda: [w.focus() for w in self.query(target)])

    def on_findings_list_selected(self, message: FindingsList.Selected) -> None:
        self.query_one(FindingDetail).explain(message.finding)

    # --- background look-ups ----------------------------------------------------------

    @work(thread=True, exclusive=True, group="node")
    def look_up_node(self) -> None:
        node = _node_for(self.snapshot.install.cli.path)
        version = "not found"
        if node is not None:
            try:
                out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=5, check=False)
                version = f"{out.stdout.strip() or 'unknown'} ({node})"
            except (OSError, subprocess.SubprocessError):
                version = f"unknown ({node})"
        self.call_from_thread(self._set_node, version)

    def _set_node(self, version: str) -> None:
        pane = self.query_one(VersionPane)
        pane.node_version = version
        pane.show(self.snapshot)

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
        self.call_from_thread(self._set_runtime, runtime)

    def _set_runtime(self, runtime: Any) -> None:
        self.runtime = runtime
        version = self.query_one(VersionPane)
        version.gateway_status = gateway_line(runtime)
        version.show(self.snapshot)
        for channels in self.query(ChannelsPane):
            channels.show(self.snapshot)

    @work(thread=True, exclusive=True, group="reload")
    def reload_worker(self, note: str | None = None, then_provider: str | None = None) -> None:
        snapshot = load(self.options, env=self.env, now_ms=self.now_ms, probe=self.probe_results)
        self.call_from_thread(self._reloaded, snapshot, note, then_provider)

    def _reloaded(self, snapshot: Snapshot, note: str | None, then_provider: str | None = None) -> None:
        self.apply_snapshot(snapshot)
        if note:
            self.notify(note, title="Reloaded")
        if then_provider:
            self._chats_left_behind(snapshot, then_provider)

    # --- actions ----------------------------------------------------------------------

    def action_reload(self) -> None:
        self.reload_worker("Read again from disk.")
        if self.background:
            self.check_gateway()

    def action_help(self) -> None:
        from .screens.dialogs import HelpScreen

        self.push_screen(HelpScreen(self._key_table(), str(keymap_path())))

    def _key_table(self) -> Iterable[tuple[str, str, str]]:
        keymap = self._keymap if hasattr(self, "_keymap") else {}
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.id:
                key = keymap.get(binding.id, binding.key_display or binding.key)
                yield key, binding.description, binding.id
        yield "ctrl+p", "Command palette", "command-palette"

    def order_fix(self) -> tuple[Action, str] | None:
        """What `o` does now: the selected finding's order fix, any order fix, or pin the selected profile."""
        diag = self.snapshot.diagnosis
        table = self.query_one(ProfilesTable)
        selected_profile = table.selected_profile
        if self.focused is not table:
            current = self.query_one(FindingsList).current
            candidates = [current] if current is not None and current.action is not None else []
            candidates += [f for f in diag.findings if f.action is not None and f.action.kind == "order.set"]
            for finding in candidates:
                if finding.action is not None and finding.action.kind == "order.set":
                    return finding.action, f"fixes {finding.code}"
        if selected_profile is None:
            return None
        report = diag.report(selected_profile)
        if report is None:
            return None
        provider = normalize_provider(report.profile.provider, diag.install.era)
        result = diag.orders.get(provider)
        current_order = list(result.effective) if result else []
        ids = (selected_profile, *[pid for pid in current_order if pid != selected_profile])
        return Action("order.set", provider, ids), f"pins {selected_profile} first"

    def action_fix_order(self) -> None:
        fix = self.order_fix()
        if fix is None:
            self.notify("Nothing to fix in the order. Select a profile to pin it first.", severity="warning")
            return
        action, why = fix
        self.run_write(
            "order",
            lambda w, progress: w.set_order(
                self.snapshot.install,
                action.provider,
                list(action.profile_ids),
                agent=self._agent_arg(),
                progress=progress,
            ),
            why,
        )

    def action_clear_override(self) -> None:
        diag = self.snapshot.diagnosis
        stored = [p for p, r in diag.orders.items() if r.stored is not None]
        if not stored:
            self.notify("There is no stored order override to clear.", severity="information")
            return
        provider = stored[0]
        self.run_write(
            "clear",
            lambda w, progress: w.clear_order(
                self.snapshot.install, provider, agent=self._agent_arg(), progress=progress
            ),
            f"clears the {provider} override",
        )

    def action_undo(self) -> None:
        install = self.snapshot.install
        self.run_write(
            "undo",
            lambda w, progress: w.undo(progress=progress, install=install, agent=self._agent_arg()),
            "undoes the last change",
        )

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
        results = await probe_profiles(self.snapshot.diagnosis, deep=deep, on_result=pane.add_result)
        self.probe_results = results
        bad = sum(1 for r in results if not r.ok and r.sent)
        self.notify(
            f"{len(results) - bad} of {len(results)} profile(s) accepted."
            if bad
            else "Anthropic accepted every key probed.",
            title="Probe done",
            severity="warning" if bad else "information",
        )
        self.reload_worker()

    def action_paste(self) -> None:
        from .screens.paste import PasteScreen

        table = self.query_one(ProfilesTable)
        selected = table.selected_profile
        report = self.snapshot.diagnosis.report(selected) if selected else None
        provider = normalize_provider(report.profile.provider, self.snapshot.install.era) if report else "anthropic"
        self.push_screen(
            PasteScreen(
                self.snapshot,
                provider=provider,
                target=selected,
                agent=self._agent_arg(),
                read_clipboard=self.read_clipboard,
            ),
            self._after_paste,
        )

    def _after_paste(self, saved: Any) -> None:
        if saved is None:
            return
        change = saved.change
        notes = "\n".join(getattr(change, "notes", []) or [])
        self.notify(
            f"{change.summary} Press z to undo.\n{notes}\nA chat that still fails keeps its own profile: type /reset (or /new) in it.",
            title="Key saved",
            timeout=12,
        )
        self.after_paste_worker(saved)

    @work(thread=True, exclusive=True, group="reload")
    def after_paste_worker(self, saved: Any) -> None:
        snapshot = load(self.options, env=self.env, now_ms=self.now_ms)
        self.call_from_thread(self._after_paste_reloaded, snapshot, saved)

    def _after_paste_reloaded(self, snapshot: Snapshot, saved: Any) -> None:
        self.apply_snapshot(snapshot)
        result = snapshot.diagnosis.orders.get(saved.provider)
        if result is None or result.next == saved.profile_id:
            return
        ids = (saved.profile_id, *[pid for pid in result.effective if pid != saved.profile_id])
        first = result.next or "nothing"
        confirm(
            self,
            f"OpenClaw still tries {first} first for {saved.provider}. Pin {saved.profile_id} first? (z undoes it)",
            lambda yes: (
                self.run_write(
                    "order",
                    lambda w, progress: w.set_order(
                        self.snapshot.install, saved.provider, list(ids), agent=self._agent_arg(), progress=progress
                    ),
                    f"pins {saved.profile_id} first",
                )
                if yes
                else None
            ),
        )

    # --- gateway, Discord, report ----------------------------------------------------

    def scrub(self, text: str) -> str:
        """Text from outside (an exception, a CLI) with every secret of the install masked."""
        from ..scrub import Scrubber, known_secrets

        install = self.snapshot.install
        return Scrubber(known_secrets(install), era=install.era)(text)

    def _current_runtime(self) -> Any:
        return self.runtime or self.snapshot.diagnosis.runtime

    def action_reload_gateway(self) -> None:
        install = self.snapshot.install
        runtime = self._current_runtime()
        gateway = runtime.gateway if runtime is not None else None
        if gateway is not None and gateway.mode == "local" and not gateway.running:
            self.notify(
                "No gateway is running here: the next start loads the keys as they are now.",
                title="Nothing to reload",
            )
            return
        from ..write.live import reload_secrets

        self.run_action_worker(
            "reloads the gateway's keys", lambda progress: reload_secrets(install, progress=progress)
        )

    def action_approve_pairing(self) -> None:
        code, who = self._pairing_to_approve()
        if code is None:
            self.notify(who, title="Discord", severity="warning")
            return
        install = self.snapshot.install

        def approve(yes: bool) -> None:
            if yes:
                from ..write.live import approve_pairing

                self.run_action_worker(
                    f"approves Discord pairing {code}",
                    lambda progress: approve_pairing(install, code, progress=progress),
                )

        confirm(
            self, f"Approve the Discord DM pairing {code} from {who}? They can then talk to the bot in DMs.", approve
        )

    def _pairing_to_approve(self) -> tuple[str | None, str]:
        """The selected finding's pairing code, else the oldest request still waiting."""
        current = self.query_one(FindingsList).current
        runtime = self._current_runtime()
        discord = runtime.discord if runtime is not None else None
        pending = list(discord.pending) if discord is not None else []
        if current is not None and current.action is not None and current.action.kind == "pairing.approve":
            code = current.action.profile_ids[0]
            request = next((r for r in pending if r.code == code), None)
            return code, (request.name or request.tag or request.user_id) if request else "this user"
        if not pending:
            return None, "No Discord pairing request is waiting (a user gets a code when they DM the bot)."
        request = pending[0]
        return request.code, request.name or request.tag or request.user_id

    def action_export_report(self) -> None:
        try:
            folder = Path.cwd()
        except OSError:  # the folder the app was started in was deleted since
            self.notify(
                "Could not write the report: the current folder no longer exists. Start the app from another one, "
                "or run `openclaw-triage report -o FILE`.",
                title="No report",
                severity="error",
            )
            return
        self.report_worker(folder)

    @work(thread=True, exclusive=True, group="report")
    def report_worker(self, folder: Path | None) -> None:
        """Render the report (a full gateway look-up may take a moment), then write it into `folder`,
        or, with no folder, copy it."""
        from ..output.report import default_report_name, render_report, write_report

        try:
            text = render_report(
                self.snapshot.diagnosis, probe_results=self.probe_results, runtime=self._current_runtime()
            )
        except Exception as exc:  # never take the app down for a report (and never show a key-shaped string)
            message = self.scrub(f"Could not make the report: {exc}")
            self.call_from_thread(self.notify, message, title="No report", severity="error")
            return
        if folder is None:
            self.call_from_thread(self.copy_report_text, text)
            return
        try:
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

    def action_copy_report(self) -> None:
        self.report_worker(None)

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

    def run_action_worker(self, why: str, operation: Callable[[Callable[[str], None]], Any]) -> None:
        """Run an `openclaw_triage.write.live` call (the OpenClaw CLI: seconds) off the UI thread."""
        if self.busy:
            self.notify(f"Still busy: {self.busy}", severity="warning")
            return
        self.busy = why
        self.notify(f"Working: {why}…", title="OpenClaw CLI", timeout=3)
        self.action_worker(operation)

    @work(thread=True, exclusive=True, group="write")
    def action_worker(self, operation: Callable[[Callable[[str], None]], Any]) -> None:
        def progress(text: str) -> None:
            self.call_from_thread(self.notify, text, title="Working…", timeout=3)

        try:
            result = operation(progress)
        except Exception as exc:  # never crash the UI; ActionResult carries the expected failures
            self.call_from_thread(self._write_failed, self.scrub(str(exc)) or type(exc).__name__)
            return
        self.call_from_thread(self._action_done, result)

    def _action_done(self, result: Any) -> None:
        self.busy = None
        if result.ok:
            self.notify(result.message, title=f"Done: {result.action}", timeout=8)
        else:
            self.notify(result.message, title=f"Failed: {result.action}", severity="error", timeout=12)
        self.reload_worker()
        if self.background:
            self.check_gateway()

    # --- chats ------------------------------------------------------------------------

    def _selected_chat(self) -> Any:
        """The chat `x` acts on: the selected row of the Chats tab, else the selected finding's chat."""
        tabs = self.query_one(TabbedContent)
        tables = self.query(SessionsTable)
        if tabs.active == TABS["chats"] and tables:
            key = tables.first().selected_key
        else:
            current = self.query_one(FindingsList).current
            key = current.details.get("session") if current is not None else None
        return next((s for s in self.snapshot.sessions if s.key == key), None)

    def action_unpin_chat(self) -> None:
        session = self._selected_chat()
        if session is None:
            self.action_show_tab("chats")
            self.notify("Select a chat in the Chats tab, then press x.", title="Unpin")
            return
        if session.pin is None:
            self.notify(f"{session.label} is not pinned: it follows the order.", title="Unpin")
            return
        key = session.key
        self.run_write(
            "unpin",
            lambda w, progress: w.unpin(
                self.snapshot.install, session_key=key, agent=self._agent_arg(), progress=progress
            ),
            f"unpins {session.label} from {session.pin.profile_id}",
        )

    def action_unpin_profile_chats(self) -> None:
        session = self._selected_chat()
        profile = session.pin.profile_id if session is not None and session.pin is not None else None
        if profile is None:
            self.action_show_tab("chats")
            self.notify("Select a pinned chat in the Chats tab, then press X.", title="Unpin")
            return
        count = self.snapshot.pinned.get(profile)
        many = count.total if count is not None else 1

        def unpin(yes: bool) -> None:
            if yes:
                self.run_write(
                    "unpin",
                    lambda w, progress: w.unpin(
                        self.snapshot.install, profile_id=profile, agent=self._agent_arg(), progress=progress
                    ),
                    f"unpins {many} chat(s) from {profile}",
                )

        confirm(
            self,
            f"Unpin all {many} chat(s) pinned to {profile}? Their next turn follows the order (z undoes it).",
            unpin,
        )

    def _chats_left_behind(self, snapshot: Snapshot, provider: str) -> None:
        """After an order change: say how many chats it does not reach, and offer to unpin them."""
        from ..diagnose.pins import order_reach

        diag = snapshot.diagnosis
        result = diag.orders.get(provider)
        if result is None or not snapshot.sessions:
            return
        profiles = {r.profile.id: r.profile for r in diag.profiles}
        reach = order_reach(
            snapshot.stores,
            era=diag.install.era,
            agent=diag.agent.agent_id,
            provider=provider,
            new_order=list(result.effective),
            profiles=profiles,
        )
        behind = [*reach.kept, *reach.lagging]
        if not behind:
            return
        names = ", ".join(s.label for s in behind[:3]) + (" …" if len(behind) > 3 else "")
        parts = []
        if reach.kept:
            parts.append(f"{len(reach.kept)} pinned in the chat (they stay until unpinned)")
        if reach.lagging:
            parts.append(f"{len(reach.lagging)} pinned automatically (they move at their next reset or compaction)")
        told = f"This order change does not reach {len(behind)} chat(s) ({names}) yet: {'; '.join(parts)}."
        if diag.install.era is Era.SQLITE:
            self.notify(
                f"{told} OpenClaw 2026.9 lets only the chat itself change its pin: /model provider/model@"
                f"{result.next or 'profile'} in each (the Chats tab, 2, lists them).",
                title="Chats not reached",
                severity="warning",
                timeout=15,
            )
            return
        keys = [s.key for s in behind]
        confirm(
            self,
            f"{told} Unpin them so their next turn follows the new order? (z undoes it)",
            lambda yes: (
                self.run_write(
                    "unpin",
                    lambda w, progress: w.unpin(
                        self.snapshot.install, session_key=keys, agent=self._agent_arg(), progress=progress
                    ),
                    f"unpins {len(keys)} chat(s)",
                )
                if yes
                else None
            ),
        )

    def _agent_arg(self) -> str | None:
        diag = self.snapshot.diagnosis
        return None if diag.agent.agent_id == diag.install.default_agent_id else diag.agent.agent_id

    # --- writing --------------------------------------------------------------------------

    def run_write(self, kind: str, operation: Callable[[Any, Callable[[str], None]], Any], why: str) -> None:
        if self.busy:
            self.notify(f"Still busy: {self.busy}", severity="warning")
            return
        self.busy = why
        self.write_worker(kind, operation, why)

    @work(thread=True, exclusive=True, group="write")
    def write_worker(self, kind: str, operation: Callable[[Any, Callable[[str], None]], Any], why: str) -> None:
        def progress(text: str) -> None:
            self.call_from_thread(self.notify, text, title="Working…", timeout=3)

        from .. import write
        from ..write.errors import Conflict

        try:
            change = operation(write, progress)
        except Conflict as exc:
            if kind == "undo":  # changed since our write: the CLI's --force, as a question
                self.call_from_thread(self._offer_forced_undo, str(exc))
            else:
                self.call_from_thread(self._write_failed, str(exc))
            return
        except Exception as exc:  # a WriteError, or any failure: say it, never crash the UI
            self.call_from_thread(self._write_failed, self.scrub(str(exc)) or type(exc).__name__)
            return
        self.call_from_thread(self._write_done, kind, change)

    def _offer_forced_undo(self, message: str) -> None:
        self.busy = None
        install = self.snapshot.install

        def force(yes: bool) -> None:
            if yes:
                self.run_write(
                    "undo",
                    lambda w, progress: w.undo(force=True, progress=progress, install=install, agent=self._agent_arg()),
                    "undoes the last change (forced)",
                )

        confirm(
            self,
            f"{message}\n\nUndo anyway? What changed since is overwritten (on 2026.3 a backup of it is kept).",
            force,
        )

    def _write_failed(self, message: str) -> None:
        self.busy = None
        self.notify(message, title="Nothing was changed", severity="error", timeout=10)

    def _write_done(self, kind: str, change: Any) -> None:
        self.busy = None
        summary = getattr(change, "summary", str(change))
        notes = getattr(change, "notes", []) or []
        tail = "" if kind == "undo" else " Press z to undo."
        extra = ("\n" + "\n".join(notes)) if notes else ""
        self.notify(f"{summary}{tail}{extra}", title="Undone" if kind == "undo" else "Changed", timeout=8)
        provider = getattr(change, "provider", None) if kind in ("order", "clear") else None
        self.reload_worker(then_provider=provider)

    # --- safety -----------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help: keys and panes", "Every key, and where to remap them", self.action_help)

    def _fatal_error(self) -> None:
        """Textual's crash report prints local variables, which may hold secrets: not ours."""
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        traceback = Traceback(show_locals=False, width=None)
        self._exit_renderables.append(Segments(self.console.render(traceback, self.console.options)))
        self._close_messages_no_wait()


def _node_for(cli: str | None) -> str | None:
    """The Node that runs this `openclaw`: named in its launcher script, else on PATH."""
    if cli:
        try:
            with open(os.path.realpath(cli), "rb") as fh:
                head = fh.read(4096).decode("utf-8", "replace")
        except OSError:
            head = ""
        match = re.search(r"""(/[^\s"'`]*/node)(?=["'\s])""", head)
        if match and os.access(match.group(1), os.X_OK):
            return match.group(1)
    return shutil.which("node")


def run(options: Options, *, demo: str | None = None) -> int:
    """Open the app (on a fresh demo copy of the era `demo` names, if given)."""
    env = dict(os.environ)
    demo_home = None
    if demo:
        from ..demo import make_demo

        demo_home = make_demo(era=demo)
        # The JSON demo never needs the CLI; the SQLite one writes only through a 2026.9 CLI the user names.
        cli = options.openclaw if demo == "2026.9" and options.openclaw else "none"
        options = Options(state_dir=str(demo_home / ".openclaw"), openclaw=cli)
        env["HOME"] = str(demo_home)
    app = TriageApp(options, env=env, demo_home=demo_home)
    result = app.run()
    if demo_home is not None:
        print(f"The demo install is kept in {demo_home} (delete it when done).")
    return int(result or 0)


def confirm(app: App[Any], question: str, then: Callable[[bool], None]) -> None:
    """Ask a yes/no question on top of the current screen."""
    from .screens.dialogs import ConfirmScreen

    app.push_screen(ConfirmScreen(question), lambda answer: then(bool(answer)))
