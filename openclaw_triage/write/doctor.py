"""The upgrade fix, `openclaw doctor --fix --non-interactive`, as one change with a backup and an undo.

What an upgrade leaves behind only OpenClaw's own doctor repairs the way the release expects
(issue 13, measured on the real 2026.6.5, 2026.7.35 and 2026.8.2 CLIs with stores 2026.5.28
wrote): it imports a JSON store an older release left into SQLite, order included
(`auth-profiles.json` is renamed `.sqlite-import.<ms>.bak` on 6.5-7.35 and `.migrated-<time>`
on 8.x), drops the config keys 2026.8.1+ reject, and removes the retired profile
`anthropic:claude-cli` (`maybeRepairLegacyOAuthProfileIds`, src/commands/doctor-auth-legacy-oauth.ts).
It also touches what it likes beside them: `openclaw.json` and its `.bak` chain, `logs/`,
`plugin-skills/`, plugin catalogs, a memory database, lock files under `tmp/`.

So the backup is the state dir itself: every regular file and symlink is copied (0700 folder,
files 0600 as they may hold keys) before the doctor runs, and once it is done only the copies of
what it changed or removed are kept, with the SHA-256 of what it left. Undo puts those back,
removes what it created, and refuses (`Conflict`, unless forced) when any of them changed since.
The entry is journaled before the doctor runs: a kill mid-run leaves an entry whose undo compares
the state dir with the copy (and asks for force, as it cannot tell the doctor's changes from
later ones).

Refused while a gateway of this install runs: it holds the stores the doctor replaces (OpenClaw's
advice is the same: `gateway stop`, `doctor --fix`, `gateway start`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import stat
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..model import Era, Install
from ..util.state import state_root
from . import journal
from .atomic import fsync_dir, make_dirs, write_atomic
from .change import Change, agent_auth, cli_record, new_entry, no_change, recorded_install, undo_journal_entry
from .cli_runner import CliRoute, Progress, env_from_overrides, run_openclaw, say
from .errors import CliFailed, Conflict, JournalError, UndoRefused, Unsupported
from .intents import record_entry
from .journal import JournalEntry

ACTION = "doctor_fix"
COMMAND = ("doctor", "--fix", "--non-interactive")
TIMEOUT_S = 300.0  # 2026.6.5 took 14 s here on a small store
MAX_SNAPSHOT_BYTES = 512 * 1024 * 1024
_MANIFEST = "manifest.json"
_FILES = "files"
INTERRUPTED_NOTE = (
    "interrupted while the doctor ran: its changes were not listed, so undo compares the state dir with the "
    "copy taken before it and needs --force."
)

Stamp = list[int]  # [size, mtime_ns, inode, mode]: how the file looked


def _stamp(st: os.stat_result) -> Stamp:
    if stat.S_ISDIR(st.st_mode):
        return [0, 0, 0, 0]  # a folder is there or not; its times change with every file in it
    return [st.st_size, st.st_mtime_ns, st.st_ino, stat.S_IMODE(st.st_mode)]


def _walk(root: Path, skip: tuple[Path, ...]) -> Iterator[tuple[str, os.stat_result]]:
    """Every folder (as `path/`), regular file and symlink under `root`, links not followed, as
    (relative path, lstat)."""
    for folder, dirs, files in os.walk(root, followlinks=False):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not any((here / d) == s for s in skip))
        for name in sorted(files) + dirs:
            path = here / name
            try:
                st = path.lstat()
            except OSError:
                continue
            rel = str(path.relative_to(root))
            if stat.S_ISDIR(st.st_mode):
                yield rel + "/", st
            elif stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode):
                yield rel, st


def _skip(state_dir: Path) -> tuple[Path, ...]:
    """Our own state (a demo keeps it inside its folder) is not OpenClaw's to snapshot."""
    ours = state_root()
    with contextlib.suppress(OSError):
        ours = ours.resolve()
    return (ours,)


