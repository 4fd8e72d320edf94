"""The one door every change goes through: set or clear an order, set a key, remove a profile, undo.

Per era: 2026.3 stores are edited in place under OpenClaw's lock (`json_store`), with a backup
first and a running gateway told to reload afterwards (`gateway`); 2026.6+ stores are changed
only by the real `openclaw` CLI (`cli_runner`), with the inverse operation recorded. Every
change lands in the journal and can be undone once. Safe to call from worker threads: writes to
one install are serialised, and nothing here touches the terminal (`progress` gets status text).
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..coerce import normalize_provider
from ..keys import mask
from ..locate import STORE_FILE, normalize_agent_id
from ..model import AgentAuth, AuthStore, CredentialType, Era, Install, Profile
from ..secret import Secret
from . import journal, json_store
from .cli_runner import CliRoute, Progress, env_from_overrides, location_overrides, say, warnings_from
from .errors import (
    CliFailed,
    Conflict,
    InvalidInput,
    JournalError,
    NothingToUndo,
    ProfileNotFound,
    StoreBroken,
    UndoRefused,
    Unsupported,
    WriteError,
)
from .journal import JournalEntry
from .validate import check_profile_fits, check_secret

GATEWAY_RELOADED = "gateway secrets reloaded"


@dataclass(frozen=True, slots=True)
class Change:
    """What a write did, for people: one masked sentence, notes, and how to take it back."""

    id: str  # journal id; "" when nothing had to change
    summary: str
    era: Era
    undoable: bool
    backup: Path | None = None
    notes: list[str] = field(default_factory=list)
    action: str = ""
    agent: str = ""
    provider: str | None = None
    profile_id: str | None = None
    changed: bool = True
    file: Path | None = None
    sessions: tuple[str, ...] = ()  # chat session keys a session change touched


# --------------------------------------------------------------------------- shared helpers

_INSTALL_LOCKS: dict[str, threading.RLock] = {}
_INSTALL_LOCKS_GUARD = threading.Lock()


def _install_lock(state_dir: str | Path) -> threading.RLock:
    """One lock per install in this process: our writes (and their checks) never interleave."""
    with _INSTALL_LOCKS_GUARD:
        return _INSTALL_LOCKS.setdefault(str(state_dir), threading.RLock())


def agent_auth(install: Install, agent: str | None) -> AgentAuth:
    """The agent a change applies to: `agent` (normalised as OpenClaw does), else the selected one."""
    wanted = normalize_agent_id(agent) if agent else install.selected_agent_id
    for entry in install.agents:
        if entry.agent_id == wanted:
            return entry
    known = ", ".join(a.agent_id for a in install.agents) or "none"
    raise InvalidInput(f'unknown agent "{agent}" (agents: {known}).')


def clean_profile_id(profile_id: str) -> str:
    """A profile id as given, trimmed; a pasted key in its place is refused before it is written anywhere."""
    from ..keys import KeyKind, classify

    value = (profile_id or "").strip()
    if not value:
        raise InvalidInput("a profile id is required (e.g. anthropic:default).")
    if len(value) > 40 and classify(value).kind not in (KeyKind.UNKNOWN, KeyKind.PLACEHOLDER):
        raise InvalidInput(
            "the profile id looks like a key, not an id (ids look like anthropic:default); nothing was changed.",
            hint="Pass the key on stdin or through the clipboard, and the profile with --profile-id.",
        )
    return value


def _sha(data: bytes | None) -> str | None:
    return hashlib.sha256(data).hexdigest() if data is not None else None


def _cli_record(install: Install, agent_flag: str | None = None) -> dict[str, Any]:
    """What a later undo needs to reach this install again: paths and the CLI, never a secret."""
    from .gateway import gateway_port

    return {
        "path": install.cli.path,
        "version": install.cli.version,
        "env": location_overrides(install),
        "configPath": str(install.config.path),
        "gatewayPort": gateway_port(install.seen_env, install.config.data),
        "agentFlag": agent_flag,
    }


def _reinspect(install: Install, agent: str) -> Install:
    """The install as it is now (stores change under us), seen with the same environment."""
    from ..inspect import inspect_install
    from ..locate import Options

    explicit = agent if agent != install.default_agent_id else None
    return inspect_install(Options(agent=explicit, openclaw=install.cli.path), env=install.seen_env)


def _record(entry: JournalEntry, done: str) -> None:
    try:
        with journal.locked():
            journal.write_entry(entry)
    except (JournalError, OSError) as exc:
        raise JournalError(
            f"{done} was done, but it could not be recorded for undo: {exc}",
            hint=f"The previous state is kept in {entry.backup}." if entry.backup else None,
        ) from None


def _effect_notes(install: Install, agent: str, provider: str, profile_id: str | None = None) -> list[str]:
    """What OpenClaw will now do for `provider`, re-read from disk: the answer a user really wants."""
    try:
        from ..order import resolve_order

        fresh = _reinspect(install, agent)
        aa = fresh.agent
        result = resolve_order(
            aa.effective,
            fresh.config.data,
            provider,
            era=fresh.era,
            now_ms=time.time() * 1000,
            env=fresh.seen_env,
        )
    except Exception:  # advisory only: a failed re-read must not turn a done change into an error
        return []
    key = result.provider
    notes = []
    if profile_id is not None:
        if profile_id in result.excluded:
            notes.append(f"OpenClaw will skip {profile_id}: {result.excluded[profile_id].text}.")
        elif profile_id not in result.effective and profile_id in aa.effective.profiles:
            why = {
                "stored override": "the stored order override does not name it",
                "config auth.order": "the config's auth.order does not name it",
                "config auth.profiles": f"the config's auth.profiles lists other {key} profiles but not this one",
            }.get(result.base_from, f"it is not among the {result.base_from} profiles")
            notes.append(
                f"OpenClaw will not try {profile_id} yet: {why}. "
                f"Pin it with `openclaw-triage order pin --provider {key} {profile_id}` (add the others after it)."
            )
        elif result.effective and result.effective[0] != profile_id and profile_id in result.effective:
            notes.append(f"OpenClaw still tries {result.effective[0]} first; pin the order to use {profile_id} first.")
        if profile_id in result.cooled:
            notes.append(
                f"{profile_id} is still in a cooldown from earlier failures; OpenClaw tries it last until then."
            )
    elif result.next:
        notes.append(f"OpenClaw's next {key} request uses {result.next}.")
    else:
        notes.append(f"OpenClaw has no usable {key} profile for this agent now.")
    return notes


def _no_change(era: Era, summary: str, notes: list[str], action: str, agent: str, **extra: Any) -> Change:
    return Change("", summary, era, False, None, notes, action, agent, changed=False, **extra)


# --------------------------------------------------------------------------- JSON era (2026.3)


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
) -> list[str]:
    """If a 2026.3 gateway runs, make it reload and check it did not write its old copy back (once retried)."""
    from .gateway import detect

    state = detect(config_path, state_dir, env, port)
    if not state.running:
        return []
    if not cli:
        return [
            f"A gateway is running ({state.evidence}) but no openclaw CLI was found to reload it: run "
            "`openclaw secrets reload` now, or it may write its old copy of the keys back."
        ]
    route = CliRoute(cli=cli, env=env, progress=progress, cwd=state_dir)
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
    say(progress, f"Writing {target} …")
    applied = json_store.apply(
        target, op, create=create, backup=lambda raw: journal.save_backup(change_id, "auth-profiles.json", raw)
    )
    edit = applied.edit
    common = {"provider": provider, "profile_id": profile_id, "file": target}
    if applied.after is None:
        return _no_change(Era.JSON, edit.summary, list(edit.notes), action, aa.agent_id, **common), None
    entry = JournalEntry(
        id=change_id,
        time=journal.now_iso(),
        action=action,
        era=str(Era.JSON),
        state_dir=str(install.state_dir),
        agent=aa.agent_id,
        summary=edit.summary,
        provider=provider,
        profile_id=profile_id,
        file=str(target),
        backup=str(applied.backup) if applied.backup else None,
        existed_before=applied.before is not None,
        mode_before=applied.mode_before,
        after_sha256=_sha(applied.after),
        cli=_cli_record(install),
        notes=list(edit.notes),
    )
    _record(entry, edit.summary)
    final = [applied.after]

    def holds() -> bool:
        try:
            doc = json_store.read_store(target)
        except StoreBroken:
            return False
        return doc is not None and edit.verify(doc.data)

    def reapply() -> None:
        again = json_store.apply(target, op, create=True)
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
    )
    notes = [*edit.notes, *gateway_notes]
    if final[-1] != applied.after or gateway_notes:
        entry = replace(entry, after_sha256=_sha(final[-1]), notes=notes)
        _record(entry, edit.summary)
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


def _json_set_order(
    install: Install, aa: AgentAuth, provider: str, ids: Sequence[str], validate: bool, progress: Progress
) -> Change:
    target = aa.agent_dir / STORE_FILE
    known = _json_known(_main_path(aa)) if validate else None
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


def _json_clear_order(install: Install, aa: AgentAuth, provider: str, progress: Progress) -> Change:
    target = aa.agent_dir / STORE_FILE
    key = json_store.provider_key(provider)
    if target.exists():
        op = json_store.clear_order(provider)
        change, _ = _json_change(
            install, aa, action="clear_order", op=op, target=target, progress=progress, provider=key, create=False
        )
    else:
        summary = f"There is no stored {key} order to clear."
        change = _no_change(Era.JSON, summary, [], "clear_order", aa.agent_id, provider=key, file=target)
    main = _main_path(aa)
    if main is not None:
        try:
            doc = json_store.read_store(main)
        except StoreBroken:
            doc = None
        order = doc.data.get("order") if doc else None
        inherited = order.get(key) if isinstance(order, dict) else None
        if isinstance(inherited, list) and inherited and not _own_order(target, key):
            change.notes.append(
                f"The main agent's store still has a {key} order ({', '.join(map(str, inherited))}), which "
                f"{aa.agent_id} inherits; clear it with --agent main."
            )
    return change


def _own_order(target: Path, key: str) -> bool:
    try:
        doc = json_store.read_store(target)
    except StoreBroken:
        return False
    order = doc.data.get("order") if doc else None
    return isinstance(order, dict) and key in order


def _json_set_key(
    install: Install,
    aa: AgentAuth,
    provider: str,
    profile_id: str,
    value: str,
    ctype: CredentialType,
    progress: Progress,
) -> Change:
    key = json_store.provider_key(provider)
    check_profile_fits(profile_id, key, ctype, aa.effective, secret_kind=_kind_word(ctype))
    target = aa.agent_dir / STORE_FILE
    op = json_store.upsert_secret(profile_id, key, ctype, value)
    change, _ = _json_change(
        install, aa, action="set_key", op=op, target=target, progress=progress, provider=key, profile_id=profile_id
    )
    return change


def _json_remove(install: Install, aa: AgentAuth, profile_id: str, progress: Progress) -> Change:
    own = aa.agent_dir / STORE_FILE
    main = _main_path(aa)
    holder = own
    if (
        profile_id not in json_store.read_profiles(own)
        and main is not None
        and profile_id in json_store.read_profiles(main)
    ):
        holder = main
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


def _kind_word(ctype: CredentialType) -> str:
    return "API key" if ctype is CredentialType.API_KEY else "token"


# --------------------------------------------------------------------------- SQLite era (2026.6+)


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
    fresh = _reinspect(install, agent)
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
    return JournalEntry(
        id=change_id,
        time=journal.now_iso(),
        action=action,
        era=str(Era.SQLITE),
        state_dir=str(install.state_dir),
        agent=ctx.aa.agent_id,
        summary=summary,
        cli=_cli_record(install, ctx.route.agent),
        **kw,
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


def _sqlite_set_order(
    install: Install, agent: str, provider: str, ids: Sequence[str], validate: bool, progress: Progress
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
    extra = {"provider": key}
    if previous == wanted:
        return _no_change(
            Era.SQLITE, f"The {key} order is already {', '.join(wanted)}.", [], "set_order", ctx.aa.agent_id, **extra
        )
    change_id = journal.new_id()
    ctx.route.order_set(key, wanted)
    summary = f"Pinned the {key} profile order to {', '.join(wanted)}."
    notes: list[str] = []
    after = _reinspect(install, ctx.aa.agent_id).agent.layers[-1].order.get(key)
    if after != wanted:
        notes.append(
            f"WARNING: after the CLI ran, the stored {key} order reads {after or 'empty'}, not {', '.join(wanted)}."
        )
    entry = _sqlite_entry(
        install,
        ctx,
        change_id,
        "set_order",
        summary,
        provider=key,
        undo={"op": "order", "provider": key, "previous": previous, "expected": wanted},
        notes=notes,
    )
    _record(entry, summary)
    return Change(change_id, summary, Era.SQLITE, True, None, notes, "set_order", ctx.aa.agent_id, **extra)


def _sqlite_clear_order(install: Install, agent: str, provider: str, progress: Progress) -> Change:
    key = normalize_provider(provider, Era.SQLITE)
    if not key:
        raise InvalidInput("a provider is required (e.g. --provider anthropic).")
    ctx = _sqlite(install, agent, progress)
    previous = ctx.local.order.get(key)
    extra = {"provider": key}
    if previous is None:
        notes = _inherited_order_note(ctx.aa, key)
        return _no_change(
            Era.SQLITE,
            f"There is no stored {key} order of this agent to clear.",
            notes,
            "clear_order",
            ctx.aa.agent_id,
            **extra,
        )
    change_id = journal.new_id()
    ctx.route.order_clear(key)
    summary = f"Cleared the stored {key} profile order."
    fresh = _reinspect(install, ctx.aa.agent_id)
    notes = _inherited_order_note(fresh.agent, key)
    entry = _sqlite_entry(
        install,
        ctx,
        change_id,
        "clear_order",
        summary,
        provider=key,
        undo={"op": "order", "provider": key, "previous": previous, "expected": None},
        notes=notes,
    )
    _record(entry, summary)
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


def _sqlite_set_key(
    install: Install, agent: str, provider: str, profile_id: str, value: str, ctype: CredentialType, progress: Progress
) -> Change:
    key = normalize_provider(provider, Era.SQLITE)
    ctx = _sqlite(install, agent, progress)
    check_profile_fits(profile_id, key, ctype, ctx.aa.effective, secret_kind=_kind_word(ctype))
    previous: Profile | None = ctx.aa.effective.profiles.get(profile_id)
    extra = {"provider": key, "profile_id": profile_id}
    if previous is not None and previous.ref is not None and previous.secret is None:
        raise Unsupported(
            f"{profile_id} takes its secret from a reference ({previous.ref.label()}); OpenClaw will not store an inline "
            "key over it. Nothing was changed.",
            hint=f"Change the referenced value instead, or remove {profile_id} first.",
        )
    if previous is not None and previous.secret is not None and previous.secret == Secret(value):
        return _no_change(
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
    backup: Path | None = None
    undoable = True
    notes: list[str] = []
    if previous is None:
        undo["previous"] = None
    elif previous.secret is not None and ctype is CredentialType.TOKEN and not _paste_token_takes(previous.secret):
        undoable = False  # the undo would go through paste-token, which refuses what was there
        notes.append(
            f"this cannot be undone: {profile_id} held {mask(previous.secret.get_secret_value())}, which OpenClaw's "
            "paste-token refuses (it takes only sk-ant-oat01- tokens), so it cannot be put back."
        )
    elif previous.secret is not None:
        backup = journal.save_backup(change_id, "previous-secret", previous.secret.get_secret_value().encode("utf-8"))
        undo["previous"] = "backup"
        undo["hadExpires"] = previous.expires is not None
        ctx.route.known_secrets.append(previous.secret.get_secret_value())
    else:
        undoable = False
        notes.append(f"{profile_id} had no stored secret before, so this cannot be undone.")
    ctx.route.known_secrets.append(value)
    try:
        result = ctx.route.paste(ctype, key, profile_id, value)
    except BaseException:
        if backup is not None:
            backup.unlink(missing_ok=True)
        raise
    summary = (
        f"Added {profile_id} ({ctype}) with {mask(value)}."
        if previous is None
        else f"Set the secret of {profile_id} ({ctype}) to {mask(value)}."
    )
    notes += warnings_from(result)
    now = _reinspect(install, ctx.aa.agent_id).agent.effective.profiles.get(profile_id)
    if now is None or now.secret is None or now.secret != Secret(value):
        notes.append(
            f"WARNING: after the CLI ran, {profile_id} does not hold {mask(value)}; check with `openclaw-triage check`."
        )
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
        notes=notes,
    )
    _record(entry, summary)
    return Change(change_id, summary, Era.SQLITE, undoable, backup, notes, "set_key", ctx.aa.agent_id, **extra)


def _sqlite_remove(install: Install, agent: str, profile_id: str, progress: Progress) -> Change:
    ctx = _sqlite(install, agent, progress)
    previous = ctx.aa.effective.profiles.get(profile_id)
    if previous is None:
        raise ProfileNotFound(f'Auth profile "{profile_id}" not found for agent "{ctx.aa.agent_id}".')
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
    backup: Path | None = None
    undoable = previous.type in (CredentialType.API_KEY, CredentialType.TOKEN) and previous.secret is not None
    notes: list[str] = []
    if undoable and previous.secret is not None:
        backup = journal.save_backup(change_id, "previous-secret", previous.secret.get_secret_value().encode("utf-8"))
        ctx.route.known_secrets.append(previous.secret.get_secret_value())
    else:
        notes.append(f"{profile_id} is a {previous.type} profile without an inline secret, so this cannot be undone.")
    try:
        result = ctx.route.logout(profile_id)
    except BaseException:
        if backup is not None:
            backup.unlink(missing_ok=True)
        raise
    summary = f"Removed {profile_id}."
    notes += warnings_from(result)
    if profile_id in _reinspect(install, ctx.aa.agent_id).agent.effective.profiles:
        notes.append(f"{profile_id} still exists in another store this agent reads (e.g. the shared store).")
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
        notes=notes,
    )
    _record(entry, summary)
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


# --------------------------------------------------------------------------- public API


def set_order(
    install: Install,
    provider: str,
    ids: Sequence[str],
    *,
    agent: str | None = None,
    progress: Progress = None,
    validate: bool = True,
) -> Change:
    """Pin the order OpenClaw tries `provider`'s profiles in (the stored override), for one agent.

    Every id must exist for the agent and belong to the provider, as `openclaw models auth
    order set` insists, unless `validate=False` (2026.3 only; the 2026.9 CLI always checks).
    """
    if isinstance(ids, str):
        raise InvalidInput("ids must be a list of profile ids, not one string.")
    aa = agent_auth(install, agent)
    with _install_lock(install.state_dir):
        if install.era is Era.JSON:
            change = _json_set_order(install, aa, provider, ids, validate, progress)
        else:
            change = _sqlite_set_order(install, aa.agent_id, provider, ids, validate, progress)
        if change.changed:
            change.notes.extend(_effect_notes(install, aa.agent_id, provider))
        return change


def clear_order(install: Install, provider: str, *, agent: str | None = None, progress: Progress = None) -> Change:
    """Remove the agent's stored order for `provider`, so the config order (or OpenClaw's default) applies."""
    aa = agent_auth(install, agent)
    with _install_lock(install.state_dir):
        if install.era is Era.JSON:
            change = _json_clear_order(install, aa, provider, progress)
        else:
            change = _sqlite_clear_order(install, aa.agent_id, provider, progress)
        if change.changed:
            change.notes.extend(_effect_notes(install, aa.agent_id, provider))
        return change


def set_key(
    install: Install,
    provider: str,
    profile_id: str,
    secret: Secret,
    *,
    type: CredentialType,
    agent: str | None = None,
    progress: Progress = None,
) -> Change:
    """Store `secret` in the api_key or token profile `profile_id` (created if missing).

    The secret is cleaned only where that cannot change it (`keys.sanitize`) and refused if it
    is malformed or of the wrong kind for `type` (`InvalidSecret`, nothing changed).
    """
    if not isinstance(secret, Secret):
        raise InvalidInput("the secret must be passed as a Secret.")
    ctype = CredentialType(type)
    pid = clean_profile_id(profile_id)
    aa = agent_auth(install, agent)
    checked = check_secret(provider, secret.get_secret_value(), ctype, store=aa.effective)
    with _install_lock(install.state_dir):
        if install.era is Era.JSON:
            change = _json_set_key(install, aa, provider, pid, checked.value, ctype, progress)
        else:
            change = _sqlite_set_key(install, aa.agent_id, provider, pid, checked.value, ctype, progress)
        if checked.cleaned and change.changed:
            change.notes.insert(0, "cleaned before saving: " + "; ".join(checked.cleaned) + ".")
        if change.changed:
            change.notes.extend(_effect_notes(install, aa.agent_id, provider, pid))
        return change


def remove_profile(install: Install, profile_id: str, *, agent: str | None = None, progress: Progress = None) -> Change:
    """Delete a profile and the references to it; undoable when it held an inline key or token."""
    pid = clean_profile_id(profile_id)
    aa = agent_auth(install, agent)
    with _install_lock(install.state_dir):
        if install.era is Era.JSON:
            return _json_remove(install, aa, pid, progress)
        return _sqlite_remove(install, aa.agent_id, pid, progress)


def history() -> list[JournalEntry]:
    """Every recorded change, newest first."""
    return journal.entries()


# --------------------------------------------------------------------------- undo


def _pick(change_id: str | None, state_dir: Path | None = None, agent: str | None = None) -> JournalEntry:
    """The change to undo: the one named, else the newest undoable one ON THIS INSTALL.

    The journal is shared by every install this user touched (a demo included): without the
    filter, `z` in a throw-away demo could roll back yesterday's change to the real install.
    """
    if change_id:
        return journal.read_entry(change_id.strip())
    here = os.path.realpath(state_dir) if state_dir is not None else None
    for entry in journal.entries():
        if entry.action == "undo" or not entry.undoable or entry.undone_by:
            continue
        if here is not None and os.path.realpath(entry.state_dir) != here:
            continue
        if agent is not None and entry.agent != agent:
            continue
        return entry
    where = f" on {state_dir}" if state_dir is not None else ""
    raise NothingToUndo(f"there is no change left to undo{where} (see `openclaw-triage history`).")


def _refuse_if_done(entry: JournalEntry) -> None:
    if entry.action == "undo":
        raise UndoRefused(f"{entry.id} is itself an undo (of {entry.undo_of}); make the change again instead.")
    if entry.undone_by:
        raise UndoRefused(f"change {entry.id} was already undone (by {entry.undone_by}); it cannot be undone twice.")
    if not entry.undoable:
        why = "; ".join(entry.notes) or "it kept no copy of what it replaced"
        raise UndoRefused(f"change {entry.id} cannot be undone: {why}")


def undo(
    change_id: str | None = None,
    *,
    force: bool = False,
    progress: Progress = None,
    install: Install | None = None,
    agent: str | None = None,
) -> Change:
    """Take back a change (the latest one still undoable when `change_id` is None), exactly.

    With `install` (and `agent`), "the latest" means the latest made on that install (and agent).

    2026.3: the previous bytes are restored under the lock, refused (`Conflict`) if the file
    changed since our write unless `force`. 2026.9: the recorded inverse operation runs through
    the CLI, refused if the setting changed since unless `force`. A change is undone only once.
    """
    first = _pick(change_id, install.state_dir if install is not None else None, agent)
    with _install_lock(first.state_dir), journal.locked():
        entry = journal.read_entry(first.id)
        _refuse_if_done(entry)
        undo_id = journal.new_id()
        if entry.action == UNPIN:
            undo_entry = _undo_unpin(entry, undo_id, force, progress)
        elif entry.era == str(Era.JSON):
            undo_entry = _undo_json(entry, undo_id, force, progress)
        else:
            undo_entry = _undo_sqlite(entry, undo_id, force, progress)
        journal.write_entry(undo_entry)
        journal.mark_undone(entry.id, undo_id)
    return Change(
        undo_id,
        undo_entry.summary,
        Era(entry.era),
        False,
        Path(undo_entry.backup) if undo_entry.backup else None,
        list(undo_entry.notes),
        "undo",
        entry.agent,
        entry.provider,
        entry.profile_id,
        True,
        Path(entry.file) if entry.file else None,
    )


def _undo_entry(entry: JournalEntry, undo_id: str, summary: str, **kw: Any) -> JournalEntry:
    return JournalEntry(
        id=undo_id,
        time=journal.now_iso(),
        action="undo",
        era=entry.era,
        state_dir=entry.state_dir,
        agent=entry.agent,
        summary=summary,
        provider=entry.provider,
        profile_id=entry.profile_id,
        cli=entry.cli,
        undoable=False,
        undo_of=entry.id,
        **kw,
    )


def _undo_json(entry: JournalEntry, undo_id: str, force: bool, progress: Progress) -> JournalEntry:
    if not entry.file:
        raise UndoRefused(f"change {entry.id} names no file to restore.")
    path = Path(entry.file)
    previous = journal.read_backup(entry.backup) if entry.existed_before and entry.backup else None
    if entry.existed_before and previous is None:
        raise UndoRefused(f"change {entry.id} has no backup of the previous file.")
    saved: list[Path] = []
    notes: list[str] = []

    def check(current: bytes | None) -> None:
        if _sha(current) != entry.after_sha256:
            if not force:
                raise Conflict(
                    f"{path} changed after change {entry.id} (OpenClaw records usage and cooldowns in it while it "
                    "runs); undoing now would discard those later changes. Nothing was changed.",
                    hint="Undo with --force to restore the old file anyway (the current one is backed up first).",
                )
            notes.append("restored although the file had changed since (forced); the replaced file is backed up.")
        if current is not None:
            saved.append(journal.save_backup(undo_id, "auth-profiles.json", current))

    say(progress, f"Restoring {path} …")
    json_store.restore(path, previous, entry.mode_before, check=check)
    what = "Restored" if previous is not None else "Removed"
    summary = f"{what} {path.name} as before change {entry.id} ({entry.summary.rstrip('.')})."

    def holds() -> bool:
        try:
            current = path.read_bytes()
        except FileNotFoundError:
            current = None
        return current == previous

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
    )
    return _undo_entry(
        entry,
        undo_id,
        summary,
        file=str(path),
        backup=str(saved[0]) if saved else None,
        after_sha256=_sha(previous),
        notes=notes,
    )


def _undo_sqlite(entry: JournalEntry, undo_id: str, force: bool, progress: Progress) -> JournalEntry:
    from ..inspect import inspect_install
    from ..locate import Options

    cli = entry.cli or {}
    if not cli.get("path"):
        raise Unsupported(f"change {entry.id} recorded no openclaw CLI to undo it with.")
    env = env_from_overrides(cli.get("env") or {})
    route = CliRoute(cli=cli["path"], env=env, agent=cli.get("agentFlag"), progress=progress, cwd=Path(entry.state_dir))
    options = Options(
        state_dir=entry.state_dir, config=cli.get("configPath"), agent=cli.get("agentFlag"), openclaw=cli["path"]
    )
    aa = inspect_install(options, env=env).agent
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

    if op == "order":
        current = aa.layers[-1].order.get(key)
        if current != spec.get("expected") and not force:
            raise conflict(f"the stored {key} order")
        previous = spec.get("previous")
        if previous:
            route.order_set(key, previous)
            summary = f"Restored the {key} order to {', '.join(previous)} (undo of {entry.id})."
        else:
            route.order_clear(key)
            summary = f"Cleared the {key} order again, as before change {entry.id}."
    elif op == "key":
        now = aa.effective.profiles.get(pid)
        fingerprint = now.secret.fingerprint() if now is not None and now.secret is not None else None
        if fingerprint != spec.get("expected") and not force:
            raise conflict(f"the secret of {pid}")
        if spec.get("previous") == "backup" and entry.backup:
            secret = journal.read_backup(entry.backup).decode("utf-8")
            route.known_secrets.append(secret)
            route.paste(CredentialType(spec["type"]), key, pid, secret)
            summary = f"Put the previous secret {mask(secret)} back into {pid} (undo of {entry.id})."
            if spec.get("hadExpires"):
                notes.append("the previous token's expiry was not restored (paste-token cannot set an absolute time).")
        else:
            route.logout(pid)
            summary = f"Removed {pid} again, as before change {entry.id}."
    elif op == "readd":
        if pid in aa.effective.profiles and not force:
            raise conflict(f"{pid} exists again; it")
        if not entry.backup:
            raise UndoRefused(f"change {entry.id} kept no copy of the removed secret.")
        secret = journal.read_backup(entry.backup).decode("utf-8")
        route.known_secrets.append(secret)
        route.paste(CredentialType(spec["type"]), key, pid, secret)
        summary = f"Re-added {pid} with {mask(secret)} (undo of {entry.id})."
        for provider, ids in (spec.get("orders") or {}).items():
            try:
                route.order_set(provider, ids)
            except CliFailed as exc:
                notes.append(f"could not restore the {provider} order {', '.join(ids)}: {exc.message}")
        if spec.get("hadExpires"):
            notes.append("the token's expiry was not restored (paste-token cannot set an absolute time).")
    else:
        raise UndoRefused(f"change {entry.id} has no recorded way to undo it.")
    return _undo_entry(entry, undo_id, summary, notes=notes)


# --------------------------------------------------------------------------- chat sessions: unpin

UNPIN = "unpin"


def _session_selector(
    keys: Sequence[str] | None, profile_id: str | None, everything: bool, agent: str
) -> Callable[[str, dict[str, Any]], bool]:
    """Which `sessions.json` entries an unpin takes: pinned ones of this agent, by key, profile or all."""
    from ..sessions import _agent_of, resolve_pin

    wanted = {k.strip().lower() for k in keys} if keys else None

    def select(key: str, entry: dict[str, Any]) -> bool:
        pin = resolve_pin(entry, Era.JSON)
        if pin is None or _agent_of(key, agent) != agent:
            return False
        if wanted is not None:
            return key.strip().lower() in wanted  # OpenClaw matches session keys case-insensitively
        if profile_id is not None:
            return pin.profile_id == profile_id
        return everything

    return select


def _unpin_targets(
    session_key: str | Sequence[str] | None, profile_id: str | None, everything: bool
) -> tuple[list[str] | None, str | None]:
    keys = [session_key] if isinstance(session_key, str) else (list(session_key) if session_key else None)
    chosen = sum(1 for x in (keys, profile_id) if x) + (1 if everything else 0)
    if chosen != 1:
        raise InvalidInput("name exactly one of: a session key, a profile id, or all.")
    if keys is not None and not all(isinstance(k, str) and k.strip() for k in keys):
        raise InvalidInput("a session key is required (e.g. agent:main:main; `openclaw-triage sessions` lists them).")
    return keys, profile_id.strip() if profile_id else None


def unpin(
    install: Install,
    *,
    session_key: str | Sequence[str] | None = None,
    profile_id: str | None = None,
    all: bool = False,  # the CLI's --all (shadows the builtin here only)
    agent: str | None = None,
    progress: Progress = None,
) -> Change:
    """Clear chat sessions' auth pins as OpenClaw itself does, so their next turn follows the order.

    Exactly one of `session_key` (one key or several), `profile_id` (every chat pinned to it)
    or `all`. 2026.3: `sessions.json` is changed under OpenClaw's session lock (journaled,
    undoable). 2026.9 offers no way to clear a pin from outside the chat: `Unsupported`, whose
    hint carries the chat command.
    """
    keys, pid = _unpin_targets(session_key, profile_id, all)
    aa = agent_auth(install, agent)
    if install.era is not Era.JSON:
        raise _sqlite_unpin_refusal(install, aa, keys, pid)
    with _install_lock(install.state_dir):
        return _json_unpin(install, aa, keys, pid, all, progress)


def _json_unpin(
    install: Install, aa: AgentAuth, keys: list[str] | None, pid: str | None, everything: bool, progress: Progress
) -> Change:
    from ..sessions import legacy_store_path, load_legacy_store
    from . import sessions as session_write

    path = legacy_store_path(install, aa.agent_id)
    if keys is not None:
        known = {s.key.strip().lower() for s in load_legacy_store(path, aa.agent_id).sessions}
        missing = [k for k in keys if k.strip().lower() not in known]
        if missing:
            raise InvalidInput(
                f"no chat session {', '.join(missing)} for agent {aa.agent_id} in {path}.",
                hint="`openclaw-triage sessions` lists the sessions and their keys.",
            )
    change_id = journal.new_id()
    say(progress, f"Clearing chat pins in {path} …")
    result = session_write.unpin_file(
        path,
        _session_selector(keys, pid, everything, aa.agent_id),
        backup=lambda raw: journal.save_backup(change_id, "sessions.json", raw),
    )
    what = f"pinned to {pid}" if pid else ("named" if keys else "pinned")
    if not result.removed:
        return _no_change(
            Era.JSON, f"No chat {what} has a pin to clear.", [], UNPIN, aa.agent_id, profile_id=pid, file=path
        )
    removed = result.removed
    summary = (
        f"Unpinned {removed[0].key} (was {removed[0].profile_id}, {removed[0].source})."
        if len(removed) == 1
        else f"Unpinned {len(removed)} chats ({', '.join(sorted({r.profile_id for r in removed}))})."
    )
    notes = [
        f"{key} was answering while we wrote: when that turn ends, OpenClaw may write its old pin back; "
        "check with `openclaw-triage sessions` and unpin it again."
        for key in result.busy
    ]
    entry = JournalEntry(
        id=change_id,
        time=journal.now_iso(),
        action=UNPIN,
        era=str(Era.JSON),
        state_dir=str(install.state_dir),
        agent=aa.agent_id,
        summary=summary,
        profile_id=pid,
        file=str(path),
        backup=str(result.backup) if result.backup else None,
        mode_before=result.mode,
        after_sha256=_sha(result.after),
        undo={"op": "repin", "entries": {r.key: r.to_json() for r in removed}},
        notes=notes,
    )
    _record(entry, summary)
    providers = {_pin_provider(aa, r.profile_id) for r in removed}
    for provider in sorted(p for p in providers if p):
        notes.extend(_effect_notes(install, aa.agent_id, provider))
    return Change(
        change_id,
        summary,
        Era.JSON,
        True,
        result.backup,
        notes,
        UNPIN,
        aa.agent_id,
        profile_id=pid,
        file=path,
        sessions=tuple(r.key for r in removed),
    )


def _pin_provider(aa: AgentAuth, profile_id: str) -> str | None:
    profile = aa.effective.profiles.get(profile_id)
    if profile is not None:
        return normalize_provider(profile.provider, Era.JSON)
    head = profile_id.split(":", 1)[0].strip().lower()
    return head or None


def _sqlite_unpin_refusal(install: Install, aa: AgentAuth, keys: list[str] | None, pid: str | None) -> Unsupported:
    """2026.9: no route through OpenClaw clears a pin (checked in its dist and with the real gateway)."""
    from ..sessions import load_sessions, sessions_of

    commands = []
    try:
        sessions = sessions_of(load_sessions(install, agent=aa.agent_id), aa.agent_id)
    except Exception:  # advisory only
        sessions = []
    wanted = {k.strip().lower() for k in keys} if keys else None
    for s in sessions:
        if s.pin is None or (wanted is not None and s.key.lower() not in wanted) or (pid and s.pin.profile_id != pid):
            continue
        provider = _pin_provider(aa, s.pin.profile_id) or "anthropic"
        try:
            from ..order import resolve_order

            first = resolve_order(
                aa.effective, install.config.data, provider, era=install.era, now_ms=time.time() * 1000
            ).next
        except Exception:  # advisory only
            first = None
        commands.append(f"{s.key}: /model {s.model or '<provider/model>'}@{first or '<a working profile>'}")
    listed = ("; ".join(commands[:5]) + (f"; … {len(commands) - 5} more" if len(commands) > 5 else "")) or (
        "/model <provider/model>@<the profile the order puts first>"
    )
    return Unsupported(
        f"OpenClaw {install.cli.version or '2026.6+'} offers no way to clear a chat's pin from outside the chat: its "
        "sessions live in a database only OpenClaw may write, sessions.patch and sessions.reset keep a user pin, and "
        "/reset, /new and /model without @profile keep it too. Nothing was changed.",
        hint="In each chat, pin it to the profile the order puts first instead: " + listed + ".",
    )


def _undo_unpin(entry: JournalEntry, undo_id: str, force: bool, progress: Progress) -> JournalEntry:
    """Put the pins back where they were (not the old bytes: OpenClaw rewrites sessions.json every turn)."""
    from . import sessions as session_write

    if not entry.file:
        raise UndoRefused(f"change {entry.id} names no session store.")
    path = Path(entry.file)
    records = (entry.undo or {}).get("entries") or {}
    saved: list[Path] = []

    def backup(raw: bytes) -> Path:
        saved.append(journal.save_backup(undo_id, "sessions.json", raw))
        return saved[-1]

    say(progress, f"Pinning chats again in {path} …")
    result = session_write.repin_file(path, records, force=force, backup=backup)
    notes = [f"skipped {s}." for s in result.skipped]
    if result.restored:
        summary = f"Pinned {', '.join(result.restored)} again as before change {entry.id}."
    else:
        summary = f"The pins of change {entry.id} are already in place; nothing to restore."
    return _undo_entry(
        entry,
        undo_id,
        summary,
        file=str(path),
        backup=str(saved[0]) if saved else None,
        after_sha256=_sha(result.after),
        notes=notes,
    )


__all__ = [
    "Change",
    "JournalEntry",
    "WriteError",
    "clear_order",
    "history",
    "remove_profile",
    "set_key",
    "set_order",
    "undo",
    "unpin",
]
