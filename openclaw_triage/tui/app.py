"""The Textual app: five panes and findings on one screen, every fix one key away.

All reading is done by the domain (`openclaw_triage.inspect`/`diagnose`); all writing by
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
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header

from ..findings import Action
from ..locate import Options
from .findings import FindingDetail, FindingsList
from .panes import ConfigPane, OrderPane, ProbePane, VersionPane
from .profiles import ProfilesTable
from .state import Snapshot, load

KEYMAP_ENV = "OPENCLAW_TRIAGE_CONFIG_DIR"


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
    ) -> None:
        super().__init__()
        self.options = options or Options()
        self.env = env
        self.now_ms = now_ms
        self.snapshot = snapshot or load(self.options, env=env, now_ms=now_ms)
        self.demo_home = demo_home
        self.background = background  # tests turn off the Node/gateway look-ups
        self.read_clipboard = read_clipboard  # None: the system clipboard (pyperclip)
        self.busy: str | None = None
        self.probe_results: list[Any] = []

    # --- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="⚕")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                with Horizontal(id="top"):
                    yield VersionPane(id="version")
                    yield ConfigPane(id="config")
                yield ProfilesTable(id="profiles")
                with Horizontal(id="bottom"):
                    yield OrderPane(id="order")
                    yield ProbePane(id="probe")
            with Vertical(id="right"):
                yield FindingsList(id="findings")
                yield FindingDetail(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self._load_keymap()
        self.apply_snapshot(self.snapshot)
        self.query_one(FindingsList).focus()
        if self.background:
            self.look_up_node()
            self.check_gateway()
        if not self.snapshot.found and self.demo_home is None:
            from .screens import NotFoundScreen

            self.push_screen(NotFoundScreen(self._looked_in()), self._after_not_found)

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
        self.query_one(ProfilesTable).show(snapshot)
        self.query_one(FindingsList).show(snapshot)

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
        status = _gateway_status(self.snapshot)
        self.call_from_thread(self._set_gateway, status)

    def _set_gateway(self, status: str) -> None:
        pane = self.query_one(VersionPane)
        pane.gateway_status = status
        pane.show(self.snapshot)

    @work(thread=True, exclusive=True, group="reload")
    def reload_worker(self, note: str | None = None) -> None:
        snapshot = load(self.options, env=self.env, now_ms=self.now_ms, probe=self.probe_results)
        self.call_from_thread(self._reloaded, snapshot, note)

    def _reloaded(self, snapshot: Snapshot, note: str | None) -> None:
        self.apply_snapshot(snapshot)
        if note:
            self.notify(note, title="Reloaded")

    # --- actions ----------------------------------------------------------------------

    def action_reload(self) -> None:
        self.reload_worker("Read again from disk.")
        if self.background:
            self.check_gateway()

    def action_help(self) -> None:
        from .screens import HelpScreen

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
        provider = report.profile.provider.strip().lower()
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
        self.run_write("undo", lambda w, progress: w.undo(progress=progress), "undoes the last change")

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
        from .paste import PasteScreen

        table = self.query_one(ProfilesTable)
        selected = table.selected_profile
        report = self.snapshot.diagnosis.report(selected) if selected else None
        provider = report.profile.provider.strip().lower() if report else "anthropic"
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

        try:
            from .. import write

            change = operation(write, progress)
        except ImportError:
            self.call_from_thread(self._write_failed, "Writing is not available in this version.")
            return
        except Exception as exc:  # a WriteError, or any failure: say it, never crash the UI
            self.call_from_thread(self._write_failed, str(exc) or type(exc).__name__)
            return
        self.call_from_thread(self._write_done, kind, change)

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
        self.reload_worker()

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


def _gateway_status(snapshot: Snapshot) -> str:
    """Does a gateway answer `/health` on loopback at the configured port?"""
    from ..config import get_path

    install = snapshot.install
    gateway = get_path(install.config.data, "gateway", {}) or {}
    if not isinstance(gateway, dict):
        gateway = {}
    if gateway.get("mode") == "remote":
        return "remote: fixes must be made on the gateway host"
    port = install.seen_env.get("OPENCLAW_GATEWAY_PORT") or gateway.get("port") or 18789
    try:
        import httpx

        response = httpx.get(f"http://127.0.0.1:{int(port)}/health", timeout=1.0, trust_env=False)
    except (ValueError, TypeError):
        return f"port {port!r} is not a number"
    except Exception:
        return "not answering on loopback (not running?)"
    if response.status_code == 200:
        return "answering on loopback (running)"
    return f"port {port} answers HTTP {response.status_code} (another program?)"


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
    from .screens import ConfirmScreen

    app.push_screen(ConfirmScreen(question), lambda answer: then(bool(answer)))
