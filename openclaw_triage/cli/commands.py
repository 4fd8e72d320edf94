"""The `openclaw-triage` command line.

Without a subcommand it opens the full-screen app; `check` prints the diagnosis. Heavy
modules (Textual, httpx, pydantic) are imported only by the commands that need them, so
`check` starts in a few tens of milliseconds.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from collections.abc import Sequence

from .. import __version__
from .options import options_from_args

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from typing import Any

EPILOG = """\
exit codes (check): 0 nothing wrong, 1 at least one error, 2 only warnings, 3 no OpenClaw install
where OpenClaw looks (it says where it looked), 64 bad usage.
Secrets are never printed: keys are shown masked the way OpenClaw masks them.
"""


def _add_install_flags(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    group = parser.add_argument_group("which install")
    group.add_argument(
        "--state-dir",
        metavar="DIR",
        default=default,
        help="OpenClaw state dir (default: as OpenClaw resolves it, e.g. ~/.openclaw)",
    )
    group.add_argument(
        "--config", metavar="FILE", default=default, help="openclaw.json to read (default: as OpenClaw resolves it)"
    )
    group.add_argument(
        "--agent", metavar="ID", default=default, help="agent to inspect (default: the configured default agent)"
    )
    group.add_argument(
        "--profile", metavar="NAME", default=default, help="OpenClaw --profile: state in ~/.openclaw-NAME"
    )
    group.add_argument(
        "--openclaw", metavar="PATH", default=default, help="the openclaw CLI binary (default: openclaw on PATH)"
    )


_VALUE_FLAGS = frozenset({"--state-dir", "--config", "--agent", "--profile", "--openclaw"})


def _command_of(argv: Sequence[str]) -> str | None:
    """The subcommand named in `argv` (skipping the global flags and their values), if any."""
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in _VALUE_FLAGS:
            i += 2
            continue
        if arg.startswith("-"):
            i += 1
            continue
        return arg
    return None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with `only="check"` just what `check` needs (argparse is slow to
    build 15 subcommands, and `check` has a start-up budget of tens of milliseconds)."""
    parser = argparse.ArgumentParser(
        prog="openclaw-triage",
        description="Find and fix what stands between OpenClaw and a working model key. "
        "Run without a command for the full-screen app.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"openclaw-triage {__version__}")
    parser.add_argument(
        "--demo",
        nargs="?",
        const="2026.3",
        choices=("2026.3", "2026.9"),
        metavar="ERA",
        help="open the app on a bundled broken example install, copied to a temp dir: 2026.3 (JSON store, "
        "the default) or 2026.9 (SQLite; writes there need a 2026.9 openclaw via --openclaw)",
    )
    _add_install_flags(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    check = sub.add_parser(
        "check",
        help="diagnose the install and print every finding with its fix",
        description="Read the install exactly as OpenClaw does (read-only) and report every finding with its fix.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "--json", action="store_true", help="machine-readable output (indented at a terminal, compact when piped)"
    )
    check.add_argument(
        "--provider", metavar="P", help="only this provider's profiles, order and findings (e.g. anthropic)"
    )
    check.add_argument("--json-schema", action="store_true", help="print the JSON schema of --json's output and exit")
    check.add_argument("--probe", action="store_true", help="also ask each key's provider about it (live API probe)")
    check.add_argument("--deep", action="store_true", help="probe with one 1-token Messages call per key too (billing)")
    check.add_argument(
        "--timeout", type=float, default=10.0, metavar="S", help="probe timeout per request (default 10)"
    )
    _add_install_flags(check, suppress=True)
    if only == "check":
        return parser
    _add_probe_command(sub)
    _add_write_commands(sub)
    _add_sessions_command(sub)
    from .runtime import add_commands  # gateway, discord, report: stubs, parsed when they run

    add_commands(sub, _add_install_flags)
    return parser


WRITE_EPILOG = """\
exit codes: 0 done (or nothing to do), 1 refused or failed (nothing changed unless it says so),
            64 bad usage. Every change is backed up and journaled: see `history`, take it back with `undo`.
Secrets are read from stdin or the clipboard only, never from the command line, and printed masked.
"""


def _add_write_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`key set`, `order pin|clear`, `undo`, `history`: parsers only; the work is in `openclaw_triage.write`."""

    def command(
        parent: argparse._SubParsersAction[argparse.ArgumentParser], name: str, **kw: Any
    ) -> argparse.ArgumentParser:
        p = parent.add_parser(name, epilog=WRITE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter, **kw)
        _add_install_flags(p, suppress=True)
        return p

    key = sub.add_parser("key", help="store an API key or setup token in an auth profile", description="Change keys.")
    key_sub = key.add_subparsers(dest="key_command", metavar="ACTION", required=True)
    key_set = command(
        key_sub,
        "set",
        help="save a key (from stdin or the clipboard) into a profile",
        description="Save an Anthropic API key (sk-ant-api03-, into an api_key profile) or setup token "
        "(sk-ant-oat01-, into a token profile). The key is cleaned only where that cannot change it and refused "
        "otherwise; refresh tokens, Admin keys and other providers' keys are always refused.",
    )
    key_set.add_argument("--provider", metavar="P", default="anthropic", help="provider id (default: anthropic)")
    key_set.add_argument(
        "--profile-id",
        metavar="ID",
        help="profile to create or update (default: the provider's only profile of that type, else "
        "<provider>:default for an API key and <provider>:manual for a token, as OpenClaw names them)",
    )
    key_set.add_argument(
        "--type", choices=("api_key", "token"), help="profile type (default: what the key is; a mismatch is refused)"
    )
    source = key_set.add_mutually_exclusive_group(required=True)
    source.add_argument("--stdin", action="store_true", help="read the key from stdin (hidden prompt at a terminal)")
    source.add_argument("--clipboard", action="store_true", help="read the key from the clipboard")
    key_set.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    key_set.add_argument(
        "--no-probe",
        action="store_true",
        help="save without first asking Anthropic whether the key works (by default a dead key is refused: "
        "one free GET /v1/models to the host OpenClaw itself uses)",
    )

    order = sub.add_parser(
        "order", help="pin or clear the order OpenClaw tries profiles in", description="Change orders."
    )
    order_sub = order.add_subparsers(dest="order_command", metavar="ACTION", required=True)
    pin = command(
        order_sub,
        "pin",
        help="store an order override (like `openclaw models auth order set`)",
        description="Store the order OpenClaw tries a provider's profiles in, for one agent. Every id must exist.",
    )
    pin.add_argument("--provider", metavar="P", required=True, help="provider id (e.g. anthropic)")
    pin.add_argument("ids", metavar="ID", nargs="+", help="profile ids, first tried first")
    clear = command(
        order_sub,
        "clear",
        help="remove the stored order override (like `openclaw models auth order clear`)",
        description="Remove the agent's stored order for a provider, so the config order or OpenClaw's default applies.",
    )
    clear.add_argument("--provider", metavar="P", required=True, help="provider id (e.g. anthropic)")

    command(
        sub,
        "doctor-fix",
        help="run OpenClaw's upgrade repair (openclaw doctor --fix) with the state dir backed up; undo puts it back",
        description="Run the release's own `openclaw doctor --fix --non-interactive`, which imports a JSON store an "
        "older release left, drops config keys this release rejects and removes retired profiles. The state dir is "
        "copied first; `openclaw-triage undo` puts back what the doctor changed and removes what it created. "
        "Refused while a gateway of the install runs (stop it first, start it after).",
    )
    undo = command(
        sub,
        "undo",
        help="take back a change (the latest by default)",
        description="Restore what a change replaced, exactly. Refused if the file or setting changed since, unless --force.",
    )
    undo.add_argument("id", metavar="ID", nargs="?", help="change id from `history` (default: the latest undoable)")
    undo.add_argument("--force", action="store_true", help="undo even if the store changed after the change")
    history = command(sub, "history", help="list the changes made by openclaw-triage", description="List every change.")
    history.add_argument("--json", action="store_true", help="machine-readable output")


SESSIONS_EPILOG = """\
exit codes: 0 no chat is stuck, 1 a chat's pin makes it fail, 2 only warnings, 64 bad usage.
A chat's pin: the auth profile it keeps using (`auto`: chosen by OpenClaw, follows the order at its
next reset; `user`: chosen in the chat with /model …@profile, kept whatever the order says).
"""
SESSIONS_UNPIN_EPILOG = """\
exit codes: 0 done (or nothing to do), 1 refused or failed (nothing changed unless it says so), 64 bad usage.
2026.3: the pin is cleared in sessions.json under OpenClaw's session lock; `openclaw-triage undo` puts it back.
2026.9: OpenClaw offers no way to clear a pin from outside the chat; the chat command to send is printed instead.
OpenClaw's own --profile NAME goes before the command: openclaw-triage --profile NAME sessions unpin ….
"""


def _add_sessions_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`sessions [unpin]`: parsers only; the work is in `openclaw_triage.cli.sessions`, imported when it runs."""
    sessions = sub.add_parser(
        "sessions",
        help="list every chat session and the auth profile it is pinned to; unpin them",
        description="List chat sessions (most recent first) with their model and auth pin, and what OpenClaw "
        "will do with each pin under the current order.",
        epilog=SESSIONS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sessions.add_argument("--json", action="store_true", help="machine-readable output")
    _add_install_flags(sessions, suppress=True)
    actions = sessions.add_subparsers(dest="sessions_command", metavar="ACTION")
    unpin = actions.add_parser(
        "unpin",
        help="clear chats' auth pins so they follow the order again",
        description="Clear the auth pin of one chat (--session), of every chat pinned to a profile (--profile) or "
        "of every pinned chat (--all), the way OpenClaw clears a pin.",
        epilog=SESSIONS_UNPIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        conflict_handler="resolve",
    )
    _add_install_flags(unpin, suppress=True)
    which = unpin.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--session", dest="pin_sessions", metavar="KEY", action="append", help="a session key (repeatable)"
    )
    which.add_argument(
        "--profile", "--profile-id", dest="pin_profile", metavar="ID", help="every chat pinned to this auth profile"
    )
    which.add_argument("--all", dest="pin_all", action="store_true", help="every pinned chat of the agent")
    unpin.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def _run_write_command(args: argparse.Namespace) -> int:
    """Dispatch to `openclaw_triage.cli.write`, imported only now (check must stay lean)."""
    from . import write

    if args.command == "key":
        return write.run_key_set(args)
    if args.command == "order":
        return write.run_order_pin(args) if args.order_command == "pin" else write.run_order_clear(args)
    if args.command == "undo":
        return write.run_undo(args)
    if args.command == "doctor-fix":
        return write.run_doctor_fix(args)
    return write.run_history(args)


PROBE_EPILOG = """\
exit codes: 0 every key accepted, 1 any error (or nothing to probe), 2 only warnings, 64 bad usage.
Requests go only to the base URL OpenClaw itself uses (config, else the agent's models.json, else
api.anthropic.com), with the headers your OpenClaw version sends; redirects are never followed.
OpenClaw's own --profile NAME goes before the command: openclaw-triage --profile NAME probe.
"""


def _add_probe_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`probe`: its own `--profile ID` is an auth profile id, so it replaces the install flag."""
    probe = sub.add_parser(
        "probe",
        help="ask each key's provider whether it works (live API probe)",
        description="Send each profile's key exactly as OpenClaw would, to its provider: one free request "
        "(Anthropic: GET /v1/models; OpenAI, OpenRouter, Gemini, xAI, Groq, Mistral, DeepSeek: their own), and "
        "with --deep one 1-token Anthropic POST /v1/messages on the cheapest model (billing, spend limits, model "
        "access, the subscription-token policy). Malformed keys are never sent; keys only ever go in headers.",
        epilog=PROBE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        conflict_handler="resolve",
    )
    _add_install_flags(probe, suppress=True)
    probe.add_argument("--profile", "--profile-id", dest="probe_profile", metavar="ID", help="only this auth profile")
    probe.add_argument("--deep", action="store_true", help="also one 1-token Messages call per key (costs ~nothing)")
    probe.add_argument("--json", action="store_true", help="machine-readable output")
    probe.add_argument("--timeout", metavar="S", type=float, help="seconds per request (default: 10)")
    probe.add_argument("--provider", metavar="P", help="only this provider's profiles (default: every provider's)")


def run_check(args: argparse.Namespace) -> int:
    if getattr(args, "json_schema", False):
        from ..output.schema import check_json_schema

        print(json.dumps(check_json_schema(), indent=2))
        return 0
    from ..diagnose.run import diagnose
    from ..openclaw.install import inspect_install
    from ..openclaw.locate import LocateError
    from ..output.check import check_json_text, check_text, use_color

    try:
        install = inspect_install(options_from_args(args))
    except LocateError as exc:
        print(f"openclaw-triage: {exc}", file=sys.stderr)
        return 64
    diagnosis = diagnose(install, provider=args.provider)
    if args.probe or args.deep:
        from .probe import join_check

        join_check(diagnosis, args)
    if args.json:
        # Indented for people at a terminal; compact (C encoder, ~10x faster) for pipes.
        pretty = sys.stdout.isatty()
        sys.stdout.write(check_json_text(diagnosis, indent=2 if pretty else None) + "\n")
    else:
        sys.stdout.write(check_text(diagnosis, color=use_color(sys.stdout)))
    return diagnosis.exit_code


def run_app(args: argparse.Namespace) -> int:
    try:
        from ..tui.app import run
    except ImportError as exc:  # the app is an optional part of a minimal install
        print(
            f"openclaw-triage: the full-screen app is unavailable ({exc}); try `openclaw-triage check`.",
            file=sys.stderr,
        )
        return 3
    return run(options_from_args(args), demo=args.demo)


def main(argv: Sequence[str] | None = None) -> int:
    # A short-lived command allocating many small objects: the cyclic GC only costs time here.
    gc.disable()
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(only="check" if _command_of(argv) == "check" else None)
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return run_check(args)
        if args.command == "probe":
            from .probe import run_command

            return run_command(args, options_from_args(args))
        if args.command in ("key", "order", "undo", "history", "doctor-fix"):
            return _run_write_command(args)
        if args.command == "sessions":
            from .sessions import run as run_sessions

            return run_sessions(args, options_from_args(args))
        if args.command in ("gateway", "discord", "report"):
            from .runtime import run

            return run(args, options_from_args)
        return run_app(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
