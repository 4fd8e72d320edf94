"""SQLite era (2026.6+): changes made only through the real `openclaw` CLI, and their undo.

OpenClaw's database is never written directly: each change runs the CLI (`cli_runner`), re-reads
the install to confirm it took, and records the inverse operation (keeping a displaced secret in
a backup) so undo can run it through the CLI again. The record is journaled before the CLI runs
(`intents`), with what the change touches before and after it, so a kill while the CLI runs
leaves a change recovery can judge from the install itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from ..keys import mask
from ..model import AgentAuth, AuthStore, CredentialType, Era, Install, Profile
from ..openclaw.coerce import normalize_provider
from ..openclaw.layouts import has_logout
from ..scrub import scrubber_for
from ..secret import Secret
from . import journal, json_store
from .change import (
    AfterRead,
    Change,
    cli_record,
    kind_word,
    new_entry,
    no_change,
    recorded_install,
    reinspect,
    undo_journal_entry,
)
from .cli_runner import CliRoute, Progress, env_from_overrides, warnings_from
from .errors import CliFailed, Conflict, InvalidInput, ProfileNotFound, UndoRefused, Unsupported
from .intents import journaled, observed, record_entry, record_intent
from .journal import JournalEntry
from .validate import check_profile_fits


@dataclass(slots=True)
class _Sqlite:
    route: CliRoute
    fresh: Install
    aa: AgentAuth

    @property
    def local(self) -> AuthStore:
        return self.aa.layers[-1]


def _sqlite(install: Install, agent: str, progress: Progress) -> _Sqlite:
    route = CliRoute.for_install(install, agent, progress=progress)
    fresh = reinspect(install, agent)
    aa = fresh.agent
    for layer in aa.layers:
        for issue in layer.issues:
            if issue.code == "store.legacy_unmigrated":
                raise Unsupported(
                    f"{issue.message}.",
                    hint="Run `openclaw doctor --fix` first (it imports the old store), then retry.",
                )
            if issue.code == "store.unreadable":
                raise Unsupported(f"{issue.message}.", hint="Run `openclaw doctor --fix`, then retry.")
    return _Sqlite(route, fresh, aa)


def _sqlite_entry(install: Install, ctx: _Sqlite, change_id: str, action: str, summary: str, **kw: Any) -> JournalEntry:
    return new_entry(
        install, ctx.aa.agent_id, change_id, action, summary, cli=cli_record(install, ctx.route.agent), **kw
    )


def _check_ids_sqlite(ids: list[str], key: str, store: AuthStore, agent: str) -> None:
    for profile_id in ids:
        profile = store.profiles.get(profile_id)
        if profile is None:
            raise ProfileNotFound(
                f'Auth profile "{profile_id}" not found for agent "{agent}".',
                hint="`openclaw-triage check` lists the profiles that exist.",
            )
        if normalize_provider(profile.provider, Era.SQLITE) != key:
            raise InvalidInput(f'Auth profile "{profile_id}" is for {profile.provider}, not {key}.')


def sqlite_set_order(
    install: Install,
    agent: str,
    provider: str,
    ids: Sequence[str],
    validate: bool,
    progress: Progress,
    reread: AfterRead,
) -> Change:
    key = normalize_provider(provider, Era.SQLITE)
    if not key:
        raise InvalidInput("a provider is required (e.g. --provider anthropic).")
    wanted = json_store.clean_ids(list(ids))
    if not wanted:
        raise InvalidInput("Missing profile ids. Provide one or more profile ids.")
    ctx = _sqlite(install, agent, progress)
    if validate:
        _check_ids_sqlite(wanted, key, ctx.aa.effective, ctx.aa.agent_id)
    previous = ctx.local.order.get(key)
    extra: dict[str, Any] = {"provider": key}
    if previous == wanted:
        return no_change(
            Era.SQLITE, f"The {key} order is already {', '.join(wanted)}.", [], "set_order", ctx.aa.agent_id, **extra
        )
    change_id = journal.new_id()
    summary = f"Pinned the {key} profile order to {', '.join(wanted)}."
    entry = _sqlite_entry(
        install,
        ctx,
        change_id,
        "set_order",
        summary,
        provider=key,
        undo={"op": "order", "provider": key, "previous": previous, "expected": wanted},
    )
    notes: list[str] = []
    with journaled(change_id):
        record_intent(entry)
        ctx.route.order_set(key, wanted)
        after = reread.get().agent.layers[-1].order.get(key)
        if after != wanted:
            notes.append(
                f"WARNING: after the CLI ran, the stored {key} order reads {after or 'empty'}, not {', '.join(wanted)}."
            )
        record_entry(replace(entry, notes=notes), summary)
    return Change(change_id, summary, Era.SQLITE, True, None, notes, "set_order", ctx.aa.agent_id, **extra)


def sqlite_clear_order(install: Install, agent: str, provider: str, progress: Progress, reread: AfterRead) -> Change:
    key = normalize_provider(provider, Era.SQLITE)
    if not key:
        raise InvalidInput("a provider is required (e.g. --provider anthropic).")
    ctx = _sqlite(install, agent, progress)
    previous = ctx.local.order.get(key)
    extra: dict[str, Any] = {"provider": key}
    if previous is None:
        notes = _inherited_order_note(ctx.aa, key)
        return no_change(
            Era.SQLITE,
            f"There is no stored {key} order of this agent to clear.",
            notes,
            "clear_order",
            ctx.aa.agent_id,
            **extra,
        )
    change_id = journal.new_id()
    summary = f"Cleared the stored {key} profile order."
    entry = _sqlite_entry(
        install,
        ctx,
        change_id,
        "clear_order",
        summary,
        provider=key,
        undo={"op": "order", "provider": key, "previous": previous, "expected": None},
    )
    with journaled(change_id):
        record_intent(entry)
        ctx.route.order_clear(key)
        notes = _inherited_order_note(reread.get().agent, key)
        record_entry(replace(entry, notes=notes), summary)
    return Change(change_id, summary, Era.SQLITE, True, None, notes, "clear_order", ctx.aa.agent_id, **extra)


def _inherited_order_note(aa: AgentAuth, key: str) -> list[str]:
    """FACTS 2026.9 §5: `order clear` removes only the agent's own order; a shared one stays in force."""
    local = aa.layers[-1]
    shared = aa.layers[0] if len(aa.layers) > 1 else None
    inherited = shared.order.get(key) if shared is not None and key not in local.order else None
    if not inherited:
        return []
    dangling = [i for i in inherited if i not in aa.effective.profiles]
    how = (
        f"To delete it, save any placeholder under each missing id and log it out: {', '.join(dangling)} "
        "(`openclaw models auth paste-api-key --profile-id ID`, then `openclaw models auth logout ID --yes`)."
        if dangling
        else f"To override it, pin an order for this agent (`openclaw-triage order pin --provider {key} …`)."
    )
    return [f"An inherited {key} order from the shared store remains in force: {', '.join(inherited)}. {how}"]