def _sha(path: Path) -> str | None:
    """The SHA-256 of a regular file, of a symlink's target text; None when it is not there."""
    try:
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode):
            return "link:" + os.readlink(path)
        digest = hashlib.sha256()
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            while chunk := os.read(fd, 1024 * 1024):
                digest.update(chunk)
        finally:
            os.close(fd)
        return digest.hexdigest()
    except OSError:
        return None


def snapshot(state_dir: Path, into: Path) -> dict[str, Stamp]:
    """Copy the state dir into `into/files` and return its manifest (relative path -> stamp)."""
    root = state_dir.resolve()
    listing = list(_walk(root, _skip(root)))
    total = sum(st.st_size for _, st in listing if stat.S_ISREG(st.st_mode))
    if total > MAX_SNAPSHOT_BYTES:
        raise Unsupported(
            f"{state_dir} holds {total // (1024 * 1024)} MB; a backup that large is not taken automatically. "
            "Nothing was changed.",
            hint=f"Back up {state_dir} yourself, then run: openclaw gateway stop; openclaw doctor --fix",
        )
    make_dirs(into / _FILES)
    manifest: dict[str, Stamp] = {}
    for rel, st in listing:
        src, dst = root / rel, into / _FILES / rel
        make_dirs(dst.parent)
        try:
            if stat.S_ISDIR(st.st_mode):
                pass  # remembered, so that undo can tell the folders the doctor made
            elif stat.S_ISLNK(st.st_mode):
                os.symlink(os.readlink(src), dst)
            else:
                shutil.copyfile(src, dst, follow_symlinks=False)
                os.chmod(dst, 0o600)
        except FileNotFoundError:
            continue  # gone since the listing: nothing to keep
        except OSError as exc:  # unbacked, undo would take it for one the doctor made and remove it
            raise Unsupported(
                f"{src} cannot be backed up ({exc.strerror}); the doctor is not run without a full backup. "
                "Nothing was changed.",
                hint=f"Make it readable (or free disk space), or back up {state_dir} yourself and run "
                "openclaw doctor --fix.",
            ) from None
        manifest[rel] = _stamp(st)
    return manifest


_DB_SUFFIXES = ("-wal", "-shm", "-journal")


def changes_since(state_dir: Path, manifest: dict[str, Stamp]) -> tuple[list[str], list[str]]:
    """What differs from the manifest: (changed or removed paths, created paths).

    A SQLite database counts as one: when the doctor wrote only its `-wal`, the next OpenClaw
    command checkpoints that into the main file, so undo must put the main file back too."""
    root = state_dir.resolve()
    now = {rel: _stamp(st) for rel, st in _walk(root, _skip(root))}
    changed = {rel for rel, was in manifest.items() if now.get(rel) != was}
    created = sorted(rel for rel in now if rel not in manifest)
    for rel in [*changed, *created]:
        base = next((rel[: -len(s)] for s in _DB_SUFFIXES if rel.endswith(s)), rel)
        if base.endswith(".sqlite") or ".sqlite" in Path(base).name:
            changed.update(r for r in (base, *(base + s for s in _DB_SUFFIXES)) if r in manifest)
    return sorted(changed), created


_VOLATILE_DIRS = ("logs", "tmp")  # OpenClaw's own logs and lock files: every command touches them


def _watched(rel: str) -> bool:
    """Whether a later change to this file means undo would overwrite someone's work: not the logs
    and locks every command writes, and not the databases (any OpenClaw command that opens one
    rewrites its bytes; their content is compared through `credentials_print` instead)."""
    parts = Path(rel).parts
    return not (parts and parts[0] in _VOLATILE_DIRS) and ".sqlite" not in Path(rel).name


def credentials_print(install: Install) -> str:
    """A digest of every agent's credentials as OpenClaw would read them (ids, types, secret
    fingerprints, references, orders): what a later login, paste or order change alters."""
    rows = []
    for aa in install.agents:
        store = aa.effective
        profiles = sorted(
            (p.id, p.provider, str(p.type), p.secret.fingerprint() if p.secret is not None else None,
             p.ref.label() if p.ref is not None else None)
            for p in store.profiles.values()
        )  # fmt: skip
        rows.append([aa.agent_id, profiles, sorted((k, list(v)) for k, v in store.order.items())])
    return hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()


