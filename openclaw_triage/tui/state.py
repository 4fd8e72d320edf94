"""What the app shows, loaded by the domain: one place to (re)read the install.

Kept free of widgets so it can run in a worker thread and be tested on its own.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..diagnose import Diagnosis, diagnose
from ..inspect import inspect_install
from ..locate import Options


@dataclass(slots=True)
class Snapshot:
    """One consistent reading of the install, with the time it was taken."""

    diagnosis: Diagnosis
    taken_ms: float = field(default_factory=lambda: time.time() * 1000)

    @property
    def install(self):  # type: ignore[no-untyped-def]
        return self.diagnosis.install

    @property
    def found(self) -> bool:
        """False when there is nothing at all where OpenClaw would look."""
        install = self.diagnosis.install
        return install.state_dir.exists() or install.config.exists


def load(options: Options, env: dict[str, str] | None = None, now_ms: float | None = None) -> Snapshot:
    """Read and diagnose (about 30 ms on a normal install)."""
    install = inspect_install(options, env=env)
    return Snapshot(diagnose(install, now_ms=now_ms))