def _paste_token_takes(secret: Secret) -> bool:
    """2026.9's paste-token accepts `sk-ant-oat01-…` of 80 characters or more (FACTS 2026.9 §5)."""
    value = secret.get_secret_value().strip()
    return value.startswith("sk-ant-oat01-") and len(value) >= 80


def sqlite_set_key(
    install: Install,
    agent: str,
    provider: str,
    profile_id: str,
    value: str,
    ctype: CredentialType,
    progress: Progress,
    reread: AfterRead,
) -> Change:
    key = normalize_provider(provider, Era.SQLITE)
    ctx = _sqlite(install, agent, progress)
    check_profile_fits(profile_id, key, ctype, ctx.aa.effective, secret_kind=kind_word(ctype))
    previous: Profile | None = ctx.aa.effective.profiles.get(profile_id)
    extra: dict[str, Any] = {"provider": key, "profile_id": profile_id}
    if previous is not None and previous.ref is not None and previous.secret is None:
        raise Unsupported(
            f"{profile_id} takes its secret from a reference ({previous.ref.label()}); OpenClaw will not store an inline "
            "key over it. Nothing was changed.",
            hint=f"Change the referenced value instead, or remove {profile_id} first.",
        )
    if previous is not None and previous.secret is not None and previous.secret == Secret(value):
        return no_change(
            Era.SQLITE, f"{profile_id} already holds {mask(value)}.", [], "set_key", ctx.aa.agent_id, **extra
        )
    change_id = journal.new_id()
    undo: dict[str, Any] = {
        "op": "key",
        "provider": key,
        "profile_id": profile_id,
        "type": str(ctype),
        "expected": Secret(value).fingerprint(),
    }
    undo["before"] = observed(ctx.aa, undo)  # what recovery compares with (a fingerprint, never the secret)
    undoable = True
    notes: list[str] = []
    if previous is None:
        undo["previous"] = None
        if not has_logout(install.release):
            undoable = False  # the undo would remove the profile, which only `logout` can
            notes.append(
                f"this cannot be undone from here: OpenClaw {install.cli.version} has no `models auth logout` "
                f"(it came in 2026.8.1), so {profile_id} can be removed only by a later release's CLI."
            )
    elif previous.secret is not None and ctype is CredentialType.TOKEN and not _paste_token_takes(previous.secret):
        undoable = False  # the undo would go through paste-token, which refuses what was there
        notes.append(
            f"this cannot be undone: {profile_id} held {mask(previous.secret.get_secret_value())}, which OpenClaw's "
            "paste-token refuses (it takes only sk-ant-oat01- tokens), so it cannot be put back."
        )
    elif previous.secret is not None:
        undo["previous"] = "backup"
        undo["hadExpires"] = previous.expires is not None
        ctx.route.known_secrets.append(previous.secret.get_secret_value())
    else:
        undoable = False
        notes.append(f"{profile_id} had no stored secret before, so this cannot be undone.")
    ctx.route.known_secrets.append(value)
    summary = (
        f"Added {profile_id} ({ctype}) with {mask(value)}."
        if previous is None
        else f"Set the secret of {profile_id} ({ctype}) to {mask(value)}."
    )
    backup: Path | None = None
    with journaled(change_id):  # a change that did not land takes its backup with its intent
        if undo.get("previous") == "backup" and previous is not None and previous.secret is not None:
            secret = previous.secret.get_secret_value()
            backup = journal.save_backup(change_id, "previous-secret", secret.encode("utf-8"))
        entry = _sqlite_entry(
            install,
            ctx,
            change_id,
            "set_key",
            summary,
            provider=key,
            profile_id=profile_id,
            backup=str(backup) if backup else None,
            existed_before=previous is not None,
            undo=undo,
            undoable=undoable,
            notes=list(notes),
        )
        record_intent(entry)
        result = ctx.route.paste(ctype, key, profile_id, value)
        notes += warnings_from(result)
        now = reread.get().agent.effective.profiles.get(profile_id)
        if now is None or now.secret is None or now.secret != Secret(value):
            notes.append(
                f"WARNING: after the CLI ran, {profile_id} does not hold {mask(value)}; check with `openclaw-triage check`."
            )
        record_entry(replace(entry, notes=notes), summary)
    return Change(change_id, summary, Era.SQLITE, undoable, backup, notes, "set_key", ctx.aa.agent_id, **extra)


