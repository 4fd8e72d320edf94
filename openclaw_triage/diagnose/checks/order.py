"""The effective order of each provider: missing ids, profiles left out, a broken profile first, empty."""

from __future__ import annotations

from ...actions import DoctorFix, OrderPin
from ...findings import Severity
from ...model import Era, Install
from ...openclaw import commands as fixes
from ...openclaw.coerce import normalize_provider
from ...openclaw.order import OrderResult
from ...providers import env_vars
from ...providers import get as provider_row
from ..result import Collector, ProfileView


def check_order(
    result: OrderResult,
    reports: list[ProfileView],
    install: Install,
    out: Collector,
    agent_flag: str | None,
    *,
    in_use: bool,
) -> None:
    era = install.era
    provider = result.provider
    by_id = {r.profile.id: r for r in reports}
    where = "stored order override" if result.explicit_from == "store" else "config auth.order"
    # Under a SQLite release, profiles "missing" from the store may sit in a JSON store an older
    # release left, which this one does not read: bringing them back is `doctor --fix`, not an edit.
    unmigrated = any(i.code == "store.legacy_unmigrated" for a in install.agents for s in a.layers for i in s.issues)
    left_behind = (
        " They may be in the JSON store an older release left, which this one does not read." if unmigrated else ""
    )
    healthy = [
        pid for pid in result.effective if pid in by_id and not by_id[pid].broken and by_id[pid].health_state == "ok"
    ]
    if result.missing_from_store:
        missing = ", ".join(result.missing_from_store)
        existing = [pid for pid in (result.stored or result.config_order or []) if pid not in result.missing_from_store]
        target = (
            existing
            or healthy
            or [r.profile.id for r in reports if normalize_provider(r.profile.provider, era) == provider][:1]
        )
        if result.explicit_from == "store":
            fix = (
                fixes.order_set(provider, target, agent_flag) if target else _clear_stored(result, install, agent_flag)
            )
        else:
            fix = f"remove {missing} from auth.order.{provider} in {install.config.path}"
        if unmigrated:
            fix = fixes.doctor_fix()
        severity = Severity.ERROR if not result.effective else Severity.WARNING
        extra = " OpenClaw falls back to every stored profile." if result.fell_back_to_store else ""
        out.add(
            "order.missing_profile",
            severity,
            provider,
            f"The {where} for {provider} names {missing}, which does not exist.{extra}{left_behind}",
            fix,
            DoctorFix(_UPGRADE_WHY, out.agent)
            if unmigrated
            else OrderPin(provider, tuple(target), out.agent)
            if target and result.explicit_from == "store"
            else None,
        )
    if result.fell_back_to_store:
        out.add(
            "order.fallback_to_store",
            Severity.WARNING,
            provider,
            f"Every profile in the {where} for {provider} is missing, so OpenClaw ignores the order and tries all stored profiles.",
            _clear_stored(result, install, agent_flag) if result.explicit_from == "store" else None,
        )
    if result.not_in_order and not result.fell_back_to_store:
        left_out = [pid for pid in result.not_in_order if pid in by_id]
        in_order = set(result.effective)
        good_left_out = [
            pid
            for pid in left_out
            if not by_id[pid].broken
            and by_id[pid].eligibility.eligible
            and not in_order.intersection(by_id[pid].shares_with)
        ]
        if left_out:
            severity = Severity.WARNING if good_left_out and not healthy else Severity.INFO
            new_order = [*healthy, *[p for p in good_left_out if p not in healthy]]
            if new_order == (result.stored if result.explicit_from == "store" else result.config_order):
                new_order = []
            out.add(
                "order.excludes_profiles",
                severity,
                provider,
                f"The {where} for {provider} leaves out {', '.join(left_out)}: OpenClaw never tries "
                + ("it." if len(left_out) == 1 else "them."),
                fixes.order_set(provider, new_order, agent_flag) if new_order else None,
                OrderPin(provider, tuple(new_order), out.agent) if new_order and severity is Severity.WARNING else None,
            )
    if result.stored is not None and result.config_order is not None and result.stored != result.config_order:
        out.add(
            "order.override_shadows_config",
            Severity.INFO,
            provider,
            f"A stored order override ({', '.join(result.stored)}) replaces the config's auth.order.{provider} "
            f"({', '.join(result.config_order)}); clearing the override (u) would make OpenClaw follow the config "
            f"order again, trying {result.config_order[0] if result.config_order else 'nothing'} first.",
        )
    if result.effective:
        first = by_id.get(result.effective[0])
        if first is not None and first.broken:
            good = [pid for pid in result.effective[1:] if pid in by_id and not by_id[pid].broken]
            effective = set(result.effective)
            good += [
                r.profile.id
                for r in reports
                if r.profile.id not in effective
                and normalize_provider(r.profile.provider, era) == provider
                and not r.broken
                and r.eligibility.eligible
            ]
            if good:
                new_order = [good[0], *[pid for pid in result.effective if pid != good[0]]]
                out.add(
                    "order.first_unusable",
                    Severity.ERROR,
                    provider,
                    f"OpenClaw tries {first.profile.id} first for {provider}, and its key is broken, while {good[0]} "
                    "looks fine: every request fails until the order changes.",
                    fixes.order_set(provider, new_order, agent_flag),
                    OrderPin(provider, tuple(new_order), out.agent),
                )
    elif in_use or result.base:
        if result.env_fallback:
            out.add(
                "auth.env_fallback",
                Severity.INFO,
                provider,
                f"No usable {provider} profile: OpenClaw uses {result.env_fallback}.",
            )
        elif result.base or in_use:
            reasons = "; ".join(f"{pid} {v.text}" for pid, v in result.excluded.items())
            code = "order.empty" if result.base else "auth.missing"
            message = (
                f"No usable {provider} profile is left ({reasons}): every request fails with "
                f'"No API key found for provider {provider}".'
                if result.base
                else f'The model in use needs {provider}, and there is no {provider} credential at all: requests fail with "No API key found".'
            )
            fix = _add_key_fix(install, provider, agent_flag)
            if unmigrated:
                message, fix = message + left_behind, fixes.doctor_fix()
            out.add(
                code, Severity.ERROR, provider, message, fix, DoctorFix(_UPGRADE_WHY, out.agent) if unmigrated else None
            )


