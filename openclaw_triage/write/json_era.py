"""JSON era (2026.3): changes made by editing `auth-profiles.json` in place, and their undo.

Each edit runs under OpenClaw's own file lock (`json_store`) with a backup first; a running
gateway is then told to reload, and checked for writing its old copy back. Undo restores the
previous bytes, refused if the file changed since unless forced.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..model import AgentAuth, CredentialType, Era, Install
from ..openclaw.layouts import AUTH_STATE_FILE
from ..openclaw.locate import STORE_FILE
from ..scrub import Scrubber, scrubber_for
from . import journal, json_store
from .atomic import observe
from .change import (
    Change,
    cli_record,
    kind_word,
    new_entry,
    no_change,
    recorded_install,
    sha256_hex,
    undo_journal_entry,
)
from .cli_runner import CliRoute, Progress, env_from_overrides, say
from .errors import CliFailed, Conflict, StoreBroken, UndoRefused, WriteError
from .intents import journaled, record_entry, record_intent
from .journal import JournalEntry
from .validate import check_profile_fits

GATEWAY_RELOADED = "gateway secrets reloaded"


def _json_known(main: Path | None) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The profiles an agent sees: main's store under its own (re-read inside the agent file's lock)."""

    def known(data: dict[str, Any]) -> dict[str, Any]:
        base = json_store.read_profiles(main) if main is not None else {}
        return {**base, **data["profiles"]}

    return known


def _main_path(aa: AgentAuth) -> Path | None:
    return Path(aa.layers[0].location) if len(aa.layers) > 1 else None


def _reload_gateway(
    *,
    cli: str | None,
    env: dict[str, str],
    config_path: Path,
    state_dir: Path,
    port: int,
    target: Path,
    holds: Callable[[], bool],
    reapply: Callable[[], None],
    progress: Progress,
    scrubber: Callable[[], Scrubber],
    sandbox: str | None = None,
) -> list[str]:
    """If a 2026.3 gateway runs, make it reload and check it did not write its old copy back (once retried).

    `scrubber()` gives the run's scrubber for the CLI's output (only asked for when a gateway runs)."""
    from ..runtime.gateway import detect_process

    state = detect_process(config_path, state_dir, env, port, sandbox=Path(sandbox) if sandbox else None)
    if not state.running:
        return []
    if not cli:
        return [
            f"A gateway is running ({state.evidence}) but no openclaw CLI was found to reload it: run "
            "`openclaw secrets reload` now, or it may write its old copy of the keys back."
        ]
    route = CliRoute(cli=cli, env=env, scrubber=scrubber(), progress=progress, cwd=state_dir)
    for attempt in range(2):
        try:
            route.secrets_reload()
        except CliFailed as exc:
            return [
                f"A gateway is running ({state.evidence}) but `openclaw secrets reload` failed ({exc.message}); run "
                "it yourself or restart the gateway (`openclaw gateway restart`), or it may write its old keys back."
            ]
        if holds():
            return [f"{GATEWAY_RELOADED} (a gateway is running: {state.evidence})."]
        if attempt == 0:
            say(progress, "The running gateway wrote its old copy back; writing the change again …")
            reapply()
    return [
        f"WARNING: the running gateway ({state.evidence}) keeps writing its old copy of {target.name} back. Stop it "
        "(`openclaw gateway stop`), run this again, then start it."
    ]


def _drop_intent(change_id: str) -> None:
    """A change given up before it was written leaves no trace in the journal."""
    with journal.locked():
        journal.drop_intent(change_id)


