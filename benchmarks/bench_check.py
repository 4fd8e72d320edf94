#!/usr/bin/env python3
"""Benchmark `openclaw-triage check --json` against `openclaw models status --json`.

Measures wall time (median of N runs, each a fresh process, as a user runs it) on:
  1. a one-profile install, for both storage eras, next to the real OpenClaw CLI when the
     oracle is installed (scripts/install-oracle.sh); goal: under 1/20 of OpenClaw's time;
  2. a generated 2026.3 store with 10,000 profiles; goal: under 0.3 s.

With `--vs DIR` (another checkout, e.g. `git worktree add /tmp/base <commit>`) each command also
runs from DIR, the two in turn, and the medians of both and of the pair-by-pair ratios are
printed, in wall and in CPU seconds (the children's user + system time): on a shared machine the
ratio is the figure to quote.

    python benchmarks/bench_check.py [--runs 15] [--json] [--vs DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import fakekeys  # noqa: E402
from tests.builders import CurrentHome, LegacyHome  # noqa: E402


def oracle_bin(version: str) -> Path | None:
    cache = os.environ.get("OPENCLAW_TRIAGE_ORACLE_DIR") or str(Path.home() / ".cache" / "openclaw-triage" / "oracle")
    path = Path(cache) / "bin" / f"openclaw-{version}"
    return path if path.exists() else None


def run_once(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """One run's wall and CPU seconds (user + system of the finished child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def timed(cmd: list[str], env: dict[str, str], runs: int, cwd: Path) -> float:
    return statistics.median(run_once(cmd, env, cwd)[0] for _ in range(runs))


def side_by_side(cmd: list[str], env: dict[str, str], base: Path, runs: int, cwd: Path) -> dict[str, object]:
    """`cmd` from this checkout and from `base`, in turn: medians and pair-by-pair ratios."""
    other = {**env, "PYTHONPATH": str(base)}
    ours, theirs = [], []
    for _ in range(runs):
        ours.append(run_once(cmd, env, cwd))
        theirs.append(run_once(cmd, other, cwd))
    row: dict[str, object] = {}
    for i, what in enumerate(("wall", "cpu")):
        row[f"ours_{what}_s"] = round(statistics.median(o[i] for o in ours), 4)
        row[f"base_{what}_s"] = round(statistics.median(t[i] for t in theirs), 4)
        row[f"ratio_{what}"] = round(statistics.median(o[i] / t[i] for o, t in zip(ours, theirs, strict=True)), 2)
    return row


def ours(state_home: Path, openclaw: Path | None) -> list[str]:
    cmd = [sys.executable, "-m", "openclaw_triage"]
    if openclaw:
        cmd += ["--openclaw", str(openclaw)]
    return [*cmd, "check", "--json"]


def isolated_env(home: Path) -> dict[str, str]:
    return {"HOME": str(home), "PATH": "/usr/bin:/bin", "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}


def one_profile_state(root: Path, era: str) -> Path:
    home = root / f"one-{era}"
    key = fakekeys.api_key("bench")
    cfg = {"auth": {"profiles": {"anthropic:default": {"provider": "anthropic", "mode": "api_key"}}}}
    profile = {"type": "api_key", "provider": "anthropic", "key": key}
    if era == "2026.3.13":
        LegacyHome(home).config(cfg).store({"profiles": {"anthropic:default": profile}})
    else:
        h = CurrentHome(home).config({**cfg, "agents": {"entries": {"main": {}}}})
        h.shared_store({"profiles": {"anthropic:default": profile}})
    return home


def big_state(root: Path, n: int) -> Path:
    """A large org's store: mostly healthy keys and tokens, some other providers, 5% broken."""
    home = root / f"big-{n}"
    profiles = {}
    for i in range(n):
        bucket = i % 20
        if bucket < 13:
            profiles[f"anthropic:p{i}"] = {"type": "api_key", "provider": "anthropic", "key": fakekeys.api_key(str(i))}
        elif bucket < 17:
            profiles[f"anthropic:t{i}"] = {
                "type": "token",
                "provider": "anthropic",
                "token": fakekeys.oauth_token(str(i)),
            }
        elif bucket < 19:
            profiles[f"openrouter:p{i}"] = {
                "type": "api_key",
                "provider": "openrouter",
                "key": fakekeys.openrouter_key(str(i)),
            }
        else:
            profiles[f"anthropic:bad{i}"] = {
                "type": "api_key",
                "provider": "anthropic",
                "key": fakekeys.api_key(str(i))[:-5],
            }
    usage = {pid: {"lastUsed": 1_700_000_000_000 + i} for i, pid in enumerate(profiles)}
    LegacyHome(home).config({}).store({"profiles": profiles, "usageStats": usage})
    return home


def compile_package(root: Path = ROOT) -> None:
    """Byte-compile the package first, as `pip install` does: with PYTHONDONTWRITEBYTECODE set
    (as on some CI machines) every run would otherwise compile the sources again."""
    import compileall

    compileall.compile_dir(str(root / "openclaw_triage"), quiet=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    parser.add_argument("--vs", metavar="DIR", type=Path, help="another checkout to time side by side")
    args = parser.parse_args()
    compile_package()
    if args.vs:
        compile_package(args.vs.resolve())
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="octriage-bench-") as tmp:
        root = Path(tmp)
        for version in ("2026.3.13", "2026.9.6"):
            home = one_profile_state(root, version)
            oc = oracle_bin(version)
            env = isolated_env(home)
            mine = timed(ours(home, oc), env, args.runs, home)
            row: dict[str, object] = {"ours_s": round(mine, 4)}
            if oc is not None:
                env_oc = {**env, "PATH": f"{oc.parent}:/usr/bin:/bin"}
                theirs = timed([str(oc), "models", "status", "--json"], env_oc, max(3, args.runs // 5), home)
                row.update(openclaw_s=round(theirs, 3), ratio=f"1/{theirs / mine:.0f}", goal_met=mine < theirs / 20)
            results[f"one profile, {version}"] = row
            if args.vs:
                results[f"one profile, {version}, side by side"] = side_by_side(
                    ours(home, oc), env, args.vs.resolve(), args.runs, home
                )
        n = 10_000
        home = big_state(root, n)
        runs = max(3, args.runs // 3)
        text = timed(ours(home, None)[:-1], isolated_env(home), runs, home)  # `check`
        as_json = timed(ours(home, None), isolated_env(home), runs, home)  # `check --json`
        results[f"{n} profiles, 2026.3 store"] = {
            "check_s": round(text, 4),
            "check_json_s": round(as_json, 4),
            "goal_met": text < 0.3,
        }
        if args.vs:
            results[f"{n} profiles, check --json, side by side"] = side_by_side(
                ours(home, None), isolated_env(home), args.vs.resolve(), runs, home
            )
        shutil.rmtree(home, ignore_errors=True)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for name, row in results.items():
            print(f"{name:32} " + "  ".join(f"{k}={v}" for k, v in row.items()))  # type: ignore[union-attr]
    return 0


if __name__ == "__main__":
    sys.exit(main())
