"""`openclaw-triage probe` and `check --probe`: run the probe for the CLI and print it.

Kept out of `cli.commands` so that module stays a thin dispatcher; nothing here imports httpx until
a probe actually runs. Output only ever holds masks, hosts and Anthropic's request ids.
"""

from __future__ import annotations

import dataclasses
import sys

from ..findings import Severity, sort_findings
from ..probe.run import DEFAULT_TIMEOUT, ProbeError, ProbeResult, probe_profiles_sync, summary
from ..providers import PROVIDERS
from ..providers import get as provider_row
from ..scrub import scrubber_for
from ..util.termsafe import termsafe

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from typing import Any, TextIO

    from ..diagnose.result import Diagnosis

SCHEMA_VERSION = 1
_MARK = {Severity.ERROR: "✗", Severity.WARNING: "!", Severity.INFO: "·"}
_COLOR = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def exit_code(results: list[ProbeResult]) -> int:
    """0 all fine, 1 any error (or nothing to probe), 2 only warnings."""
    if not results or any(r.severity is Severity.ERROR for r in results):
        return 1
    return 2 if any(r.severity is Severity.WARNING for r in results) else 0


class Progress:
    """`probing… 2/5` on stderr, only at a terminal; erased when done."""

    def __init__(self, total: int, stream: TextIO | None = None, scrub: Callable[[str], str] = str) -> None:
        self.stream = stream or sys.stderr
        self.scrub = scrub
        self.enabled = total > 0 and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.total = total
        self.done = 0

    def __call__(self, result: ProbeResult) -> None:
        self.done += 1
        if self.enabled:
            what = termsafe(self.scrub(f"{result.profile_id}: {result.code}"))
            self.stream.write(f"\r\x1b[2Kprobing… {self.done}/{self.total} ({what})")
            self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()


def run(diagnosis: Diagnosis, *, profile_id: str | None, deep: bool, timeout: float) -> list[ProbeResult]:
    """Probe with progress on stderr; `ProbeError` passes through (nothing was sent)."""
    from ..probe.run import plan_probes

    total = len(plan_probes(diagnosis, profile_id=profile_id))
    progress = Progress(total, scrub=scrubber_for(diagnosis.install))
    try:
        return probe_profiles_sync(diagnosis, profile_id=profile_id, deep=deep, timeout=timeout, on_result=progress)
    finally:
        progress.close()


def join_check(diagnosis: Diagnosis, args: argparse.Namespace) -> list[ProbeResult]:
    """`check --probe`: probe findings join the report and its exit code.

    A profile the check already reports as broken is not counted twice: the probe's "skipped"
    finding for it becomes a note.
    """
    results = run(diagnosis, profile_id=None, deep=bool(args.deep), timeout=getattr(args, "timeout", DEFAULT_TIMEOUT))
    broken = {f.subject for f in diagnosis.findings if f.severity is Severity.ERROR}
    added = []
    for result in results:
        finding = result.finding
        if not result.sent and finding.subject in broken and finding.severity is not Severity.INFO:
            finding = dataclasses.replace(finding, severity=Severity.INFO)
        added.append(finding)
    diagnosis.findings = sort_findings([*diagnosis.findings, *added])
    return results


def probe_json(diagnosis: Diagnosis, results: list[ProbeResult], *, deep: bool) -> dict[str, Any]:
    install = diagnosis.install
    counts = {s.value: sum(1 for r in results if r.severity is s) for s in Severity}
    return {
        "schemaVersion": SCHEMA_VERSION,
        "openclaw": {"version": install.cli.version, "era": install.era.value, "agent": diagnosis.agent.agent_id},
        "deep": deep,
        "results": [r.to_json() for r in results],
        "summary": {
            "ok": sum(1 for r in results if r.ok),
            "errors": counts["error"],
            "warnings": counts["warning"],
            "info": counts["info"],
            "exitCode": exit_code(results),
        },
    }