def _outside_state_dir(install: Install) -> list[str]:
    """The config file and agent dirs that are not under the state dir (links resolved)."""
    root = install.state_dir.resolve()
    places = [install.config.path, *(a.agent_dir for a in install.agents)]
    return [str(p) for p in places if not Path(p).resolve().is_relative_to(root)]


def _gateway_running(install: Install) -> bool:
    from ..runtime.gateway import find_locks, install_config_paths

    locks = find_locks(install_config_paths(install), install.state_dir, install.seen_env, install.sandbox)
    return any(lock.alive for lock in locks)


def doctor_fix(install: Install, *, agent: str | None = None, progress: Progress = None) -> Change:
    """Run the release's own `openclaw doctor --fix --non-interactive`, backed up and undoable."""
    aa = agent_auth(install, agent)
    if install.era is not Era.SQLITE:
        raise Unsupported(
            "This release keeps its credentials in JSON files it reads as they are; there is nothing for "
            "`openclaw doctor --fix` to import. Nothing was changed."
        )
    route = CliRoute.for_install(install, aa.agent_id, progress=progress, timeout=TIMEOUT_S)
    outside = _outside_state_dir(install)
    if outside:
        raise Unsupported(
            f"{', '.join(outside)} lie(s) outside {install.state_dir}, where the doctor also writes; the backup "
            "covers the state dir only, so the fix is not run from here. Nothing was changed.",
            hint="Back those up yourself, then run: openclaw gateway stop; openclaw doctor --fix",
        )
    if _gateway_running(install):
        raise Unsupported(
            "A gateway of this install is running; it holds the stores the doctor replaces. Nothing was changed.",
            hint="Stop it (`openclaw gateway stop`), run this fix again, then start it (`openclaw gateway start`).",
        )
    change_id = journal.new_id()
    where = journal.backups_dir() / f"{change_id}.statedir"
    say(progress, f"Backing up {install.state_dir} before openclaw doctor --fix …")
    try:
        manifest = snapshot(install.state_dir, where)
        write_atomic(where / _MANIFEST, json.dumps(manifest).encode(), mode=0o600)
    except BaseException:
        shutil.rmtree(where, ignore_errors=True)
        raise
    undo: dict[str, Any] = {"op": "doctor", "root": str(install.state_dir.resolve()), "snapshot": str(where)}
    summary = f"Ran openclaw doctor --fix ({install.cli.version or 'OpenClaw'}) on {install.state_dir}."
    entry = new_entry(
        install, aa.agent_id, change_id, ACTION, summary, backup=str(where), undo=undo,
        cli=cli_record(install), notes=[INTERRUPTED_NOTE],
    )  # fmt: skip
    try:  # first: a kill while the doctor runs leaves a change `history` and `undo` can reach
        with journal.locked():
            journal.write_entry(entry)
    except (JournalError, OSError) as exc:
        shutil.rmtree(where, ignore_errors=True)
        raise JournalError(f"nothing was changed: the change could not be journaled first ({exc}).") from None
    try:
        with journal.holding(change_id):  # another run's undo refuses it meanwhile
            result = run_openclaw(
                route.cli, list(COMMAND), env=route.env, timeout=TIMEOUT_S, progress=progress,
                label="openclaw doctor --fix", cwd=route.cwd, scrubber=route.scrubber,
            )  # fmt: skip
    except BaseException:
        _settle(entry, manifest, failed=True)
        raise
    changed, created = changes_since(install.state_dir, manifest)
    if result.returncode != 0 and not changed and not created:
        _forget(entry)
        raise CliFailed(
            f"`openclaw doctor --fix` failed (exit code {result.returncode}); nothing was changed.",
            output=result.output,
            returncode=result.returncode,
        )
    if not changed and not created:
        _forget(entry)
        return no_change(Era.SQLITE, "openclaw doctor --fix found nothing to repair.", [], ACTION, aa.agent_id)
    entry = _settle(entry, manifest, failed=result.returncode != 0, changes=(changed, created))
    notes = list(entry.notes)
    if result.returncode != 0:
        notes.insert(
            0, f"openclaw doctor --fix exited {result.returncode}; what it changed is backed up (z undoes it)."
        )
    return Change(change_id, entry.summary, Era.SQLITE, True, where, notes, ACTION, aa.agent_id, file=install.state_dir)


