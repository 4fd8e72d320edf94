"""The one scrubber: every secret it knows, whole or in the pieces a wrapped paste leaves, and
every secret shape, masked in one pass, however many secrets an install holds."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

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


# --- JSON documents: `Scrubber.dumps` scrubs the serialised text in one pass, and gives exactly
# what scrubbing each string (keys too; those shorter than a secret stay) would.


def _each_string(scrubber: Scrubber, value: object) -> object:
    """The rule `dumps` keeps, value by value: the walk it replaced."""
    if isinstance(value, str):
        return value if len(value) < 8 else scrubber(value)
    if isinstance(value, dict):
        return {_each_string(scrubber, k): _each_string(scrubber, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_each_string(scrubber, v) for v in value]
    return value


def _dumps_as_each_string(scrubber: Scrubber, doc: object) -> Any:
    import json

    text = scrubber.dumps(doc)
    assert json.loads(text) == _each_string(scrubber, doc)
    return json.loads(text)


def test_a_label_masks_the_value_in_its_own_string_but_never_the_next_field() -> None:
    value = "plain-value-12345"  # after a field named token or password: a field, not a labelled secret
    doc = {
        "token": value,
        "password": [value],
        "said": "token=abcdefgh12345",
        "quoted": 'api_key": "abcdefgh12345"',  # an error body quoted in a message: escaped in the text
        "wrapped": "Bearer\tabcdefgh12345 and secret :\n  abcdefgh12345",
        "kelvin": "to\u212aen=abcdefgh12345",  # (?i) reads K (Kelvin sign) as k, and ſ as s
        "long-s": "\u017fecret: abcdefgh12345",
        "masks": "a=token:sk-ant-o...abcdefgh, Bearer abcd...wxyz; secret='ab...cd'",  # left as they are
        "mask-and-more": "token=sk-ant-o...abcdefghi and token:\tabcdefgh12345",
    }
    out = _dumps_as_each_string(Scrubber(), doc)
    assert out["token"] == value and out["password"] == [value] and out["masks"] == doc["masks"]
    assert "sk-ant-o...abcdefghi" not in out["mask-and-more"]  # 9 characters after the dots: not a mask
    for field in ("said", "quoted", "wrapped", "kelvin", "long-s", "mask-and-more"):
        assert "abcdefgh12345" not in out[field], field


def test_every_letter_case_insensitive_matching_reads_as_a_label_letter_is_seen() -> None:
    """Whatever Unicode letters `(?i)` takes for a letter of a label word, now or in a later
    Python, a label spelt with them is found in the serialised text too."""
    import re

    words = ("bearer ", "api-key=", "token=", "password=", "secret=")
    letters = sorted(set("".join(words)) - set(" -="))
    exotic = re.findall(f"(?i)[{''.join(letters)}]", "".join(map(chr, range(0x80, 0x30000))))
    assert exotic  # K, ſ, İ, ı today
    doc = [
        w.replace(letter, c) + "abcdefgh12345"
        for c in exotic
        for w in words
        for letter in letters
        if re.fullmatch(f"(?i){letter}", c)
    ]
    out = _dumps_as_each_string(Scrubber(), doc)
    assert not any("abcdefgh12345" in s for s in out)


def test_a_secret_with_quotes_backslashes_and_controls_is_found_as_json_writes_it() -> None:
    import json

    secrets = ['pa"ss\\word-Zq9xWv7u', "tab\there-Zq9xWv7u", "nul\x00-\x1f-Zq9xWv7u", "caf\u00e9-\u2028-Zq9xWv7u"]
    scrubber = Scrubber(secrets)
    doc = {s: f"<{s}>" for s in secrets}  # as keys and inside values
    text = scrubber.dumps(doc)
    assert not any(json.dumps(s, ensure_ascii=False)[1:-1] in text for s in secrets)
    out = _dumps_as_each_string(scrubber, doc)
    assert out == {scrubber.mask(s): f"<{scrubber.mask(s)}>" for s in secrets}


def test_what_only_looks_like_a_secret_in_the_serialised_text_stays() -> None:
    import json

    doc = {
        "escape": ["\nabcdefgh", "a", "b12345678"],  # `\nabcdefgh` in the text; `a", "b12345678` too
        "number": 12345678901234567890123456789012345678,  # 38 hex digits, outside any string
        "gap": ["x" * 20 + "\\", "sk-ant-api03-abcdefgh"],  # a backslash before a closing quote
    }
    scrubber = Scrubber(["nabcdefgh", 'a", "b12345678', "12345678901234567890"])
    text = scrubber.dumps(doc)
    out = json.loads(text)  # valid JSON
    assert out["escape"] == doc["escape"] and out["number"] == doc["number"]
    assert out["gap"] == ["x" * 20 + "\\", "sk-ant-a...abcdefgh"]


def test_names_are_replaced_in_json_as_in_text() -> None:
    scrubber = Scrubber(names=[("/home/alice", "~"), ("alice", "<user>")])
    out = _dumps_as_each_string(scrubber, {"path": "/home/alice/x", "who": "user alice here", "alice": "al"})
    assert out == {"path": "~/x", "who": "user <user> here", "alice": "al"}  # a key shorter than 8 stays


def test_dumps_indents_as_json_does() -> None:
    import json

    doc = {"a": [1, {"b": fakekeys.api_key("indent")}]}
    text = Scrubber().dumps(doc, indent=2)
    assert text.startswith('{\n  "a": [') and fakekeys.api_key("indent") not in text
    assert json.loads(text) == _each_string(Scrubber(), doc)


_PARTS = [
    "token",
    "Bearer ",
    "api_key",
    ":",
    "=",
    '"',
    "'",
    "\\",
    "\n",
    "\x01",
    " ",
    "\u00a0",
    "\u212a",
    "\u017f",
    "é",
    ".",
    "-",
    "abcdefgh",
    "0123456789abcdef",
    "sk-ant-",
    "AIza",
    "xai-",
    "/home/alice",
    "Zq9xWv7u",
    'pa"ss\\word-Zq9xWv7u',
    "hunter2hunter2",
    "ab...cd",
    "sk-ant-a...abcdefgh",
]


def test_dumps_agrees_with_scrubbing_each_string_on_any_document() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    text = st.lists(st.sampled_from(_PARTS) | st.text(max_size=4), max_size=12).map("".join)
    doc = st.recursive(
        st.none() | st.integers() | text,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
        max_leaves=20,
    )
    scrubber = Scrubber(
        ['pa"ss\\word-Zq9xWv7u', "hunter2hunter2", "0123456789abcdef0123"], names=[("/home/alice", "~")]
    )

    @settings(max_examples=300, deadline=None, database=None)
    @given(doc)
    def check(value: object) -> None:
        _dumps_as_each_string(scrubber, value)

    check()