def _line(r: ProbeResult, width: int, host_width: int, paint: Any, e: Callable[[str], str]) -> list[str]:
    symbol = "✓" if r.ok else _MARK[r.severity]
    mark = paint(f"{symbol} {r.code.removeprefix('probe.'):<19}", _COLOR[r.severity])
    timing = f"{r.latency_ms:>7.0f} ms" if r.latency_ms is not None else "    no request" if not r.sent else "        -"
    tail = f"  {r.request_id}" if r.request_id else ""
    if r.ok and r.org_id:
        tail += f"  org {r.org_id}"
    lines = [f"  {e(r.profile_id):<{width}}  " + e(f"{r.host:<{host_width}}  ") + mark + e(f" {timing}{tail}")]
    if not r.ok or r.finding.details.get("note"):
        lines.append(e(f"      {r.finding.message}"))
    if r.finding.fix:
        lines.append(e(f"      fix: {r.finding.fix}"))
    return lines


def probe_text(diagnosis: Diagnosis, results: list[ProbeResult], *, deep: bool, color: bool = False) -> str:
    """The probe for people: every string from the install or the server masked and escaped."""
    scrub = scrubber_for(diagnosis.install)

    def e(text: str) -> str:
        return termsafe(scrub(text))

    def paint(text: str, code: str) -> str:
        return f"\x1b[{code}m{e(text)}\x1b[0m" if color else e(text)

    install = diagnosis.install
    version = install.cli.version or "unknown version"
    ladder = "one free request per key" + (", then Anthropic's POST /v1/messages (1 token)" if deep else "")
    lines = [paint("Live API probe", "1") + e(f" · OpenClaw {version} · agent {diagnosis.agent.agent_id} · {ladder}")]
    if results:
        first = results[0]
        via = f" via proxy {first.proxy}" if first.proxy else ""
        lines.append(e(f"  base URL : {first.base_url} ({first.base_url_source}){via}"))
    else:
        lines.append("  No auth profile to probe.")
    width = max((len(e(r.profile_id)) for r in results), default=10)
    host_width = max((len(r.host) for r in results), default=10)
    for r in results:
        lines.extend(_line(r, width, host_width, paint, e))
    lines.append(e(summary(results)))
    return "\n".join(lines) + "\n"


def run_command(args: argparse.Namespace, options: object) -> int:
    """`openclaw-triage probe`: exit 0 all ok, 1 any error, 2 only warnings, 64 bad usage."""
    from ..diagnose.run import diagnose
    from ..openclaw.coerce import normalize_provider
    from ..openclaw.install import inspect_install
    from ..openclaw.locate import LocateError
    from ..output.check import use_color

    if args.timeout is not None and not args.timeout > 0:
        print("openclaw-triage: --timeout must be a positive number of seconds", file=sys.stderr)
        return 64
    try:
        install = inspect_install(options)  # type: ignore[arg-type]
    except LocateError as exc:
        print(f"openclaw-triage: {exc}", file=sys.stderr)
        return 64
    provider = normalize_provider(args.provider, install.era) if args.provider and args.provider.strip() else None
    if provider is not None and provider_row(provider) is None:
        known = ", ".join(p.id for p in PROVIDERS)
        print(
            f"openclaw-triage: the probe speaks only these providers' APIs ({known}), not {args.provider!r}",
            file=sys.stderr,
        )
        return 64
    diagnosis = diagnose(install, provider=provider)
    try:
        results = run(diagnosis, profile_id=args.probe_profile, deep=args.deep, timeout=args.timeout or DEFAULT_TIMEOUT)
    except ProbeError as exc:
        print(f"openclaw-triage: {exc}", file=sys.stderr)
        return 64
    if args.json:
        doc = probe_json(diagnosis, results, deep=args.deep)
        sys.stdout.write(scrubber_for(install).dumps(doc, indent=2 if sys.stdout.isatty() else None) + "\n")
    else:
        sys.stdout.write(probe_text(diagnosis, results, deep=args.deep, color=use_color(sys.stdout)))
    return exit_code(results)
