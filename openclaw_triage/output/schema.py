"""The typed contracts, in pydantic: the domain model and the `check --json` output.

The domain model is made of slotted dataclasses (pydantic alone would cost `check` more than
its whole time budget to import); pydantic validates and documents them here, where time
does not matter: `adapter(Profile)` validates and serialises a profile (its secret as
`**********`, like `SecretStr`), and `CheckReport` is the JSON contract of `check --json`,
published as docs/check-json.schema.json and checked against every fixture state in the tests.
"""

from __future__ import annotations

import typing
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from .. import model


@cache
def adapter(tp: type[Any]) -> TypeAdapter[Any]:
    """A pydantic adapter for a domain dataclass (`Install`, `AuthStore`, `Profile`, ...)."""
    ta: TypeAdapter[Any] = TypeAdapter(tp)
    # The model keeps `typing` out of the check path, so give pydantic the names it refers to.
    ta.rebuild(_types_namespace={**vars(model), "Any": typing.Any})
    return ta


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreLayer(_Strict):
    layer: str
    location: str
    exists: bool
    profiles: int


class OpenClawInfo(_Strict):
    version: str | None
    commit: str | None
    versionSource: Literal["package.json", "cli", "config", "none"]
    cli: str | None
    era: Literal["json", "sqlite"]
    eraReason: str
    layout: Literal["json", "json+state", "agent-db", "state-db"] | None
    layoutOnDisk: Literal["json", "json+state", "agent-db", "state-db"] | None
    home: str
    stateDir: str
    stateDirOrigin: str
    configPath: str
    configExists: bool
    agent: str
    agentDir: str
    defaultAgent: str
    agents: list[str]
    stores: list[StoreLayer]
    defaultModel: str | None


class Health(_Strict):
    state: Literal["ok", "cooldown", "disabled", "blocked"]
    until: float | None
    reason: str | None


class ProfileOut(_Strict):
    id: str
    provider: str
    providerRaw: str | None = None
    type: Literal["api_key", "token", "oauth"]
    layer: str
    label: str = Field(description="exactly as `openclaw models status` prints it")
    masked: str | None = Field(description="the stored secret masked as OpenClaw masks it; never the secret")
    ref: str | None
    refStatus: Literal["resolved", "missing", "unsupported", "error"] | None
    secretSource: Literal["inline", "ref", "none"]
    kind: str | None
    looksLike: str | None
    problems: list[str]
    length: int | None
    sendsBearer: bool | None
    usable: bool
    unusableReason: str | None
    health: Health
    expires: float | None
    email: str | None
    sharesSecretWith: list[str]


class OrderOut(_Strict):
    stored: list[str] | None
    storedIn: str | None
    config: list[str] | None
    explicitFrom: Literal["store", "config"] | None
    base: list[str]
    baseFrom: str
    effective: list[str]
    next: str | None
    excluded: dict[str, str]
    notInOrder: list[str]
    missingFromStore: list[str]
    fellBackToStore: bool
    reasons: dict[str, str]
    steps: list[str]
    envFallback: str | None


class ActionOut(_Strict):
    """The fix the tool can apply (`openclaw_triage.actions`); `provider` and `profileIds` are
    set for every kind (the channel and the code for a pairing), the rest only where they apply."""

    kind: Literal[
        "order.set",
        "order.clear",
        "key.set",
        "session.unpin",
        "gateway.reload",
        "pairing.approve",
        "openclaw.doctor_fix",
    ]
    provider: str
    profileIds: list[str]
    code: str | None = None
    sessionKeys: list[str] | None = None


class FindingOut(_Strict):
    code: str
    severity: Literal["error", "warning", "info"]
    subject: str
    message: str
    fix: str | None
    agent: str | None = None
    action: ActionOut | None = None


class Summary(_Strict):
    errors: int
    warnings: int
    info: int
    exitCode: Literal[0, 1, 2, 3]


class CredentialSourceOut(_Strict):
    """One place OpenClaw looks for a provider's key (`diagnose.sources`), in its precedence."""

    kind: Literal[
        "profile", "config apiKey", "process env", "gateway env", "shell env", ".env", "config env", "models.json"
    ]
    where: str = Field(description="the profile and its store, the variable and where it is set, or the file and key")
    variable: str | None = Field(description="the environment variable, for the environment kinds")
    value: str = Field(description='masked as OpenClaw masks it, "(not set)" or "(unresolved ref)"; never the secret')
    status: Literal["used", "shadowed", "not set", "unseen"] = Field(
        description="unseen: set where OpenClaw does not read it (your shell under a service, models.json)"
    )
    note: str


class CheckReport(_Strict):
    """`openclaw-triage check --json` (schemaVersion 1)."""

    schemaVersion: Literal[1]
    openclaw: OpenClawInfo
    profiles: list[ProfileOut]
    order: dict[str, OrderOut]
    credentialSources: dict[str, list[CredentialSourceOut]] = Field(
        description="per provider in use: every source of its key, in OpenClaw's precedence"
    )
    findings: list[FindingOut]
    summary: Summary


def check_json_schema() -> dict[str, Any]:
    return CheckReport.model_json_schema()