def _forget(entry: JournalEntry) -> None:
    """The doctor changed nothing: no entry, no copy."""
    with journal.locked():
        journal.delete_entry(entry.id)
    shutil.rmtree(entry.backup or "", ignore_errors=True)


def _settle(
    entry: JournalEntry,
    manifest: dict[str, Stamp],
    *,
    failed: bool = False,
    changes: tuple[list[str], list[str]] | None = None,
) -> JournalEntry:
    """List what the doctor changed, keep only those copies, and record it (the entry's final form)."""
    root = Path(entry.undo["root"])
    where = Path(entry.undo["snapshot"])
    changed, created = changes if changes is not None else changes_since(root, manifest)
    keep = set(changed)
    for rel in manifest:
        if rel not in keep and not rel.endswith("/"):
            with contextlib.suppress(OSError):
                os.unlink(where / _FILES / rel)
    after = {rel: _sha(root / rel) for rel in [*changed, *created] if _watched(rel)}
    counts = f"{_files(changed)} file(s) changed or moved, {_files(created)} created"
    undo = {
        **entry.undo,
        "changed": changed,
        "created": created,
        "after": after,
        "modes": {r: manifest[r][3] for r in changed},
        "credentials": _print_of(entry),
    }
    final = replace(
        entry,
        summary=f"{entry.summary[:-1]}: {counts}; the state dir before it is backed up.",
        undo=undo,
        notes=[n for n in entry.notes if n != INTERRUPTED_NOTE]
        + (["the doctor did not finish; what it changed is listed and can be undone."] if failed else []),
    )
    record_entry(final, final.summary)
    return final


def _print_of(entry: JournalEntry) -> str | None:
    try:
        return credentials_print(recorded_install(entry))
    except Exception:  # advisory: without it, undo compares the files alone
        return None


def undo_doctor(entry: JournalEntry, undo_id: str, force: bool, progress: Progress) -> JournalEntry:
    """Put the state dir back as the doctor found it (the files it changed, minus the ones it made)."""
    if journal.held(entry.id):
        raise UndoRefused(f"openclaw doctor --fix (change {entry.id}) is still running; nothing was changed.")
    root, where = _checked_places(entry)
    if "after" not in entry.undo:  # interrupted: compare with the whole copy
        manifest = json.loads((where / _MANIFEST).read_text(encoding="utf-8"))
        changed, created = changes_since(root, manifest)
        if not force:
            made = [r for r in created if not r.endswith("/")]
            raise Conflict(
                "This doctor run was interrupted, so what it changed was never listed; undoing it puts back the "
                f"{_files(changed)} file(s) of {root} that differ from the copy taken before it and removes the "
                f"{len(made)} made since ({', '.join(made[:4])}{' …' if len(made) > 4 else ''}).",
                hint=f"Run `openclaw-triage undo {entry.id} --force` to do that.",
            )
        modes = {r: manifest[r][3] for r in changed}
    else:
        changed, created, modes = entry.undo["changed"], entry.undo["created"], entry.undo.get("modes", {})
        moved = [rel for rel, sha in entry.undo["after"].items() if _sha(root / rel) != sha]
        recorded = entry.undo.get("credentials")
        if recorded is None or recorded != _print_of(entry):
            moved.insert(0, "the credentials (a login, key or order changed, or they cannot be read)")
        if moved and not force:
            raise Conflict(
                f"{len(moved)} file(s) the doctor wrote changed since ({', '.join(moved[:3])}"
                f"{' …' if len(moved) > 3 else ''}): OpenClaw has used the imported store.",
                hint=f"`openclaw-triage undo {entry.id} --force` puts the state dir back anyway.",
            )
    if not (where / _FILES).is_dir():
        raise JournalError(f"the backup {where} is gone; the state dir cannot be put back.")
    if _gateway_running_at(entry):
        raise Unsupported(
            "A gateway of this install is running; stop it before putting its stores back. Nothing was changed.",
            hint="openclaw gateway stop, then undo again.",
        )
    say(progress, f"Putting {_files(changed)} file(s) back and removing {_files(created)} the doctor made …")
    for rel in _with_journals(created, keep=set(changed)):
        with contextlib.suppress(FileNotFoundError, IsADirectoryError):
            os.unlink(root / rel)  # a link itself, never what it points to
            fsync_dir((root / rel).parent)
    for rel in changed:
        if rel.endswith("/"):
            make_dirs(root / rel)  # a folder the doctor removed
        else:
            _restore(where / _FILES / rel, root / rel, modes.get(rel, 0o600))
    _remove_made_dirs(root, [rel for rel in created if rel.endswith("/")])
    return undo_journal_entry(
        entry, undo_id, f"Put {root} back as it was before openclaw doctor --fix ({_files(changed)} file(s) restored, "
        f"{_files(created)} removed).",
    )  # fmt: skip


