"""Diagnosis for every provider in use, not only Anthropic: the default model's (OpenClaw's own
default is OpenAI's since 2026.4.7), the fallbacks', each judged by its own key shapes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from openclaw_triage.diagnose.run import Diagnosis
from openclaw_triage.findings import Finding, Severity
from tests import fakekeys
from tests.builders import CurrentHome, LegacyHome, api_key_profile
from tests.test_diagnose import assert_no_leak, codes, run

OPENAI = fakekeys.openai_key("diag")
OPENROUTER = fakekeys.openrouter_key("diag")


def findings(diag: Diagnosis, code: str) -> list[Finding]:
    return [f for f in diag.findings if f.code == code]


def legacy(home: Path, profiles: dict[str, Any], version: str = "2026.3.13", **config: Any) -> LegacyHome:
    h = LegacyHome(home).config({"meta": {"lastTouchedVersion": version}, **config})
    if profiles:
        h.store({"profiles": profiles})
    return h


def test_no_model_and_no_key_on_2026_9_names_openai_and_a_safe_way_in(tmp_path: Path) -> None:
    CurrentHome(tmp_path).config({})
    diag = run(tmp_path)
    assert diag.default_model == "openai/gpt-6-astra"
    (missing,) = findings(diag, "auth.missing")
    assert missing.subject == "openai" and missing.severity is Severity.ERROR
    fix = missing.fix or ""
    assert "openclaw-triage key set --provider openai" in fix
    assert "openclaw models auth paste-api-key --provider openai" in fix
    assert "OPENAI_API_KEY" in fix
    assert "--openai-api-key" not in fix  # never a key in argv


@pytest.mark.parametrize(("version", "paste"), [("2026.4.29", False), ("2026.5.28", True)])
def test_the_way_in_follows_the_release(tmp_path: Path, version: str, paste: bool) -> None:
    legacy(tmp_path, {}, version)
    diag = run(tmp_path)
    assert diag.default_model == "openai/gpt-5.5"
    fix = findings(diag, "auth.missing")[0].fix or ""
    assert ("paste-api-key --provider openai" in fix) is paste
    assert ("openclaw onboard (choose Update values, then the OpenAI API key" in fix) is not paste


def test_an_openai_key_in_the_environment_is_the_credential(tmp_path: Path) -> None:
    legacy(tmp_path, {}, "2026.4.29")
    diag = run(tmp_path, OPENAI_API_KEY=OPENAI)
    assert "auth.missing" not in codes(diag)
    assert diag.orders["openai"].env_fallback == "OPENAI_API_KEY"
    assert "auth.env_fallback" in codes(diag)
    assert_no_leak(diag, OPENAI)


def test_a_malformed_openai_key_in_the_environment_is_named(tmp_path: Path) -> None:
    legacy(tmp_path, {}, "2026.4.29")
    broken = OPENAI[:30] + " " + OPENAI[30:]
    diag = run(tmp_path, OPENAI_API_KEY=broken)
    (bad,) = findings(diag, "key.env_malformed")
    assert bad.subject == "OPENAI_API_KEY" and "OpenAI" in bad.message
    assert_no_leak(diag, OPENAI)


def test_a_gemini_key_only_in_google_api_key_counts_on_2026_9_not_2026_3(tmp_path: Path) -> None:
    model = {"agents": {"defaults": {"model": "google/gemini-2.5-pro"}}}
    key = fakekeys.google_key("env")
    legacy(tmp_path / "old", {}, "2026.3.13", **model)
    CurrentHome(tmp_path / "new").config(model)
    assert "auth.missing" in codes(run(tmp_path / "old", GOOGLE_API_KEY=key))
    assert "auth.missing" not in codes(run(tmp_path / "new", GOOGLE_API_KEY=key))


@pytest.mark.parametrize(
    ("value", "code", "words"),
    [
        (OPENAI[:40] + " " + OPENAI[40:], "key.whitespace", "OpenAI project key"),
        (OPENAI[:40] + "\n" + OPENAI[40:], "key.line_break", "OpenAI receives a different string"),
        (OPENAI[: OPENAI.index("T3Blbk")], "key.length", "shortened or altered"),
        (OPENROUTER, "key.wrong_provider", "an OpenRouter key"),
        ("definitely-not-a-key-at-all", "key.unknown_format", "sk-proj-"),
    ],
)
def test_an_openai_profile_is_judged_by_openais_key_shapes(tmp_path: Path, value: str, code: str, words: str) -> None:
    legacy(tmp_path, {"openai:default": api_key_profile(value, "openai")}, "2026.4.29")
    diag = run(tmp_path)
    (found,) = findings(diag, code)
    assert found.subject == "openai:default" and found.severity is Severity.ERROR
    assert words in found.message
    assert "Anthropic" not in found.message
    assert "openclaw-triage key set --provider openai --profile-id openai:default" in (found.fix or "")
    assert "auth.missing" not in codes(diag)
    assert_no_leak(diag, OPENAI, OPENROUTER)


def test_a_good_key_of_each_provider_in_use_raises_nothing(tmp_path: Path) -> None:
    profiles = {
        f"{p}:default": api_key_profile(make("ok"), p) for p, make in fakekeys.BY_PROVIDER.items() if p != "anthropic"
    }
    fallbacks = [f"{p}/some-model" for p in fakekeys.BY_PROVIDER if p not in ("anthropic", "openai")]
    legacy(tmp_path, profiles, "2026.4.29", agents={"defaults": {"model": {"fallbacks": fallbacks}}})
    diag = run(tmp_path)
    assert not {c for c in codes(diag) if c.startswith(("key.", "auth."))}, diag.findings
    assert all(r.info is not None and r.info.ok for r in diag.profiles)


def test_a_fallbacks_provider_without_a_key_is_missing(tmp_path: Path) -> None:
    model = {"primary": "anthropic/claude-sonnet-4-6", "fallbacks": ["openrouter/anthropic/claude-sonnet-4.6"]}
    legacy(
        tmp_path,
        {"anthropic:default": api_key_profile(fakekeys.api_key("fb"))},
        agents={"defaults": {"model": model}},
    )
    diag = run(tmp_path)
    assert [f.subject for f in findings(diag, "auth.missing")] == ["openrouter"]
    assert "OPENROUTER_API_KEY" in (findings(diag, "auth.missing")[0].fix or "")


def test_a_shortened_key_of_a_fallback_provider_is_found(tmp_path: Path) -> None:
    model = {"primary": "openai/gpt-5.5", "fallbacks": ["xai/grok-4.7"]}
    xai = fakekeys.xai_key("short")
    legacy(
        tmp_path,
        {"openai:default": api_key_profile(OPENAI, "openai"), "xai:default": api_key_profile(xai[:-5], "xai")},
        "2026.4.29",
        agents={"defaults": {"model": model}},
    )
    diag = run(tmp_path)
    (short,) = findings(diag, "key.length")
    assert short.subject == "xai:default" and "is 79 characters, expected 84" in short.message
    assert_no_leak(diag, xai, OPENAI)


def test_a_chatgpt_sign_in_is_not_judged_as_an_api_key(tmp_path: Path) -> None:
    signin = {
        "type": "oauth",
        "provider": "openai-codex",
        "access": "eyJhbGciOi.fake.jwt",
        "refresh": "rt",
        "expires": 0,
    }
    legacy(tmp_path, {"openai-codex:me@example.com": signin}, "2026.4.29")
    diag = run(tmp_path)
    assert not {c for c in codes(diag) if c.startswith("key.")}