def sqlite_remove(install: Install, agent: str, profile_id: str, progress: Progress, reread: AfterRead) -> Change:
    ctx = _sqlite(install, agent, progress)
    previous = ctx.aa.effective.profiles.get(profile_id)
    if previous is None:
        raise ProfileNotFound(f'Auth profile "{profile_id}" not found for agent "{ctx.aa.agent_id}".')
    if not has_logout(install.release):
        raise Unsupported(
            f"OpenClaw {install.cli.version} has no `models auth logout` (it came in 2026.8.1) and keeps its profiles "
            "in a database only its CLI may change, so a profile cannot be removed here. Nothing was changed.",
            hint=f"Pin the order without it instead (openclaw models auth order set --provider {previous.provider} …).",
        )
    change_id = journal.new_id()
    orders = {p: ids for p, ids in ctx.local.order.items() if profile_id in ids}
    undo: dict[str, Any] = {
        "op": "readd",
        "provider": normalize_provider(previous.provider, Era.SQLITE),
        "profile_id": profile_id,
        "type": str(previous.type),
        "orders": orders,
        "hadExpires": previous.expires is not None,
    }
    undo["before"] = observed(ctx.aa, undo)  # what recovery compares with (a fingerprint, never the secret)
    backup: Path | None = None
    undoable = previous.type in (CredentialType.API_KEY, CredentialType.TOKEN) and previous.secret is not None
    notes: list[str] = []
    if not undoable:
        notes.append(f"{profile_id} is a {previous.type} profile without an inline secret, so this cannot be undone.")
    summary = f"Removed {profile_id}."
    with journaled(change_id):  # a change that did not land takes its backup with its intent
        if undoable and previous.secret is not None:
            secret = previous.secret.get_secret_value()
            backup = journal.save_backup(change_id, "previous-secret", secret.encode("utf-8"))
            ctx.route.known_secrets.append(secret)
        entry = _sqlite_entry(
            install,
            ctx,
            change_id,
            "remove_profile",
            summary,
            provider=undo["provider"],
            profile_id=profile_id,
            backup=str(backup) if backup else None,
            undo=undo,
            undoable=undoable,
            notes=list(notes),
        )
        record_intent(entry)
        result = ctx.route.logout(profile_id)
        notes += warnings_from(result)
        if profile_id in reread.get().agent.effective.profiles:
            notes.append(f"{profile_id} still exists in another store this agent reads (e.g. the shared store).")
        record_entry(replace(entry, notes=notes), summary)
    return Change(
        change_id,
        summary,
        Era.SQLITE,
        undoable,
        backup,
        notes,
        "remove_profile",
        ctx.aa.agent_id,
        provider=undo["provider"],
        profile_id=profile_id,
    )


