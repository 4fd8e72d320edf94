#!/usr/bin/env python3
"""Benchmark `openclaw-triage check --json` against `openclaw models status --json`.

Measures wall time (median of N runs, each a fresh process, as a user runs it) on:
  1. a one-profile install, for both storage eras, next to the real OpenClaw CLI when the
     oracle is installed (scripts/install-oracle.sh); goal: under 1/20 of OpenClaw's time;
  2. a generated 2026.3 store with 10,000 profiles; goal: under 0.3 s.

    python benchmarks/bench_check.py [--runs 15] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
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


def timed(cmd: list[str], env: dict[str, str], runs: int, cwd: Path) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


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


def compile_package() -> None:
    """Byte-compile the package first, as `pip install` does: with PYTHONDONTWRITEBYTECODE set
    (as on some CI machines) every run would otherwise compile the sources again."""
    import compileall

    compileall.compile_dir(str(ROOT / "openclaw_triage"), quiet=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    args = parser.parse_args()
    compile_package()
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
        shutil.rmtree(home, ignore_errors=True)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for name, row in results.items():
            print(f"{name:32} " + "  ".join(f"{k}={v}" for k, v in row.items()))  # type: ignore[union-attr]
    return 0


if __name__ == "__main__":
    sys.exit(main())
