#!/usr/bin/env python3
"""Build OpenClaw states with the REAL OpenClaw CLIs and commit them as test fixtures.

    python scripts/make_fixtures.py [--era legacy-2026.3|current-2026.9] [--only NAME ...]
                                    [--out DIR] [--list]

Why: our tool must read a state exactly as OpenClaw does, and the only trustworthy source of
"what OpenClaw does" is OpenClaw itself. Each scenario replays a failure from the seed support
thread or from the research (see the `story` of each), in a scratch HOME, with deterministic
fake secrets (`tests/fakekeys.py`). Where the CLI refuses to produce a state, the scenario
edits files exactly as a user would, and says so in its story.

The same code is a library for the oracle tests: `build_scenario(era, name, dest)` and
`capture(era, home)`. CLIs come from `scripts/install-oracle.sh` (`$OPENCLAW_TRIAGE_ORACLE_DIR`
or `~/.cache/openclaw-triage/oracle`). One CLI call at a time: each costs 2-9 s of CPU.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests import states  # noqa: E402
from tests.states import HOME_PLACEHOLDER, make_secret  # noqa: E402

ERA_VERSIONS = {
    "legacy-2026.3": "2026.3.13",
    "current-2026.9": "2026.9.6",
    # One release per storage layout in between (openclaw_triage/openclaw/layouts.py), a few states each.
    **{f"release-{v}": v for v in ("2026.4.29", "2026.5.28", "2026.6.1", "2026.6.5", "2026.7.35", "2026.8.2")},
}
RELEASE_ERAS = tuple(e for e in ERA_VERSIONS if e.startswith("release-"))
ORACLE_PLACEHOLDER = "@ORACLE@"
CLI_TIMEOUT_S = 300
# Far-future windows (not "now + N"): the committed fixtures must stay "in cooldown" for years.
COOLDOWN_UNTIL_MS = 2082758400000  # 2036-01-01T00:00:00Z
DISABLED_UNTIL_MS = 2082844800000  # 2036-01-02T00:00:00Z
LAST_FAILURE_MS = 1793491200000  # 2026-11-01T00:00:00Z
TOKEN_EXPIRED_MS = 1767225600000  # 2026-01-01T00:00:00Z
# How a pasted secret ends on stdin. 2026.3's paste prompt (clack) only submits on CR, the byte
# a terminal's Enter sends: with LF it clears the field, hits EOF and exits 0 WITHOUT saving.
STDIN_EOL = {"legacy-2026.3": "\r", "current-2026.9": "\n", **dict.fromkeys(RELEASE_ERAS, "\r")}
# 2026.4.29's paste prompt reads the secret only while stdin stays open (closed at once, it saves
# nothing); the releases between are pasted the same way.
STDIN_HOLD_S = dict.fromkeys(RELEASE_ERAS, 6.0)
ONBOARD_SKIPS = (
    "--skip-channels",
    "--skip-daemon",
    "--skip-health",
    "--skip-search",
    "--skip-skills",
    "--skip-ui",
)
# 2026.3.13 has no --skip-hooks (checked with `onboard --help`).
ONBOARD_SKIPS_BY_ERA = {
    "legacy-2026.3": ONBOARD_SKIPS,
    "release-2026.4.29": ONBOARD_SKIPS,  # no --skip-hooks before 2026.5 (checked with `onboard --help`)
    **{e: (*ONBOARD_SKIPS, "--skip-hooks") for e in ("current-2026.9", *RELEASE_ERAS[1:])},
}


def log(msg: str) -> None:
    print(msg, flush=True)


# --------------------------------------------------------------------------- the oracle


def oracle_dir() -> Path:
    """Where scripts/install-oracle.sh put the CLIs (same rule as the script)."""
    env = os.environ.get("OPENCLAW_TRIAGE_ORACLE_DIR")
    if env:
        return Path(env)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "openclaw-triage" / "oracle"


def wrapper(era: str, root: Path | None = None) -> Path:
    """The wrapper script that runs this era's OpenClaw on its own Node."""
    return (root or oracle_dir()) / "bin" / f"openclaw-{ERA_VERSIONS[era]}"


# How this machine reaches the npm registry (a private CA, a proxy): 2026.4.x installs its
# provider plugins' dependencies with npm at onboard time, and must get through as npm does.
NETWORK_ENV = ("NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY")


def _npm_cafile() -> str | None:
    """The CA file the user's own npm trusts (`cafile=` in ~/.npmrc), which a scratch HOME loses."""
    try:
        lines = (Path.home() / ".npmrc").read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for line in lines:
        key, _, value = line.partition("=")
        if key.strip() == "cafile" and value.strip():
            return value.strip()
    return None


def isolated_env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """A scratch environment: nothing of the real user's HOME, keys or OPENCLAW_* leaks in."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "NO_COLOR": "1"}
    env.update({k: v for k in NETWORK_ENV if (v := os.environ.get(k))})
    if "NODE_EXTRA_CA_CERTS" not in env and (cafile := _npm_cafile()):
        env["NODE_EXTRA_CA_CERTS"] = cafile
    env.update(extra or {})
    return env


@dataclass
class CliResult:
    argv: list[str]
    rc: int
    stdout: str
    stderr: str
    wall_s: float


def _run_holding_stdin(
    argv: list[str], cwd: Path, env: dict[str, str], data: bytes, hold_s: float
) -> subprocess.CompletedProcess[bytes]:
    """Write `data` to the child's stdin and keep it open `hold_s` seconds before closing it."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=out, stderr=err)
        assert proc.stdin is not None
        proc.stdin.write(data)
        proc.stdin.flush()
        with contextlib.suppress(subprocess.TimeoutExpired):  # it may finish before we close stdin
            proc.wait(timeout=hold_s)
        proc.stdin.close()
        rc = proc.wait(timeout=CLI_TIMEOUT_S)
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(argv, rc, out.read(), err.read())


