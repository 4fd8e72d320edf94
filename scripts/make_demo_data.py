#!/usr/bin/env python3
"""Pack the 2026.9 demo install from a real-CLI fixture state into the package.

    python scripts/make_demo_data.py

The demo for the SQLite era must be made by the real OpenClaw (its databases have 105 and
55 tables); `scripts/make_fixtures.py` made `order_pinned_to_broken` that way. This packs its
home (paths as `@HOME@`, fake keys) and file modes into openclaw_triage/demo/data/.
"""

from __future__ import annotations

import io
import json
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "tests" / "fixtures" / "states" / "current-2026.9" / "order_pinned_to_broken"
TARGET = ROOT / "openclaw_triage" / "demo" / "data" / "current-2026.9.tar.gz"


def _normalised(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mtime = 0
    return info


def main() -> int:
    scenario = json.loads((SOURCE / "scenario.json").read_text())
    TARGET.parent.mkdir(exist_ok=True)
    with tarfile.open(TARGET, "w:gz", compresslevel=9) as tar:
        tar.add(SOURCE / "home", arcname="home", filter=_normalised)
        meta = json.dumps(
            {"tree": scenario["tree"], "story": scenario["story"], "version": scenario["openclawVersion"]}
        ).encode()
        info = _normalised(tarfile.TarInfo("demo.json"))
        info.size = len(meta)
        tar.addfile(info, io.BytesIO(meta))
    print(f"wrote {TARGET.relative_to(ROOT)} ({TARGET.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
