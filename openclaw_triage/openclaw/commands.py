"""The exact commands that fix each problem, for the user's OpenClaw version.

2026.3 has no `models auth paste-api-key` (it first appears in 2026.5.28's models-cli; 2026.4.29
has none) and no `models auth logout`; 2026.9 has both. Commands never contain a secret: keys go
in through prompts or stdin, never `openclaw onboard --openai-api-key KEY` (argv is visible to
every user of the machine and lands in shell history).
"""

from __future__ import annotations

import json
import shlex

from ..model import Era
from ..providers import get as provider_row

PASTE_API_KEY_SINCE = (2026, 5, 28)  # the first release measured with `models auth paste-api-key`


def has_paste_api_key(era: Era, release: tuple[int, int, int] | None = None) -> bool:
    """Whether this release has `openclaw models auth paste-api-key` (by era when unknown)."""
    return release >= PASTE_API_KEY_SINCE if release is not None else era is Era.SQLITE


def _agent_flag(agent: str | None) -> str:
    return f" --agent {shlex.quote(agent)}" if agent else ""


def order_set(provider: str, ids: list[str] | tuple[str, ...], agent: str | None = None) -> str:
    joined = " ".join(shlex.quote(i) for i in ids)
    return f"openclaw models auth order set --provider {shlex.quote(provider)}{_agent_flag(agent)} {joined}"


def order_clear(provider: str, agent: str | None = None) -> str:
    return f"openclaw models auth order clear --provider {shlex.quote(provider)}{_agent_flag(agent)}"


def order_get(provider: str, agent: str | None = None) -> str:
    return f"openclaw models auth order get --provider {shlex.quote(provider)}{_agent_flag(agent)}"


def enter_api_key(
    era: Era,
    profile_id: str,
    provider: str = "anthropic",
    agent: str | None = None,
    *,
    release: tuple[int, int, int] | None = None,
) -> str:
    """Re-enter an API key without putting it on a command line."""
    ours = (
        f"openclaw-triage key set --provider {shlex.quote(provider)} --profile-id {shlex.quote(profile_id)} --clipboard"
    )
    row = provider_row(provider)
    label = row.label if row is not None else provider
    if not has_paste_api_key(era, release):
        theirs = f"openclaw onboard (choose Update values, then the {label} API key, and paste it unchanged)"
    else:
        theirs = (
            f"openclaw models auth paste-api-key --provider {shlex.quote(provider)} "
            f"--profile-id {shlex.quote(profile_id)}{_agent_flag(agent)} (paste the key at the prompt)"
        )
    return f"{ours}  or  {theirs}"


def enter_token(era: Era, profile_id: str | None = None, provider: str = "anthropic", agent: str | None = None) -> str:
    pid = f" --profile-id {shlex.quote(profile_id)}" if profile_id and era is Era.SQLITE else ""
    return (
        f"claude setup-token, then openclaw models auth paste-token --provider {shlex.quote(provider)}{pid}"
        f"{_agent_flag(agent)} (paste the sk-ant-oat01- token at the prompt)"
    )


def remove_profile(era: Era, profile_id: str, provider: str, keep: list[str], agent: str | None = None) -> str:
    """2026.9 can log a profile out; 2026.3 can only pin the order around it."""
    if era is Era.SQLITE:
        return f"openclaw models auth logout {shlex.quote(profile_id)}{_agent_flag(agent)} --yes"
    if keep:
        return (
            order_set(provider, keep, agent) + f"  (2026.3 has no logout: pin the order so {profile_id} is never tried)"
        )
    return f"remove {profile_id} from auth-profiles.json (2026.3 has no logout command)"


def doctor_fix() -> str:
    return "openclaw gateway stop; openclaw doctor --fix; openclaw gateway start"


def reload_secrets(era: Era) -> str:
    if era is Era.JSON:
        return "openclaw secrets reload (or restart the gateway: openclaw gateway restart)"
    return "openclaw gateway restart (CLI writes reach a running 2026.9 gateway by themselves)"


def config_unset(path: str) -> str:
    return f"openclaw config unset {shlex.quote(path)}"


def config_set(path: str, value: str) -> str:
    return f"openclaw config set {shlex.quote(path)} {shlex.quote(value)}"


def reload_gateway(era: Era, agent_id: str) -> str:
    """The command that makes this era's running gateway re-read its credentials."""
    if era is Era.JSON:
        return "openclaw secrets reload"
    params = json.dumps({"operation": "update", "agentId": agent_id}, separators=(",", ":"))
    return f"openclaw gateway call models.authRefresh --params '{params}'"
