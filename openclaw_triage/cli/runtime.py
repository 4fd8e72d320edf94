"""`openclaw-triage gateway status|reload`, `discord status|approve CODE`, `report`.

Parsers and handlers for the runtime commands, kept out of `cli.py` so it stays a thin
dispatcher: nothing here is imported by `check`. Output shows masks, names and paths only.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from ..scrub import scrub as scrub_shapes
from ..scrub import scrubber_for
from ..util.isotime import ago, iso_utc
from ..util.termsafe import termsafe

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ..diagnose.result import Diagnosis
    from ..openclaw.locate import Options
    from ..runtime.collect import Runtime
    from ..write.live import ActionResult

COMMANDS = ("gateway", "discord", "report")

GATEWAY_EPILOG = """\
exit codes (status): 0 running with current keys, 1 an error finding, 2 a warning (e.g. stale keys),
                     3 not running (or remote), 64 bad usage.
exit codes (reload): 0 reloaded, 1 failed or no gateway running.
"""
DISCORD_EPILOG = """\
exit codes (status): 0 fine, 1 an error (no bot token), 2 a pairing request waits, 3 Discord not configured.
exit codes (approve): 0 approved, 1 refused or failed.
The pairing file is only read; approving runs `openclaw pairing approve discord CODE`.
"""
REPORT_EPILOG = """\
The report masks every key and token, shortens the home directory to ~, and leaves the user and
host names (and Discord users' names) out unless --include-host. Exit code: the check's.
"""


_HELP = {
    "gateway": "the running gateway: status, reload its keys",
    "discord": "the Discord channel: token, DM policy, pairing requests, approve",
    "report": "write one paste-safe Markdown report for a support thread",
}


def add_commands(sub: Any, add_install_flags: Callable[..., None]) -> None:
    """Register `gateway`, `discord` and `report` as stubs: their own parsers are built only when
    one of them runs (`full_parser`), because every argparse parser costs `check` start-up time."""
    _INSTALL_FLAGS["add"] = add_install_flags
    for name, text in _HELP.items():
        # No option prefix: everything after the command, `--help` included, goes to its own parser.
        stub = sub.add_parser(name, help=text, add_help=False, prefix_chars="\0")
        stub.add_argument("rest", nargs=argparse.REMAINDER)


_INSTALL_FLAGS: dict[str, Callable[..., None]] = {}


def full_parser(command: str, add_install_flags: Callable[..., None]) -> argparse.ArgumentParser:
    """The real parser of one runtime command (actions, flags, help)."""
    fmt = argparse.RawDescriptionHelpFormatter
    prog = f"openclaw-triage {command}"
    if command == "gateway":
        gateway = argparse.ArgumentParser(prog=prog, description="The gateway of this install.")
        gsub = gateway.add_subparsers(dest="gateway_command", metavar="ACTION", required=True)
        status = gsub.add_parser(
            "status",
            help="is it running, since when, with current keys? its environment and recent auth failures",
            description="Find this install's gateway (lock file, loopback /health and /ready), check that it loaded "
            "the current credentials, compare its environment with what they need, and read its log.",
            epilog=GATEWAY_EPILOG,
            formatter_class=fmt,
        )
        status.add_argument("--json", action="store_true", help="machine-readable output")
        reload_ = gsub.add_parser(
            "reload",
            help="make the running gateway load the current keys (openclaw secrets reload)",
            description="2026.3: `openclaw secrets reload`; 2026.9: `openclaw gateway call models.authRefresh` per agent.",
            epilog=GATEWAY_EPILOG,
            formatter_class=fmt,
        )
        reload_.add_argument("--json", action="store_true", help="machine-readable output")
        for p in (status, reload_):
            add_install_flags(p, suppress=True)
        return gateway
    if command == "discord":
        discord = argparse.ArgumentParser(prog=prog, description="The Discord channel of this install.")
        dsub = discord.add_subparsers(dest="discord_command", metavar="ACTION", required=True)
        dstatus = dsub.add_parser(
            "status",
            help="token, dmPolicy, allowFrom, pending pairing codes",
            epilog=DISCORD_EPILOG,
            formatter_class=fmt,
        )
        dstatus.add_argument("--json", action="store_true", help="machine-readable output")
        approve = dsub.add_parser(
            "approve",
            help="approve a DM pairing request (openclaw pairing approve discord CODE)",
            epilog=DISCORD_EPILOG,
            formatter_class=fmt,
        )
        approve.add_argument("code", metavar="CODE", help="the 8-character pairing code the bot sent")
        approve.add_argument("--notify", action="store_true", help="let OpenClaw tell the user they were approved")
        approve.add_argument("--json", action="store_true", help="machine-readable output")
        for p in (dstatus, approve):
            add_install_flags(p, suppress=True)
        return discord
    report = argparse.ArgumentParser(
        prog=prog,
        description="Everything a helper would ask for, in one Markdown document: versions, paths, config, every "
        "agent's profiles (masked) and order, the gateway, its environment and log, channels, every finding with its fix.",
        epilog=REPORT_EPILOG,
        formatter_class=fmt,
    )
    report.add_argument("--probe", action="store_true", help="include a live API probe (free GET /v1/models per key)")
    report.add_argument("--deep", action="store_true", help="with --probe: one 1-token Messages call per key too")
    report.add_argument(
        "--include-host", action="store_true", help="keep the user and host names (left out by default)"
    )
    report.add_argument("-o", "--output", metavar="FILE", help="write to FILE (mode 0600) instead of stdout")
    add_install_flags(report, suppress=True)
    return report


def parse(args: argparse.Namespace) -> argparse.Namespace:
    """The stub's remaining argv parsed by the command's full parser, merged over the global flags."""
    sub = full_parser(args.command, _INSTALL_FLAGS["add"]).parse_args(args.rest)
    merged = {k: v for k, v in vars(args).items() if k != "rest"}
    merged.update(vars(sub))  # its install flags are SUPPRESSed: absent unless given after the command
    return argparse.Namespace(**merged)


def run(args: argparse.Namespace, make_options: Callable[[argparse.Namespace], Options]) -> int:
    """Parse and dispatch one runtime command; 64 for an install that cannot be located."""
    from ..openclaw.install import inspect_install
    from ..openclaw.locate import LocateError

    args = parse(args)
    try:
        install = inspect_install(make_options(args))
    except LocateError as exc:
        print(f"openclaw-triage: {exc}", file=sys.stderr)
        return 64
    _SCRUB[0] = scrubber_for(install)  # the run's one scrubber, for everything `say` prints
    if args.command == "report":
        return _report(install, args)
    if args.command == "gateway":
        return _gateway_reload(install, args) if args.gateway_command == "reload" else _gateway_status(install, args)
    return _discord_approve(install, args) if args.discord_command == "approve" else _discord_status(install, args)


def _diagnose_full(install: Any) -> tuple[Diagnosis, Runtime]:
    from ..diagnose.run import diagnose
    from ..runtime.collect import collect

    diagnosis = diagnose(install)
    return diagnosis, collect(install, full=True, now=diagnosis.now_ms / 1000)


def _runtime_findings(diagnosis: Diagnosis, prefixes: tuple[str, ...]) -> list[Any]:
    return [f for f in diagnosis.findings if f.code.startswith(prefixes)]


def _exit(findings: list[Any], fallback: int = 0) -> int:
    severities = {f.severity.value for f in findings}
    return 1 if "error" in severities else 2 if "warning" in severities else fallback


def say(text: str = "", *, file: Any = None) -> None:
    """Print text that holds strings from outside: masked, control characters escaped."""
    print(termsafe(_SCRUB[0](text), multiline=True), file=file)


_SCRUB: list[Callable[[str], str]] = [scrub_shapes]  # until `run` has read the install


def _print_findings(findings: list[Any]) -> None:
    for f in findings:
        say(f"  {f.severity.value:<7} {f.code}  [{f.subject}]\n      {f.message}")
        if f.fix:
            say(f"      fix: {f.fix}")


# --- gateway -----------------------------------------------------------------------------------


def _gateway_status(install: Any, args: argparse.Namespace) -> int:
    diagnosis, rt = _diagnose_full(install)
    findings = _runtime_findings(diagnosis, ("gateway.", "env."))
    gw = rt.gateway
    code = _exit(findings, 0 if gw.running and gw.mode == "local" else 3)
    if args.json:
        doc = {**rt.to_json(install.era), "findings": [f.to_json() for f in findings], "exitCode": code}
        doc.pop("discord", None)
        print(json.dumps(scrubber_for(install).json(doc), indent=2))
        return code
    say(f"Gateway ({gw.mode}): {'running' if gw.running else 'not running'}")
    say(f"  evidence : {gw.evidence}")
    say(f"  port     : {gw.port} ({gw.port_origin}), bind {gw.bind}")
    if gw.remote_url:
        say(f"  remote   : {gw.remote_url}")
    if gw.running and gw.started_at:
        say(f"  pid      : {gw.pid}, started {iso_utc(gw.started_at)} ({ago(rt.now - gw.started_at)} ago)")
    for answer in (gw.health, gw.ready):
        if answer is not None:
            say(f"  {answer.summary()}")
    if gw.running:
        say(f"  keys     : loaded by {gw.loaded_how or 'start'} at {iso_utc(gw.loaded_at)}")
        for change in gw.changes:
            say(f"  changed  : {change.path} ({change.what}) at {iso_utc(change.changed_at)}")
    if gw.token_masked:
        say(f"  token    : {gw.token_masked} ({gw.auth_mode})")
    svc = rt.service_env
    if svc is not None:
        say(f"Service: {svc.service or 'none (no systemd user unit or launchd agent)'}")
        for source in svc.sources:
            names = ", ".join(source.names) or "(none)"
            say(f"  {source.kind:<8} {source.location}: {source.error or names}")
    for check in rt.env_checks:
        shell, gateway_value = check.masked(install.era)
        say(f"  {check.need.name:<24} {check.state:<20} yours {shell or '-'}  gateway {gateway_value or '-'}")
    if rt.log is not None:
        say("Gateway log: " + (", ".join(str(f.path) for f in rt.log.files) or "none found"))
        for f in rt.log.failures:
            who = f.profile_id or f"{f.profile_hash} (not a profile of this install)"
            rid = f" [request {f.request_id}]" if f.request_id else ""
            say(f"  {who}: {f.count} failure(s), last {iso_utc(f.last_at)}: {f.error or f.reason}{rid}")
    if findings:
        say("Findings:")
        _print_findings(findings)
    return code


def _gateway_reload(install: Any, args: argparse.Namespace) -> int:
    from ..runtime.gateway import detect
    from ..write.live import ActionResult, reload_secrets

    status = detect(install)
    if not status.running:
        result = ActionResult(
            False, "secrets reload", "openclaw secrets reload", f"No gateway is running: {status.evidence}."
        )
    else:
        result = reload_secrets(install, progress=_progress_printer())
    return _print_action(result, args)


def _progress_printer() -> Callable[[str], None] | None:
    if not sys.stderr.isatty():
        return None
    return lambda text: say(f"… {text}", file=sys.stderr)


def _print_action(result: ActionResult, args: argparse.Namespace) -> int:
    if getattr(args, "json", False):
        print(json.dumps(result.to_json(), indent=2))
    else:
        say(("✓ " if result.ok else "✗ ") + result.message)
        if result.output and not result.ok:
            say("\n".join(f"  {line}" for line in result.output.splitlines()[-10:]))
    return 0 if result.ok else 1


# --- discord -----------------------------------------------------------------------------------


def _discord_status(install: Any, args: argparse.Namespace) -> int:
    from ..diagnose.run import diagnose
    from ..runtime.discord import discord_status

    diagnosis = diagnose(install)
    d = (diagnosis.runtime.discord if diagnosis.runtime is not None else None) or discord_status(install)
    findings = _runtime_findings(diagnosis, ("discord.",))
    code = _exit(findings, 0 if d.configured else 3)
    if args.json:
        doc = {**d.to_json(), "findings": [f.to_json() for f in findings], "exitCode": code}
        print(json.dumps(scrubber_for(install).json(doc), indent=2))
        return code
    if not d.configured:
        say("Discord: not configured (no channels.discord in the config).")
        return code
    say(
        f"Discord: {'enabled' if d.enabled else 'disabled'}"
        + (f"; routed to agent(s) {', '.join(d.routes_to)}" if d.routes_to else "")
    )
    for a in d.accounts:
        say(
            f"  account {a.account_id}: token {a.token_masked or 'missing'} ({a.token_source}), dmPolicy {a.dm_policy}, "
            f"allowFrom {a.allow_from}, approved by pairing {a.allow_from_store}"
        )
    say(f"Pairing requests ({d.pairing_source or 'none stored'}):")
    if d.pairing_error:
        say(f"  {d.pairing_error}")
    for r in d.requests:
        state = "expired" if r.expired(d.now) else f"expires in {ago((r.expires_at or d.now) - d.now)}"
        say(
            f"  {r.code}  {r.name or r.tag or '?'} ({r.user_id})  requested {ago(d.now - (r.created_at or d.now))} ago, {state}"
        )
    if not d.requests:
        say("  none")
    if findings:
        say("Findings:")
        _print_findings(findings)
    return code


def _discord_approve(install: Any, args: argparse.Namespace) -> int:
    from ..write.live import approve_pairing

    return _print_action(approve_pairing(install, args.code, notify=args.notify, progress=_progress_printer()), args)


# --- report ------------------------------------------------------------------------------------


def _report(install: Any, args: argparse.Namespace) -> int:
    from ..findings import sort_findings
    from ..output.report import render_report

    diagnosis, rt = _diagnose_full(install)
    results: list[Any] = []
    if args.probe or args.deep:
        from ..probe import ProbeError, probe_profiles_sync

        try:
            results = probe_profiles_sync(diagnosis, deep=bool(args.deep))
        except ProbeError as exc:
            print(f"openclaw-triage: probe not run: {exc}", file=sys.stderr)
        diagnosis.findings = sort_findings([*diagnosis.findings, *(r.finding for r in results)])
    text = render_report(diagnosis, probe_results=results, include_host=args.include_host, runtime=rt)
    if args.output:
        from ..output.report import write_report

        write_report(text, args.output)
        print(
            f"Wrote {args.output} ({len(text.splitlines())} lines); every key and token in it is masked.",
            file=sys.stderr,
        )
    else:
        sys.stdout.write(text)
    return diagnosis.exit_code