class Runner:
    """Runs one era's CLI in one HOME and keeps a scrubbed record of every call."""

    def __init__(self, era: str, home: Path, secrets: dict[str, str], record: list[dict[str, Any]], label: str) -> None:
        self.era = era
        self.home = home
        self.secrets = secrets  # secret name (SECRET_RECIPES) -> value
        self.record = record
        self.label = label
        self.exe = wrapper(era)
        if not self.exe.is_file():
            raise FileNotFoundError(f"{self.exe} missing: run scripts/install-oracle.sh")

    def scrub(self, text: str) -> str:
        """Secrets become `<fake key seed=RECIPE>`, scratch paths `@HOME@`/`@ORACLE@`."""
        for name, value in sorted(self.secrets.items(), key=lambda kv: -len(kv[1])):
            text = text.replace(value, f"<fake key seed={SECRET_RECIPES[name]}>")
        text = text.replace(str(self.home), HOME_PLACEHOLDER)
        return text.replace(str(oracle_dir()), ORACLE_PLACEHOLDER)

    def run(
        self,
        *args: str,
        stdin_secret: str | None = None,
        env: dict[str, str] | None = None,
        step: str = "build",
        check: bool = True,
    ) -> CliResult:
        """Run `openclaw ARGS` with stdin = a named secret plus the era's Enter byte, or nothing."""
        argv = [str(self.exe), *args]
        eol = STDIN_EOL[self.era]
        stdin = None if stdin_secret is None else (self.secrets[stdin_secret] + eol).encode()
        t0 = time.monotonic()
        if stdin is not None and self.era in STDIN_HOLD_S:
            proc = _run_holding_stdin(argv, self.home, isolated_env(self.home, env), stdin, STDIN_HOLD_S[self.era])
        else:
            proc = subprocess.run(
                argv,
                cwd=self.home,
                env=isolated_env(self.home, env),
                input=stdin,
                stdin=subprocess.DEVNULL if stdin is None else None,
                capture_output=True,
                timeout=CLI_TIMEOUT_S,
                check=False,
            )
        wall = time.monotonic() - t0
        res = CliResult(
            argv, proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"), wall
        )
        shown = self.scrub(" ".join(["openclaw", *args]))
        log(f"  [{self.label}] {shown}  -> rc {res.rc} in {wall:.1f}s")
        self.record.append(
            {
                "step": step,
                "argv": [self.scrub(a) for a in ["openclaw", *args]],
                "stdin": None if stdin_secret is None else f"<fake key seed={SECRET_RECIPES[stdin_secret]}>{eol!r}",
                "env": {k: self.scrub(v) for k, v in (env or {}).items()},
                "rc": res.rc,
                "wall_s": round(wall, 2),
            }
        )
        if check and res.rc != 0:
            raise RuntimeError(f"{shown} failed rc={res.rc}\n{self.scrub(res.stderr)[-2000:]}")
        return res


# --------------------------------------------------------------------------- build steps


@dataclass
class Ctx:
    """What a build step may touch: the CLI runner and the scratch HOME."""

    era: str
    home: Path
    runner: Runner

    @property
    def state_dir(self) -> Path:
        return self.home / ".openclaw"

    def edit(self, description: str) -> None:
        """Record a hand edit in commands.json (it is part of how the state was made)."""
        log(f"  [{self.runner.label}] edit: {description}")
        self.runner.record.append({"step": "edit", "description": description})


Step = Callable[[Ctx], None]


def onboard(secret: str | None = None, *flags: str, env_secret: str | None = None) -> Step:
    """`onboard --non-interactive` as a user scripts it (`--anthropic-api-key KEY` in argv).

    Passing the key in argv is the one exception to "secrets via stdin": it is how users do it,
    and 2026.3 then logs it to logs/config-audit.jsonl (evidence kept in the fixture).
    """

    def step(ctx: Ctx) -> None:
        argv = ["onboard", "--non-interactive", "--accept-risk"]
        if secret is not None:
            argv += ["--anthropic-api-key", ctx.runner.secrets[secret]]
        argv += [*flags, *ONBOARD_SKIPS_BY_ERA[ctx.era], "--no-install-daemon", "--gateway-bind", "loopback", "--json"]
        env = {"ANTHROPIC_API_KEY": ctx.runner.secrets[env_secret]} if env_secret else None
        ctx.runner.run(*argv, env=env)

    return step


def onboard_provider(flag: str, secret: str, *, expect_rc: int = 0) -> Step:
    """`onboard --non-interactive --<provider>-api-key KEY`: another provider's key, as users give it."""

    def step(ctx: Ctx) -> None:
        argv = ["onboard", "--non-interactive", "--accept-risk", flag, ctx.runner.secrets[secret]]
        argv += [*ONBOARD_SKIPS_BY_ERA[ctx.era], "--no-install-daemon", "--gateway-bind", "loopback", "--json"]
        res = ctx.runner.run(*argv, check=False)
        if res.rc != expect_rc:
            raise RuntimeError(f"onboard {flag} exited {res.rc}, expected {expect_rc}")

    return step


def _provider_scenarios(era: str) -> list[Scenario]:
    """Another provider's key given to `onboard`, as OpenClaw's own default model now asks (issue 15)."""
    # 2026.9.6 stores the OpenAI key (as openai:api-key) and then exits 1: "Codex runtime is
    # required but unavailable ... Package not found on npm: @openclaw/codex@2026.9.6".
    openai_rc = 1 if era == "current-2026.9" else 0
    return [
        Scenario(
            "openai_key",
            "`onboard --openai-api-key`: an OpenAI project key (sk-proj-) and nothing else."
            + (" 2026.9.6 saves it, then exits 1 (its Codex runtime plugin is not on npm)." if openai_rc else ""),
            None,
            (onboard_provider("--openai-api-key", "openai_key", expect_rc=openai_rc),),
            ("openai_key",),
        ),
        Scenario(
            "openrouter_key",
            "`onboard --openrouter-api-key`: an OpenRouter key (sk-or-v1-) in its own provider.",
            None,
            (onboard_provider("--openrouter-api-key", "openrouter_own_key"),),
            ("openrouter_own_key",),
        ),
        Scenario(
            "gemini_key",
            "`onboard --gemini-api-key`: a Google AI Studio key (AIza…), stored for provider google.",
            None,
            (onboard_provider("--gemini-api-key", "gemini_key"),),
            ("gemini_key",),
        ),
        *(
            Scenario(
                f"{name}_key",
                f"`onboard --{name}-api-key`: a {label} key and nothing else.",
                None,
                (onboard_provider(f"--{name}-api-key", f"{name}_key"),),
                (f"{name}_key",),
            )
            for name, label in (("xai", "xAI"), ("mistral", "Mistral"), ("groq", "Groq"), ("deepseek", "DeepSeek"))
            # 2026.3.13's onboard has no --groq-api-key or --deepseek-api-key (`onboard --help`);
            # 2026.9.6's Groq plugin comes only from clawhub.ai, which this machine cannot reach
            # ("Unable to install the Groq plugin for non-interactive setup"): no Groq state is made.
            if name != "groq" and (era == "current-2026.9" or name in ("xai", "mistral"))
        ),
        *(
            [
                Scenario(
                    "groq_key",
                    "A Groq key saved with `models auth paste-api-key --provider groq` (stdin) after onboarding with "
                    "--auth-choice skip: profile groq:manual. No model uses it: selecting a groq model needs the Groq "
                    "plugin, which 2026.9.6 installs only from clawhub.ai (unreachable here).",
                    "_noauth",
                    (paste_api_key("groq_key", provider="groq"),),
                    ("groq_key",),
                )
            ]
            if era == "current-2026.9"
            else []
        ),
    ]


