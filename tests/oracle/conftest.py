"""Oracle harness: the real OpenClaw CLIs, and every scenario built with them once per run.

The state builders live in `scripts/make_fixtures.py` (the same code that made the committed
fixtures), loaded here by path because `scripts/` is not a package.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


def _load_make_fixtures() -> ModuleType:
    name = "openclaw_triage_make_fixtures"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the body runs
    spec.loader.exec_module(module)
    return module


mf = _load_make_fixtures()
ERAS = tuple(mf.ERA_VERSIONS)


@dataclass
class OurRun:
    """One `python -m openclaw_triage ... check --json` run on a freshly built state."""

    argv: list[str]
    rc: int
    stdout: str
    stderr: str
    json: dict[str, Any] | None


@dataclass
class Built:
    """A scenario built by the real CLI: a pristine HOME for our tool, the CLI's view of it."""

    era: str
    name: str
    home: Path  # never touched by OpenClaw after the build
    cli_home: Path  # the copy the capture commands ran on
    capture: dict[str, Any]
    secrets: dict[str, str]
    agents: tuple[str, ...]
    runs: dict[str | None, OurRun] = field(default_factory=dict)


class OracleStates:
    """Builds scenarios on demand, once each, one CLI call at a time, and runs our tool on them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache = mf.BuildCache(root / "cache")
        self.built: dict[tuple[str, str], Built] = {}

    def get(self, era: str, name: str) -> Built:
        key = (era, name)
        if key not in self.built:
            base = self.root / era / name
            home = mf.build_scenario(era, name, base / "ours", self.cache)
            cli_home = base / "cli"
            mf.copy_home(home, cli_home)
            sc = mf.SCENARIOS[era][name]
            self.built[key] = Built(
                era=era,
                name=name,
                home=home,
                cli_home=cli_home,
                capture=mf.capture_scenario(era, name, cli_home),
                secrets=mf.scenario_secrets(era, name),
                agents=sc.agents,
            )
        return self.built[key]

    def ours(self, era: str, name: str, agent: str | None = None) -> OurRun:
        """Our tool on the pristine HOME (cached): isolated env plus the current PATH."""
        built = self.get(era, name)
        if agent not in built.runs:
            argv = [sys.executable, "-m", "openclaw_triage", "--state-dir", str(built.home / ".openclaw")]
            argv += ["--openclaw", str(mf.wrapper(era))]
            argv += ["--agent", agent] if agent else []
            argv += ["check", "--json"]
            env = {
                "HOME": str(built.home),
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "NO_COLOR": "1",
                "PYTHONPATH": str(REPO),
                **mf.SCENARIOS[era][name].capture_env,
            }
            proc = subprocess.run(
                argv, cwd=built.home, env=env, capture_output=True, text=True, timeout=120, check=False
            )
            try:
                parsed = json.loads(proc.stdout)
            except json.JSONDecodeError:
                parsed = None
            built.runs[agent] = OurRun(argv, proc.returncode, proc.stdout, proc.stderr, parsed)
        return built.runs[agent]


def _oracle_missing() -> list[str]:
    return [str(w) for era in ERAS if not os.access(w := mf.wrapper(era), os.X_OK)]


@pytest.fixture(scope="session")
def oracle_dir() -> Path:
    """The installed oracle; skip without it, but fail loudly on CI, which must run these."""
    missing = _oracle_missing()
    if missing:
        msg = f"OpenClaw oracle CLIs not installed ({', '.join(missing)}): run scripts/install-oracle.sh"
        if os.environ.get("CI") == "true":
            pytest.fail(msg + " -- CI must run the oracle tests", pytrace=False)
        pytest.skip(msg)
    return mf.oracle_dir()


@pytest.fixture(scope="session")
def oracle_states(oracle_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OracleStates]:
    root = tmp_path_factory.mktemp("oracle")
    yield OracleStates(root)
    shutil.rmtree(root, ignore_errors=True)
