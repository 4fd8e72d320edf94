#!/usr/bin/env python3
"""Benchmark a 2026.9 order change through `write.apply` against the bare OpenClaw CLI call it makes.

A SQLite-era change is one `openclaw models auth order set` (seconds of Node start-up) plus our
read before it and one re-read after it; this shows what the tool adds on top of the CLI, as a
ratio. Needs the oracle (scripts/install-oracle.sh); each side alternates, medians of N pairs.

    python benchmarks/bench_write.py [--runs 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openclaw_triage import write  # noqa: E402
from openclaw_triage.actions import OrderPin  # noqa: E402
from openclaw_triage.demo import make_demo  # noqa: E402
from openclaw_triage.openclaw.install import inspect_install  # noqa: E402
from openclaw_triage.openclaw.locate import Options  # noqa: E402


def oracle_cli() -> Path | None:
    cache = os.environ.get("OPENCLAW_TRIAGE_ORACLE_DIR") or str(Path.home() / ".cache" / "openclaw-triage" / "oracle")
    path = Path(cache) / "bin" / "openclaw-2026.9.6"
    return path if path.exists() else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    cli = oracle_cli()
    if cli is None:
        print("the 2026.9.6 oracle is not installed: run scripts/install-oracle.sh", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        home = make_demo(Path(tmp) / "demo", era="2026.9")
        os.environ["OPENCLAW_TRIAGE_STATE_DIR"] = str(Path(tmp) / "state")
        env = {"HOME": str(home), "PATH": "/usr/bin:/bin"}
        options = Options(state_dir=str(home / ".openclaw"), openclaw=str(cli))
        ids = list(inspect_install(options, env=env).agent.effective.profiles)
        ours, bare = [], []
        order = tuple(reversed(ids))  # ours sets this, the bare CLI sets it back: each call changes it
        for _ in range(args.runs):
            start = time.perf_counter()
            write.apply(inspect_install(options, env=env), OrderPin("anthropic", order))
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            subprocess.run(
                [str(cli), "models", "auth", "order", "set", "--provider", "anthropic", *order[::-1]],
                env={**env, "OPENCLAW_STATE_DIR": str(home / ".openclaw")},
                cwd=home,
                capture_output=True,
                check=True,
            )
            bare.append(time.perf_counter() - start)
    result = {
        "apply_order_pin_s": round(statistics.median(ours), 2),
        "bare_cli_order_set_s": round(statistics.median(bare), 2),
        "ratio": round(statistics.median(a / b for a, b in zip(ours, bare, strict=True)), 2),
    }
    print(json.dumps(result, indent=2) if args.json else "  ".join(f"{k}={v}" for k, v in result.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
