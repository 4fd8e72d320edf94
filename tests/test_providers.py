"""Providers as data: each row's key shapes judge that provider's keys, and name the others'."""

from __future__ import annotations

import pytest

from openclaw_triage import providers
from openclaw_triage.keys import KeyKind, Problem, classify
from tests import fakekeys

NON_ANTHROPIC = [p.id for p in providers.PROVIDERS if p.id != "anthropic"]
# Providers whose keys can be told apart from any string (Mistral's have no prefix).
RECOGNISABLE = [p for p in NON_ANTHROPIC if p != "mistral"]


def test_every_row_has_a_fake_key_and_the_facts_a_probe_needs() -> None:
    assert set(fakekeys.BY_PROVIDER) == {p.id for p in providers.PROVIDERS}
    for row in providers.PROVIDERS:
        assert row.base_url.startswith("https://") and row.env_vars and row.shapes
        assert row.probe_path.startswith("/")
        assert "?key=" not in row.probe_path  # a key never goes in a URL


@pytest.mark.parametrize("provider", [p.id for p in providers.PROVIDERS])
def test_a_well_formed_key_is_fine_in_its_own_providers_profile(provider: str) -> None:
    info = classify(fakekeys.BY_PROVIDER[provider]("ok"), provider)
    assert info.ok, info.describe()
    assert info.kind is KeyKind.API_KEY
    assert info.judged_as == provider


@pytest.mark.parametrize(
    ("provider", "key"),
    [
        ("openai", fakekeys.openai_service_key()),
        ("openai", fakekeys.openai_legacy_key()),
        ("google", fakekeys.google_auth_key()),
    ],
)
def test_every_shape_of_a_provider_is_accepted(provider: str, key: str) -> None:
    assert classify(key, provider).ok


@pytest.mark.parametrize("owner", RECOGNISABLE)
@pytest.mark.parametrize("profile", NON_ANTHROPIC)
def test_another_providers_key_is_named_in_any_profile(owner: str, profile: str) -> None:
    if owner == profile:
        return
    info = classify(fakekeys.BY_PROVIDER[owner]("x"), profile)
    assert info.kind is KeyKind.OTHER_PROVIDER, (owner, profile, info)
    assert info.provider_guess == providers.get(owner).label  # type: ignore[union-attr]
    assert f"not {providers.get(profile).label}" in info.describe()  # type: ignore[union-attr]


@pytest.mark.parametrize("provider", NON_ANTHROPIC)
def test_an_anthropic_key_in_another_providers_profile_keeps_its_anthropic_kind(provider: str) -> None:
    assert classify(fakekeys.api_key(), provider).kind is KeyKind.API_KEY
    assert classify(fakekeys.api_key(), provider).judged_as == "anthropic"


@pytest.mark.parametrize("provider", NON_ANTHROPIC)
def test_a_pasting_accident_is_found_by_each_providers_rules(provider: str) -> None:
    key = fakekeys.BY_PROVIDER[provider]("broken")
    spaced = classify(key[:20] + " " + key[20:], provider)
    wrapped = classify(key[:20] + "\n" + key[20:], provider)
    assert Problem.INNER_WHITESPACE in spaced.problems and not spaced.ok
    assert Problem.LINE_BREAK in wrapped.problems
    assert spaced.judged_as == provider


@pytest.mark.parametrize("provider", ["openrouter", "google", "xai", "groq", "mistral", "deepseek"])
def test_a_shortened_key_has_the_wrong_length(provider: str) -> None:
    key = fakekeys.BY_PROVIDER[provider]("short")
    info = classify(key[:-6], provider)
    assert info.kind is KeyKind.API_KEY
    assert Problem.LENGTH in info.problems
    assert "shortened or altered" in info.describe()


def test_an_openai_key_cut_before_its_marker_is_altered() -> None:
    key = fakekeys.openai_key("cut")
    info = classify(key[: key.index("T3Blbk")], "openai")
    assert Problem.LENGTH in info.problems
    assert info.describe().startswith("OpenAI project key")


def test_a_secret_of_no_known_shape_is_unknown_for_that_provider() -> None:
    info = classify("hello-this-is-not-a-key-at-all", "openai")
    assert info.kind is KeyKind.UNKNOWN and not info.ok


def test_anthropic_rules_are_unchanged_by_the_rows() -> None:
    for value in (fakekeys.api_key(), fakekeys.oauth_token(), fakekeys.api_key()[:-4], fakekeys.openai_key()):
        assert classify(value, "anthropic") == classify(value)
    assert classify(fakekeys.openrouter_key()).provider_guess == "OpenRouter"
    assert classify(fakekeys.deepseek_key()).provider_guess == "DeepSeek"


def test_oauth_ids_belong_to_their_company() -> None:
    assert providers.owner_of_oauth("openai-codex") is providers.OPENAI
    assert providers.get("OpenAI ") is providers.OPENAI
    assert providers.get("minimax") is None


def test_key_set_takes_only_a_well_formed_key_of_the_providers_own_shape() -> None:
    from openclaw_triage.write.errors import InvalidSecret
    from openclaw_triage.write.validate import check_secret

    good = fakekeys.openai_key("set")
    assert check_secret("openai", f"  {good}\n").value == good  # only the ends are cleaned
    for bad, why in (
        (fakekeys.openrouter_key("set"), "OpenRouter key, not an OpenAI one"),
        (good[:40] + "\n" + good[40:], "line break"),
        (fakekeys.xai_key("set")[:-3], "expected 84"),
    ):
        provider = "xai" if why == "expected 84" else "openai"
        with pytest.raises(InvalidSecret) as refused:
            check_secret(provider, bad)
        assert why in str(refused.value) and bad not in str(refused.value)
    assert check_secret("minimax", "anything-goes-for-a-provider-we-do-not-know").value