def _with_journals(created: list[str], keep: set[str]) -> list[str]:
    """The files the doctor made, and the `-wal`/`-shm` of each database it made: OpenClaw
    commands run after it open those databases and leave them beside (they are not in `keep`,
    the files that were there before)."""
    out = [rel for rel in created if not rel.endswith("/")]
    for rel in list(out):
        if rel.endswith(".sqlite"):
            out += [rel + s for s in _DB_SUFFIXES if rel + s not in keep and rel + s not in out]
    return out


def _checked_places(entry: JournalEntry) -> tuple[Path, Path]:
    """The state dir and the copy a journal entry names, refused unless they are where this tool
    puts them and every path it lists stays inside (a damaged or edited journal must not steer
    undo at other files)."""
    root = Path(entry.state_dir).resolve()
    where = Path(str(entry.undo.get("snapshot", "")))
    if Path(str(entry.undo.get("root", ""))) != root or where.parent != journal.backups_dir():
        raise UndoRefused(f"change {entry.id} names places this tool did not record; it is not undone.")
    listed = [*entry.undo.get("changed", []), *entry.undo.get("created", [])]
    for rel in listed:
        path = Path(str(rel))
        # the folder it sits in, links resolved (the path itself may be a link the doctor made)
        if path.is_absolute() or ".." in path.parts or not (root / path).parent.resolve().is_relative_to(root):
            raise UndoRefused(f"change {entry.id} lists {rel!r}, outside {root}; it is not undone.")
    return root, where


def _files(paths: list[str]) -> int:
    return sum(not rel.endswith("/") for rel in paths)


def _restore(copy: Path, target: Path, mode: int) -> None:
    if copy.is_symlink():
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)
        os.symlink(os.readlink(copy), target)
        return
    if not copy.is_file():
        return  # not copied (it was unreadable): nothing to put back
    make_dirs(target.parent)
    if target.is_symlink():
        os.unlink(target)  # the doctor put a link where a file was: put the file back, not through it
    write_atomic(target, copy.read_bytes(), mode=mode)


def _remove_made_dirs(root: Path, made: list[str]) -> None:
    """Remove the folders the doctor made, deepest first, where they are empty once its files are
    gone (one holding something written since stays)."""
    for rel in sorted(made, key=lambda r: r.count("/"), reverse=True):
        with contextlib.suppress(OSError):
            (root / rel).rmdir()
            fsync_dir((root / rel).parent)


def _gateway_running_at(entry: JournalEntry) -> bool:
    from ..runtime.gateway import find_locks

    env = env_from_overrides(entry.cli.get("env", {}))
    config = Path(entry.cli.get("configPath") or Path(entry.state_dir) / "openclaw.json")
    locks = find_locks([config], Path(entry.state_dir), env)
    return any(lock.alive for lock in locks)
