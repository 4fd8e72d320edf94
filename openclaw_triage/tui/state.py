"""What the app shows, loaded by the domain: one place to (re)read the install.

Kept free of widgets so it can run in a worker thread and be tested on its own.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..diagnose.result import Diagnosis
from ..diagnose.run import diagnose
from ..findings import Severity, sort_findings
from ..openclaw.install import inspect_install
from ..openclaw.locate import Options


@dataclass(slots=True)
class Snapshot:
    """One consistent reading of the install, with the time it was taken."""

    diagnosis: Diagnosis
    taken_ms: float = field(default_factory=lambda: time.time() * 1000)
    sessions: list[Any] = field(default_factory=list)  # sessions.Session of the shown agent, newest first
    verdicts: dict[tuple[str, str], Any] = field(default_factory=dict)  # (agent, key) -> sessions.PinVerdict
    pinned: dict[str, Any] = field(default_factory=dict)  # profile id -> sessions.PinCount
    stores: list[Any] = field(default_factory=list)  # sessions.SessionStore, for order_reach

    @property
    def install(self):  # type: ignore[no-untyped-def]
        return self.diagnosis.install

    @property
    def found(self) -> bool:
        """False when there is nothing at all where OpenClaw would look."""
        install = self.diagnosis.install
        return install.state_dir.exists() or install.config.exists


def load(
    options: Options,
    env: dict[str, str] | None = None,
    now_ms: float | None = None,
    probe: Sequence[Any] = (),
) -> Snapshot:
    """Read and diagnose (tens of ms on a normal install); live probe results join the findings,
    and the shown agent's chats come with what OpenClaw will do with each one's pin."""
    from ..diagnose.pins import pinned_counts
    from ..diagnose.run import assess_install
    from ..runtime import sessions

    install = inspect_install(options, env=env)
    failed = [r.profile_id for r in probe if r.severity is Severity.ERROR and r.sent]
    diagnosis = diagnose(install, now_ms=now_ms, probe_failed=failed)
    still_there = [r.finding for r in probe if diagnosis.report(r.profile_id) is not None]
    if still_there:
        diagnosis.findings = sort_findings([*diagnosis.findings, *still_there])
    agent = diagnosis.agent.agent_id
    stores = sessions.load_sessions(install, agent=agent)
    return Snapshot(
        diagnosis,
        sessions=sessions.sessions_of(stores, agent),
        verdicts=assess_install(install, stores, diagnosis),
        pinned=pinned_counts(stores, agent),
        stores=stores,
    )
