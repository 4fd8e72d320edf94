"""The read-only panes: version, config, order override, live probe.

Each pane is a `Static` that renders one part of a `Snapshot` as Rich text. They only show
what the domain computed; colours come from the app theme so every theme stays readable.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widget import Widget
from textual.widgets import Static

from ...diagnose.checks.config import ANTHROPIC_HOST
from ...diagnose.result import Diagnosis
from ...findings import Severity
from ...openclaw.config import fallback_models, get_path, model_primary, model_setting
from ...openclaw.locate import agent_settings, shorten_home
from ..state import Snapshot
from .text import safe_cell

if TYPE_CHECKING:
    from ...runtime.collect import Runtime


def colors(widget: Widget) -> dict[str, str]:
    """Semantic colours from the current theme."""
    theme = widget.app.current_theme
    return {
        "error": theme.error or "red",
        "warning": theme.warning or "yellow",
        "ok": theme.success or "green",
        "accent": theme.accent or "cyan",
    }


def info_grid() -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(style="dim", no_wrap=True)
    table.add_column(overflow="fold")
    return table


def info_row(table: Table, label: str | Text, value: object) -> None:
    """Add a row; plain strings become `Text`, never markup (paths and ids may hold brackets),
    and no cell passes a control character to the terminal."""
    cells = [safe_cell(v) for v in (label, value)]
    table.add_row(*cells)


def _as_dict(value: object) -> dict[str, Any]:
    """A config value that should be an object; anything else shows as empty, never crashes."""
    return value if isinstance(value, dict) else {}


def _home(diag: Diagnosis, path: object) -> str:
    return shorten_home(str(path), diag.install.home, diag.install.seen_env)


def subjects_with(diag: Diagnosis, *prefixes: str) -> dict[str, Severity]:
    """The worst severity per subject among findings whose code starts with a prefix."""
    worst: dict[str, Severity] = {}
    for f in diag.findings:
        if f.code.startswith(prefixes) and (f.subject not in worst or f.severity.rank < worst[f.subject].rank):
            worst[f.subject] = f.severity
    return worst


class Pane(Static):
    """A bordered pane that draws the app's snapshot: once mounted, and again whenever it changes."""

    BORDER_TITLE = ""

    def on_mount(self) -> None:
        self.border_title = self.BORDER_TITLE
        self.watch(self.app, "snapshot", self.show)

    def show(self, snapshot: Snapshot) -> None:
        self.shown = self.render_snapshot(snapshot)
        self.update(self.shown)

    def plain_text(self, width: int = 100) -> str:
        """What the pane shows, as plain text (for tests and the report)."""
        from rich.console import Console

        console = Console(width=width, record=True, color_system=None, file=io.StringIO())
        console.print(getattr(self, "shown", ""))
        return console.export_text()

    def render_snapshot(self, snapshot: Snapshot) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError


def gateway_line(runtime: Runtime | None) -> str | None:
    """One line on the gateway: is one running here, and does it hold stale keys?"""
    if runtime is None:
        return None
    gateway = runtime.gateway
    if gateway.mode == "remote":
        return "remote: fixes must be made on the gateway host"
    if not gateway.running:
        return "not running"
    pid = f" (pid {gateway.pid})" if gateway.pid else ""
    return f"running{pid} with STALE keys: press g" if gateway.stale else f"running{pid}"


class VersionPane(Pane):
    """OpenClaw version and era, Node, paths, and the gateway as configured."""

    BORDER_TITLE = "Version"

    def render_snapshot(self, snapshot: Snapshot) -> Any:
        diag = snapshot.diagnosis
        install = diag.install
        c = colors(self)
        table = info_grid()
        if install.cli.version:
            commit = f" ({install.cli.commit})" if install.cli.commit else ""
            source = {"package.json": "", "cli": " (--version)", "config": " (config stamp)"}.get(
                install.cli.source, ""
            )
            info_row(table, "OpenClaw", Text(f"{install.cli.version}{commit}{source}", style="bold"))
        else:
            info_row(table, "OpenClaw", Text("version unknown", style=c["warning"]))
        info_row(
            table, "CLI", Text(install.cli.path or "not found on PATH", style="" if install.cli.path else c["warning"])
        )
        info_row(table, "Storage", install.layout.short if install.layout else install.era.short_label)
        info_row(table, "Node", snapshot.node or "…")
        info_row(table, "State dir", f"{_home(diag, install.state_dir)}  [{install.state_dir_origin}]")
        info_row(table, "Config", _home(diag, install.config.path) + ("" if install.config.exists else "  (missing)"))

        def in_state_dir(path: Path) -> str:
            # Relative to the state dir shown above: a long path would be folded mid-name in a pane.
            return (
                str(path.relative_to(install.state_dir))
                if path.is_relative_to(install.state_dir)
                else _home(diag, path)
            )

        for layer in diag.agent.layers:
            store = in_state_dir(Path(layer.location.split("#", 1)[0]))
            info_row(table, f"Store ({layer.layer})", store + ("" if layer.exists else "  (none yet)"))
            if layer.state_location:  # 2026.4.7+: the order and cooldowns live beside the store
                info_row(table, f"Order ({layer.layer})", in_state_dir(Path(layer.state_location)))
        agents = ", ".join(
            a.agent_id + (" *" if a.agent_id == install.default_agent_id else "") for a in install.agents
        )
        info_row(table, "Agents", f"{agents}   (showing {diag.agent.agent_id})")
        runtime = snapshot.runtime
        status = gateway_line(runtime)
        if runtime is not None and status is not None:
            gw = runtime.gateway
            style = c["error"] if gw.stale else (c["ok"] if gw.running else "dim")
            where = f"bind {gw.bind} · port {gw.port}" if gw.mode == "local" else f"{gw.mode} · port {gw.port}"
            info_row(table, "Gateway", Text.assemble(f"{where}\n", (status, style)))
        return table


