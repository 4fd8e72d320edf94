#!/usr/bin/env python3
"""Regenerate screenshots/*.svg: the main screen on the seed thread's states, at 160x48, and the
seed install in a default 80x24 terminal.

    python scripts/make_screenshots.py

Uses the same hand-built states and fixed clock as the snapshot tests, headless, no network.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.tui.conftest import make_app  # noqa: E402
from tests.tui.scenes import SCENE_KEYS, SCENES  # noqa: E402

SIZE = (160, 48)
SMALL = (80, 24)


async def shoot(name: str, home: Path, out: Path, size: tuple[int, int] = SIZE) -> None:
    app = make_app(home)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for key in SCENE_KEYS.get(name, []):
            await pilot.press(key)
        await pilot.pause()
        app.save_screenshot(str(out / f"{name}.svg"))


def main() -> int:
    out = ROOT / "screenshots"
    out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, build in SCENES.items():
            asyncio.run(shoot(name, build(Path(tmp)), out))
            print(f"wrote screenshots/{name}.svg")
        asyncio.run(shoot("seed-80x24", SCENES["seed-broken-install"](Path(tmp) / "small"), out, SMALL))
        print("wrote screenshots/seed-80x24.svg")
    return 0


if __name__ == "__main__":
    sys.exit(main())
