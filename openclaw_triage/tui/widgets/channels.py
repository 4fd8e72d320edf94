"""Gateway, channels and agents: the last act of the seed thread (a gateway still holding the
old key, then Discord DMs waiting for a pairing approval) on one pane."""

from __future__ import annotations

import time
from typing import Any

from rich.console import Group
from rich.text import Text

from ...openclaw.bindings import routes_to_agent
from ...openclaw.labels import format_remaining_short
from ..state import Snapshot
from .panes import Pane, colors, info_grid, info_row


class ChannelsPane(Pane):
    """The running gateway (is it holding stale keys?), Discord (token, DM policy, pairing
    requests waiting for `a`), and every agent with the channels routed to it."""

    BORDER_TITLE = ""  # the tab names it (and its scroll container draws the border)

    def render_snapshot(self, snapshot: Snapshot) -> Any:
        diag = snapshot.diagnosis
        runtime = snapshot.runtime  # the background look-up's fuller picture once it is ready
        c = colors(self)
        parts: list[Any] = [Text("Gateway", style=f"bold {c['accent']}")]
        gateway = info_grid()
        if runtime is None:
            info_row(gateway, "State", Text("not looked at", style="dim"))
        else:
            gw = runtime.gateway
            where = f"{gw.mode} · bind {gw.bind} · port {gw.port} ({gw.port_origin})"
            info_row(gateway, "Configured", where)
            if gw.mode == "remote":
                info_row(
                    gateway, "State", Text(f"remote {gw.remote_url or ''}: fix keys on that host", style=c["warning"])
                )
            elif gw.running:
                started = (
                    f", started {format_remaining_short(time.time() * 1000 - gw.started_at * 1000)} ago"
                    if gw.started_at
                    else ""
                )
                info_row(gateway, "State", Text(f"running (pid {gw.pid}{started})", style=c["ok"]))
                if gw.stale:
                    changed = ", ".join(sorted({ch.what for ch in gw.changes}))
                    info_row(
                        gateway,
                        "Keys",
                        Text(f"STALE: {changed} changed after it loaded them: press g", style=f"bold {c['error']}"),
                    )
                else:
                    info_row(gateway, "Keys", Text(f"current ({gw.loaded_how or 'loaded at start'})", style="dim"))
            else:
                info_row(
                    gateway,
                    "State",
                    Text(f"not running ({gw.evidence or 'no lock, nothing on the port'})", style="dim"),
                )
            if gw.token_masked:
                info_row(gateway, "Auth", f"{gw.auth_mode or 'token'} {gw.token_masked}")
        parts += [gateway, Text("")]
        parts += self._discord(runtime, c, diag.now_ms)
        parts += [Text(""), Text("Agents", style=f"bold {c['accent']}")]
        agents = info_grid()
        for agent in diag.install.agents:
            routes = routes_to_agent(diag.install.config.data, agent.agent_id)
            profiles = len(agent.effective.profiles)
            mark = " (default)" if agent.agent_id == diag.install.default_agent_id else ""
            text = Text(f"{profiles} profile(s)" + (f" · gets {', '.join(routes)}" if routes else ""))
            if profiles == 0:
                text.stylize(c["error"])
            info_row(agents, agent.agent_id + mark, text)
        parts.append(agents)
        return Group(*parts)

    def _discord(self, runtime: Any, c: dict[str, str], now_ms: float) -> list[Any]:
        title = Text("Discord", style=f"bold {c['accent']}")
        discord = runtime.discord if runtime is not None else None
        if discord is None or not discord.configured:
            return [title, Text("not configured (channels.discord)", style="dim")]
        table = info_grid()
        info_row(table, "Enabled", "yes" if discord.enabled else Text("no", style=c["warning"]))
        for account in discord.accounts:
            label = "Bot" if account.account_id == "default" else f"Bot {account.account_id}"
            if account.token_masked:
                token = Text(f"token {account.token_masked} (from {account.token_source})")
            else:
                token = Text("no bot token (channels.discord.token or DISCORD_BOT_TOKEN)", style=f"bold {c['error']}")
            info_row(table, label, token)
            info_row(
                table,
                "DMs",
                f"{account.dm_policy} · {account.allow_from} allowed in config, {account.allow_from_store} approved",
            )
        pending = discord.pending
        if pending:
            lines = Text()
            for request in pending:
                left = format_remaining_short((request.expires_at or 0) * 1000 - now_ms) if request.expires_at else "?"
                who = request.name or request.tag or request.user_id
                lines.append(f"{request.code}", style=f"bold {c['warning']}")
                lines.append(f"  {who} · expires in {left}\n")
            lines.append("a approves the first one (openclaw pairing approve discord CODE)", style="dim")
            info_row(table, "Waiting", lines)
        else:
            info_row(table, "Waiting", Text("no pending pairing request", style="dim"))
        if discord.pairing_error:
            info_row(table, "Pairing", Text(discord.pairing_error, style=c["warning"]))
        return [title, table]
