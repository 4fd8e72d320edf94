#!/usr/bin/env python3
"""Benchmark `render_report` (in-process) on generated 2026.3 stores of 5,000 to 40,000 profiles.

The report scrubs every known secret out of its whole text; with one matcher for all of them
(scrub._Matcher) the time grows with the profile count, not its square. Prints the median
seconds per size and the ratio of each to the previous size (about 2 when linear).

    python benchmarks/bench_report.py [--runs 3] [--sizes 5000,10000,20000,40000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openclaw_triage.diagnose.run import diagnose  # noqa: E402
from openclaw_triage.openclaw.install import inspect_install  # noqa: E402
from openclaw_triage.openclaw.locate import Options  # noqa: E402
from openclaw_triage.output.report import render_report  # noqa: E402
from tests import fakekeys  # noqa: E402
from tests.builders import LegacyHome, api_key_profile  # noqa: E402


def seconds(root: Path, n: int, runs: int) -> float:
    home = root / f"p{n}"
    profiles = {f"anthropic:p{i}": api_key_profile(fakekeys.api_key(f"b{i}")) for i in range(n)}
    LegacyHome(home).config({}).store({"profiles": profiles})
    samples = []
    for _ in range(runs):
        install = inspect_install(Options(openclaw="none"), env={"HOME": str(home), "PATH": "/usr/bin:/bin"})
        diag = diagnose(install)
        start = time.perf_counter()
        render_report(diag)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="5000,10000,20000,40000")
    args = parser.parse_args()
    previous = None
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            took = seconds(Path(tmp), n, args.runs)
            ratio = f"  x{took / previous:.2f}" if previous else ""
            print(f"{n:>6} profiles: report {took:.2f} s{ratio}")
            previous = took


if __name__ == "__main__":
    main()
