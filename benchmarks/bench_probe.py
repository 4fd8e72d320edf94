#!/usr/bin/env python3
"""Benchmark the live probe's own overhead over a raw httpx request to the same server.

Everything runs on 127.0.0.1 against `tests.probe_server.ProbeServer` (no real network). For
one profile, median of N runs, in milliseconds:

  raw       one `GET /v1/models?limit=1` on a warm `httpx.Client` (the floor: the request itself)
  raw-cold  the same shape as one probe call: a fresh `asyncio.run` + `httpx.AsyncClient` + GET
  probe     `probe_profiles_sync(diagnosis)`: planning, local checks, request, classification,
            masking, finding text

Goal: probe − raw < 10 ms.

    python benchmarks/bench_probe.py [--runs 200] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from openclaw_triage.diagnose.run import Diagnosis, diagnose  # noqa: E402
from openclaw_triage.openclaw.install import inspect_install  # noqa: E402
from openclaw_triage.openclaw.locate import Options  # noqa: E402
from openclaw_triage.probe import probe_profiles_sync, request_headers  # noqa: E402
from tests import fakekeys  # noqa: E402
from tests.builders import LegacyHome, api_key_profile  # noqa: E402
from tests.fakeanthropic import Reply  # noqa: E402
from tests.probe_server import ProbeServer  # noqa: E402

GOAL_MS = 10.0


def median_ms(fn: Callable[[], object], runs: int, warmup: int = 5) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def build(home: Path, url: str, key: str) -> Diagnosis:
    LegacyHome(home).config({"models": {"providers": {"anthropic": {"baseUrl": url, "models": []}}}}).store(
        {"profiles": {"anthropic:default": api_key_profile(key)}}
    )
    return diagnose(inspect_install(Options(), env={"HOME": str(home), "PATH": ""}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    key = fakekeys.api_key("bench")
    with ProbeServer({key: Reply.ok()}) as api, tempfile.TemporaryDirectory() as tmp:
        diag = build(Path(tmp), api.url, key)
        url = f"{api.url}/v1/models?limit=1"
        headers = request_headers(key, diag.install.era, "127.0.0.1")

        with httpx.Client() as client:
            raw = median_ms(lambda: client.get(url, headers=headers).raise_for_status(), args.runs)

        async def cold_once() -> None:
            async with httpx.AsyncClient() as c:
                (await c.get(url, headers=headers)).raise_for_status()

        raw_cold = median_ms(lambda: asyncio.run(cold_once()), args.runs)

        def probe_once() -> None:
            (result,) = probe_profiles_sync(diag)
            assert result.code == "probe.ok", result.code

        probe = median_ms(probe_once, args.runs)

    figures = {
        "runs": args.runs,
        "raw_ms": round(raw, 2),
        "raw_cold_ms": round(raw_cold, 2),
        "probe_ms": round(probe, 2),
        "overhead_ms": round(probe - raw, 2),
        "overhead_over_cold_ms": round(probe - raw_cold, 2),
        "goal_ms": GOAL_MS,
        "ok": probe - raw < GOAL_MS,
    }
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"median of {args.runs} runs, one profile, loopback server")
        print(f"  raw httpx request (warm client)      {raw:7.2f} ms")
        print(f"  raw httpx, fresh loop + AsyncClient  {raw_cold:7.2f} ms")
        print(f"  probe_profiles_sync                  {probe:7.2f} ms")
        verdict = "ok" if figures["ok"] else "OVER GOAL"
        print(f"  probe overhead over raw              {probe - raw:7.2f} ms  (goal < {GOAL_MS:g} ms: {verdict})")
        print(f"  probe overhead over raw-cold         {probe - raw_cold:7.2f} ms")
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
