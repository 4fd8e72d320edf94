"""What the app shows, read by the domain: one `Snapshot`, the app's single reactive state.

Every widget draws from the snapshot and nothing else; the app replaces it after a read, a
write (with the install the write layer re-read), a probe or a background look-up. Kept free of
widgets so it can be built in a worker thread and tested on its own.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from ..diagnose.pins import PinVerdict
from ..diagnose.reach import PinCount, pinned_counts
from ..diagnose.result import Diagnosis
from ..diagnose.run import assess_install, diagnose
from ..findings import sort_findings
from ..model import Install
from ..openclaw.install import inspect_install
from ..openclaw.locate import Options
from ..runtime import sessions
from ..runtime.sessions.model import Session, SessionStore

if TYPE_CHECKING:  # the probe and the runtime picture load when first used, not with the first frame
    from ..probe.run import ProbeResult
    from ..runtime.collect import Runtime


@dataclass(slots=True)
class Snapshot:
    """One consistent reading of the install, with the time it was taken."""

    diagnosis: Diagnosis
    taken_ms: float = field(default_factory=lambda: time.time() * 1000)
    sessions: list[Session] = field(default_factory=list)  # the shown agent's chats, newest first
    verdicts: dict[tuple[str, str], PinVerdict] = field(default_factory=dict)  # (agent, session key) -> verdict
    pinned: dict[str, PinCount] = field(default_factory=dict)  # profile id -> chats pinned to it
    stores: list[SessionStore] = field(default_factory=list)  # for what an order change does to chats
    probe: list[ProbeResult] = field(default_factory=list)  # the last live probe's results
    live: Runtime | None = None  # the fuller look at the running side, once the background one is done
    node: str | None = None  # the Node that runs the CLI, once looked up

    @property
    def install(self) -> Install:
        return self.diagnosis.install

    @property
    def runtime(self) -> Runtime | None:
        """The running side as last seen: the background look-up's, else the diagnosis's own."""
        return self.live or self.diagnosis.runtime

    @property
    def found(self) -> bool:
        """False when there is nothing at all where OpenClaw would look."""
        return self.diagnosis.install.found

    def carrying(self, earlier: Snapshot) -> Snapshot:
        """This reading, keeping what only the app's own look-up knows (the Node behind the CLI)."""
        return replace(self, node=self.node or earlier.node)


def load(
    options: Options,
    env: dict[str, str] | None = None,
    now_ms: float | None = None,
    probe: Sequence[ProbeResult] = (),
) -> Snapshot:
    """Read and diagnose (tens of ms on a normal install)."""
    return from_install(inspect_install(options, env=env), now_ms=now_ms, probe=probe)


def from_install(install: Install, *, now_ms: float | None = None, probe: Sequence[ProbeResult] = ()) -> Snapshot:
    """Diagnose an install already read (the one a write re-read): live probe results join the
    findings, and the shown agent's chats come with what OpenClaw will do with each one's pin."""
    # Only a verdict on the key itself counts: an offline probe knows nothing new about a key.
    failed = [r.profile_id for r in probe if r.verdict == "rejected"]
    diagnosis = diagnose(install, now_ms=now_ms, probe_failed=failed)
    # A probe that did not ask about a key already reported broken adds nothing to its finding.
    still_there = [
        r.finding
        for r in probe
        if (view := diagnosis.view(r.profile_id)) is not None and not (r.verdict == "not asked" and view.broken)
    ]
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
        probe=list(probe),
    )
