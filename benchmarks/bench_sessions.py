#!/usr/bin/env python3
"""Benchmark reading chat sessions: 10,000 sessions, both storage eras.

Measures (median of N):
  1. `load_sessions` in process (the app's refresh): goal under 0.3 s;
  2. `openclaw-triage sessions --json` as a user runs it (a fresh process: start-up, the
     diagnosis the verdicts need, reading, JSON out);
  3. `openclaw-triage check --json` on the same install (its session findings included).

Sessions are shaped like real ones (a Discord bot's channels, each entry carrying a skills
snapshot as real entries do, ~1.5 KB), one in ten pinned.

    python benchmarks/bench_sessions.py [--runs 7] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openclaw_triage.openclaw.install import inspect_install  # noqa: E402
from openclaw_triage.openclaw.locate import Options  # noqa: E402
from openclaw_triage.runtime import sessions as S  # noqa: E402
from tests import fakekeys  # noqa: E402
from tests.builders import CurrentHome, LegacyHome, api_key_profile  # noqa: E402
from tests.session_builders import big_store, write_session_nodes, write_sessions_json  # noqa: E402

N = 10_000
PROFILES = {
    "anthropic:default": api_key_profile(fakekeys.api_key("bench-s1")),
    "anthropic:work": api_key_profile(fakekeys.api_key("bench-s2")),
}
ORDER = ["anthropic:default", "anthropic:work"]


def legacy_home(root: Path) -> Path:
    h = LegacyHome(root / "legacy").config({})
    h.store({"profiles": PROFILES, "order": {"anthropic": ORDER}})
    write_sessions_json(h.state, big_store(N))
    return h.home


def current_home(root: Path) -> Path:
    h = CurrentHome(root / "current").config(
        {"agents": {"entries": {"main": {}}, "defaults": {"model": "anthropic/claude-opus-5"}}}
    )
    h.shared_store({"profiles": PROFILES})
    h.agent_db("main", state={"order": {"anthropic": ORDER}})
    write_session_nodes(h.state, big_store(N))
    return h.home


def env(home: Path) -> dict[str, str]:
    return {"HOME": str(home), "PATH": "/usr/bin:/bin", "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}


def in_process(home: Path, runs: int) -> float:
    install = inspect_install(Options(), env=env(home))
    samples = []
    for _ in range(runs):
        S.clear_cache()
        start = time.perf_counter()
        stores = S.load_sessions(install)
        samples.append(time.perf_counter() - start)
    assert sum(len(s.sessions) for s in stores) == N
    return statistics.median(samples)


def command(home: Path, args: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "openclaw_triage", *args],
            env=env(home),
            cwd=home,
            capture_output=True,
            check=False,
        )
        samples.append(time.perf_counter() - start)
        assert proc.returncode in (0, 1, 2), proc.stderr[-2000:]
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    args = parser.parse_args()
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="octriage-bench-sessions-") as tmp:
        root = Path(tmp)
        for era, home in (("2026.3 sessions.json", legacy_home(root)), ("2026.9 session_nodes", current_home(root))):
            load = in_process(home, args.runs)
            listing = command(home, ["sessions", "--json"], args.runs)
            check = command(home, ["check", "--json"], args.runs)
            results[f"{N} sessions, {era}"] = {
                "load_s": round(load, 4),
                "sessions_json_s": round(listing, 4),
                "check_json_s": round(check, 4),
                "goal_met": load < 0.3,
            }
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for name, row in results.items():
            print(f"{name:34} " + "  ".join(f"{k}={v}" for k, v in row.items()))
    return 0 if all(r["goal_met"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