def undo_sqlite(entry: JournalEntry, undo_id: str, force: bool, progress: Progress) -> JournalEntry:
    cli = entry.cli or {}
    if not cli.get("path"):
        raise Unsupported(f"change {entry.id} recorded no openclaw CLI to undo it with.")
    install = recorded_install(entry)
    route = CliRoute(
        cli=cli["path"],
        env=env_from_overrides(cli.get("env") or {}),
        scrubber=scrubber_for(install),
        agent=cli.get("agentFlag"),
        progress=progress,
        cwd=Path(entry.state_dir),
    )
    aa = install.agent
    spec = entry.undo or {}
    op = spec.get("op")
    key = str(spec.get("provider") or "")
    pid = str(spec.get("profile_id") or "")
    notes: list[str] = []

    def conflict(what: str) -> Conflict:
        return Conflict(
            f"{what} changed after change {entry.id}; undoing now would overwrite that later change. Nothing was changed.",
            hint="Undo with --force to apply the recorded previous state anyway.",
        )

    now = observed(aa, spec)  # what the change touched, as it is now (as recovery reads it)
    run: Callable[[], object]
    if op == "order":
        if now != spec.get("expected") and not force:
            raise conflict(f"the stored {key} order")
        previous = spec.get("previous")
        if previous:
            summary = f"Restored the {key} order to {', '.join(previous)} (undo of {entry.id})."
            run = partial(route.order_set, key, previous)
        else:
            summary = f"Cleared the {key} order again, as before change {entry.id}."
            run = partial(route.order_clear, key)
    elif op == "key":
        if now != spec.get("expected") and not force:
            raise conflict(f"the secret of {pid}")
        if spec.get("previous") == "backup" and entry.backup:
            secret = journal.read_backup(entry.backup).decode("utf-8")
            route.known_secrets.append(secret)
            summary = f"Put the previous secret {mask(secret)} back into {pid} (undo of {entry.id})."
            run = partial(route.paste, CredentialType(spec["type"]), key, pid, secret)
            if spec.get("hadExpires"):
                notes.append("the previous token's expiry was not restored (paste-token cannot set an absolute time).")
        else:
            summary = f"Removed {pid} again, as before change {entry.id}."
            run = partial(route.logout, pid)
    elif op == "readd":
        if now is not None and not force:
            raise conflict(f"{pid} exists again; it")
        if not entry.backup:
            raise UndoRefused(f"change {entry.id} kept no copy of the removed secret.")
        secret = journal.read_backup(entry.backup).decode("utf-8")
        route.known_secrets.append(secret)
        summary = f"Re-added {pid} with {mask(secret)} (undo of {entry.id})."

        def run() -> None:
            route.paste(CredentialType(spec["type"]), key, pid, secret)
            for provider, ids in (spec.get("orders") or {}).items():
                try:
                    route.order_set(provider, ids)
                except CliFailed as exc:
                    notes.append(f"could not restore the {provider} order {', '.join(ids)}: {exc.message}")

        if spec.get("hadExpires"):
            notes.append("the token's expiry was not restored (paste-token cannot set an absolute time).")
    else:
        raise UndoRefused(f"change {entry.id} has no recorded way to undo it.")
    record_intent(undo_journal_entry(entry, undo_id, summary, notes=list(notes)))  # armed: the CLI runs next
    run()
    return undo_journal_entry(entry, undo_id, summary, notes=notes)
