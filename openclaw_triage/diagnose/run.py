"""From an inspected install to findings: what is wrong, how bad, and the exact fix.

`diagnose` runs the checks (`openclaw_triage.diagnose.checks`, one family per module) over the selected
agent and returns a `Diagnosis` (`openclaw_triage.diagnose.result`): each profile as the user sees it,
each provider's effective order, and the findings, most severe first.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import replace

from ..findings import sort_findings
from ..model import Install
from ..openclaw.coerce import normalize_provider
from ..openclaw.config import default_model, fallback_models, model_provider
from ..openclaw.layouts import openrouter_model_prefixed, retired_profile_ids
from ..openclaw.order import RETIRED, OrderResult, resolve_order
from ..util.jsstr import js_trim
from .checks.config import ANTHROPIC_HOST, check_config, check_env
from .checks.install import check_install, check_logs, check_other_agents, check_stores, check_upgrade
from .checks.order import check_order
from .checks.profiles import check_profile, duplicate_finding
from .result import Collector, Diagnosis, ProfileView, profile_view

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from ..runtime.sessions.model import SessionStore
    from .pins import PinVerdict

__all__ = ["ANTHROPIC_HOST", "Collector", "Diagnosis", "ProfileView", "diagnose", "profile_view"]


def diagnose(
    install: Install,
    *,
    provider: str | None = None,
    now_ms: float | None = None,
    probe_failed: Collection[str] = (),
    runtime: bool = True,
) -> Diagnosis:
    """Every finding for the selected agent of `install`, most severe first.

    `probe_failed`: profile ids Anthropic rejected in a live probe; they count as broken, so
    an order that tries one of them first gets its one-key fix. `runtime`: also look at the
    running gateway, its environment and log, and Discord (`openclaw_triage.runtime.collect`).
    """
    now = time.time() * 1000 if now_ms is None else now_ms
    era = install.era
    agent = install.agent
    store = agent.effective
    config = install.config.data
    env = install.seen_env
    agent_flag = None if agent.agent_id == install.default_agent_id else agent.agent_id
    out = Collector(agent.agent_id, now)

    check_install(install, out)
    if not install.found:  # nothing to judge: a default config's findings would only mislead
        return Diagnosis(install, agent, [], [], {}, sort_findings(out.items), now, None, None, None)
    check_config(install, out)
    check_stores(install, agent, out)
    check_upgrade(install, out)

    primary, fallbacks = (
        default_model(
            config,
            era,
            agent.agent_id,
            install.builtin_model,
            openrouter_prefix=openrouter_model_prefixed(install.release),
        ),
        fallback_models(config, era, agent.agent_id),
    )
    for_model = primary.split("/", 1)[1] if primary and "/" in primary else None
    only = normalize_provider(provider, era) if provider and provider.strip() else None  # `check --provider`
    providers_in_use = [normalize_provider(p, era) for p in (model_provider(m) for m in [primary, *fallbacks]) if p]
    primary_provider = normalize_provider(model_provider(primary) or "", era)
    store_providers = [normalize_provider(p.provider, era) for p in store.profiles.values()]
    providers = list(dict.fromkeys([*store_providers, *providers_in_use]))
    if only:
        providers = [only]

    reports: list[ProfileView] = []
    by_secret: dict[str, list[ProfileView]] = {}
    retired = retired_profile_ids(install.release)
    for profile in store.profiles.values():
        report = profile_view(store, profile, config, env, now, era)
        if profile.id in retired:  # OpenClaw skips it, and a chat pinned to it fails
            report = replace(report, eligibility=RETIRED)
        reports.append(report)
        if only and normalize_provider(profile.provider, era) != only:
            continue
        if report.secret is not None and js_trim(report.secret.get_secret_value()):
            by_secret.setdefault(js_trim(report.secret.get_secret_value()), []).append(report)
    groups = [g for g in by_secret.values() if len(g) > 1]
    for group in groups:
        ids = [r.profile.id for r in group]
        for r in group:
            r.shares_with = [i for i in ids if i != r.profile.id]

    verdicts = {r.profile.id: r.eligibility for r in reports}
    orders: dict[str, OrderResult] = {}
    for prov in providers:
        orders[prov] = resolve_order(
            store,
            config,
            prov,
            era=era,
            now_ms=now,
            stored_origin=agent.order_origin.get(prov),
            for_model=for_model if primary_provider == prov else None,
            env=env,
            known={
                pid: v for pid, v in verdicts.items() if normalize_provider(store.profiles[pid].provider, era) == prov
            },
            retired=retired,
        )
    reachable = {pid for result in orders.values() for pid in result.effective}
    for report in reports:
        if only and normalize_provider(report.profile.provider, era) != only:
            continue
        check_profile(report, install, out, agent_flag, reachable=report.profile.id in reachable)
        if report.profile.id in probe_failed:
            report.problems.append("rejected by the probe")
    for prov, result in orders.items():
        check_order(result, reports, install, out, agent_flag, in_use=prov in providers_in_use)
    for group in groups:
        duplicate_finding(group, orders, install, out, agent_flag)
    from .checks.sessions import check_sessions  # chats pinned to a profile (issue 8)

    check_sessions(install, agent, orders, reports, out, agent_flag)

    check_env(install, store, providers_in_use, out)
    check_logs(install, reports, out)
    check_other_agents(install, out)
    live = _check_runtime(install, out) if runtime else None
    from .sources import credential_sources  # where each key in use comes from (issue 15)

    sources = credential_sources(install, [only] if only else providers_in_use, orders, reports, live)
    return Diagnosis(
        install=install,
        agent=agent,
        providers=providers,
        profiles=reports,
        orders=orders,
        findings=sort_findings(out.items),
        now_ms=now,
        default_model=primary,
        runtime=live,
        only_provider=only,
        sources=sources,
    )


def _check_runtime(install: Install, out: Collector) -> Any:
    """The gateway, its environment and log, and Discord: `openclaw_triage.runtime.collect`."""
    from ..runtime.collect import collect
    from .checks.runtime import add_findings, stores_changed_by_profile

    live = collect(install, now=out.now / 1000)
    add_findings(live, install, out.add, stores_changed_by_profile(install))
    return live


def assess_install(
    install: Install, stores: Sequence[SessionStore], diagnosis: Diagnosis | None = None
) -> dict[tuple[str, str], PinVerdict]:
    """(agent, session key) -> verdict, for every pinned session of every agent loaded in `stores`.

    The selected agent reuses `diagnosis` (with its live-probe results); other agents are
    diagnosed here, once each, only if they have pinned chats.
    """
    from dataclasses import replace

    from ..runtime.sessions.stores import sessions_of
    from .pins import AgentView, assess

    out: dict[tuple[str, str], PinVerdict] = {}
    agents = {s.agent_id for st in stores for s in st.sessions if s.pin is not None}
    for agent_id in sorted(agents):
        if diagnosis is not None and diagnosis.agent.agent_id == agent_id:
            diag = diagnosis
        elif any(a.agent_id == agent_id for a in install.agents):
            diag = diagnose(replace(install, selected_agent_id=agent_id))
        else:
            continue
        view = AgentView.from_diagnosis(diag)
        for session in sessions_of(stores, agent_id):
            verdict = assess(session, view)
            if verdict is not None:
                out[(agent_id, session.key)] = verdict
    return out