class ConfigPane(Pane):
    """What openclaw.json says about models, auth and channels; problems in place."""

    BORDER_TITLE = "Config"

    def render_snapshot(self, snapshot: Snapshot) -> Any:
        diag = snapshot.diagnosis
        data = diag.install.config.data
        c = colors(self)
        table = info_grid()
        if diag.install.config.error:
            info_row(table, "Error", Text(diag.install.config.error, style=f"bold {c['error']}"))
            return table
        model = model_setting(data, diag.install.era, diag.agent.agent_id)  # the agent's own, else the default
        primary = model_primary(model)
        if primary is None:
            shown: str | Text = Text(f"(OpenClaw default: {diag.default_model})", style="dim")
        elif primary != diag.default_model:  # an alias or a bare name: say what OpenClaw makes of it
            shown = Text.assemble(primary, (f" → {diag.default_model}", "dim"))
        else:
            shown = primary
        own = model_primary(agent_settings(data, diag.install.era, diag.agent.agent_id).get("model"))
        info_row(table, f"Model ({diag.agent.agent_id})" if own else "Default model", shown)
        fallbacks = fallback_models(data, diag.install.era, diag.agent.agent_id)
        info_row(table, "Fallbacks", ", ".join(fallbacks) if fallbacks else "-")
        aliases = _as_dict(get_path(data, "agents.defaults.models"))
        alias_text = ", ".join(
            f"{v['alias']} → {k}" for k, v in aliases.items() if isinstance(v, dict) and isinstance(v.get("alias"), str)
        )
        info_row(table, "Aliases", alias_text or "-")
        profiles = _as_dict(get_path(data, "auth.profiles"))
        info_row(
            table,
            "auth.profiles",
            ", ".join(f"{pid} ({p.get('mode', '?')})" for pid, p in profiles.items() if isinstance(p, dict)) or "-",
        )
        order = _as_dict(get_path(data, "auth.order"))
        info_row(
            table,
            "auth.order",
            "; ".join(f"{prov}: {', '.join(map(str, ids))}" for prov, ids in order.items() if isinstance(ids, list))
            or "-",
        )
        flagged = subjects_with(diag, "config.")
        providers = _as_dict(get_path(data, "models.providers"))
        for name, entry in providers.items():
            if not isinstance(entry, dict):
                continue
            base = entry.get("baseUrl")
            text = Text(f"baseUrl {base}" if base else "baseUrl (default)")
            where = f"models.providers.{name}.baseUrl"
            if where in flagged:
                text.stylize(c["error"] if flagged[where] is Severity.ERROR else c["warning"])
                if name == "anthropic" and base:
                    text.append(f"  ≠ {ANTHROPIC_HOST}", style="italic")
            api_key = entry.get("apiKey")
            if api_key is not None:
                text.append("\napiKey " + ("(SecretRef)" if isinstance(api_key, dict) else "(set in config)"))
            info_row(table, f"provider {name}", text)
        shell = get_path(data, "env.shellEnv.enabled")
        info_row(table, "env.shellEnv", "on" if shell is True else "off")
        discord = snapshot.runtime.discord if snapshot.runtime is not None else None
        if discord is not None and discord.configured:
            state = "enabled" if discord.enabled else "disabled"
            account = discord.accounts[0] if discord.accounts else None
            token = "token set" if account is not None and account.token_masked else "no token"
            policy = account.dm_policy if account is not None else "pairing"
            info_row(table, "Discord", f"{state} · {token} · dmPolicy {policy}")
        missing = [f"${{{var}}} at {where}" for var, where in diag.install.config.missing_env]
        if missing:
            info_row(table, "Unset vars", Text("\n".join(missing), style=c["warning"]))
        return table