_UPGRADE_WHY = "import the JSON store an older release left"  # the words of store.legacy_unmigrated: asked once


def _add_key_fix(install: Install, provider: str, agent_flag: str | None) -> str:
    """How to give a provider its first key: our guarded paste or the release's own prompt (never
    the key in argv), or the variable OpenClaw reads; `openclaw configure` for providers we have no row for."""
    row = provider_row(provider)
    if row is None:
        return f"openclaw configure (add a {provider} credential)"
    fix = fixes.enter_api_key(install.era, f"{provider}:default", provider, agent_flag, release=install.release)
    names = env_vars(provider, install.era)
    if provider != "anthropic" and names:
        fix += f"; or set {names[0]} where the gateway runs (e.g. in ~/.openclaw/.env), then restart it"
    return fix


def _clear_stored(result: OrderResult, install: Install, agent_flag: str | None) -> str:
    """How to get rid of a stored order: `order clear` removes only the agent's own order in 2026.9."""
    provider = result.provider
    if install.era is Era.SQLITE and result.stored_origin and "agent" not in result.stored_origin:
        keep = result.effective or [pid for pid in (result.stored or []) if pid not in result.missing_from_store]
        masking = fixes.order_set(provider, keep, agent_flag) if keep else None
        note = (
            "(the order is inherited from the shared store, which `order clear` does not touch; "
            "to delete it, paste a placeholder under each missing id and log it out: "
            + "; ".join(f"openclaw models auth logout {pid} --yes" for pid in result.missing_from_store)
            + ")"
        )
        return f"{masking}  {note}" if masking else note
    return fixes.order_clear(provider, agent_flag)