def _expect_saved(res: CliResult) -> None:
    """rc 0 is not proof: 2026.3 exits 0 when its prompt was cancelled. Both print this line."""
    if "Auth profile:" not in res.stdout:
        raise RuntimeError(f"paste did not save a profile (rc {res.rc})")


def paste_token(
    secret: str, profile_id: str | None = None, expires_in: str | None = None, agent: str | None = None
) -> Step:
    def step(ctx: Ctx) -> None:
        argv = ["models", "auth", "paste-token", "--provider", "anthropic"]
        argv += ["--profile-id", profile_id] if profile_id else []
        argv += ["--expires-in", expires_in] if expires_in else []
        argv += ["--agent", agent] if agent else []
        _expect_saved(ctx.runner.run(*argv, stdin_secret=secret))

    return step


def paste_api_key(
    secret: str, profile_id: str | None = None, agent: str | None = None, provider: str = "anthropic"
) -> Step:
    """2026.9 only: `models auth paste-api-key`, key on stdin."""

    def step(ctx: Ctx) -> None:
        argv = ["models", "auth", "paste-api-key", "--provider", provider]
        argv += ["--profile-id", profile_id] if profile_id else []
        argv += ["--agent", agent] if agent else []
        _expect_saved(ctx.runner.run(*argv, stdin_secret=secret))

    return step


def order_set(*ids: str) -> Step:
    def step(ctx: Ctx) -> None:
        ctx.runner.run("models", "auth", "order", "set", "--provider", "anthropic", *ids)

    return step


def config_set(path: str, value: str, *, strict: bool = False) -> Step:
    def step(ctx: Ctx) -> None:
        ctx.runner.run("config", "set", path, value, *(["--strict-json"] if strict else []))

    return step


def models_set(model: str) -> Step:
    def step(ctx: Ctx) -> None:
        ctx.runner.run("models", "set", model)

    return step


def agents_add(agent_id: str, model: str | None = None) -> Step:
    def step(ctx: Ctx) -> None:
        ctx.runner.run(
            "agents",
            "add",
            agent_id,
            "--non-interactive",
            "--workspace",
            str(ctx.state_dir / f"workspace-{agent_id}"),
            *(["--model", model] if model else []),
            "--json",
        )

    return step


def with_release(era: str, *steps: Step) -> Step:
    """Run `steps` with another release's CLI in the same HOME: the state an upgrade starts from."""

    def step(ctx: Ctx) -> None:
        runner = Runner(era, ctx.home, ctx.runner.secrets, ctx.runner.record, f"{ctx.runner.label} via {era}")
        for inner in steps:
            inner(Ctx(era, ctx.home, runner))

    return step