class OrderPane(Pane):
    """The stored override, the config order, and the effective order with reasons."""

    BORDER_TITLE = "Order override"

    def render_snapshot(self, snapshot: Snapshot) -> Any:
        diag = snapshot.diagnosis
        c = colors(self)
        parts: list[Any] = []
        if not diag.orders:
            return Text("No provider in use.", style="dim")
        for provider, result in diag.orders.items():
            table = info_grid()
            stored = ", ".join(result.stored) if result.stored is not None else "(none)"
            origin = f"  [{result.stored_origin}]" if result.stored_origin else ""
            info_row(table, Text(provider, style=f"bold {c['accent']}"), "")
            info_row(table, "Stored override", stored + origin)
            info_row(
                table, "Config order", ", ".join(result.config_order) if result.config_order is not None else "(none)"
            )
            effective = Text()
            for i, pid in enumerate(result.effective):
                report = diag.view(pid)
                style = c["error"] if report is not None and report.broken else ""
                effective.append(f"{i + 1}. {pid}", style=style)
                reason = result.reasons.get(pid)
                if reason:
                    effective.append(f"  ({reason})", style="dim")
                effective.append("\n")
            for pid, verdict in result.excluded.items():
                effective.append(f"✗ {pid}: {verdict.text}\n", style="dim")
            for pid in result.not_in_order:
                if pid not in result.excluded:
                    effective.append(f"✗ {pid}: not in the order\n", style="dim")
            info_row(table, "Effective", effective if effective.plain else Text("nothing usable", style=c["error"]))
            nxt = result.next
            info_row(
                table,
                "Next request",
                Text(nxt, style="bold")
                if nxt
                else Text(result.env_fallback or "fails: no usable profile", style=c["error"]),
            )
            parts.append(table)
        return Group(*parts)


SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class ProbePane(Pane):
    """Live API probe results, streamed in per profile; before a probe it says how to run one
    (never a fake result)."""

    BORDER_TITLE = "Live API probe"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pending: dict[str, str] = {}  # profile id -> host, while its request runs
        self.results: dict[str, Any] = {}  # profile id -> ProbeResult
        self.deep = False
        self._frame = 0
        self._snapshot: Snapshot | None = None

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(0.1, self._spin, pause=False)

    def _spin(self) -> None:
        if self.pending and self._snapshot is not None:
            self._frame = (self._frame + 1) % len(SPINNER)
            self.show(self._snapshot)

    def show(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot
        super().show(snapshot)

    def begin(self, profile_hosts: dict[str, str], *, deep: bool) -> None:
        self.pending = dict(profile_hosts)
        self.results = {}
        self.deep = deep
        self.border_subtitle = "deep: models + one 1-token message" if deep else "free: GET /v1/models"
        if self._snapshot is not None:
            self.show(self._snapshot)

    def add_result(self, result: Any) -> None:
        self.pending.pop(result.profile_id, None)
        self.results[result.profile_id] = result
        if self._snapshot is not None:
            self.show(self._snapshot)

    def render_snapshot(self, snapshot: Snapshot) -> Any:
        if not self.pending and not self.results:
            return Text(
                "No probe has run. A probe asks each key's provider whether it is accepted, "
                "with the headers your OpenClaw sends, to the host it uses.\n\n"
                "t: free probe (one free request per key)\nctrl+p → Deep probe: Anthropic keys also send one "
                "1-token message (catches billing)\n"
                "CLI: openclaw-triage probe [--deep]",
                style="dim",
            )
        c = colors(self)
        table = info_grid()
        for report in snapshot.diagnosis.profiles:
            pid = report.profile.id
            if pid in self.pending:
                info_row(table, pid, Text(f"{SPINNER[self._frame]} asking {self.pending[pid]}…", style=c["accent"]))
            elif pid in self.results:
                info_row(table, pid, self._result_text(self.results[pid], c))
        return table

    @staticmethod
    def _result_text(result: Any, c: dict[str, str]) -> Text:
        style = {Severity.ERROR: c["error"], Severity.WARNING: c["warning"], Severity.INFO: c["ok"]}[result.severity]
        text = Text()
        mark = "✓" if result.ok else ("·" if not result.sent else "✗")
        text.append(f"{mark} {result.code.removeprefix('probe.')}", style=f"bold {style}")
        if result.status is not None:
            text.append(f" · HTTP {result.status}")
        if result.latency_ms is not None:
            text.append(f" · {result.latency_ms:.0f} ms")
        text.append(f"\n  {result.host}" + (f" via proxy {result.proxy}" if result.proxy else ""), style="dim")
        if result.org_id:
            text.append(f" · org {result.org_id}", style="dim")
        if result.request_id:
            text.append(f"\n  request-id {result.request_id}", style="dim")
        if result.error_message and not result.ok:
            text.append(f"\n  {result.error_message}")
        elif not result.sent and result.finding is not None:
            text.append(f"\n  {result.finding.message}", style="dim")
        return text


def bullet_lines(items: Iterable[str]) -> Text:
    text = Text()
    for item in items:
        text.append(f"• {item}\n")
    return text
