"""The guarded paste's decision (`write.paste_plan.plan_paste`), without the app: whose key a paste
is, which profile it goes into, whether it may be saved at all and who tests it first. Every
provider row on both eras, on the committed states the real CLIs made (one Anthropic API key,
onboarded), with the model config changed to put the provider in use or leave it out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openclaw_triage.diagnose.result import Diagnosis
from openclaw_triage.diagnose.run import diagnose
from openclaw_triage.keys import provider_of, sanitize
from openclaw_triage.model import CredentialType
from openclaw_triage.openclaw.install import inspect_install
from openclaw_triage.openclaw.locate import Options
from openclaw_triage.providers import PROVIDERS
from openclaw_triage.providers import get as provider_row
from openclaw_triage.write.paste_plan import plan_paste
from tests import fakekeys
from tests.builders import LegacyHome, api_key_profile
from tests.states import ERAS, load_state

NOW = 1_800_000_000_000.0
PROVIDER_IDS = [p.id for p in PROVIDERS]
OTHER_MODEL = {"anthropic": "openai/gpt-5.5"}  # a primary that leaves the provider out


def diagnosis(home: Path) -> Diagnosis:
    install = inspect_install(Options(openclaw="none"), env={"HOME": str(home), "PATH": ""})
    return diagnose(install, now_ms=NOW, runtime=False)


def state(tmp_path: Path, era: str, model: dict[str, object]) -> Diagnosis:
    """The committed `one_api_key` state of `era`, its default model replaced by `model`."""
    home = load_state(era, "one_api_key", tmp_path / "home").home
    path = home / ".openclaw" / "openclaw.json"
    config = json.loads(path.read_text())
    config["agents"]["defaults"]["model"] = model
    path.write_text(json.dumps(config))
    return diagnosis(home)


def in_use(provider: str) -> dict[str, object]:
    """Anthropic first (the state's own key), the provider as the fallback."""
    fallbacks = [] if provider == "anthropic" else [f"{provider}/some-model"]
    return {"primary": "anthropic/claude-sonnet-4-6", "fallbacks": fallbacks}


def not_in_use(provider: str) -> dict[str, object]:
    return {"primary": OTHER_MODEL.get(provider, "anthropic/claude-sonnet-4-6"), "fallbacks": []}


@pytest.mark.parametrize("era", ERAS)
@pytest.mark.parametrize("provider", PROVIDER_IDS)
def test_a_key_of_a_provider_in_use_goes_into_its_profile(tmp_path: Path, era: str, provider: str) -> None:
    diag = state(tmp_path, era, in_use(provider))
    key = fakekeys.BY_PROVIDER[provider]("plan")
    plan = plan_paste(diag, f"  {key}\n", target="anthropic:default")  # the seed thread's target: the broken one
    row = provider_row(provider)
    assert row is not None
    assert plan.allowed, plan.refusal
    assert plan.provider == provider and plan.label == row.label
    assert plan.checked is not None and plan.checked.value == key and plan.checked.type is CredentialType.API_KEY
    # OpenClaw's own id: the one Anthropic profile the state has, else `<provider>:default` (new).
    assert plan.profile_id == f"{provider}:default"
    assert plan.choices == (f"{provider}:default",)
    assert plan.probe_provider == provider
    model = "anthropic/claude-sonnet-4-6 (model)" if provider == "anthropic" else f"{provider}/some-model (fallback)"
    assert plan.used_by == (model,)
    assert row.label in plan.what
    assert plan.checked.cleaned  # the spaces and line break around it: cleaned, said


@pytest.mark.parametrize("era", ERAS)
@pytest.mark.parametrize("provider", PROVIDER_IDS)
def test_a_key_no_model_uses_is_refused_with_the_reason(tmp_path: Path, era: str, provider: str) -> None:
    diag = state(tmp_path, era, not_in_use(provider))
    key = fakekeys.BY_PROVIDER[provider]("plan")
    plan = plan_paste(diag, key, target="anthropic:default")
    row = provider_row(provider)
    assert row is not None
    assert not plan.allowed and plan.provider == provider
    assert plan.refusal is not None
    assert f"no model uses {row.label}; nothing saved" in plan.refusal
    assert f"--provider {provider}" in plan.refusal  # and how to store it anyway
    assert key not in plan.refusal and key[10:40] not in plan.refusal
    assert plan.probe_provider == provider  # the toggle still names who would have been asked


@pytest.mark.parametrize("era", ERAS)
def test_an_anthropic_token_goes_into_a_token_profile(tmp_path: Path, era: str) -> None:
    diag = state(tmp_path, era, in_use("anthropic"))
    plan = plan_paste(diag, fakekeys.oauth_token("plan"))
    assert plan.allowed and plan.provider == "anthropic"
    assert plan.checked is not None and plan.checked.type is CredentialType.TOKEN
    assert plan.profile_id == "anthropic:manual" and plan.choices == ("anthropic:manual",)


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (fakekeys.openrouter_key("p")[:40] + " " + fakekeys.openrouter_key("p")[40:], "space"),
        (fakekeys.openrouter_key("p")[:-4], "73"),  # shortened: OpenRouter's length, by its row
        (fakekeys.refresh_token("p"), "refresh token"),
        ("sk-ant-a...5o4gvyAA", "masked copy"),
    ],
)
def test_a_malformed_key_is_refused_whole_before_anything_else(tmp_path: Path, raw: str, says: str) -> None:
    diag = state(tmp_path, "legacy-2026.3", in_use("openrouter"))
    plan = plan_paste(diag, raw)
    assert not plan.allowed and plan.checked is None and plan.refusal is not None
    assert says in plan.refusal and "Nothing was changed" in plan.refusal


