"""The live probe for every provider of `providers`, against `tests.fakeproviders` on 127.0.0.1.

Installs point at the fake through `models.providers.<id>.baseUrl`, as a user's proxy would be
configured; the fake reads the key only from the header that provider reads, and answers with
that provider's own statuses and error bodies.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openclaw_triage import providers
from openclaw_triage.cli.probe import probe_json, probe_text
from openclaw_triage.diagnose.run import Diagnosis
from openclaw_triage.probe import ProbeResult, probe_profiles_sync
from tests import fakekeys
from tests.builders import LegacyHome, api_key_profile
from tests.fakeproviders import ANSWERS, REQUEST_ID, FakeProvider
from tests.test_diagnose import run
from tests.test_probe import _no_proxy_env  # noqa: F401 - the autouse fixture: no proxy for loopback

EXPECTED = {
    "ok": "probe.ok",
    "invalid": "probe.invalid_key",
    "no_credit": "probe.billing",
    "rate_limited": "probe.rate_limited",
    "region": "probe.region",
    "project": "probe.project",
}
CASES = [(p, answer) for p, answers in ANSWERS.items() for answer in answers]


def install(home: Path, provider: str, key: str, base_url: str) -> Diagnosis:
    LegacyHome(home).config(
        {
            "agents": {"defaults": {"model": f"{provider}/some-model"}},
            "models": {"providers": {provider: {"baseUrl": base_url, "models": []}}},
        }
    ).store({"profiles": {f"{provider}:default": api_key_profile(key, provider)}})
    return run(home)


def probe(tmp_path: Path, provider: str, answer: str) -> tuple[ProbeResult, FakeProvider, str, Diagnosis]:
    key = fakekeys.BY_PROVIDER[provider](answer)
    with FakeProvider(provider, {key: answer}) as api:
        diag = install(tmp_path, provider, key, api.base_url)
        (result,) = probe_profiles_sync(diag)
    return result, api, key, diag


@pytest.mark.parametrize(("provider", "answer"), CASES)
def test_each_providers_answer_is_named(tmp_path: Path, provider: str, answer: str) -> None:
    result, api, key, diag = probe(tmp_path, provider, answer)
    assert result.code == EXPECTED[answer], result.finding.message
    assert result.provider == provider and result.sent
    row = providers.get(provider)
    assert row is not None
    # Sent once, the way OpenClaw sends it: the provider's header, its probe path, never in a URL.
    (seen,) = api.seen
    assert seen.headers[row.auth_header] == row.auth_scheme + key
    assert seen.target == api.base_path + row.probe_path
    assert key not in seen.target and "key=" not in seen.target
    others = {"authorization", "x-api-key", "x-goog-api-key"} - {row.auth_header}
    assert not others & set(seen.headers)
    # The full key appears nowhere we print.
    printed = probe_text(diag, [result], deep=False) + json.dumps(probe_json(diag, [result], deep=False))
    assert key not in printed and key[8:-8] not in printed
    assert provider in result.finding.message or row.host in result.finding.message or "127.0.0.1" in printed


@pytest.mark.parametrize("provider", ["openai", "groq"])
def test_the_request_id_is_quoted(tmp_path: Path, provider: str) -> None:
    result, *_ = probe(tmp_path, provider, "invalid")
    assert result.request_id == REQUEST_ID and REQUEST_ID in result.finding.message


def test_mistral_gives_its_request_id_in_the_body(tmp_path: Path) -> None:
    result, *_ = probe(tmp_path, "mistral", "invalid")
    assert result.request_id == "mistral-req-0001"


def test_openai_names_the_organization_and_the_reason_for_no_credit(tmp_path: Path) -> None:
    ok, *_ = probe(tmp_path / "ok", "openai", "ok")
    assert ok.org_id == "org-fakeorg0001" and "org-fakeorg0001" in ok.finding.message
    broke, *_ = probe(tmp_path / "broke", "openai", "no_credit")
    assert "no credit" in broke.finding.message and "platform.openai.com" in (broke.finding.fix or "")
    rate, *_ = probe(tmp_path / "rate", "openai", "rate_limited")
    assert rate.retry_after == "20"


def test_openrouter_says_whose_key_and_what_it_may_spend(tmp_path: Path) -> None:
    ok, _, key, _ = probe(tmp_path / "ok", "openrouter", "ok")
    assert ok.identity == {
        "label": "sk-or-v1-2d7...a1b",
        "limit": "10",
        "limit_remaining": "7.5",
        "usage": "2.5",
        "is_free_tier": "false",
    }
    assert "limit 10" in ok.finding.message and "usage 2.5" in ok.finding.message
    spent, *_ = probe(tmp_path / "spent", "openrouter", "no_credit")
    assert spent.code == "probe.billing" and "credit limit set on it" in spent.finding.message
    assert spent.verdict == "rejected" and key not in json.dumps(ok.to_json())


def test_xai_and_deepseek_say_whose_key_and_the_balance(tmp_path: Path) -> None:
    xai, *_ = probe(tmp_path / "xai", "xai", "ok")
    assert xai.identity["name"] == "triage test" and xai.identity["team_id"] == "team-fake"
    deepseek, *_ = probe(tmp_path / "ds", "deepseek", "ok")
    assert deepseek.identity["balance_USD"] == "4.20" and "balance USD 4.20" in deepseek.finding.message
    empty, *_ = probe(tmp_path / "empty", "deepseek", "no_credit")
    assert empty.code == "probe.billing" and "platform.deepseek.com" in (empty.finding.fix or "")


def test_a_malformed_key_of_another_provider_is_never_sent(tmp_path: Path) -> None:
    key = fakekeys.openai_key("malformed")
    with FakeProvider("openai", {key: "ok"}) as api:
        diag = install(tmp_path, "openai", key[:50] + " " + key[50:], api.base_url)
        (result,) = probe_profiles_sync(diag)
    assert result.code == "probe.skipped" and not api.seen
    assert "openclaw-triage key set --provider openai" in (result.finding.fix or "")


def test_a_chatgpt_sign_in_is_not_probed(tmp_path: Path) -> None:
    with FakeProvider("openai", {}) as api:
        LegacyHome(tmp_path).config(
            {"models": {"providers": {"openai": {"baseUrl": api.base_url, "models": []}}}}
        ).store(
            {
                "profiles": {
                    "openai:me": {
                        "type": "oauth",
                        "provider": "openai",
                        "access": "eyJ.fake.jwt",
                        "refresh": "r",
                        "expires": 0,
                    }
                }
            }
        )
        (result,) = probe_profiles_sync(run(tmp_path))
    assert result.code == "probe.skipped" and "sign-in" in result.finding.message and not api.seen


def test_a_base_url_that_is_not_the_providers_api_is_a_wrong_path(tmp_path: Path) -> None:
    key = fakekeys.groq_key("path")
    with FakeProvider("groq", {key: "ok"}) as api:
        diag = install(tmp_path, "groq", key, api.base_url.replace("/openai/v1", "/v1"))
        (result,) = probe_profiles_sync(diag)
    assert result.code == "probe.wrong_path" and "Groq's API" in result.finding.message


def test_the_probe_command_asks_every_provider_in_the_install(tmp_path: Path) -> None:
    from tests.support.cli import run_cli

    openai_key, anthropic_key = fakekeys.BY_PROVIDER["openai"]("cli"), fakekeys.api_key("cli-probe")
    with FakeProvider("openai", {openai_key: "invalid"}) as api:
        LegacyHome(tmp_path).config(
            {
                "agents": {"defaults": {"model": "openai/some-model"}},
                "models": {"providers": {"openai": {"baseUrl": api.base_url, "models": []}}},
            }
        ).store(
            {
                "profiles": {
                    "openai:default": api_key_profile(openai_key, "openai"),
                    "anthropic:default": api_key_profile(anthropic_key + " x"),  # malformed: never sent
                }
            }
        )
        everything = run_cli(tmp_path, "probe", "--json", env={"NO_PROXY": "*"})
        only_openai = run_cli(tmp_path, "probe", "--provider", "openai", env={"NO_PROXY": "*"})
    codes = {r["profileId"]: r["code"] for r in json.loads(everything.stdout)["results"]}
    assert codes["openai:default"] == "probe.invalid_key" and "anthropic:default" in codes
    assert "openai:default" in only_openai.stdout and "anthropic:default" not in only_openai.stdout
    for ran in (everything, only_openai):
        assert openai_key not in ran.stdout + ran.stderr and anthropic_key not in ran.stdout + ran.stderr
