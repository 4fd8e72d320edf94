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

from . import __version__

EPILOG = """\
exit codes (check): 0 nothing wrong, 1 at least one error, 2 only warnings,
                    3 the install could not be read at all, 64 bad usage.
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="openclaw-triage",
        description="Find and fix what stands between OpenClaw and a working model key. "
        "Run without a command for the full-screen app.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"openclaw-triage {__version__}")
    parser.add_argument(
        "--demo", action="store_true", help="open the app on a bundled example install (a copy in a temp dir)"
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
    check.add_argument("--provider", metavar="P", help="only this provider (e.g. anthropic)")
    _add_install_flags(check, suppress=True)
    return parser


def _options(args: argparse.Namespace) -> object:
    from .locate import Options

    return Options(
        state_dir=getattr(args, "state_dir", None),
        config=getattr(args, "config", None),
        agent=getattr(args, "agent", None),
        profile=getattr(args, "profile", None),
        openclaw=getattr(args, "openclaw", None),
    )


def run_check(args: argparse.Namespace) -> int:
    from .diagnose import diagnose
    from .inspect import inspect_install
    from .locate import LocateError
    from .render import check_json, check_text, use_color

    try:
        install = inspect_install(_options(args))  # type: ignore[arg-type]
    except LocateError as exc:
        print(f"openclaw-triage: {exc}", file=sys.stderr)
        return 64
    diagnosis = diagnose(install, provider=args.provider)
    if args.json:
        # Indented for people at a terminal; compact (C encoder, ~10x faster) for pipes.
        pretty = sys.stdout.isatty()
        sys.stdout.write(json.dumps(check_json(diagnosis), indent=2 if pretty else None, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(check_text(diagnosis, color=use_color(sys.stdout)))
    return diagnosis.exit_code


def run_app(args: argparse.Namespace) -> int:
    try:
        from .tui.app import run
    except ImportError as exc:  # the app is an optional part of a minimal install
        print(
            f"openclaw-triage: the full-screen app is unavailable ({exc}); try `openclaw-triage check`.",
            file=sys.stderr,
        )
        return 3
    return run(_options(args), demo=args.demo)  # type: ignore[arg-type]


def main(argv: Sequence[str] | None = None) -> int:
    # A short-lived command allocating many small objects: the cyclic GC only costs time here.
    gc.disable()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return run_check(args)
        return run_app(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
