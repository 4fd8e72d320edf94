#!/usr/bin/env python3
"""Benchmark the app's start-up: time from launch to the first full frame, and peak RSS.

Each run is a fresh process that opens the app headless on the demo install, waits for the
first frame (Pilot's first pause: mounted, laid out, painted), and exits. Goals on a 2-core
machine: first frame under 0.5 s, RSS under 80 MB.

    python benchmarks/bench_tui.py [--runs 7] [--json]
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

CHILD = r"""
import resource, sys, time
started = time.perf_counter()
from openclaw_triage.openclaw.locate import Options
from openclaw_triage.tui.app import TriageApp

home = sys.argv[1]
app = TriageApp(Options(state_dir=home + "/.openclaw", openclaw="none"), env={"HOME": home, "PATH": ""}, background=False)
first_frame = []

async def auto_pilot(pilot):
    await pilot.pause()
    first_frame.append(time.perf_counter() - started)
    pilot.app.exit()

app.run(headless=True, size=(150, 44), auto_pilot=auto_pilot)
print(first_frame[0], resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def compile_package() -> None:
    """Byte-compile the package first, as `pip install` does: with PYTHONDONTWRITEBYTECODE set
    (as on some CI machines) every run would otherwise compile the sources again."""
    import compileall

    compileall.compile_dir(str(ROOT / "openclaw_triage"), quiet=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    compile_package()
    sys.path.insert(0, str(ROOT))
    from openclaw_triage.demo import make_demo

    with tempfile.TemporaryDirectory() as tmp:
        home = make_demo(Path(tmp) / "demo")
        walls, frames, rss = [], [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", CHILD, str(home)], capture_output=True, text=True, check=True, cwd=ROOT
            )
            walls.append(time.perf_counter() - start)
            in_process, peak = out.stdout.split()
            frames.append(float(in_process))
            rss.append(float(peak))
    result = {
        # From the interpreter's start (about 10 ms after launch) to the first painted frame.
        "first_frame_s": round(statistics.median(frames), 3),
        "launch_to_exit_s": round(statistics.median(walls), 3),
        "peak_rss_mb": round(max(rss), 1),
        "goal_first_frame_met": statistics.median(frames) < 0.5,
        "goal_rss_met": max(rss) < 80,
    }
    print(json.dumps(result, indent=2) if args.json else "  ".join(f"{k}={v}" for k, v in result.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
