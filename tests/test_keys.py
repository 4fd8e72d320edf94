"""classify / sanitize / mask: the seed thread's broken keys, and properties over any string."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openclaw_triage.keys import (
    KeyKind,
    Problem,
    classify,
    mask,
    sanitize,
    sends_bearer,
)
from tests import fakekeys

API = fakekeys.api_key()
OAT = fakekeys.oauth_token()


def test_good_api_key_is_clean() -> None:
    info = classify(API)
    assert info.kind is KeyKind.API_KEY
    assert info.problems == ()
    assert info.ok
    assert info.length == 108
    assert not info.sends_bearer


def test_good_oauth_token_is_clean_and_sent_as_bearer() -> None:
    info = classify(OAT)
    assert info.kind is KeyKind.OAUTH_TOKEN
    assert info.ok
    assert info.sends_bearer


def test_seed_key_with_spaces_deleted_to_shorten_it() -> None:
    # "i deleted some spaces to shorten it, to fit": characters are gone.
    shortened = API[:40] + API[44:]
    info = classify(shortened)
    assert info.kind is KeyKind.API_KEY
    assert Problem.LENGTH in info.problems
    assert "104 characters, expected 108" in info.describe()


def test_key_with_a_space_typed_in() -> None:
    info = classify(API[:50] + " " + API[50:])
    assert Problem.INNER_WHITESPACE in info.problems
    assert not info.ok


def test_wrapped_paste_has_a_line_break() -> None:
    info = classify(API[:60] + "\n" + API[60:])
    assert Problem.LINE_BREAK in info.problems


def test_truncated_key_loses_its_aa_suffix() -> None:
    info = classify(API[:-2])
    assert Problem.SUFFIX in info.problems
    assert Problem.LENGTH in info.problems


@pytest.mark.parametrize(
    ("value", "kind", "provider"),
    [
        (fakekeys.openrouter_key(), KeyKind.OTHER_PROVIDER, "OpenRouter"),
        (fakekeys.openai_key(), KeyKind.OTHER_PROVIDER, "OpenAI"),
        (fakekeys.google_key(), KeyKind.OTHER_PROVIDER, "Google Gemini"),
        ("xai-" + "a" * 80, KeyKind.OTHER_PROVIDER, "xAI"),
        ("gsk_" + "b" * 52, KeyKind.OTHER_PROVIDER, "Groq"),
    ],
)
def test_other_providers_are_named(value: str, kind: KeyKind, provider: str) -> None:
    info = classify(value)
    assert info.kind is kind
    assert info.provider_guess == provider
    assert provider in info.describe()


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (fakekeys.refresh_token(), KeyKind.REFRESH_TOKEN),
        (fakekeys.admin_key(), KeyKind.ADMIN_KEY),
        ("sk-ant-a...5o4gvyAA", KeyKind.MASKED_COPY),
        ("sk-ant-api03-abc…xyzAA", KeyKind.MASKED_COPY),
        ("__OPENCLAW_REDACTED__", KeyKind.PLACEHOLDER),
        ("${ANTHROPIC_API_KEY}", KeyKind.PLACEHOLDER),
        ("sk-ant-...", KeyKind.PLACEHOLDER),
        ("YOUR_API_KEY", KeyKind.PLACEHOLDER),
        ("<your key here>", KeyKind.PLACEHOLDER),
        ("", KeyKind.EMPTY),
        ("   ", KeyKind.EMPTY),
    ],
)
def test_kinds(value: str, kind: KeyKind) -> None:
    assert classify(value).kind is kind


def test_admin_key_with_right_length_has_no_length_problem() -> None:
    assert classify(fakekeys.admin_key()).problems == ()


def test_short_oauth_token_is_refused_like_paste_token_does() -> None:
    info = classify(OAT[:60])
    assert Problem.LENGTH in info.problems


@pytest.mark.parametrize(
    ("dirty", "cleaned"),
    [
        (API + "\n", {Problem.SURROUNDING_WHITESPACE}),
        ("  " + API + "\r\n", {Problem.SURROUNDING_WHITESPACE}),
        (f'"{API}"', {Problem.SURROUNDING_QUOTES}),
        (f"'{API}'\n", {Problem.SURROUNDING_QUOTES, Problem.SURROUNDING_WHITESPACE}),
        ("Bearer " + OAT, {Problem.BEARER_PREFIX}),
        ("\u200b" + API + "\ufeff", {Problem.ZERO_WIDTH}),
    ],
)
def test_sanitize_cleans_only_the_safe_things(dirty: str, cleaned: set[Problem]) -> None:
    result = sanitize(dirty)
    assert result.ok, result.reason()
    assert result.value in (API, OAT)
    assert set(result.cleaned) == cleaned


@pytest.mark.parametrize(
    ("dirty", "refused"),
    [
        (API[:50] + " " + API[50:], Problem.INNER_WHITESPACE),
        (API[:50] + "\n" + API[50:], Problem.LINE_BREAK),
        ("\u201c" + API + "\u201d", Problem.SMART_QUOTES),
        (API[:-5], Problem.LENGTH),
        (API[:50] + "é" + API[51:], Problem.BAD_CHARACTERS),
    ],
)
def test_sanitize_refuses_interior_changes(dirty: str, refused: Problem) -> None:
    result = sanitize(dirty)
    assert not result.ok
    assert refused in result.refused
    assert result.reason()


def test_sanitize_refuses_masked_copy_and_placeholder() -> None:
    assert not sanitize("sk-ant-a...5o4gvyAA").ok
    assert not sanitize("__OPENCLAW_REDACTED__").ok


def test_mask_matches_openclaw_models_status() -> None:
    # Captured from `openclaw models status` on the legacy fixtures (fake key).
    key = "sk-ant-api03-V80p-Og0abwrU8PnxJU3mpCcIeBCAbLbR5X6VlakPRiSZTJbdtz77iV3bwTnSM-fiSFE0TyBMpKxjR_b5X1-NLT5o4gvyAA"
    assert mask(key, era="json") == "sk-ant-a...5o4gvyAA"
    assert mask(key, era="sqlite") == "sk-ant-a...5o4gvyAA"
    assert mask("  " + key + "\n", era="json") == "sk-ant-a...5o4gvyAA"


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("abc", "a...c"),
        ("abcdef", "a...f"),
        ("abcdefg", "ab...fg"),
        ("0123456789abcdef", "01...ef"),
        ("", "missing"),
        ("  ", "missing"),
    ],
)
def test_mask_short_values(value: str, masked: str) -> None:
    assert mask(value) == masked


def test_mask_2026_9_drops_control_characters_first() -> None:
    key = API[:20] + "\x07" + API[20:]
    assert mask(key, era="sqlite") == mask(API, era="sqlite")
    assert mask(key, era="json") == mask(API, era="json")  # not within the first/last 8


def test_bearer_choice_follows_text_not_type() -> None:
    assert sends_bearer(OAT)
    assert not sends_bearer(API)
    assert sends_bearer("xx sk-ant-oat yy")


# --- properties -------------------------------------------------------------------------

_keyish = st.text(alphabet=st.characters(codec="utf-8"), max_size=200)


@given(_keyish)
def test_classify_never_raises_and_describe_never_leaks(value: str) -> None:
    info = classify(value)
    text = info.describe()
    if len(value) > 24:
        assert value not in text


@given(_keyish)
def test_mask_never_reveals_more_than_16_characters(value: str) -> None:
    masked = mask(value)
    assert masked == "missing" or masked.count("...") >= 1
    assert len(masked.replace("...", "")) <= 16


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=93, max_size=93))
def test_every_well_formed_api_key_passes(body: str) -> None:
    key = "sk-ant-api03-" + body + "AA"
    assert classify(key).ok
    assert sanitize(f"  '{key}'\n").value == key


@given(_keyish)
def test_sanitize_never_changes_the_interior(value: str) -> None:
    result = sanitize(value)
    if result.ok:
        assert result.value is not None
        # The cleaned value is the original with only edges and zero-width chars removed.
        squeezed = "".join(c for c in value if c not in "\u200b\u200c\u200d\u2060\ufeff")
        assert result.value in squeezed


@given(_keyish)
def test_sanitize_is_idempotent(value: str) -> None:
    first = sanitize(value)
    if first.ok and first.value is not None:
        second = sanitize(first.value)
        assert second.ok
        assert second.value == first.value
        assert second.cleaned == ()
