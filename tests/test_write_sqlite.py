"""2026.9 (SQLite era): every change runs the `openclaw` CLI; secrets go on stdin, never in argv.

A fake `openclaw` 2026.9 records its argv, stdin and `/proc/self/cmdline`, and edits the test
home's databases the way the real CLI's commands would (only the tables our reader uses), so
our before/after re-reads and undo see real effects. The real CLI is in the oracle tests.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from openclaw_triage import write
from openclaw_triage.model import CredentialType, Install
from openclaw_triage.openclaw.install import inspect_install
from openclaw_triage.openclaw.locate import Options
from openclaw_triage.secret import Secret
from openclaw_triage.write.cli_runner import CliRoute
from openclaw_triage.write.intents import RECOVERED_NOTE, UNCERTAIN_NOTE
from tests import fakekeys
from tests.builders import CurrentHome, api_key_profile, token_profile, write_json
from tests.states import secret_fragments
from tests.support.cli import ROOT

KEY = fakekeys.api_key("sq")
NEW = fakekeys.api_key("sq-new")
BACKUP = fakekeys.api_key("sq-backup")
TOKEN = fakekeys.oauth_token("sq")

FAKE_OPENCLAW_2026_9 = textwrap.dedent(
    """\
    #!{python}
    # A stand-in for openclaw 2026.9.6's `models auth` writes, on the tables our reader uses.
    import json, os, sqlite3, sys, time
    args = sys.argv[1:]
    if args == ["--version"]:
        print("OpenClaw 2026.9.6 (eb377ac)")
        sys.exit(0)
    data = sys.stdin.read()
    cmdline = open("/proc/self/cmdline", "rb").read().decode("utf-8", "replace").split("\\0")
    keep = ("HOME", "OPENCLAW_STATE_DIR", "OPENCLAW_CONFIG_PATH", "NO_COLOR")
    with open(os.environ["FAKE_LOG"], "a") as fh:
        fh.write(json.dumps({{"argv": args, "stdin": data, "cmdline": cmdline,
                             "env": {{k: os.environ.get(k) for k in keep}}}}) + "\\n")
    mode = os.environ.get("FAKE_MODE", "")
    if mode == "kill-before":  # kill -9 of the writer that runs us, before we change anything
        os.kill(os.getppid(), 9)
        sys.exit(1)
    if mode == "sleep":
        time.sleep(30)
    if mode == "leak":  # a failure that prints another secret of the install (a service token)
        print("Reason: upstream refused " + os.environ.get("DEPLOY_TOKEN", ""), file=sys.stderr)
        sys.exit(1)
    if mode == "fail":
        print("[openclaw] The CLI command failed.", file=sys.stderr)
        print("Reason: the provider rejected " + data.strip(), file=sys.stderr)
        sys.exit(1)
    state = os.environ.get("OPENCLAW_STATE_DIR") or os.path.join(os.environ["HOME"], ".openclaw")

    def opt(name):
        return args[args.index(name) + 1] if name in args else None

    flags = {{"--provider", "--profile-id", "--agent"}}
    cmd = args[:3] if args[:3] != ["models", "auth", "order"] else args[:4]
    positional = [a for i, a in enumerate(args) if i >= len(cmd) and not a.startswith("--") and args[i - 1] not in flags]
    agent = opt("--agent") or "main"
    shared = sqlite3.connect(os.path.join(state, "state", "openclaw.sqlite"))
    agent_dir = os.path.join(state, "agents", agent, "agent")
    os.makedirs(agent_dir, exist_ok=True)
    local = sqlite3.connect(os.path.join(agent_dir, "openclaw-agent.sqlite"))
    local.executescript(
        "CREATE TABLE IF NOT EXISTS auth_profile_store(store_key TEXT PRIMARY KEY, store_json TEXT, updated_at INTEGER);"
        "CREATE TABLE IF NOT EXISTS auth_profile_state(state_key TEXT PRIMARY KEY, state_json TEXT, updated_at INTEGER);"
    )

    def get(conn, table, keycol, valcol, key, default):
        row = conn.execute(f"SELECT {{valcol}} FROM {{table}} WHERE {{keycol}}=?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def put(conn, table, keycol, valcol, key, value):
        conn.execute(f"INSERT OR REPLACE INTO {{table}}({{keycol}}, {{valcol}}, {{'updated_at_ms' if table == 'config_machine_state' else 'updated_at'}}) VALUES(?,?,0)",
                     (key, json.dumps(value)))
        conn.commit()

    S = ("config_machine_state", "state_key", "value_json", "authProfiles.store")
    SS = ("config_machine_state", "state_key", "value_json", "authProfiles.state")
    L = ("auth_profile_store", "store_key", "store_json", "primary")
    LS = ("auth_profile_state", "state_key", "state_json", "primary")
    shared_store = get(shared, *S, {{"version": 1, "profiles": {{}}}})
    local_store = get(local, *L, {{"version": 1, "profiles": {{}}}})
    local_state = get(local, *LS, {{"version": 1}})
    if cmd in (["models", "auth", "paste-api-key"], ["models", "auth", "paste-token"]):
        secret = data.rstrip("\\n")
        kind = "api_key" if cmd[2] == "paste-api-key" else "token"
        if kind == "token" and (not secret.startswith("sk-ant-oat01-") or len(secret) < 80):
            print("Expected token starting with ***-", file=sys.stderr)
            sys.exit(1)
        pid, prov = opt("--profile-id"), opt("--provider")
        target, where = (local_store, L) if opt("--agent") else (shared_store, S)
        target["profiles"][pid] = {{"type": kind, "provider": prov, ("key" if kind == "api_key" else "token"): secret}}
        put(local if opt("--agent") else shared, *where[:4], target)
        if opt("--agent"):
            put(local, *LS, local_state)
        print(f"Auth profile: {{pid}} ({{prov}}/{{kind}})")
    elif cmd == ["models", "auth", "order", "set"]:
        known = {{**shared_store["profiles"], **local_store["profiles"]}}
        for pid in positional:
            if pid not in known:
                print(f'Error: Auth profile "{{pid}}" not found for agent "{{agent}}".', file=sys.stderr)
                sys.exit(1)
        local_state.setdefault("order", {{}})[opt("--provider")] = positional
        put(local, *L, local_store)
        put(local, *LS, local_state)
        print("Auth profile order override: " + ", ".join(positional))
    elif cmd == ["models", "auth", "order", "clear"]:
        local_state.get("order", {{}}).pop(opt("--provider"), None)
        put(local, *LS, local_state)
    elif cmd == ["models", "auth", "logout"]:
        pid = positional[0]
        found = False
        for store, conn, where in ((shared_store, shared, S), (local_store, local, L)):
            if pid in store["profiles"]:
                del store["profiles"][pid]
                put(conn, *where[:4], store)
                found = True
        for state_doc, conn, where in ((get(shared, *SS, {{"version": 1}}), shared, SS), (local_state, local, LS)):
            for prov, ids in list(state_doc.get("order", {{}}).items()):
                state_doc["order"][prov] = [i for i in ids if i != pid]
            put(conn, *where[:4], state_doc)
        if not found:
            print(f'Auth profile "{{pid}}" not found for agent "{{agent}}".', file=sys.stderr)
            sys.exit(1)
    else:
        print("unknown command", args, file=sys.stderr)
        sys.exit(2)
    if mode == "kill-after":  # kill -9 of the writer that runs us, once the change is made
        os.kill(os.getppid(), 9)
    """
)


pytestmark = pytest.mark.usefixtures("triage_state")  # our journal in a temp dir


class Home:
    """A CurrentHome, a fake CLI, and the log of every CLI call."""

    def __init__(self, tmp_path: Path) -> None:
        self.home = tmp_path / "home"
        self.h = CurrentHome(self.home)
        self.h.config({})
        self.shared({"profiles": {"anthropic:default": api_key_profile(KEY)}})
        self.log = tmp_path / "openclaw.log"
        self.cli = tmp_path / "bin" / "openclaw"
        self.cli.parent.mkdir()
        self.cli.write_text(FAKE_OPENCLAW_2026_9.format(python=sys.executable))
        self.cli.chmod(0o755)
        self.vars = {"HOME": str(self.home), "PATH": "/usr/bin:/bin", "FAKE_LOG": str(self.log)}

    def shared(self, store: dict[str, Any], state: dict[str, Any] | None = None) -> None:
        """(Re)write the shared store in the state DB."""
        db = self.home / ".openclaw" / "state" / "openclaw.sqlite"
        for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
            path.unlink(missing_ok=True)
        self.h.shared_store(store, state)

    def inspect(self, **options: Any) -> Install:
        return inspect_install(Options(openclaw=str(self.cli), **options), env=self.vars)

    def calls(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.log.read_text().splitlines()] if self.log.exists() else []

    def argvs(self) -> list[list[str]]:
        return [c["argv"] for c in self.calls()]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    h = Home(tmp_path)
    # An undo runs later, in our own environment (only the install's paths are recorded).
    monkeypatch.setenv("FAKE_LOG", str(h.log))
    return h


def _leaks(text: str, *secrets: str) -> list[str]:
    return [f for s in secrets for f in secret_fragments(s) if f in text]


def test_set_key_puts_the_secret_on_stdin_only(home: Home, triage_state: Path) -> None:
    install = home.inspect()
    assert install.era.value == "sqlite"
    said: list[str] = []
    change = write.set_key(
        install, "anthropic", "anthropic:default", Secret(NEW), type=CredentialType.API_KEY, progress=said.append
    )
    (call,) = home.calls()
    assert call["argv"] == [
        "models",
        "auth",
        "paste-api-key",
        "--provider",
        "anthropic",
        "--profile-id",
        "anthropic:default",
    ]
    assert call["stdin"] == NEW + "\n"
    assert not _leaks(json.dumps(call["cmdline"]), NEW, KEY)
    assert call["env"]["HOME"] == str(home.home) and call["env"]["NO_COLOR"] == "1"
    assert home.inspect().agent.effective.profiles["anthropic:default"].secret == Secret(NEW)
    assert said and not _leaks(json.dumps(said), NEW, KEY)
    assert change.undoable and change.backup is not None
    assert change.backup.read_text() == KEY and stat.S_IMODE(change.backup.stat().st_mode) == 0o600
    assert not _leaks(json.dumps([change.summary, change.notes, repr(change)]), NEW, KEY)
    for path in (triage_state / "journal").glob("*.json"):
        assert not _leaks(path.read_text(), NEW, KEY)


def test_a_token_goes_through_paste_token_and_the_agent_flag_only_when_needed(home: Home) -> None:
    write_json(home.home / ".openclaw/openclaw.json", {"agents": {"entries": {"main": {"default": True}, "work": {}}}})
    install = home.inspect()
    write.set_key(install, "anthropic", "anthropic:manual", Secret(TOKEN), type=CredentialType.TOKEN)
    write.set_key(install, "anthropic", "anthropic:w", Secret(NEW), type=CredentialType.API_KEY, agent="work")
    assert home.argvs() == [
        ["models", "auth", "paste-token", "--provider", "anthropic", "--profile-id", "anthropic:manual"],
        [
            "models",
            "auth",
            "paste-api-key",
            "--provider",
            "anthropic",
            "--profile-id",
            "anthropic:w",
            "--agent",
            "work",
        ],
    ]


@pytest.mark.parametrize(
    ("secret", "ctype", "text"),
    [
        (TOKEN[:70], CredentialType.TOKEN, "expected 80"),  # paste-token wants >= 80 characters
        (TOKEN, CredentialType.API_KEY, "setup token"),
        (KEY, CredentialType.TOKEN, "API key"),
        (fakekeys.refresh_token(), CredentialType.TOKEN, "refresh token"),
    ],
    ids=["short-token", "token-as-api-key", "api-key-as-token", "refresh-token"],
)
def test_bad_secrets_are_refused_before_the_cli_runs(home: Home, secret: str, ctype: CredentialType, text: str) -> None:
    with pytest.raises(write.InvalidSecret, match=text) as info:
        write.set_key(home.inspect(), "anthropic", "anthropic:x", Secret(secret), type=ctype)
    assert home.calls() == [] and not _leaks(str(info.value), secret)


def test_a_cli_failure_carries_its_output_with_the_secret_masked(home: Home) -> None:
    home.vars["FAKE_MODE"] = "fail"
    with pytest.raises(write.CliFailed) as info:
        write.set_key(home.inspect(), "anthropic", "anthropic:default", Secret(NEW), type=CredentialType.API_KEY)
    text = str(info.value)
    assert "The CLI command failed" in text and "the provider rejected" in text
    assert f"{NEW[:8]}...{NEW[-8:]}" in text and not _leaks(text, NEW, KEY)
    assert not _leaks(repr(info.value.args) + info.value.output, NEW, KEY)
    assert write.history() == []


def test_a_cli_failure_masks_every_secret_the_install_holds_not_only_the_one_pasted(home: Home) -> None:
    """The CLI's output passes the run's scrubber (`scrubber_for(install)`): a service token of
    the install, shaped like no key, is masked too."""
    token = "correct-horse-battery-staple-deploy"
    home.vars |= {"FAKE_MODE": "leak", "DEPLOY_TOKEN": token}
    with pytest.raises(write.CliFailed) as info:
        write.set_key(home.inspect(), "anthropic", "anthropic:default", Secret(NEW), type=CredentialType.API_KEY)
    text = str(info.value) + info.value.output
    assert "upstream refused" in text and token not in text and token[:8] in text


def test_a_hanging_cli_is_stopped_at_the_timeout(home: Home) -> None:
    home.vars["FAKE_MODE"] = "sleep"
    route = CliRoute.for_install(home.inspect(), "main", timeout=1.0)
    started = time.monotonic()
    with pytest.raises(write.CliTimeout, match="did not finish within 1 s"):
        route.order_clear("anthropic")
    assert time.monotonic() - started < 6


def test_set_order_validates_then_runs_order_set(home: Home) -> None:
    install = home.inspect()
    with pytest.raises(write.ProfileNotFound, match="anthropic:nope"):
        write.set_order(install, "anthropic", ["anthropic:nope"])
    assert home.calls() == []
    change = write.set_order(install, "Anthropic", ["anthropic:default"])
    assert home.argvs() == [["models", "auth", "order", "set", "--provider", "anthropic", "anthropic:default"]]
    assert change.undoable and home.inspect().agent.layers[-1].order == {"anthropic": ["anthropic:default"]}
    assert any("next anthropic request uses anthropic:default" in n for n in change.notes)
    # validate=False leaves the check to the CLI, whose refusal comes back verbatim.
    with pytest.raises(write.CliFailed, match='Auth profile "anthropic:nope" not found'):
        write.set_order(install, "anthropic", ["anthropic:nope"], validate=False)


def test_undo_of_orders_runs_the_inverse(home: Home) -> None:
    install = home.inspect()
    home.shared({"profiles": {"anthropic:default": api_key_profile(KEY), "anthropic:b": api_key_profile(BACKUP)}})
    first = write.set_order(install, "anthropic", ["anthropic:default"])
    second = write.set_order(install, "anthropic", ["anthropic:b", "anthropic:default"])
    write.undo(second.id)
    write.undo(first.id)
    assert home.argvs()[-2:] == [
        ["models", "auth", "order", "set", "--provider", "anthropic", "anthropic:default"],
        ["models", "auth", "order", "clear", "--provider", "anthropic"],
    ]
    assert home.inspect().agent.layers[-1].order == {}


def test_undo_refuses_when_the_order_changed_since_unless_forced(home: Home) -> None:
    install = home.inspect()
    change = write.set_order(install, "anthropic", ["anthropic:default"])
    CliRoute.for_install(install, "main").order_clear("anthropic")  # someone else changed it
    n = len(home.calls())
    with pytest.raises(write.Conflict, match="changed after change"):
        write.undo(change.id)
    assert len(home.calls()) == n
    write.undo(change.id, force=True)
    assert home.argvs()[-1] == ["models", "auth", "order", "clear", "--provider", "anthropic"]


def test_undo_of_a_key_change_pastes_the_previous_secret_on_stdin(home: Home, triage_state: Path) -> None:
    install = home.inspect()
    replaced = write.set_key(install, "anthropic", "anthropic:default", Secret(NEW), type=CredentialType.API_KEY)
    added = write.set_key(install, "anthropic", "anthropic:manual", Secret(TOKEN), type=CredentialType.TOKEN)
    assert added.backup is None and added.undoable
    undone = write.undo(added.id)
    assert home.argvs()[-1] == ["models", "auth", "logout", "anthropic:manual", "--yes"]
    write.undo(replaced.id)
    last = home.calls()[-1]
    assert last["argv"] == [
        "models",
        "auth",
        "paste-api-key",
        "--provider",
        "anthropic",
        "--profile-id",
        "anthropic:default",
    ]
    assert last["stdin"] == KEY + "\n" and not _leaks(json.dumps(last["cmdline"]), KEY)
    assert home.inspect().agent.effective.profiles["anthropic:default"].secret == Secret(KEY)
    assert "anthropic:manual" not in home.inspect().agent.effective.profiles
    assert not _leaks(undone.summary, TOKEN)
    for path in (triage_state / "journal").glob("*.json"):
        assert not _leaks(path.read_text(), NEW, KEY, TOKEN)


def test_remove_profile_logs_out_and_undo_restores_key_and_order(home: Home) -> None:
    home.shared({"profiles": {"anthropic:default": api_key_profile(KEY), "anthropic:b": api_key_profile(BACKUP)}})
    install = home.inspect()
    write.set_order(install, "anthropic", ["anthropic:b", "anthropic:default"])
    change = write.remove_profile(install, "anthropic:b")
    assert home.argvs()[-1] == ["models", "auth", "logout", "anthropic:b", "--yes"]
    assert "anthropic:b" not in home.inspect().agent.effective.profiles
    write.undo(change.id)
    assert home.argvs()[-2:] == [
        ["models", "auth", "paste-api-key", "--provider", "anthropic", "--profile-id", "anthropic:b"],
        ["models", "auth", "order", "set", "--provider", "anthropic", "anthropic:b", "anthropic:default"],
    ]
    assert home.inspect().agent.effective.profiles["anthropic:b"].secret == Secret(BACKUP)


def test_clear_order_explains_an_inherited_order_it_cannot_remove(home: Home) -> None:
    home.shared(
        {"profiles": {"anthropic:default": api_key_profile(KEY)}},
        {"order": {"anthropic": ["anthropic:work", "anthropic:default"]}},
    )
    change = write.clear_order(home.inspect(), "anthropic")
    assert not change.changed and home.calls() == []
    (note,) = change.notes
    assert "inherited anthropic order" in note and "anthropic:work" in note and "logout" in note


def test_refusals_without_running_the_cli(home: Home, tmp_path: Path) -> None:
    # A stray 2026.3 store: every auth command would fail with AUTH_PROFILE_MIGRATION_REQUIRED.
    write_json(home.home / ".openclaw/agents/main/agent/auth-profiles.json", {"version": 1, "profiles": {}})
    with pytest.raises(write.Unsupported, match="doctor --fix"):
        write.set_order(home.inspect(), "anthropic", ["anthropic:default"])
    (home.home / ".openclaw/agents/main/agent/auth-profiles.json").unlink()
    # No CLI at all: SQLite stores are never written directly.
    no_cli = inspect_install(Options(), env={**home.vars, "PATH": str(tmp_path / "empty")})
    with pytest.raises(write.Unsupported, match="only the openclaw CLI"):
        write.set_order(no_cli, "anthropic", ["anthropic:default"])
    # A keyRef profile cannot take an inline key.
    ref = {"source": "env", "provider": "default", "id": "ANTHROPIC_API_KEY"}
    home.shared({"profiles": {"anthropic:default": {"type": "api_key", "provider": "anthropic", "keyRef": ref}}})
    with pytest.raises(write.Unsupported, match="reference"):
        write.set_key(home.inspect(), "anthropic", "anthropic:default", Secret(NEW), type=CredentialType.API_KEY)
    assert home.calls() == []


def test_token_replacing_a_token_records_the_old_expiry(home: Home) -> None:
    home.shared({"profiles": {"anthropic:manual": token_profile(fakekeys.oauth_token("old"), expires=4102444800000)}})
    change = write.set_key(home.inspect(), "anthropic", "anthropic:manual", Secret(TOKEN), type=CredentialType.TOKEN)
    undone = write.undo(change.id)
    assert any("expiry" in n for n in undone.notes)


def test_a_token_over_the_seeds_api_key_in_a_token_profile_says_up_front_it_cannot_be_undone(home: Home) -> None:
    """The undo would paste the API key back with paste-token, which refuses it: say so before, not halfway."""
    home.shared({"profiles": {"anthropic:manual": token_profile(KEY)}})
    change = write.set_key(home.inspect(), "anthropic", "anthropic:manual", Secret(TOKEN), type=CredentialType.TOKEN)
    assert not change.undoable and any("cannot be undone" in n for n in change.notes)
    assert not any(KEY in n for n in change.notes)
    before = len(home.calls())
    with pytest.raises(write.errors.NothingToUndo):
        write.undo(install=home.inspect())
    assert len(home.calls()) == before  # no half-done undo ran the CLI


# --------------------------------------------------------------------------- kill -9 while the CLI runs (issue 16)

_WRITER = textwrap.dedent(
    """
    # One change through the fake CLI, which kills this process (FAKE_MODE) before or after it acts.
    import json, os, sys
    from openclaw_triage import write
    from openclaw_triage.model import CredentialType
    from openclaw_triage.openclaw.install import inspect_install
    from openclaw_triage.openclaw.locate import Options
    from openclaw_triage.secret import Secret
    cli, env, what = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
    os.environ["FAKE_MODE"] = env["FAKE_MODE"]  # an undo runs the CLI in our own environment
    install = inspect_install(Options(openclaw=cli), env=env)
    if what == "order":
        write.set_order(install, "anthropic", ["anthropic:default"])
    elif what == "key":
        write.set_key(install, "anthropic", "anthropic:default", Secret(sys.stdin.read()), type=CredentialType.API_KEY)
    else:
        write.undo(install=install)
    print("not killed")
    """
)


def _killed(home: Home, what: str, mode: str, stdin: str = "") -> None:
    env = {**home.vars, "FAKE_MODE": mode}
    proc = subprocess.run(
        [sys.executable, "-c", _WRITER, str(home.cli), json.dumps(env), what],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr


def _order(home: Home) -> dict[str, list[str]]:
    return home.inspect().agent.layers[-1].order


def test_a_cli_change_killed_once_the_cli_made_it_is_recovered_from_the_install(home: Home) -> None:
    _killed(home, "order", "kill-after")
    assert _order(home) == {"anthropic": ["anthropic:default"]}, "the CLI made the change"
    (entry,) = write.history()  # the next run: journaled before the CLI ran, judged from the database
    assert entry.action == "set_order" and RECOVERED_NOTE in entry.notes
    write.undo(install=home.inspect())
    assert _order(home) == {}


def test_a_cli_change_killed_before_the_cli_acted_is_never_claimed(home: Home, triage_state: Path) -> None:
    _killed(home, "order", "kill-before")
    assert _order(home) == {}
    assert write.history() == [] and not list((triage_state / "journal").iterdir())


def test_a_cli_change_killed_and_then_changed_by_someone_else_is_kept_as_uncertain(home: Home) -> None:
    home.shared({"profiles": {"anthropic:default": api_key_profile(KEY), "anthropic:b": api_key_profile(BACKUP)}})
    _killed(home, "order", "kill-after")
    CliRoute.for_install(home.inspect(), "main").order_set("anthropic", ["anthropic:b"])  # before our next run
    (entry,) = write.history()
    assert UNCERTAIN_NOTE in entry.notes and RECOVERED_NOTE not in entry.notes
    with pytest.raises(write.Conflict):
        write.undo(install=home.inspect())
    assert _order(home) == {"anthropic": ["anthropic:b"]}


def test_a_key_change_killed_once_the_cli_made_it_keeps_what_undo_needs(home: Home, triage_state: Path) -> None:
    _killed(home, "key", "kill-after", stdin=NEW)
    assert home.inspect().agent.effective.profiles["anthropic:default"].secret == Secret(NEW)
    (entry,) = write.history()
    assert entry.action == "set_key" and entry.backup and Path(entry.backup).exists()
    write.undo(install=home.inspect())
    assert home.inspect().agent.effective.profiles["anthropic:default"].secret == Secret(KEY)
    for path in (triage_state / "journal").glob("*.json"):
        assert not _leaks(path.read_text(), NEW, KEY)


def test_a_key_change_killed_before_the_cli_acted_takes_its_backup_with_it(home: Home, triage_state: Path) -> None:
    _killed(home, "key", "kill-before", stdin=NEW)
    assert write.history() == [] and not list((triage_state / "backups").iterdir())


def test_an_undo_killed_once_the_cli_undid_the_change_is_recorded_and_the_change_marked(home: Home) -> None:
    change = write.set_order(home.inspect(), "anthropic", ["anthropic:default"])
    _killed(home, "undo", "kill-after")
    assert _order(home) == {}
    history = {e.id: e for e in write.history()}
    undone_by = history[change.id].undone_by
    assert undone_by is not None and history[undone_by].undo_of == change.id
    with pytest.raises(write.NothingToUndo):
        write.undo(install=home.inspect())


def test_an_undo_killed_before_the_cli_acted_leaves_the_change_undoable(home: Home) -> None:
    change = write.set_order(home.inspect(), "anthropic", ["anthropic:default"])
    _killed(home, "undo", "kill-before")
    assert [e.id for e in write.history()] == [change.id] and not write.history()[0].undone_by
    write.undo(install=home.inspect())
    assert _order(home) == {}
