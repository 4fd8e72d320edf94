"""What OpenClaw does with a chat's auth pin under the current order, per era: `assess`.

`resolveSessionAuthProfileOverride` (2026.3 `auth-profiles-*.js`, 2026.9 `session-override-*.mjs`)
plus what was observed with the real CLIs (the comment below). `check`'s findings
(`checks.sessions`) and the app (`reach`) build on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..findings import Severity
from ..model import Era
from ..openclaw.coerce import normalize_provider
from ..openclaw.config import model_provider

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from ..model import AuthStore
    from ..openclaw.order import OrderResult
    from ..runtime.sessions.model import Session
    from .result import Diagnosis, ProfileView

# --------------------------------------------------------------------------- PIN RULES
#
# 2026.3 (`resolveSessionAuthProfileOverride`, chat turns): a pin to a missing profile, another
# provider's profile, or one outside a non-empty effective order is cleared; with an empty order
# no pin is used; a `user` pin is otherwise kept and is the ONLY profile tried (even in cooldown:
# observed, a user pin to a 401 key made every turn send only that key). `/reset` and `/new` start
# an entry without the pin; `/model <ref>` without `@profile` deletes it. An `auto` pin moves on a
# new session, after a compaction, or when its profile cools down.
#
# 2026.9 (`session-override-*.mjs`): `user`/`user-link` pins are kept whatever the order says
# (`/reset`/`/new` keep `user` pins: `resolveResetPreservedSelection`; `/model <ref>` without
# `@profile` keeps a same-provider pin: `applyModelOverrideWithAuthProfileCompatibility`).
# Observed on 2026.9.6: the pinned profile is tried FIRST, and on a 401 the turn fails over to
# the order (`prepare-auth`: exclusive only with `allowAuthProfileFallback: false`, which chat
# turns do not set); a user pin to a profile logged out was replaced by an `auto` pin at the next
# turn. `auto` pins are cleared outside a non-empty order and move on cooldown or a new session.


@dataclass(frozen=True, slots=True)
class PinVerdict:
    """What OpenClaw will do with one session's pin, and whether that is a problem."""

    state: str  # follows | behind | user | unusable | cleared | moves | ignored
    code: str | None  # the finding code, if any
    severity: Severity | None
    first: str | None  # the profile the order puts first for the pin's provider
    provider: str | None
    reason: str  # why, in a few words ("its key is broken", "not in the order", ...)

    @property
    def sticks(self) -> bool:
        """The chat keeps this pin at its next turn (it does not follow the order there)."""
        return self.state in ("behind", "user", "unusable")


@dataclass(slots=True, eq=False)  # a picture, never compared (eq costs `check` time)
class AgentView:
    """What a verdict needs about one agent: its merged store, orders and profile reports."""

    era: Era
    store: AuthStore
    orders: dict[str, OrderResult]
    reports: dict[str, ProfileView]
    config: Mapping[str, Any]
    now_ms: float
    env: Mapping[str, str] | None = None
    default_provider: str | None = None

    @classmethod
    def from_diagnosis(cls, diag: Diagnosis) -> AgentView:
        return cls(
            era=diag.install.era,
            store=diag.agent.effective,
            orders=dict(diag.orders),
            reports={r.profile.id: r for r in diag.profiles},
            config=diag.install.config.data,
            now_ms=diag.now_ms,
            env=diag.install.seen_env,
            default_provider=_normalized(model_provider(diag.default_model), diag.install.era),
        )

    def order(self, provider: str) -> OrderResult:
        result = self.orders.get(provider)
        if result is None:
            from ..openclaw.order import resolve_order

            result = resolve_order(self.store, self.config, provider, era=self.era, now_ms=self.now_ms, env=self.env)
            self.orders[provider] = result
        return result


def _normalized(provider: str | None, era: Era) -> str | None:
    return normalize_provider(provider, era) if provider else None


def _unusable(pid: str, view: AgentView) -> str | None:
    """Why the pinned profile cannot answer (None: it can), from the same reports `check` uses."""
    profile = view.store.profiles.get(pid)
    if profile is None:
        return "it does not exist"
    report = view.reports.get(pid)
    if report is None:
        return None
    if not report.eligibility.eligible:
        return report.eligibility.text
    if report.broken:
        return "its key is broken or was rejected"
    if report.health_state != "ok":
        return {"disabled": "it is disabled", "blocked": "it is blocked"}.get(report.health_state, "it is in cooldown")
    return None


def assess(session: Session, view: AgentView) -> PinVerdict | None:
    """The verdict on `session`'s pin under this agent's current order (None: no pin)."""
    pin = session.pin
    if pin is None:
        return None
    era = view.era
    pid = pin.profile_id
    profile = view.store.profiles.get(pid)
    pin_provider = (
        normalize_provider(profile.provider, era) if profile else normalize_provider(pid.split(":", 1)[0], era)
    )
    chat_provider = normalize_provider(session.provider, era) if session.provider else view.default_provider
    if profile is not None and chat_provider and pin_provider != chat_provider:
        return PinVerdict("cleared", None, None, None, pin_provider, "it belongs to another provider than the model")
    result = view.order(pin_provider)
    order = result.effective
    first = order[0] if order else None

    def verdict(state: str, code: str | None, severity: Severity | None, reason: str) -> PinVerdict:
        return PinVerdict(state, code, severity, first, pin_provider, reason)

    broken = _unusable(pid, view)
    if era is Era.JSON:
        if profile is None:
            return verdict("cleared", None, None, "it does not exist (cleared at the next turn)")
        if not order:
            return verdict("ignored", None, None, "the order is empty, so no pin is used")
        if pid not in order:
            return verdict("cleared", None, None, "it is not in the order (cleared at the next turn)")
        if pin.is_user:
            if broken:
                return verdict("unusable", "session.pin_unusable", Severity.ERROR, broken)
            if pid != first:
                return verdict("behind", "session.pin_behind_order", Severity.WARNING, f"the order puts {first} first")
            return verdict("user", "session.user_pin", Severity.INFO, "pinned by the user")
        if pid in result.cooled:
            return verdict("moves", None, None, "in cooldown: moves to the first available profile at the next turn")
        if pid != first:
            return verdict("behind", "session.pin_behind_order", Severity.INFO, f"the order puts {first} first")
        return verdict("follows", None, None, "the order's first profile")
    if pin.is_user:
        if broken:
            return verdict("unusable", "session.pin_unusable", Severity.WARNING, broken)
        if first is not None and pid != first:
            return verdict("behind", "session.pin_behind_order", Severity.WARNING, f"the order puts {first} first")
        return verdict("user", "session.user_pin", Severity.INFO, "pinned by the user")
    if profile is None or (order and pid not in order):
        return verdict("cleared", None, None, "not in the order (cleared at the next turn)")
    if pid in result.cooled:
        return verdict("moves", None, None, "in cooldown: moves to the first available profile at the next turn")
    if first is not None and pid != first:
        return verdict("behind", "session.pin_behind_order", Severity.INFO, f"the order puts {first} first")
    return verdict("follows", None, None, "the order's first profile")