def test_a_key_with_no_prefix_is_judged_by_the_profile_it_is_pasted_for(tmp_path: Path) -> None:
    """Mistral's keys have no prefix: the Mistral profile the user pasted for names the provider."""
    LegacyHome(tmp_path).config({"agents": {"defaults": {"model": "mistral/mistral-large"}}}).store(
        {"profiles": {"mistral:work": api_key_profile(fakekeys.mistral_key("old"), "mistral")}}
    )
    plan = plan_paste(diagnosis(tmp_path), fakekeys.mistral_key("new"), target="mistral:work")
    assert plan.allowed and plan.provider == "mistral" and plan.profile_id == "mistral:work"


def test_the_profile_openclaw_tries_first_is_offered_first(tmp_path: Path) -> None:
    """Two OpenRouter profiles, the order trying `openrouter:b` first: the key goes there, the other
    is a choice; what the user picks wins."""
    old_a, old_b = fakekeys.openrouter_key("a"), fakekeys.openrouter_key("b")
    LegacyHome(tmp_path).config({"agents": {"defaults": {"model": "openrouter/x/y"}}}).store(
        {
            "profiles": {
                "openrouter:a": api_key_profile(old_a, "openrouter"),
                "openrouter:b": api_key_profile(old_b, "openrouter"),
            },
            "order": {"openrouter": ["openrouter:b", "openrouter:a"]},
        }
    )
    diag = diagnosis(tmp_path)
    key = fakekeys.openrouter_key("new")
    plan = plan_paste(diag, key, target="anthropic:nothing")
    assert plan.allowed and plan.profile_id == "openrouter:b"
    assert plan.choices == ("openrouter:a", "openrouter:b", "openrouter:default")
    assert plan_paste(diag, key, chosen="openrouter:a").profile_id == "openrouter:a"
    assert plan_paste(diag, key, chosen="anthropic:elsewhere").profile_id == "openrouter:b"  # not a choice


def test_an_openrouter_key_pasted_for_an_anthropic_finding_goes_to_openrouter(tmp_path: Path) -> None:
    """The seed thread's own mistake the other way round: the key's shape wins over the target."""
    LegacyHome(tmp_path).config(
        {"agents": {"defaults": {"model": {"primary": "anthropic/claude-sonnet-4-6", "fallbacks": ["openrouter/x/y"]}}}}
    ).store({"profiles": {"anthropic:default": api_key_profile(fakekeys.api_key("broken")[:-4])}})
    plan = plan_paste(diagnosis(tmp_path), fakekeys.openrouter_key("or"), target="anthropic:default")
    assert plan.allowed and plan.provider == "openrouter" and plan.profile_id == "openrouter:default"
    assert plan.what == "OpenRouter API key"


def test_another_agents_provider_is_named_when_the_shown_agent_does_not_use_it(tmp_path: Path) -> None:
    config = {
        "agents": {
            "defaults": {"model": "anthropic/claude-sonnet-4-6"},
            "list": [{"id": "main", "default": True}, {"id": "router", "model": "openrouter/x/y"}],
        }
    }
    home = LegacyHome(tmp_path).config(config)
    home.store({"profiles": {"anthropic:default": api_key_profile(fakekeys.api_key("m"))}})
    main = plan_paste(diagnosis(tmp_path), fakekeys.openrouter_key("r"))
    assert main.allowed and main.used_by == ("openrouter/x/y (model, agent router)",)  # main's store is shared
    install = inspect_install(Options(openclaw="none", agent="router"), env={"HOME": str(tmp_path), "PATH": ""})
    router = plan_paste(diagnose(install, now_ms=NOW, runtime=False), fakekeys.google_key("g"))
    assert not router.allowed and router.refusal is not None and "agent router's models" in router.refusal


@pytest.mark.parametrize("provider", PROVIDER_IDS)
def test_a_keys_shape_names_its_provider_unless_it_has_no_prefix(provider: str) -> None:
    info = sanitize(fakekeys.BY_PROVIDER[provider]("shape")).info
    assert provider_of(info) == (None if provider == "mistral" else provider)


def test_a_google_auth_key_is_googles_when_gemini_is_in_use(tmp_path: Path) -> None:
    """`AQ.` is too short a prefix to name Google by itself; in use, Gemini's shapes claim it."""
    diag = state(tmp_path, "current-2026.9", in_use("google"))
    plan = plan_paste(diag, fakekeys.google_auth_key("aq"))
    assert plan.allowed and plan.provider == "google" and plan.profile_id == "google:default"