def _write_json_like_openclaw(path: Path, data: Any) -> None:
    """JSON.stringify(data, null, 2) + newline, 0600 in a 0700 dir: how OpenClaw writes it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    path.chmod(0o600)


def json_store_edit(description: str, mutate: Callable[[dict[str, Any], Ctx], None], agent: str = "main") -> Step:
    """2026.3: a user editing agents/<agent>/agent/auth-profiles.json in an editor."""

    def step(ctx: Ctx) -> None:
        path = ctx.state_dir / "agents" / agent / "agent" / "auth-profiles.json"
        store = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"version": 1, "profiles": {}}
        mutate(store, ctx)
        _write_json_like_openclaw(path, store)
        ctx.edit(f"agents/{agent}/agent/auth-profiles.json: {description}")

    return step


def state_row_edit(key: str, description: str, mutate: Callable[[dict[str, Any], Ctx], None]) -> Step:
    """2026.9: change one `config_machine_state` JSON row of the state DB with Python sqlite3.

    Only ever on a quiescent scratch copy (no OpenClaw process running). The WAL is folded
    back afterwards so OpenClaw sees one consistent file.
    """

    def step(ctx: Ctx) -> None:
        db = ctx.state_dir / "state" / "openclaw.sqlite"
        conn = states.connect_rw(db)
        try:
            row = conn.execute("SELECT value_json FROM config_machine_state WHERE state_key=?", (key,)).fetchone()
            value = json.loads(row[0]) if row else {"version": 1}
            mutate(value, ctx)
            conn.execute(
                "INSERT INTO config_machine_state(state_key, value_json, updated_at_ms) "
                "VALUES(?, ?, ?) ON CONFLICT(state_key) DO UPDATE SET "
                "value_json=excluded.value_json, updated_at_ms=excluded.updated_at_ms",
                (key, json.dumps(value, separators=(",", ":")), int(time.time() * 1000)),
            )
            conn.commit()
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        ctx.edit(f"state/openclaw.sqlite config_machine_state[{key!r}]: {description}")

    return step


def write_store_file(rel: str, description: str, build: Callable[[Ctx], Any]) -> Step:
    """Drop a JSON file into the state dir (e.g. a 2026.3-style store on a 2026.9 install)."""

    def step(ctx: Ctx) -> None:
        _write_json_like_openclaw(ctx.state_dir / rel, build(ctx))
        ctx.edit(f"{rel}: {description}")

    return step


def truncate_file(rel: str, keep_fraction: float, description: str) -> Step:
    def step(ctx: Ctx) -> None:
        path = ctx.state_dir / rel
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * keep_fraction)])
        ctx.edit(f"{rel}: {description}")

    return step


# --------------------------------------------------------------------------- scenarios


@dataclass(frozen=True)
class Scenario:
    """How to make one state: start from `parent` (a base or another scenario), run `steps`."""

    name: str
    story: str
    parent: str | None = None
    steps: tuple[Step, ...] = ()
    secrets: tuple[str, ...] = ()  # secret names this scenario adds (parents' are inherited)
    capture_env: dict[str, str] = field(default_factory=dict)
    agents: tuple[str, ...] = ()  # extra agents captured with --agent
    base: bool = False  # a shared starting point, not committed


# Every fake secret, by name -> recipe (see tests.states.make_secret). Deterministic: the same
# recipe always gives the same fake value, so fixtures and fresh oracle builds agree.
SECRET_RECIPES = {
    "base_key": "api_key:base",
    "spaced_key": "api_key:space|space@60",
    "shortened_key": "api_key:short|cut@50:4",
    "work_truncated_key": "api_key:work|trunc@60",
    "work_agent_key": "api_key:agentwork",
    "backup_key": "api_key:backup",
    "oat_token": "oauth_token:oat",
    "setup_token": "oauth_token:setup",
    "expired_token": "oauth_token:expired",
    "openrouter_key": "openrouter_key:or",
    "envref_key": "api_key:envref",
    "legacy_key": "api_key:legacy",
    "openai_key": "openai_key:oa",
    "openrouter_own_key": "openrouter_key:or2",
    "gemini_key": "google_key:gm",
    "cli_token": "oauth_token:claudecli",
    "xai_key": "xai_key:xa",
    "mistral_key": "mistral_key:mi",
    "groq_key": "groq_key:gq",
    "deepseek_key": "deepseek_key:ds",
}
BASE_KEY = "base_key"
SPACE_KEY = "spaced_key"
SHORT_KEY = "shortened_key"
WORK_TRUNC_KEY = "work_truncated_key"
WORK_AGENT_KEY = "work_agent_key"
BACKUP_KEY = "backup_key"
OAT = "oat_token"
SETUP_TOKEN = "setup_token"
EXPIRED_TOKEN = "expired_token"
OPENROUTER = "openrouter_key"
ENVREF_KEY = "envref_key"
LEGACY_KEY = "legacy_key"


def _add_profile(pid: str, recipe: str) -> Callable[[dict[str, Any], Ctx], None]:
    def mutate(store: dict[str, Any], ctx: Ctx) -> None:
        store.setdefault("profiles", {})[pid] = {
            "type": "api_key",
            "provider": "anthropic",
            "key": ctx.runner.secrets[recipe],
        }

    return mutate


def _usage_stats(era: str) -> dict[str, Any]:
    cooldown: dict[str, Any] = {
        "cooldownUntil": COOLDOWN_UNTIL_MS,
        "errorCount": 3,
        "failureCounts": {"auth": 3},
        "lastFailureAt": LAST_FAILURE_MS,
    }
    if era == "current-2026.9":
        cooldown["cooldownReason"] = "auth"
    disabled = {
        "disabledUntil": DISABLED_UNTIL_MS,
        "disabledReason": "auth_permanent",
        "errorCount": 1,
        "failureCounts": {"auth_permanent": 1},
        "lastFailureAt": LAST_FAILURE_MS,
    }
    return {"anthropic:default": cooldown, "anthropic:backup": disabled}


def _cooldown_json(store: dict[str, Any], ctx: Ctx) -> None:
    _add_profile("anthropic:backup", BACKUP_KEY)(store, ctx)
    store["usageStats"] = _usage_stats(ctx.era)


def _cooldown_state(state: dict[str, Any], ctx: Ctx) -> None:
    state["usageStats"] = _usage_stats(ctx.era)


def _order_missing(state: dict[str, Any], _ctx: Ctx) -> None:
    state["order"] = {"anthropic": ["anthropic:doesnotexist"]}


def _expire_token(store: dict[str, Any], _ctx: Ctx) -> None:
    store["profiles"]["anthropic:manual"]["expires"] = TOKEN_EXPIRED_MS


def _legacy_store(ctx: Ctx) -> dict[str, Any]:
    return {
        "version": 1,
        "profiles": {
            "anthropic:default": {"type": "api_key", "provider": "anthropic", "key": ctx.runner.secrets[LEGACY_KEY]}
        },
    }


_COMMON_STORIES = {
    "one_api_key": "A healthy install: onboard with one Anthropic API key.",
    "key_with_space": "The API key was pasted with a space typed inside it (seed thread: "
    "'there was a space in the middle of the key').",
    "shortened_key": "The user 'deleted some spaces to shorten it' and lost 4 characters of the key.",
    "same_secret_two_profiles": "The same secret is stored twice: anthropic:default (api_key) "
    "and anthropic:manual (token, via paste-token); no stored order.",
    "same_secret_order_pinned": "As same_secret_two_profiles, then `models auth order set "
    "--provider anthropic anthropic:default`.",
    "order_pinned_to_broken": "Two profiles: anthropic:default holds a healthy key, "
    "anthropic:work a truncated one; the stored order "
    "[anthropic:work, anthropic:default] tries the broken one first "
    "(the one-keypress fix: reorder).",
    "oauth_token_as_api_key": "A setup token (sk-ant-oat01-…) given to onboard as the API key.",
    "wrong_provider_key": "An OpenRouter key (sk-or-v1-…) stored as the Anthropic API key.",
    "keyref_env_unset": "Onboard with --secret-input-mode ref while ANTHROPIC_API_KEY was set; "
    "the captures run without it (the ref does not resolve).",
    "baseurl_v1_suffix": "models.providers.anthropic.baseUrl = http://127.0.0.1:9/v1: OpenClaw "
    "appends /v1/messages itself, so requests go to /v1/v1/messages.",
    "no_auth": "Onboard with --auth-choice skip: no credential at all.",
    "agent_own_model": "A second agent `work` added with `agents add work --model "
    "anthropic/claude-haiku-4-5`: its chats use that model, main's the default one. (With an OpenAI "
    "model, 2026.9's `order get` takes 80 s here, offline.)",
    "model_alias": "The default model named by an alias (`sonnet`, declared as `Sonnet` in "
    "agents.defaults.models): OpenClaw resolves it, ignoring case, to anthropic/claude-sonnet-4-6.",
}


def _alias_steps(models: str) -> tuple[Step, ...]:
    return (
        config_set("agents.defaults.models", models, strict=True),
        config_set("agents.defaults.model", '{"primary": "sonnet"}', strict=True),
    )


_ALIAS_STEPS = _alias_steps('{"anthropic/claude-opus-4-6": {}, "anthropic/claude-sonnet-4-6": {"alias": "Sonnet"}}')


def _legacy_scenarios() -> list[Scenario]:
    s = _COMMON_STORIES
    store = "agents/main/agent/auth-profiles.json"
    return [
        Scenario("_apikey", "base: onboard with one API key", None, (onboard(BASE_KEY),), (BASE_KEY,), base=True),
        Scenario(
            "_noauth", "base: onboard --auth-choice skip", None, (onboard(None, "--auth-choice", "skip"),), base=True
        ),
        Scenario("one_api_key", s["one_api_key"], "_apikey"),
        Scenario("model_alias", s["model_alias"], "_apikey", _ALIAS_STEPS),
        Scenario(
            "agent_own_model",
            s["agent_own_model"],
            "_apikey",
            (agents_add("work", "anthropic/claude-haiku-4-5"),),
            agents=("work",),
        ),
        Scenario(
            "key_with_space",
            s["key_with_space"] + " 2026.3: onboard with that value.",
            None,
            (onboard(SPACE_KEY),),
            (SPACE_KEY,),
        ),
        Scenario(
            "shortened_key",
            s["shortened_key"] + " 2026.3: onboard with that value.",
            None,
            (onboard(SHORT_KEY),),
            (SHORT_KEY,),
        ),
        Scenario(
            "same_secret_two_profiles",
            s["same_secret_two_profiles"] + " 2026.3 accepts "
            "the sk-ant-api key in paste-token (which also writes config auth.order "
            "[manual, default]).",
            "_apikey",
            (paste_token(BASE_KEY),),
        ),
        Scenario(
            "same_secret_order_pinned",
            s["same_secret_order_pinned"],
            "same_secret_two_profiles",
            (order_set("anthropic:default"),),
        ),
        Scenario(
            "order_pinned_to_broken",
            s["order_pinned_to_broken"] + " 2026.3 has no "
            "paste-api-key: anthropic:work was added by hand-editing " + store + ", then "
            "the real `order set` wrote the order.",
            "_apikey",
            (
                json_store_edit(
                    "add anthropic:work (api_key, truncated key)", _add_profile("anthropic:work", WORK_TRUNC_KEY)
                ),
                order_set("anthropic:work", "anthropic:default"),
            ),
            (WORK_TRUNC_KEY,),
        ),
        Scenario("oauth_token_as_api_key", s["oauth_token_as_api_key"], None, (onboard(OAT),), (OAT,)),
        Scenario("wrong_provider_key", s["wrong_provider_key"], None, (onboard(OPENROUTER),), (OPENROUTER,)),
        Scenario(
            "setup_token",
            "Only a setup token, saved with `models auth paste-token` "
            "(stdin) after onboarding with --auth-choice skip: profile anthropic:manual.",
            "_noauth",
            (paste_token(SETUP_TOKEN),),
            (SETUP_TOKEN,),
        ),
        Scenario(
            "keyref_env_unset",
            s["keyref_env_unset"],
            None,
            (onboard(None, "--auth-choice", "apiKey", "--secret-input-mode", "ref", env_secret=ENVREF_KEY),),
            (ENVREF_KEY,),
        ),
        Scenario(
            "baseurl_v1_suffix",
            s["baseurl_v1_suffix"] + ' 2026.3 requires "models": [] in the provider entry, so the whole entry is set.',
            "_apikey",
            (config_set("models.providers.anthropic", '{"baseUrl":"http://127.0.0.1:9/v1","models":[]}', strict=True),),
        ),
        Scenario("no_auth", s["no_auth"], "_noauth"),
        Scenario(
            "cooldown",
            "Two API-key profiles: anthropic:default in an auth cooldown, "
            "anthropic:backup disabled (auth_permanent). Hand-written usageStats (and the "
            "backup profile) in " + store + ", windows ending 2036-01-01/02 so the "
            "fixture stays in cooldown.",
            "_apikey",
            (json_store_edit("add anthropic:backup and usageStats windows", _cooldown_json),),
            (BACKUP_KEY,),
        ),
        Scenario(
            "order_missing_profile",
            "The stored order names a profile that does not "
            "exist ([anthropic:doesnotexist]); `order set` refuses unknown ids, so it was "
            "written by hand-editing " + store + ".",
            "_apikey",
            (
                json_store_edit(
                    "order.anthropic = [anthropic:doesnotexist]",
                    lambda st, _c: st.update(order={"anthropic": ["anthropic:doesnotexist"]}),
                ),
            ),
        ),
        Scenario(
            "broken_store",
            store + " truncated mid-file (an interrupted in-place write "
            "or a bad edit): OpenClaw reads it as an empty store.",
            "_apikey",
            (truncate_file(store, 0.5, "truncated to half its bytes"),),
        ),
        Scenario(
            "two_agents",
            "A second agent `work` (`agents add work`) with its own, "
            "different key: 2026.3 has no per-agent paste, so agents/work/agent/"
            "auth-profiles.json was written by hand (anthropic:default = the work key).",
            "_apikey",
            (
                agents_add("work"),
                json_store_edit(
                    "anthropic:default = the work agent's own key",
                    _add_profile("anthropic:default", WORK_AGENT_KEY),
                    agent="work",
                ),
            ),
            (WORK_AGENT_KEY,),
            agents=("work",),
        ),
        Scenario(
            "token_expired",
            "A setup token added with `paste-token --expires-in 1h` whose "
            "`expires` was then set by hand to 2026-01-01 (long expired, so the fixture "
            "is stable).",
            "_apikey",
            (
                paste_token(EXPIRED_TOKEN, expires_in="1h"),
                json_store_edit("anthropic:manual.expires = 2026-01-01T00:00:00Z", _expire_token),
            ),
            (EXPIRED_TOKEN,),
        ),
    ]


def _current_scenarios() -> list[Scenario]:
    s = _COMMON_STORIES
    db = "state/openclaw.sqlite"
    return [
        Scenario("_apikey", "base: onboard with one API key", None, (onboard(BASE_KEY),), (BASE_KEY,), base=True),
        Scenario(
            "_noauth", "base: onboard --auth-choice skip", None, (onboard(None, "--auth-choice", "skip"),), base=True
        ),
        Scenario("one_api_key", s["one_api_key"], "_apikey"),
        Scenario(
            "agent_own_model",
            s["agent_own_model"],
            "_apikey",
            (agents_add("work", "anthropic/claude-haiku-4-5"),),
            agents=("work",),
        ),
        Scenario(
            "model_alias",
            s["model_alias"],
            "_apikey",
            _alias_steps('{"anthropic/claude-opus-5": {}, "anthropic/claude-sonnet-4-6": {"alias": "Sonnet"}}'),
        ),
        Scenario(
            "key_with_space",
            s["key_with_space"] + " 2026.9: `models auth paste-api-key "
            "--provider anthropic --profile-id anthropic:default` (stdin) over a healthy "
            "install.",
            "_apikey",
            (paste_api_key(SPACE_KEY, "anthropic:default"),),
            (SPACE_KEY,),
        ),
        Scenario(
            "shortened_key",
            s["shortened_key"] + " 2026.9: paste-api-key over anthropic:default (stdin).",
            "_apikey",
            (paste_api_key(SHORT_KEY, "anthropic:default"),),
            (SHORT_KEY,),
        ),
        Scenario("oauth_token_as_api_key", s["oauth_token_as_api_key"], None, (onboard(OAT),), (OAT,)),
        Scenario(
            "same_secret_two_profiles",
            s["same_secret_two_profiles"] + " 2026.9's "
            "paste-token requires sk-ant-oat01, so the shared secret is a setup token "
            "onboarded as the API key (as in the shared fixture "
            "apikey_token_same_secret_order_pinned).",
            "oauth_token_as_api_key",
            (paste_token(OAT),),
        ),
        Scenario(
            "same_secret_order_pinned",
            s["same_secret_order_pinned"],
            "same_secret_two_profiles",
            (order_set("anthropic:default"),),
        ),
        Scenario(
            "order_pinned_to_broken",
            s["order_pinned_to_broken"] + " 2026.9: "
            "paste-api-key --profile-id anthropic:work (stdin), then `order set`.",
            "_apikey",
            (paste_api_key(WORK_TRUNC_KEY, "anthropic:work"), order_set("anthropic:work", "anthropic:default")),
            (WORK_TRUNC_KEY,),
        ),
        Scenario("wrong_provider_key", s["wrong_provider_key"], None, (onboard(OPENROUTER),), (OPENROUTER,)),
        Scenario(
            "setup_token",
            "Only a setup token, saved with `models auth paste-token` "
            "(stdin) after onboarding with --auth-choice skip; then `models set "
            "anthropic/claude-opus-5`, since a 2026.9 skip-onboard defaults to an openai model.",
            "_noauth",
            (paste_token(SETUP_TOKEN), models_set("anthropic/claude-opus-5")),
            (SETUP_TOKEN,),
        ),
        Scenario(
            "keyref_env_unset",
            s["keyref_env_unset"],
            None,
            (onboard(None, "--auth-choice", "apiKey", "--secret-input-mode", "ref", env_secret=ENVREF_KEY),),
            (ENVREF_KEY,),
        ),
        Scenario(
            "baseurl_v1_suffix",
            s["baseurl_v1_suffix"] + " Set with `config set`.",
            "_apikey",
            (config_set("models.providers.anthropic.baseUrl", "http://127.0.0.1:9/v1"),),
        ),
        Scenario("no_auth", s["no_auth"], "_noauth"),
        Scenario(
            "cooldown",
            "Two API-key profiles (anthropic:backup added with paste-api-key): "
            "anthropic:default in an auth cooldown, anthropic:backup disabled "
            "(auth_permanent). The usageStats were written into the shared "
            "authProfiles.state row of " + db + " with Python sqlite3 on the quiescent "
            "scratch copy; windows end 2036-01-01/02 so the fixture stays in cooldown.",
            "_apikey",
            (
                paste_api_key(BACKUP_KEY, "anthropic:backup"),
                state_row_edit("authProfiles.state", "usageStats windows", _cooldown_state),
            ),
            (BACKUP_KEY,),
        ),
        Scenario(
            "order_missing_profile",
            "The stored order names a profile that does not "
            "exist ([anthropic:doesnotexist]). `order set` refuses unknown ids; doctor "
            "--fix would import such an order from a stray auth-profiles.json (shared "
            "fixture order_override_missing_profile, 15-23 s). Here the same result is "
            "written directly: the shared authProfiles.state row of " + db + " (Python "
            "sqlite3, quiescent scratch copy).",
            "_apikey",
            (state_row_edit("authProfiles.state", "order.anthropic = [anthropic:doesnotexist]", _order_missing),),
        ),
        Scenario(
            "legacy_unmigrated",
            "A 2026.3-style agents/main/agent/auth-profiles.json "
            "(another key) beside a current install, never migrated: every auth command "
            "fails with AUTH_PROFILE_MIGRATION_REQUIRED until `doctor --fix`.",
            "_apikey",
            (
                write_store_file(
                    "agents/main/agent/auth-profiles.json", "2026.3-style store written by hand", _legacy_store
                ),
            ),
            (LEGACY_KEY,),
        ),
        Scenario(
            "two_agents",
            "A second agent `work` (`agents add work`, which also sets agents.ownership=explicit and "
            "systemAgent main) with its own, different key saved by `models auth paste-api-key "
            "--agent work --profile-id anthropic:work` (stdin) into its agent DB; it inherits the "
            "shared anthropic:default. (Without --profile-id, paste-api-key --agent work overwrites "
            "the SHARED anthropic:default, changing main's key too.)",
            "_apikey",
            (agents_add("work"), paste_api_key(WORK_AGENT_KEY, "anthropic:work", agent="work")),
            (WORK_AGENT_KEY,),
            agents=("work",),
        ),
        Scenario(
            "token_expired",
            "A setup token added with `paste-token --expires-in 1h` whose "
            "`expires` was then set to 2026-01-01 in the authProfiles.store row of "
            + db
            + " (Python sqlite3), so the fixture is stable.",
            "_apikey",
            (
                paste_token(EXPIRED_TOKEN, expires_in="1h"),
                state_row_edit("authProfiles.store", "anthropic:manual.expires = 2026-01-01T00:00:00Z", _expire_token),
            ),
            (EXPIRED_TOKEN,),
        ),
    ]


def _pinned_to_token() -> tuple[Step, ...]:
    return (onboard(BASE_KEY), paste_token(SETUP_TOKEN), order_set("anthropic:manual"))


def _release_scenarios(era: str) -> list[Scenario]:
    """The state families every release between the two ends is proven on, built by its own CLI,
    and the upgrades users make into it (a store one layout wrote, read by the next)."""
    s = _COMMON_STORIES
    out = [
        Scenario("_apikey", "base: onboard with one API key", None, (onboard(BASE_KEY),), (BASE_KEY,), base=True),
        Scenario(
            "_noauth", "base: onboard --auth-choice skip", None, (onboard(None, "--auth-choice", "skip"),), base=True
        ),
        Scenario("one_api_key", s["one_api_key"], "_apikey"),
        Scenario(
            "setup_token",
            "Only a setup token, saved with `models auth paste-token` (stdin) after onboarding with "
            "--auth-choice skip: profile anthropic:manual.",
            "_noauth",
            (paste_token(SETUP_TOKEN),),
            (SETUP_TOKEN,),
        ),
        Scenario(
            "order_pinned_to_token",
            "An API key by onboard, a setup token by paste-token, then `models auth order set --provider "
            "anthropic anthropic:manual`: the order override pins the token (the seed thread's rotation).",
            None,
            _pinned_to_token(),
            (BASE_KEY, SETUP_TOKEN),
        ),
        Scenario("wrong_provider_key", s["wrong_provider_key"], None, (onboard(OPENROUTER),), (OPENROUTER,)),
    ]
    if era in ("release-2026.7.35", "release-2026.8.2"):
        out.append(
            Scenario(
                "claude_cli_retired",
                "A setup token pasted as anthropic:claude-cli (`paste-token --profile-id anthropic:claude-cli`, the id "
                "the Claude CLI route used), another as anthropic:manual, the order set to claude-cli first. "
                "2026.8.1 retired that id: it is skipped in every order.",
                "_noauth",
                (
                    paste_token("cli_token", profile_id="anthropic:claude-cli"),
                    paste_token(SETUP_TOKEN),
                    order_set("anthropic:claude-cli", "anthropic:manual"),
                ),
                ("cli_token", SETUP_TOKEN),
            )
        )
    upgrade_from = {
        "release-2026.4.29": "legacy-2026.3",
        "release-2026.6.5": "release-2026.5.28",
        "release-2026.7.35": "release-2026.5.28",
        "release-2026.8.2": "release-2026.5.28",
    }.get(era)
    if upgrade_from:
        older = ERA_VERSIONS[upgrade_from]
        out.append(
            Scenario(
                "upgraded_in_place",
                f"order_pinned_to_token built by OpenClaw {older}, then read by {ERA_VERSIONS[era]} without "
                "`openclaw doctor --fix`: the upgrade users make.",
                None,
                (with_release(upgrade_from, *_pinned_to_token()),),
                (BASE_KEY, SETUP_TOKEN),
            )
        )
    return out


SCENARIOS: dict[str, dict[str, Scenario]] = {
    "legacy-2026.3": {sc.name: sc for sc in [*_legacy_scenarios(), *_provider_scenarios("legacy-2026.3")]},
    "current-2026.9": {sc.name: sc for sc in [*_current_scenarios(), *_provider_scenarios("current-2026.9")]},
    **{era: {sc.name: sc for sc in _release_scenarios(era)} for era in RELEASE_ERAS},
}
# What the oracle tests build live on every CI run; the rest is checked on the committed states.
LIVE_SCENARIOS = {era: ("order_pinned_to_token", "upgraded_in_place") for era in RELEASE_ERAS}


# Committed and compared without Node only (tests/test_fixture_labels.py): each costs a CI minute live.
NOT_LIVE = frozenset(
    {
        "openai_key",
        "openrouter_key",
        "gemini_key",
        "xai_key",
        "mistral_key",
        "groq_key",
        "deepseek_key",
        "claude_cli_retired",
    }
)


def live_scenario_names(era: str) -> list[str]:
    names = [n for n in scenario_names(era) if n not in NOT_LIVE]
    return [n for n in names if n in LIVE_SCENARIOS[era]] if era in LIVE_SCENARIOS else names


def scenario_names(era: str, *, include_bases: bool = False) -> list[str]:
    return [n for n, sc in SCENARIOS[era].items() if include_bases or not sc.base]


def scenario_secrets(era: str, name: str) -> dict[str, str]:
    """Every fake secret a scenario's state may hold (its own and its parents'): name -> value."""
    sc = SCENARIOS[era][name]
    out = scenario_secrets(era, sc.parent) if sc.parent else {}
    out.update({n: make_secret(SECRET_RECIPES[n]) for n in sc.secrets})
    return out


# --------------------------------------------------------------------------- building


def copy_home(src: Path, dest: Path) -> None:
    """Copy a quiescent HOME and point its absolute paths (2026.9 writes some) at `dest`.

    `.cache` (OpenClaw's private read-only DB snapshots) is left behind; main DB files travel
    with their `-wal`, which is consistent because no OpenClaw process is running.
    """
    shutil.copytree(src, dest, symlinks=True, ignore=lambda d, names: [".cache"] if Path(d) == src else [])
    states.relocate_home(dest, str(src), str(dest))


class BuildCache:
    """Pristine built homes (bases and parents) under one dir, so each is built once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.records: dict[tuple[str, str], list[dict[str, Any]]] = {}

    def home(self, era: str, name: str) -> Path:
        return self.root / era / name / "home"

    def ensure(self, era: str, name: str) -> tuple[Path, list[dict[str, Any]]]:
        """Build `name` (and, first, its parent chain) unless already cached."""
        key = (era, name)
        home = self.home(era, name)
        if key in self.records:
            return home, self.records[key]
        sc = SCENARIOS[era][name]
        record: list[dict[str, Any]] = []
        if sc.parent:
            parent_home, parent_record = self.ensure(era, sc.parent)
            copy_home(parent_home, home)
            record += parent_record
        else:
            home.mkdir(parents=True)
        runner = Runner(era, home, scenario_secrets(era, name), record, f"{era}/{name}")
        ctx = Ctx(era, home, runner)
        for step in sc.steps:
            step(ctx)
        self.records[key] = record
        return home, record


def build_scenario(
    era: str, name: str, dest: Path, cache: BuildCache | None = None, record: list[dict[str, Any]] | None = None
) -> Path:
    """Build scenario `name` of `era` with the real CLI into the HOME `dest` (must not exist).

    With a `cache`, bases and parents are reused across calls. `record` (if given) receives
    the scrubbed build commands. Returns `dest`.
    """
    if name not in SCENARIOS[era]:
        raise KeyError(f"unknown scenario {era}/{name}")
    with tempfile.TemporaryDirectory(prefix="ocbuild-") as tmp:
        cache = cache or BuildCache(Path(tmp))
        home, steps = cache.ensure(era, name)
        copy_home(home, dest)
    if record is not None:
        record += steps
    return dest


def capture_commands(agents: Iterable[str] = ()) -> list[tuple[str, list[str]]]:
    """Expected-output file name -> CLI argv, for every scenario (plus per-agent extras)."""
    cmds = [
        ("version.txt", ["--version"]),
        ("models-status.json", ["models", "status", "--json"]),
        ("models-status.txt", ["models", "status"]),
        ("order-get-anthropic.json", ["models", "auth", "order", "get", "--provider", "anthropic", "--json"]),
    ]
    for agent in agents:
        cmds += [
            (f"models-status-agent-{agent}.json", ["models", "status", "--json", "--agent", agent]),
            (
                f"order-get-anthropic-agent-{agent}.json",
                ["models", "auth", "order", "get", "--provider", "anthropic", "--agent", agent, "--json"],
            ),
        ]
    return cmds


def capture_raw(
    era: str,
    home: Path,
    *,
    env: dict[str, str] | None = None,
    agents: Iterable[str] = (),
    secrets: dict[str, str] | None = None,
    label: str = "",
) -> dict[str, str]:
    """Run the capture commands on `home`; return file name -> text, as the CLI printed it.

    Adds `<stem>.stderr.txt` for non-empty stderr, `exitcodes.json` and `commands.json`.
    Paths are NOT scrubbed here (the oracle tests compare them live).
    """
    record: list[dict[str, Any]] = []
    runner = Runner(era, home, secrets or {}, record, label or f"{era}/capture")
    files: dict[str, str] = {}
    exitcodes: dict[str, int] = {}
    for fname, argv in capture_commands(agents):
        res = runner.run(*argv, env=env, step="capture", check=False)
        files[fname] = res.stdout
        if res.stderr.strip():
            files[f"{fname.rsplit('.', 1)[0]}.stderr.txt"] = res.stderr
        exitcodes[fname] = res.rc
    files["exitcodes.json"] = json.dumps(exitcodes, indent=2) + "\n"
    files["commands.json"] = _json_lines(record)
    return files


def capture(era: str, home: Path, *, env: dict[str, str] | None = None, agents: Iterable[str] = ()) -> dict[str, Any]:
    """`capture_raw`, parsed the way `tests.states.load_state` parses `expected/`."""
    return states.parse_expected_files(capture_raw(era, home, env=env, agents=agents))


def capture_scenario(era: str, name: str, home: Path) -> dict[str, Any]:
    """`capture` with the scenario's own capture environment and extra agents."""
    sc = SCENARIOS[era][name]
    return capture(era, home, env=sc.capture_env, agents=sc.agents)


# --------------------------------------------------------------------------- fixtures on disk


def _snapshot_ignore(src_home: Path) -> Callable[[str, list[str]], list[str]]:
    def ignore(d: str, names: list[str]) -> list[str]:
        here = Path(d)
        out = [n for n in names if n.endswith(("-wal", "-shm", ".sqlite"))]
        if here == src_home:
            out += [".cache", ".npm"]  # npm's own cache (2026.9.6 installs provider plugins with it)
        if here == src_home / ".openclaw":
            # Bootstrap markdown and a git repo: no auth content, and a nested .git cannot be
            # committed. 2026.4.29 stages ~430 MB of plugin dependencies in plugin-runtime-deps/;
            # 2026.9.6 installs a provider's plugin package (DeepSeek: 330 MB) under npm/.
            out += [n for n in names if n.startswith("workspace") or n in ("plugin-runtime-deps", "npm")]
        return out

    return ignore


def snapshot_home(src: Path, dest: Path) -> None:
    """Copy a quiescent HOME into a fixture: DBs via the backup API (WAL folded in, no
    -wal/-shm), every absolute path `@HOME@`, the oracle install dir `@ORACLE@`."""
    shutil.copytree(src, dest, ignore=_snapshot_ignore(src))
    for db in sorted(src.rglob("*.sqlite")):
        rel = db.relative_to(src)
        if rel.parts[0] == ".cache" or (len(rel.parts) > 1 and rel.parts[1].startswith("workspace")):
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        shutil.copymode(db, target)
    states.relocate_home(dest, str(src), HOME_PLACEHOLDER, vacuum=True)
    states.relocate_home(dest, str(oracle_dir()), ORACLE_PLACEHOLDER, vacuum=True)
    leftovers = [p for p in dest.rglob("*") if p.name.endswith(("-wal", "-shm"))]
    if leftovers:
        raise RuntimeError(f"WAL side files left in fixture: {leftovers}")
    for path in dest.rglob("*"):
        if path.is_file() and str(src).encode() in path.read_bytes():
            raise RuntimeError(f"scratch path survived in {path}")


def _json_lines(items: list[dict[str, Any]]) -> str:
    """A JSON array with one command per line: readable in a diff."""
    return "[\n" + ",\n".join("  " + json.dumps(i) for i in items) + "\n]\n"


def _check_no_secret(files: dict[str, str], secrets: dict[str, str], where: str) -> None:
    for fname, text in files.items():
        for recipe, value in secrets.items():
            for frag in states.secret_fragments(value):
                if frag in text:
                    raise RuntimeError(f"{where}/{fname} contains secret {recipe}")


def write_fixture(era: str, name: str, out_root: Path, cache: BuildCache) -> float:
    """Build, snapshot and capture one scenario into `out_root/era/name`; return wall time."""
    t0 = time.monotonic()
    sc = SCENARIOS[era][name]
    target = out_root / era / name
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix=f"occap-{name}-") as tmp:
        scratch = Path(tmp) / "home"
        record: list[dict[str, Any]] = []
        build_scenario(era, name, scratch, cache, record)
        snapshot_home(scratch, target / "home")
        secrets = scenario_secrets(era, name)
        raw = capture_raw(era, scratch, env=sc.capture_env, agents=sc.agents, secrets=secrets, label=f"{era}/{name}")
        commands = record + json.loads(raw["commands.json"])
        raw["commands.json"] = _json_lines(commands)
        files = {
            k: v.replace(str(scratch), HOME_PLACEHOLDER).replace(str(oracle_dir()), ORACLE_PLACEHOLDER)
            for k, v in raw.items()
        }
    _check_no_secret(files, secrets, f"{era}/{name}/expected")
    expected = target / "expected"
    expected.mkdir()
    for fname, text in files.items():
        (expected / fname).write_text(text, encoding="utf-8")
    meta = {
        "name": name,
        "era": era,
        "openclawVersion": ERA_VERSIONS[era],
        "story": sc.story,
        "secrets": {n: SECRET_RECIPES[n] for n in secrets},
        "captureEnv": sc.capture_env,
        "agents": list(sc.agents),
        "tree": states.tree_modes(target / "home"),
    }
    (target / "scenario.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return time.monotonic() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--era", choices=list(ERA_VERSIONS), action="append", help="only this era (repeatable; default: both)"
    )
    ap.add_argument("--only", action="append", metavar="NAME", help="only this scenario (repeatable)")
    ap.add_argument("--out", type=Path, default=states.STATES_ROOT)
    ap.add_argument("--list", action="store_true", help="list scenarios and exit")
    args = ap.parse_args(argv)
    eras = args.era or list(ERA_VERSIONS)
    if args.list:
        for era in eras:
            for name in scenario_names(era):
                print(f"{era}/{name}: {SCENARIOS[era][name].story}")
        return 0
    unknown = [n for n in args.only or [] if not any(n in SCENARIOS[e] for e in eras)]
    if unknown:
        ap.error(f"unknown scenario(s): {', '.join(unknown)}")
    t_all = time.monotonic()
    timings: list[tuple[str, float]] = []
    for era in eras:
        t_era = time.monotonic()
        with tempfile.TemporaryDirectory(prefix=f"occache-{era}-") as tmp:
            cache = BuildCache(Path(tmp))
            for name in scenario_names(era):
                if args.only and name not in args.only:
                    continue
                log(f"[{era}/{name}]")
                wall = write_fixture(era, name, args.out, cache)
                timings.append((f"{era}/{name}", wall))
                log(f"[{era}/{name}] done in {wall:.1f}s")
        log(f"== {era}: {time.monotonic() - t_era:.1f}s")
    log(f"== total: {time.monotonic() - t_all:.1f}s for {len(timings)} scenario(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
