"""What a pasted key is and where it may go: the guarded paste's whole decision, without the app.

The key's own shape names its provider (`keys.provider_of`: `sk-or-v1-` is OpenRouter's, `AIza`
Google's, ...). A shape that names no one (Mistral's keys have no prefix) is judged by the
provider of the profile the user is pasting for, else by the one provider in use whose keys it
fits, else by the one row whose shapes it fits at all. The key then goes into the profile
OpenClaw would use for that provider: the one the user picked, else the one the effective order
tries first, else OpenClaw's own default id (`validate.default_profile_id`: `<provider>:default`
for an API key). And only if a model in use uses that provider: a key no model asks for changes
nothing, and was most likely pasted into the wrong place, so it is refused with the reason and
nothing is written.

The app's paste screen, its tests and any other caller get the same answer from `plan_paste`;
what is written goes through `write.set_key` like every other key.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..diagnose.result import Diagnosis
from ..keys import KeyKind, classify, provider_of, sanitize
from ..model import AuthStore, CredentialType, Era
from ..openclaw.coerce import normalize_provider
from ..openclaw.config import default_model, fallback_models, model_provider
from ..providers import ANTHROPIC, PROVIDERS
from ..providers import get as provider_row
from .errors import WriteError
from .validate import Checked, check_profile_fits, check_secret, default_profile_id


@dataclass(frozen=True, slots=True)
class PastePlan:
    """What to do with one paste. Holds the cleaned key only inside `checked`, never in a message."""

    provider: str | None  # whose key it is (OpenClaw's provider id); None when nothing was pasted
    label: str  # that provider as people name it: "OpenRouter"
    checked: Checked | None = None  # the cleaned key and its profile type; None when refused
    profile_id: str | None = None  # the profile it goes into
    choices: tuple[str, ...] = ()  # where it may go: that provider's profiles of its type, then a new one
    refusal: str | None = None  # why nothing may be saved, for a person; None: it may be
    probe_provider: str | None = None  # whose API can test it first; None: no probe speaks to it
    used_by: tuple[str, ...] = ()  # the models in use that need this provider's key

    @property
    def allowed(self) -> bool:
        return self.refusal is None and self.checked is not None and self.profile_id is not None

    @property
    def what(self) -> str:
        """The key as a person names it: `OpenRouter API key`, `Anthropic OAuth/setup token`."""
        return self.checked.info.describe() if self.checked is not None else f"{self.label} key"


def plan_paste(diag: Diagnosis, raw: str, *, target: str | None = None, chosen: str | None = None) -> PastePlan:
    """Decide what to do with `raw` pasted for the agent of `diag`.

    `target`: the profile the paste was opened for (the selected finding's or table row's), which
    the key goes into when it is of the same provider and type. `chosen`: the profile the user
    picked among `choices` afterwards.
    """
    store = diag.agent.effective
    era = diag.install.era
    target_view = diag.view(target) if target else None
    target_provider = normalize_provider(target_view.profile.provider, era) if target_view is not None else None
    in_use = models_in_use(diag)
    provider = _provider(raw, target_provider, [p for p, _ in in_use])
    row = provider_row(provider)
    label = row.label if row is not None else provider
    try:
        checked = check_secret(provider, raw, None, store=store)
    except WriteError as exc:  # malformed, or a kind no profile takes: the reason, never the key
        return PastePlan(provider, label, refusal=str(exc), probe_provider=row.id if row is not None else None)
    used_by = tuple(model for p, model in in_use if p == provider)
    choices, preferred = _choices(diag, store, provider, checked.type, target)
    profile = chosen if chosen in choices else preferred
    plan = PastePlan(
        provider,
        label,
        checked,
        profile,
        choices,
        probe_provider=row.id if row is not None else None,
        used_by=used_by,
    )
    if not used_by:
        return _replace_refusal(plan, _not_in_use(diag, provider, label, checked))
    try:
        check_profile_fits(profile, provider, checked.type, store, secret_kind=checked.info.describe())
    except WriteError as exc:
        return _replace_refusal(plan, str(exc))
    return plan


def models_in_use(diag: Diagnosis) -> list[tuple[str, str]]:
    """(provider, model as a person reads it) for every model the shown agent's chats may use: its
    model and fallbacks and, when it is the default agent (whose profiles the others inherit),
    every other agent's too."""
    install = diag.install
    era = install.era
    shown = diag.agent.agent_id
    agents = [shown]
    if shown == install.default_agent_id:
        agents += [a.agent_id for a in install.agents if a.agent_id != shown]
    out: list[tuple[str, str]] = []
    for agent in agents:
        whose = "" if agent == shown else f", agent {agent}"
        primary = default_model(install.config.data, era, agent, install.builtin_model)
        refs = [
            (primary, f"model{whose}"),
            *((m, f"fallback{whose}") for m in fallback_models(install.config.data, era, agent)),
        ]
        for ref, role in refs:
            provider = model_provider(ref)
            if provider:
                out.append((normalize_provider(provider, era), f"{ref} ({role})"))
    return list(dict.fromkeys(out))


