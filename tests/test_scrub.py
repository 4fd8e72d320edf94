"""The one scrubber: every secret it knows, whole or in the pieces a wrapped paste leaves, and
every secret shape, masked in one pass, however many secrets an install holds."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from openclaw_triage.scrub import Scrubber, known_secrets, scrub
from tests import fakekeys

API = fakekeys.api_key("scrub")


def test_a_known_secret_is_masked_as_openclaw_masks_it_wherever_it_stands() -> None:
    custom = "proxy-secret-Zq9xWv7u"  # no known shape: only the known-secret pass can catch it
    out = Scrubber([custom, API])(f"a{custom}b said {API}.")
    assert custom not in out and API not in out
    assert f"a{custom[:8]}...{custom[-8:]}b" in out and f"{API[:8]}...{API[-8:]}" in out


def test_the_pieces_of_a_wrapped_key_are_masked_too() -> None:
    wrapped = API[:60] + "\n" + API[60:]
    out = Scrubber([wrapped])(f"first {API[:60]} then {API[60:]}")
    assert API[:60] not in out and API[60:] not in out


def test_a_secret_holding_another_is_masked_whole_and_overlapping_starts_are_all_seen() -> None:
    long, short = "abcdefghijklmnopqrstuvwxyz123", "defghijklmnopqrstu"
    scrubber = Scrubber([long, short])
    assert scrubber(long) == "abcdefgh...vwxyz123"
    # The long one is not there (its last character is missing), the short one inside it is.
    assert scrubber("xx" + long[:-1]) == "xxabc" + "defghijk...nopqrstu" + "vwxyz12"


def test_shapes_are_masked_without_being_told_and_ordinary_words_stay() -> None:
    text = f"Bearer {fakekeys.oauth_token('x')} and {fakekeys.openrouter_key('r')}; short words stay"
    out = scrub(text)
    assert fakekeys.oauth_token("x") not in out and fakekeys.openrouter_key("r") not in out
    assert out.endswith("; short words stay")
    assert Scrubber(["tiny"])("tiny text stays") == "tiny text stays"  # too short to be a secret


def test_ten_thousand_secrets_are_each_masked() -> None:
    keys = [fakekeys.api_key(f"k{i}") for i in range(10_000)]
    out = Scrubber(keys, era="json")("\n".join(f"{i}: {k}" for i, k in enumerate(keys)))
    assert not any(k in out for k in keys)
    assert out.count("...") == len(keys)


def test_configured_request_headers_count_as_secrets_but_plain_ones_do_not() -> None:
    install = SimpleNamespace(
        agents=[],
        seen_env={},
        config=SimpleNamespace(
            data={
                "models": {
                    "providers": {
                        "anthropic": {
                            "headers": {"X-Proxy-Auth": "pxy_7sQ2mN9vB4kL", "content-type": "application/json"}
                        }
                    }
                }
            }
        ),
    )
    secrets = known_secrets(install)
    assert "pxy_7sQ2mN9vB4kL" in secrets and "application/json" not in secrets
    assert "pxy_7sQ2mN9vB4kL" not in Scrubber(secrets)("proxy says: bad X-Proxy-Auth pxy_7sQ2mN9vB4kL")


def test_many_secrets_sharing_long_prefixes_and_holding_each_other_are_each_masked_whole() -> None:
    base = fakekeys.api_key("nest")
    nested = [base[:n] for n in (8, 12, 19, 20, 21, 40, 108)]  # each a prefix of the next
    others = [fakekeys.api_key(f"k{i}")[:30] + f"-{i:05d}" for i in range(2_000)]  # same first 20 chars
    scrubber = Scrubber([*nested, *others])
    for secret in [*nested, *others[::97]]:
        out = scrubber(f"<{secret}>")
        assert out == f"<{scrubber.mask(secret)}>", f"{scrubber.mask(secret)} not masked whole"
    text = " ".join(others)
    assert scrubber(text).count("...") == len(others)


def test_finding_the_secrets_is_one_pass_whatever_their_number() -> None:
    """Structural, not timed: the scan's expression holds only the secrets' first characters, and
    building the matcher adds one dictionary entry per secret, so 20,000 keys sharing a prefix
    cost the scan what one does."""
    from openclaw_triage.scrub import _Matcher

    one = _Matcher([fakekeys.api_key("one")])
    many = _Matcher([fakekeys.api_key(f"m{i}") for i in range(20_000)])
    assert many._starts.pattern == one._starts.pattern  # every key starts `sk-a`
    assert sum(len(c) for c in many._long.values()) == 20_000 and max(map(len, many._long.values())) == 1


def test_a_json_document_stays_valid_and_keeps_its_shape() -> None:
    import json

    key = fakekeys.api_key("json")
    doc = {"id": f"anthropic:{key}", "list": [f'token="{key}"', 3, None], key: True}
    out = Scrubber([key]).json(doc)
    assert key not in json.dumps(out)
    assert json.loads(json.dumps(out))["list"][1:] == [3, None] and out["id"].startswith("anthropic:sk-ant-a...")


@pytest.mark.parametrize("provider", ["xai", "groq", "google", "openrouter", "openai"])
def test_a_key_of_any_provider_is_masked_by_its_shape_alone(provider: str) -> None:
    from openclaw_triage.scrub import scrub

    key = fakekeys.BY_PROVIDER[provider]("shape-only")  # known to no install: only its shape gives it away
    said = scrub(f'proxy error: {{"detail": "key {key} was rejected"}}')
    assert key not in said and key[:8] in said


def test_a_new_gemini_key_is_masked_by_its_shape() -> None:
    from openclaw_triage.scrub import scrub

    key = "AQ.Ab8RN6" + "x7Kp2LmQ9vTz" * 4
    assert key not in scrub(f"403 for {key}")
