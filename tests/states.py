"""Committed OpenClaw states: load one into a scratch HOME, no OpenClaw CLI needed.

`scripts/make_fixtures.py` runs the real OpenClaw CLIs and commits what they left behind under
`tests/fixtures/states/<era>/<scenario>/`:

- `home/`: the scratch HOME (`home/.openclaw/...`, SQLite files with their WAL folded in).
  Absolute scratch paths are stored as `@HOME@`, because OpenClaw 2026.9 writes them into
  `openclaw.json` and into its databases, and a copy that kept the old path would read (and
  write) the generator's scratch dir.
- `expected/`: what the real CLI printed on that state (`@HOME@` again for absolute paths).
- `scenario.json`: the story, the OpenClaw version, recipes of the fake secrets, and the file
  modes and empty directories that git cannot keep.

The helpers that move a home between paths (`relocate_home`) and describe a store's shape
(`profile_shape`) live here too: the generator and the oracle tests use the same code, so a
fixture and a freshly built state are compared like with like.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openclaw_triage.demo.relocate import (  # noqa: F401  (re-exported for the generator and tests)
    apply_tree_modes,
    connect_rw,
    is_sqlite,
    relocate_home,
    rewrite_sqlite,
    tree_modes,
)
from tests import fakekeys

HOME_PLACEHOLDER = "@HOME@"
STATES_ROOT = Path(__file__).resolve().parent / "fixtures" / "states"
ERAS = ("legacy-2026.3", "current-2026.9")
# One release per storage layout in between (openclaw_triage/openclaw/layouts.py), a few states each.
RELEASE_ERAS = tuple(
    f"release-{v}" for v in ("2026.4.29", "2026.5.28", "2026.6.1", "2026.6.5", "2026.7.35", "2026.8.2")
)


@dataclass(frozen=True)
class StateHome:
    """A committed scenario, copied into a private HOME that tests may freely change."""

    home: Path
    state_dir: Path
    expected: dict[str, Any]
    secrets: dict[str, str]
    scenario: dict[str, Any]
    era: str = field(default="")
    name: str = field(default="")


# --------------------------------------------------------------------------- fake secrets


def make_secret(recipe: str) -> str:
    """Rebuild a fake secret from its recipe, so no committed file needs to spell it out.

    Grammar: `<kind>:<seed>` then any number of `|op`:
    `|space@N` inserts a space before index N, `|cut@N:K` deletes K characters at index N,
    `|trunc@N` keeps the first N characters. Kinds are the functions of `tests.fakekeys`.
    """
    head, *ops = recipe.split("|")
    kind, _, seed = head.partition(":")
    maker = getattr(fakekeys, kind, None)
    if maker is None or kind.startswith("_"):
        raise ValueError(f"unknown secret kind in recipe {recipe!r}")
    value: str = maker(seed)
    for op in ops:
        name, _, arg = op.partition("@")
        if name == "space":
            i = int(arg)
            value = value[:i] + " " + value[i:]
        elif name == "cut":
            i, k = (int(x) for x in arg.split(":"))
            value = value[:i] + value[i + k :]
        elif name == "trunc":
            value = value[: int(arg)]
        else:
            raise ValueError(f"unknown secret op {op!r} in recipe {recipe!r}")
    return value


def secret_fragments(secret: str) -> list[str]:
    """The strings a leak check must look for: the secret and its long whitespace-split parts.

    A key with a space typed inside leaks just as much if only one half is printed.
    """
    parts = [secret, secret.strip()]
    parts += [p for p in secret.split() if len(p) >= 20]
    return sorted(set(parts), key=len, reverse=True)


# --------------------------------------------------------------------------- relocation


# --------------------------------------------------------------------------- loading


def scenario_dir(era: str, scenario: str, root: Path | None = None) -> Path:
    return (root or STATES_ROOT) / era / scenario


def list_states(era: str | None = None, root: Path | None = None) -> list[tuple[str, str]]:
    """All committed `(era, scenario)` pairs, era by era, scenarios sorted by name."""
    base = root or STATES_ROOT
    eras = [era] if era else [*ERAS, *RELEASE_ERAS]
    out: list[tuple[str, str]] = []
    for e in eras:
        d = base / e
        if d.is_dir():
            out += [(e, p.name) for p in sorted(d.iterdir()) if (p / "scenario.json").is_file()]
    return out


# 2026.3 logs to stdout even with --json: `[agents/auth-profiles] inherited auth-profiles from main
# agent` comes first when `models status --agent X` finds no store of X's own.
_LOG_LINE = re.compile(r"\[[a-z][\w/.-]*\] [^\n]*\n")


def parse_expected_files(files: dict[str, str]) -> dict[str, Any]:
    """File name -> content: `.json` parsed after any leading log lines (kept as text if the CLI
    printed something else)."""
    out: dict[str, Any] = {}
    for name, text in files.items():
        if name.endswith(".json"):
            body = text
            while match := _LOG_LINE.match(body):
                body = body[match.end() :]
            try:
                out[name] = json.loads(body)
                continue
            except json.JSONDecodeError:
                pass
        out[name] = text
    return out


def read_expected(expected_dir: Path, home: str) -> dict[str, Any]:
    """Parse `expected/` with `@HOME@` replaced by `home`."""
    if not expected_dir.is_dir():
        return {}
    return parse_expected_files(
        {p.name: p.read_text(encoding="utf-8").replace(HOME_PLACEHOLDER, home) for p in sorted(expected_dir.iterdir())}
    )


def load_state(era: str, scenario: str, dest: Path, root: Path | None = None) -> StateHome:
    """Copy a committed scenario's HOME to `dest` and make it a working OpenClaw home there.

    `dest` must not exist yet or be empty. `@HOME@` becomes `dest` in text files and, through
    sqlite3, in database cells; modes and empty dirs are restored from scenario.json.
    """
    src = scenario_dir(era, scenario, root)
    meta = json.loads((src / "scenario.json").read_text(encoding="utf-8"))
    dest = Path(dest).resolve()
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} is not empty")
    shutil.copytree(src / "home", dest, dirs_exist_ok=True)
    relocate_home(dest, HOME_PLACEHOLDER, str(dest))
    apply_tree_modes(dest, meta.get("tree", {}))
    secrets = {name: make_secret(recipe) for name, recipe in meta.get("secrets", {}).items()}
    return StateHome(
        home=dest,
        state_dir=dest / ".openclaw",
        expected=read_expected(src / "expected", str(dest)),
        secrets=secrets,
        scenario=meta,
        era=era,
        name=scenario,
    )


# --------------------------------------------------------------------------- store shape


def _shape_of_store(raw: Any) -> dict[str, str] | str:
    if not isinstance(raw, dict) or not isinstance(raw.get("profiles"), dict):
        return "invalid"
    return {
        pid: str(cred.get("type", cred.get("mode", "?"))) if isinstance(cred, dict) else "?"
        for pid, cred in raw["profiles"].items()
    }


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None


def _sqlite_rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.Error:
        return []
    finally:
        conn.close()


def profile_shape(state_dir: Path) -> dict[str, Any]:
    """Which store holds which profile ids with which type, plus stored orders.

    Keys: `json:<rel path>` for each auth-profiles.json (2026.3 stores and stray legacy files),
    `state-db` for the 2026.9 shared store rows, `agent-db:<rel path>` for agent databases.
    Reads SQLite read-only, which creates `-wal`/`-shm` files: call it on copies only.
    """
    shape: dict[str, Any] = {}
    for path in sorted(state_dir.glob("agents/*/agent/auth-profiles.json")):
        raw = _read_json(path)
        entry: dict[str, Any] = {"profiles": _shape_of_store(raw)}
        if isinstance(raw, dict) and isinstance(raw.get("order"), dict):
            entry["order"] = raw["order"]
        shape[f"json:{path.relative_to(state_dir).as_posix()}"] = entry
    state_db = state_dir / "state" / "openclaw.sqlite"
    if state_db.is_file():
        rows = dict(
            _sqlite_rows(
                state_db,
                "SELECT state_key, value_json FROM config_machine_state WHERE state_key LIKE 'auth%'",
            )
        )
        if rows:
            entry = {"owner": rows.get("auth.sharedStore")}
            if "authProfiles.store" in rows:
                entry["profiles"] = _shape_of_store(json.loads(rows["authProfiles.store"]))
            if "authProfiles.state" in rows:
                entry["order"] = json.loads(rows["authProfiles.state"]).get("order")
            shape["state-db"] = entry
    for db in sorted(state_dir.glob("agents/*/agent/openclaw-agent.sqlite")):
        store = _sqlite_rows(db, "SELECT store_json FROM auth_profile_store WHERE store_key='primary'")
        state = _sqlite_rows(db, "SELECT state_json FROM auth_profile_state WHERE state_key='primary'")
        entry = {"profiles": _shape_of_store(json.loads(store[0][0])) if store else None}
        if state:
            entry["order"] = json.loads(state[0][0]).get("order")
        shape[f"agent-db:{db.relative_to(state_dir).as_posix()}"] = entry
    return shape