def _json_change(
    install: Install,
    aa: AgentAuth,
    *,
    action: str,
    op: json_store.Operation,
    target: Path,
    progress: Progress,
    provider: str | None = None,
    profile_id: str | None = None,
    create: bool = True,
) -> tuple[Change, JournalEntry | None]:
    change_id = journal.new_id()
    state = target.name == AUTH_STATE_FILE
    say(progress, f"Writing {target} …")

    def entry_of(applied: json_store.Applied) -> JournalEntry:
        return new_entry(
            install,
            aa.agent_id,
            change_id,
            action,
            applied.edit.summary,
            provider=provider,
            profile_id=profile_id,
            file=str(target),
            backup=str(applied.backup) if applied.backup else None,
            existed_before=applied.before is not None,
            mode_before=applied.mode_before,
            after_sha256=sha256_hex(applied.after),
            cli=cli_record(install),
            notes=list(applied.edit.notes),
        )

    with journaled(change_id):  # a write that did not happen leaves no intent
        applied = json_store.apply(
            target,
            op,
            create=create,
            backup=lambda raw: journal.save_backup(change_id, target.name, raw),
            intent=lambda pending: record_intent(entry_of(pending)),  # journaled before it is written
            state=state,
            abandon=lambda: _drop_intent(change_id),
        )
        edit = applied.edit
        common: dict[str, Any] = {"provider": provider, "profile_id": profile_id, "file": target}
        if applied.after is None:
            return no_change(Era.JSON, edit.summary, list(edit.notes), action, aa.agent_id, **common), None
        entry = entry_of(applied)
        record_entry(entry, edit.summary)
    final = [applied.after]

    def holds() -> bool:
        try:
            doc = json_store.read_store(target, state=state)
        except StoreBroken:
            return False
        return doc is not None and edit.verify(doc.data)

    def reapply() -> None:
        again = json_store.apply(target, op, create=True, state=state)
        if again.after is not None:
            final.append(again.after)

    gateway_notes = _reload_gateway(
        cli=install.cli.path,
        env=dict(install.seen_env),
        config_path=install.config.path,
        state_dir=install.state_dir,
        port=entry.cli["gatewayPort"],
        target=target,
        holds=holds,
        reapply=reapply,
        progress=progress,
        scrubber=lambda: scrubber_for(install),
        sandbox=entry.cli.get("sandbox"),
    )
    notes = [*edit.notes, *gateway_notes]
    if final[-1] != applied.after or gateway_notes:
        entry = replace(entry, after_sha256=sha256_hex(final[-1]), notes=notes)
        record_entry(entry, edit.summary)
    change = Change(
        change_id,
        edit.summary,
        Era.JSON,
        True,
        applied.backup,
        notes,
        action,
        aa.agent_id,
        changed=True,
        **common,
    )
    return change, entry


def _order_file(install: Install, aa: AgentAuth) -> Path:
    """Where this release keeps the agent's order: `auth-state.json` from 2026.4.7, else the store."""
    state_file = install.layout.state_file if install.layout else None
    return aa.agent_dir / (state_file or STORE_FILE)


def json_set_order(
    install: Install, aa: AgentAuth, provider: str, ids: Sequence[str], validate: bool, progress: Progress
) -> Change:
    target = _order_file(install, aa)
    known = None
    if validate:
        main = _main_path(aa)
        if target.name == STORE_FILE:
            known = _json_known(main)
        else:
            own = aa.agent_dir / STORE_FILE
            known = lambda _state: {  # noqa: E731 - the profiles beside the state file, read in the lock
                **(json_store.read_profiles(main) if main is not None else {}),
                **json_store.read_profiles(own),
            }
    op = json_store.set_order(provider, list(ids), known=known, where=str(aa.agent_dir))
    change, _ = _json_change(
        install,
        aa,
        action="set_order",
        op=op,
        target=target,
        progress=progress,
        provider=json_store.provider_key(provider),
    )
    return change


def json_clear_order(install: Install, aa: AgentAuth, provider: str, progress: Progress) -> Change:
    key = json_store.provider_key(provider)
    store = aa.agent_dir / STORE_FILE
    targets = [store]
    if (order_file := _order_file(install, aa)) != store:
        # 2026.4.7+ still honours an order an older release left inside auth-profiles.json (the state
        # file wins per provider), so clearing takes it from both, as OpenClaw's own save does: that
        # one first, so the state file's change is the latest, the one `undo` takes back, and taking
        # it back alone restores what OpenClaw reads (the state file's order wins again).
        targets = [*(t for t in targets if _own_order(t, key)), order_file]
    steps = []
    for target in targets:
        if target.exists():
            op = json_store.clear_order(provider)
            step, _ = _json_change(
                install, aa, action="clear_order", op=op, target=target, progress=progress, provider=key, create=False
            )
            steps.append(step)
    changed = [s for s in steps if s.changed]
    change = changed[-1] if changed else None
    if change is not None and len(changed) > 1:
        change.notes.append(
            f"also cleared the {key} order an older release left in {STORE_FILE} (change {changed[0].id}); "
            "undoing this change alone gives OpenClaw its order back, as the state file's comes first."
        )
    if change is None:
        summary = f"There is no stored {key} order to clear."
        change = no_change(Era.JSON, summary, [], "clear_order", aa.agent_id, provider=key, file=targets[0])
    main = _main_path(aa)
    if main is not None:
        inherited = _main_order(install, main, key)
        if inherited and not any(_own_order(t, key) for t in targets):
            change.notes.append(
                f"The main agent's store still has a {key} order ({', '.join(inherited)}), which "
                f"{aa.agent_id} inherits; clear it with --agent main."
            )
    return change


def _main_order(install: Install, main: Path, key: str) -> list[str] | None:
    """The `key` order the main agent's files give, read as this release reads them: from
    2026.4.7 its `auth-state.json` over the order an older release left in its store
    (`openclaw.store_json.load_agent_store`, the reader `check` uses)."""
    from ..openclaw.store_json import load_agent_store

    state_file = install.layout.state_file if install.layout else None
    return load_agent_store(main.parent, None, "main", state_file).order.get(key)


