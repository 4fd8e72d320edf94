"""`openclaw-triage key set | order pin | order clear | undo | history`: the write layer on a command line.

Thin: parse, read the secret (stdin or clipboard, never argv), confirm, call `api`, print masks.
Exit codes: 0 done (or nothing to do), 1 refused or failed (nothing changed unless it says so),
64 bad usage, 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from ..keys import mask
from ..model import CredentialType, Era, Install
from ..openclaw.locate import shorten_home
from ..scrub import scrub
from ..util.termsafe import termsafe
from ..write.errors import WriteError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 64


def _err(text: str) -> None:
    sys.stderr.write(f"openclaw-triage: {text}\n")


def progress_printer(stream: TextIO) -> Callable[[str], None]:
    def report(text: str) -> None:
        stream.write(f"  … {text}\n")
        stream.flush()

    return report


def _install(args: argparse.Namespace) -> Install | int:
    from ..openclaw.install import inspect_install
    from ..openclaw.locate import LocateError
    from .options import options_from_args

    try:
        return inspect_install(options_from_args(args))
    except LocateError as exc:
        _err(str(exc))
        return EXIT_USAGE


def _shown(text: str) -> str:
    """A summary or note holds ids from the install: anything key-shaped masked, escapes escaped."""
    return termsafe(scrub(text))


def print_change(change: object) -> None:
    from ..write.api import Change

    assert isinstance(change, Change)
    out = sys.stdout
    out.write(("✓ " if change.changed else "= ") + _shown(change.summary) + "\n")
    for note in change.notes:
        out.write(f"  - {_shown(note)}\n")
    if change.backup is not None and change.era is Era.JSON:
        out.write(f"  backup: {change.backup}\n")
    if change.undoable and change.id:
        out.write(f"  undo with: openclaw-triage undo {change.id}\n")


def print_failure(exc: WriteError) -> int:
    for i, line in enumerate(str(exc).splitlines()):
        if i == 0:
            _err(line)
        else:
            sys.stderr.write(f"  {line}\n")
    return EXIT_FAILED


# --------------------------------------------------------------------------- key set


def _read_secret(args: argparse.Namespace) -> str | None:
    if args.clipboard:
        try:
            import pyperclip

            value = pyperclip.paste()
        except Exception as exc:  # pyperclip raises its own types, and ImportError without it
            _err(f"cannot read the clipboard ({type(exc).__name__}); pipe the key in with --stdin instead.")
            return None
        return value if isinstance(value, str) else None
    if sys.stdin is None:
        return None
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass("Paste the key (input hidden), then Enter: ")
    return sys.stdin.read()


def confirm_on_tty(question: str, *, stdin_used: bool) -> bool:
    """Ask on the terminal; stdin may already have carried the secret, so prefer /dev/tty."""
    if not stdin_used and sys.stdin is not None and sys.stdin.isatty():
        sys.stderr.write(question)
        sys.stderr.flush()
        answer = sys.stdin.readline()
    else:
        try:
            with open("/dev/tty", "r+", encoding="utf-8") as tty:
                tty.write(question)
                tty.flush()
                answer = tty.readline()
        except OSError:
            return False
    return answer.strip().lower() in ("y", "yes")


def run_key_set(args: argparse.Namespace) -> int:
    from ..openclaw.coerce import normalize_provider
    from ..secret import Secret
    from ..write import api
    from ..write.validate import check_profile_fits, check_secret, default_profile_id

    raw = _read_secret(args)
    if raw is None:
        if not args.clipboard:
            _err("no key on stdin.")
        return EXIT_FAILED
    install = _install(args)
    if isinstance(install, int):
        return install
    provider = normalize_provider(args.provider, install.era)
    try:
        aa = api.agent_auth(install, args.agent)
        ctype = CredentialType(args.type) if args.type else None
        checked = check_secret(provider, raw, ctype, store=aa.effective)
        profile_id = (
            api.clean_profile_id(args.profile_id)
            if args.profile_id
            else default_profile_id(provider, checked.type, aa.effective)
        )
        check_profile_fits(profile_id, provider, checked.type, aa.effective, secret_kind=checked.info.kind.label)
    except WriteError as exc:
        return print_failure(exc)
    if not args.no_probe and provider == "anthropic":
        refusal = _probe_first(install, checked, profile_id)
        if refusal is not None:
            _err(refusal)
            return EXIT_FAILED
    where = (
        str(aa.agent_dir / "auth-profiles.json")
        if install.era is Era.JSON
        else f"the SQLite store, through `openclaw models auth {'paste-api-key' if checked.type is CredentialType.API_KEY else 'paste-token'}`"
    )
    existing = aa.effective.profiles.get(profile_id)
    verb = "Replace the secret of" if existing is not None else "Create"
    if checked.cleaned:
        sys.stderr.write("Cleaned: " + "; ".join(checked.cleaned) + ".\n")
    question = (
        f"{verb} {profile_id} ({checked.type}) for agent {aa.agent_id} with {mask(checked.value)} "
        f"({checked.info.kind.label}, {checked.info.length} characters) in {where}? [y/N] "
    )
    if not args.yes and not confirm_on_tty(question, stdin_used=not args.clipboard):
        _err("not confirmed; nothing was changed (pass --yes to save without asking).")
        return EXIT_FAILED
    try:
        change = api.set_key(
            install,
            provider,
            profile_id,
            Secret(checked.value),
            type=checked.type,
            agent=args.agent,
            progress=progress_printer(sys.stderr),
        )
    except WriteError as exc:
        return print_failure(exc)
    print_change(change)
    return EXIT_OK


def _probe_first(install: Install, checked: Any, profile_id: str) -> str | None:
    """Ask Anthropic about the key before it is written; the reason to refuse, or None."""
    import asyncio

    from ..diagnose.run import diagnose
    from ..probe import probe_candidate
    from ..secret import Secret

    sys.stderr.write("Asking Anthropic about this key first (--no-probe skips this)…\n")
    result = asyncio.run(
        probe_candidate(diagnose(install), Secret(checked.value), profile_id=profile_id, ctype=checked.type)
    )
    rid = f", request-id {result.request_id}" if result.request_id else ""
    if result.ok:
        sys.stderr.write(f"Anthropic accepted it ({result.host}{rid}).\n")
        return None
    if result.code in ("probe.rate_limited", "probe.overloaded"):
        # Anthropic authenticated the key before refusing the request for load: it is a good key.
        sys.stderr.write(f"Anthropic knows this key but is busy ({result.code}{rid}); saving it.\n")
        return None
    return (
        f"not saved: {result.finding.message} ({result.code}{rid}). Nothing was changed; "
        "pass --no-probe to save it without asking Anthropic (e.g. offline)."
    )


# --------------------------------------------------------------------------- order


def run_order_pin(args: argparse.Namespace) -> int:
    from ..write import api

    install = _install(args)
    if isinstance(install, int):
        return install
    try:
        change = api.set_order(
            install, args.provider, args.ids, agent=args.agent, progress=progress_printer(sys.stderr)
        )
    except WriteError as exc:
        return print_failure(exc)
    print_change(change)
    return EXIT_OK


def run_order_clear(args: argparse.Namespace) -> int:
    from ..write import api

    install = _install(args)
    if isinstance(install, int):
        return install
    try:
        change = api.clear_order(install, args.provider, agent=args.agent, progress=progress_printer(sys.stderr))
    except WriteError as exc:
        return print_failure(exc)
    print_change(change)
    return EXIT_OK


def run_doctor_fix(args: argparse.Namespace) -> int:
    from ..write import api

    install = _install(args)
    if isinstance(install, int):
        return install
    try:
        change = api.upgrade_fix(install, agent=args.agent, progress=progress_printer(sys.stderr))
    except WriteError as exc:
        return print_failure(exc)
    print_change(change)
    return EXIT_OK


# --------------------------------------------------------------------------- undo, history


def run_undo(args: argparse.Namespace) -> int:
    from ..write import api

    install = None
    if not args.id:  # "the latest change" means the latest on the install these flags point at
        found = _install(args)
        if isinstance(found, int):
            return found
        install = found
    try:
        change = api.undo(
            args.id, force=args.force, progress=progress_printer(sys.stderr), install=install, agent=args.agent
        )
    except WriteError as exc:
        return print_failure(exc)
    print_change(change)
    return EXIT_OK


def run_history(args: argparse.Namespace) -> int:
    from ..write import api

    try:
        items = api.history()
    except WriteError as exc:
        return print_failure(exc)
    if args.json:
        sys.stdout.write(json.dumps([e.to_json() for e in items], indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    if not items:
        sys.stdout.write("No changes recorded yet.\n")
        return EXIT_OK
    for e in items:
        state = ""
        if e.undone_by:
            state = f"  [undone by {e.undone_by}]"
        elif e.action != "undo" and not e.undoable:
            state = "  [cannot be undone]"
        where = shorten_home(e.state_dir, Path.home(), {})
        sys.stdout.write(_shown(f"{e.id}  {e.time}  {e.era:6}  {where}  agent {e.agent}  {e.summary}{state}") + "\n")
    return EXIT_OK