def _provider(raw: str, target_provider: str | None, in_use: list[str]) -> str:
    """Whose key this is: its shape's provider; else the target's, or the one in use, whose shapes it fits."""
    result = sanitize(raw)
    named = provider_of(result.info)
    if named is not None:
        return named
    value = result.value or ""
    if result.ok and result.info.kind is KeyKind.UNKNOWN:  # no prefix anyone claims: whose shape fits?
        if target_provider and _fits(value, target_provider):
            return target_provider
        for group in (in_use, [row.id for row in PROVIDERS]):  # the one in use it fits, else the one row
            fits = [p for p in dict.fromkeys(group) if _fits(value, p)]
            if len(fits) == 1:
                return fits[0]
    return target_provider or ANTHROPIC.id


def _fits(value: str, provider: str) -> bool:
    row = provider_row(provider)
    if row is None or row is ANTHROPIC:
        return False
    info = classify(value, provider)
    return info.kind is KeyKind.API_KEY and not info.problems


def _choices(
    diag: Diagnosis, store: AuthStore, provider: str, ctype: CredentialType, target: str | None
) -> tuple[tuple[str, ...], str]:
    """The profiles of `provider` and `ctype` (then OpenClaw's default id for a new one), and the one to
    offer first: the target, else the one OpenClaw tries first, else the default id."""
    same = [
        pid
        for pid, p in store.profiles.items()
        if p.type == ctype and normalize_provider(p.provider, Era.SQLITE) == provider
    ]
    new_id = default_profile_id(provider, ctype, store)
    choices = (*same, *([new_id] if new_id not in same else []))
    order = diag.orders.get(provider)
    first = next((pid for pid in order.effective if pid in same), None) if order is not None else None
    if target in same:
        return choices, str(target)
    return choices, first or new_id


def _not_in_use(diag: Diagnosis, provider: str, label: str, checked: Checked) -> str:
    """Why a key no model uses is not saved, and what would make it count."""
    install = diag.install
    agent = diag.agent.agent_id
    mine = [m for _, m in models_in_use(diag)]
    where = f"agent {agent}'s models" if agent != install.default_agent_id else "the models"
    others = [
        a.agent_id
        for a in install.agents
        if a.agent_id != agent and any(model_provider(m) == provider for m in _agent_models(diag, a.agent_id))
    ]
    text = f"This is {_a(checked.info.describe())}, but no model uses {label}; nothing saved. "
    text += f"OpenClaw would never send it ({where}: {', '.join(mine) or 'none'})."
    if others:
        text += f" Agent {others[0]} uses {label}: open the app with --agent {others[0]} to give it this key."
    else:
        text += (
            f" Choose {_a(provider + '/…')} model first, or store it anyway with "
            f"`openclaw-triage key set --provider {provider} --clipboard`."
        )
    return text


def _agent_models(diag: Diagnosis, agent: str) -> list[str]:
    install = diag.install
    data = install.config.data
    return [default_model(data, install.era, agent, install.builtin_model), *fallback_models(data, install.era, agent)]


def _replace_refusal(plan: PastePlan, refusal: str) -> PastePlan:
    return replace(plan, refusal=refusal)


def _a(words: str) -> str:
    """`an OpenRouter API key`, `an xAI API key`, `a Groq API key`."""
    vowel = words[:1].lower() in "aeiou" or words.startswith("xAI")
    return f"{'an' if vowel else 'a'} {words}"