def _own_order(target: Path, key: str) -> bool:
    try:
        doc = json_store.read_store(target, state=target.name == AUTH_STATE_FILE)
    except StoreBroken:
        return False
    order = doc.data.get("order") if doc else None
    return isinstance(order, dict) and key in order


def json_set_key(
    install: Install,
    aa: AgentAuth,
    provider: str,
    profile_id: str,
    value: str,
    ctype: CredentialType,
    progress: Progress,
) -> Change:
    key = json_store.provider_key(provider)
    check_profile_fits(profile_id, key, ctype, aa.effective, secret_kind=kind_word(ctype))
    target = aa.agent_dir / STORE_FILE
    op = json_store.upsert_secret(profile_id, key, ctype, value)
    change, _ = _json_change(
        install, aa, action="set_key", op=op, target=target, progress=progress, provider=key, profile_id=profile_id
    )
    return change


def json_remove(install: Install, aa: AgentAuth, profile_id: str, progress: Progress) -> Change:
    own = aa.agent_dir / STORE_FILE
    main = _main_path(aa)
    holder = own
    if (
        profile_id not in json_store.read_profiles(own)
        and main is not None
        and profile_id in json_store.read_profiles(main)
    ):
        holder = main
    state_file = install.layout.state_file if install.layout else None
    if state_file and (holder.parent / state_file).exists():
        # 2026.4.7+: its order, lastGood and cooldowns live beside the store; take them out first,
        # so the latest change (the one `undo` takes back first) is the profile's own.
        _json_change(
            install,
            aa,
            action="remove_profile",
            op=json_store.drop_references(profile_id),
            target=holder.parent / state_file,
            progress=progress,
            profile_id=profile_id,
            create=False,
        )
    op = json_store.remove_profile(profile_id, where=str(holder.parent))
    change, _ = _json_change(
        install,
        aa,
        action="remove_profile",
        op=op,
        target=holder,
        progress=progress,
        profile_id=profile_id,
        create=False,
    )
    if holder == main:
        change.notes.append(f"{profile_id} was removed from the main agent's store, which every agent inherits.")
    elif main is not None and profile_id in json_store.read_profiles(main):
        change.notes.append(f"the main agent's store also has {profile_id}; {aa.agent_id} now uses that one.")
    return change


def undo_json(entry: JournalEntry, undo_id: str, force: bool, progress: Progress) -> JournalEntry:
    if not entry.file:
        raise UndoRefused(f"change {entry.id} names no file to restore.")
    path = Path(entry.file)
    previous = journal.read_backup(entry.backup) if entry.existed_before and entry.backup else None
    if entry.existed_before and previous is None:
        raise UndoRefused(f"change {entry.id} has no backup of the previous file.")
    saved: list[Path] = []
    notes: list[str] = []

    def check(current: bytes | None) -> None:
        if sha256_hex(current) != entry.after_sha256:
            if not force:
                raise Conflict(
                    f"{path} changed after change {entry.id} (OpenClaw records usage and cooldowns in it while it "
                    "runs); undoing now would discard those later changes. Nothing was changed.",
                    hint="Undo with --force to restore the old file anyway (the current one is backed up first).",
                )
            notes.append("restored although the file had changed since (forced); the replaced file is backed up.")
        if current is not None:
            saved.append(journal.save_backup(undo_id, path.name, current))
        record_intent(  # the undo's claim, now with what it replaces: still before the write
            undo_journal_entry(
                entry, undo_id, summary, file=str(path), backup=str(saved[-1]) if saved else None,
                after_sha256=sha256_hex(previous), notes=list(notes),
            )
        )  # fmt: skip

    what = "Restored" if previous is not None else "Removed"
    summary = f"{what} {path.name} as before change {entry.id} ({entry.summary.rstrip('.')})."
    say(progress, f"Restoring {path} …")
    json_store.restore(path, previous, entry.mode_before, check=check)

    def holds() -> bool:
        try:
            return observe(path)[1] == previous
        except WriteError:
            return False

    def reapply() -> None:
        json_store.restore(path, previous, entry.mode_before, check=lambda _c: None)

    cli = entry.cli or {}
    notes += _reload_gateway(
        cli=cli.get("path"),
        env=env_from_overrides(cli.get("env") or {}),
        config_path=Path(cli.get("configPath") or Path(entry.state_dir) / "openclaw.json"),
        state_dir=Path(entry.state_dir),
        port=int(cli.get("gatewayPort") or 18789),
        target=path,
        holds=holds,
        reapply=reapply,
        progress=progress,
        scrubber=lambda: scrubber_for(recorded_install(entry)),
        sandbox=cli.get("sandbox"),
    )
    return undo_journal_entry(
        entry,
        undo_id,
        summary,
        file=str(path),
        backup=str(saved[0]) if saved else None,
        after_sha256=sha256_hex(previous),
        notes=notes,
    )
