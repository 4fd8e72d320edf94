"""`check` output: the JSON contract and the readable report. Both only ever show masks.

Both also pass every string through the run's scrubber (a key someone typed into a profile id
or a chat name is still a key), and the text escapes control characters (`termsafe`): ids,
paths and messages come from files anyone could have written.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from ..diagnose.result import Diagnosis, ProfileView
from ..findings import Severity
from ..model import Era
from ..openclaw.coerce import normalize_provider
from ..openclaw.locate import shorten_home
from ..scrub import Scrubber, scrubber_for
from ..util.termsafe import termsafe

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from typing import Any

SCHEMA_VERSION = 1


def _home(diag: Diagnosis, path: Any) -> str:
    return shorten_home(path, diag.install.home, diag.install.seen_env)


def profile_json(report: ProfileView, era: Era) -> dict[str, Any]:
    p = report.profile
    provider = normalize_provider(p.provider, era)
    info = report.info
    out: dict[str, Any] = {
        "id": p.id,
        "provider": provider,
        "type": p.type,
        "layer": p.layer,
        "label": report.label,
        "masked": report.masked,
        "ref": p.ref.label() if p.ref else None,
        "refStatus": report.ref_status.status if report.ref_status else None,
        "secretSource": report.secret_source,
        "kind": info.kind.value if info else None,
        "looksLike": info.describe() if info else None,
        "problems": [pr.value for pr in info.problems] if info else [],
        "length": info.length if info else None,
        "sendsBearer": info.sends_bearer if info else None,
        "usable": report.eligibility.eligible,
        "unusableReason": None if report.eligibility.eligible else report.eligibility.reason,
        "health": {
            "state": report.health_state,
            "until": report.health_until,
            "reason": report.health_reason,
        },
        "expires": p.expires if isinstance(p.expires, int | float) and not isinstance(p.expires, bool) else None,
        "email": p.email,
        "sharesSecretWith": report.shares_with,
    }
    if provider != p.provider:
        out["providerRaw"] = p.provider
    return out


def check_json(diag: Diagnosis) -> dict[str, Any]:
    """The `--json` document, every string in it scrubbed."""
    doc: dict[str, Any] = scrubber_for(diag.install).json(_check_doc(diag))
    return doc


def check_json_text(diag: Diagnosis, *, indent: int | None = None) -> str:
    """`check_json` as text, written once (the scrubber works on the text)."""
    return scrubber_for(diag.install).dumps(_check_doc(diag), indent=indent)


def _check_doc(diag: Diagnosis) -> dict[str, Any]:
    install = diag.install
    agent = diag.agent
    counts = {s.value: sum(1 for f in diag.findings if f.severity is s) for s in Severity}
    return {
        "schemaVersion": SCHEMA_VERSION,
        "openclaw": {
            "version": install.cli.version,
            "commit": install.cli.commit,
            "versionSource": install.cli.source,
            "cli": install.cli.path,
            "era": install.era.value,
            "eraReason": install.era_reason,
            "layout": install.layout.key if install.layout else None,
            "layoutOnDisk": install.layout_on_disk.key if install.layout_on_disk else None,
            "home": str(install.home),
            "stateDir": str(install.state_dir),
            "stateDirOrigin": install.state_dir_origin,
            "configPath": str(install.config.path),
            "configExists": install.config.exists,
            "agent": agent.agent_id,
            "agentDir": str(agent.agent_dir),
            "defaultAgent": install.default_agent_id,
            "agents": [a.agent_id for a in install.agents],
            "stores": [
                {
                    "layer": layer.layer,
                    "location": layer.location,
                    "exists": layer.exists,
                    "profiles": len(layer.profiles),
                }
                for layer in agent.layers
            ],
            "defaultModel": diag.default_model,
        },
        "profiles": [profile_json(r, diag.install.era) for r in diag.shown_profiles],
        "order": {
            provider: {
                "stored": result.stored,
                "storedIn": result.stored_origin,
                "config": result.config_order,
                "explicitFrom": result.explicit_from,
                "base": result.base,
                "baseFrom": result.base_from,
                "effective": result.effective,
                "next": result.next,
                "excluded": {pid: v.reason for pid, v in result.excluded.items()},
                "notInOrder": result.not_in_order,
                "missingFromStore": result.missing_from_store,
                "fellBackToStore": result.fell_back_to_store,
                "reasons": result.reasons,
                "steps": result.steps,
                "envFallback": result.env_fallback,
            }
            for provider, result in diag.orders.items()
        },
        "credentialSources": {g.provider: [s.to_json() for s in g.sources] for g in diag.sources},
        "findings": [f.to_json() for f in diag.findings],
        "summary": {
            "errors": counts["error"],
            "warnings": counts["warning"],
            "info": counts["info"],
            "exitCode": diag.exit_code,
        },
    }


# --- text -------------------------------------------------------------------------------

_MARK = {Severity.ERROR: "✗", Severity.WARNING: "!", Severity.INFO: "·"}
_COLOR = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def use_color(stream: Any) -> bool:
    return (
        hasattr(stream, "isatty")
        and stream.isatty()
        and not os.environ.get("NO_COLOR")
        and os.environ.get("TERM") != "dumb"
    )


def _safe(scrub: Scrubber) -> Callable[[str], str]:
    """One line of text from outside, masked and with its control characters escaped."""
    return lambda text: termsafe(scrub(text))


def _not_found_text(diag: Diagnosis, paint: Callable[[str, str], str], e: Callable[[str], str]) -> str:
    """No install where OpenClaw looks: each place looked, and how to point at one."""
    finding = next(f for f in diag.findings if f.code == "install.not_found")
    version = diag.install.cli.version
    lines = [paint("No OpenClaw install found here.", "1")]
    lines.append(e(f"Looked where OpenClaw {version or ''}{' ' if version else ''}looks:".replace("  ", " ")))
    lines += [e(f"  • {place}") for place in finding.details.get("places", [])]
    lines += ["", e(finding.fix or ""), "", "exit code 3: no install found"]
    return "\n".join(lines) + "\n"


def _sources_text(diag: Diagnosis, paint: Callable[[str, str], str], e: Callable[[str], str]) -> list[str]:
    """The "Where credentials come from" section: each provider's sources in OpenClaw's precedence, masked.

    Every set source gets a row; a variable set nowhere is one row, as are the other empty places."""
    lines: list[str] = []
    for group in diag.sources:
        lines.append("")
        lines.append(paint(f"Where credentials come from ({group.provider})", "1"))
        for src in group.rows():
            note = f"  ({src.note})" if src.note and src.status != "not set" else ""
            lines.append(e(f"  {src.status:<8}  {src.kind:<13}  {src.value:<20}  {_home(diag, src.where)}{note}"))
    return lines


def check_text(diag: Diagnosis, *, color: bool = False) -> str:
    install = diag.install
    e = _safe(scrubber_for(install))

    def paint(text: str, code: str) -> str:
        return f"\x1b[{code}m{e(text)}\x1b[0m" if color else e(text)

    agent = diag.agent
    if not install.found:
        return _not_found_text(diag, paint, e)
    lines: list[str] = []
    version = install.cli.version or "unknown version"
    commit = f" ({install.cli.commit})" if install.cli.commit else ""
    lines.append(paint(f"OpenClaw {version}{commit}", "1") + e(f" · {install.storage_label}"))
    lines.append(e(f"  layout       : {install.era_reason}"))
    lines.append(e(f"  state dir    : {_home(diag, install.state_dir)}  ({install.state_dir_origin})"))
    config_state = "" if install.config.exists else "  (missing)"
    lines.append(e(f"  config       : {_home(diag, install.config.path)}{config_state}"))
    default = " (default)" if agent.agent_id == install.default_agent_id else ""
    lines.append(e(f"  agent        : {agent.agent_id}{default}  {_home(diag, agent.agent_dir)}"))
    for layer in agent.layers:
        state = "" if layer.exists else "  (missing)"
        lines.append(e(f"  store        : {_home(diag, layer.location)}  [{layer.layer}]{state}"))
    if diag.default_model:
        lines.append(e(f"  model        : {diag.default_model}"))
    lines.append("")
    shown = diag.shown_profiles
    lines.append(paint("Auth profiles" + (f" ({diag.only_provider})" if diag.only_provider else ""), "1"))
    if not shown:
        lines.append("  (none)")
    ids = {r.profile.id: e(r.profile.id) for r in shown}  # padded as shown: masked, escaped
    width = max((len(i) for i in ids.values()), default=10)
    for r in shown:
        masked = r.masked or (f"ref({r.profile.ref.label()})" if r.profile.ref else "missing")
        looks = (
            r.info.describe()
            if r.info
            else ("reference does not resolve" if r.ref_status and r.ref_status.status != "resolved" else "no secret")
        )
        health = "" if r.health_state == "ok" else f"  [{r.health_state}]"
        shared = f"  [same secret as {', '.join(r.shares_with)}]" if r.shares_with else ""
        lines.append(
            f"  {ids[r.profile.id]:<{width}}  " + e(f"{r.profile.type:<7}  {masked:<20}  {looks}{health}{shared}")
        )
    for provider, result in diag.orders.items():
        lines.append("")
        lines.append(paint(f"Order ({provider})", "1"))
        stored = ", ".join(result.stored) if result.stored is not None else "(none)"
        config_order = ", ".join(result.config_order) if result.config_order is not None else "(none)"
        lines.append(
            e(f"  stored override : {stored}" + (f"  [{result.stored_origin}]" if result.stored_origin else ""))
        )
        lines.append(e(f"  config order    : {config_order}"))
        effective = " → ".join(result.effective) if result.effective else "(nothing usable)"
        lines.append(e(f"  effective       : {effective}"))
        for step in result.steps:
            lines.append(e(f"    - {step}"))
    lines += _sources_text(diag, paint, e)
    lines.append("")
    counts = {s: sum(1 for f in diag.findings if f.severity is s) for s in Severity}
    summary = (
        f"{counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} warning(s), {counts[Severity.INFO]} note(s)"
    )
    lines.append(paint("Findings", "1") + f": {summary}")
    if not diag.findings:
        lines.append("  Nothing wrong found in the stored credentials. (A live check needs the API probe.)")
    for f in diag.findings:
        head = paint(f"{_MARK[f.severity]} {f.severity.value:<7}", _COLOR[f.severity])
        lines.append(f"  {head} " + e(f"{f.code}  [{f.subject}]"))
        lines.append(e(f"      {f.message}"))
        if f.fix:
            lines.append(e(f"      fix: {f.fix}"))
    return "\n".join(lines) + "\n"
