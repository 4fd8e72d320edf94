"""The parsers against arbitrary input: they answer or refuse cleanly, and never leak content."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openclaw_triage.model import Era
from openclaw_triage.openclaw.coerce import coerce_store
from openclaw_triage.openclaw.config import load_config, substitute
from openclaw_triage.openclaw.dotenv import parse_dotenv
from openclaw_triage.util.jsonio import ParseError, parse_json, parse_json5

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=30,
)


@given(json_values)
def test_json5_reads_every_json_document(value: object) -> None:
    text = json.dumps(value)
    assert parse_json5(text) == parse_json(text) == json.loads(text)


@given(st.text(max_size=200))
def test_parsers_answer_or_refuse_never_crash(text: str) -> None:
    for parse in (parse_json, parse_json5):
        try:
            parse(text)
        except ParseError as exc:
            # The message names the problem and the place, never a slice of the content.
            if len(text) > 12:
                assert text not in str(exc)


def test_json_refuses_what_node_refuses() -> None:
    for bad in ("NaN", '{"a": Infinity}', "\ufeff{}", "{a: 1}", "[1,]"):
        with pytest.raises(ParseError):
            parse_json(bad)
    assert parse_json5("{a: 1, /* c */ b: [1,],}") == {"a": 1, "b": [1]}


@given(json_values)
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_store_coercion_takes_any_json(value: object) -> None:
    for era in Era:
        store = coerce_store(value, era, location="x", layer="file")
        if store is not None:
            assert all(p.type in ("api_key", "token", "oauth") for p in store.profiles.values())


@given(
    st.dictionaries(
        st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ_", min_size=1, max_size=8),
        st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
        max_size=5,
    )
)
def test_dotenv_round_trips_simple_assignments(values: dict[str, str]) -> None:
    safe = {k: v.replace("'", "") for k, v in values.items() if not k[0].isdigit()}
    text = "".join(f"{k}='{v}'\n" for k, v in safe.items())
    assert parse_dotenv(text) == safe


@given(st.text(max_size=60), st.dictionaries(st.sampled_from(["A", "B_C", "KEY"]), st.text(max_size=10), max_size=3))
def test_substitution_never_crashes_and_only_touches_templates(text: str, env: dict[str, str]) -> None:
    missing: list[tuple[str, str]] = []
    out = substitute({"k": text}, env, missing)
    if "$" not in text:
        assert out == {"k": text}


def test_config_that_is_garbage_is_an_error_not_a_crash(tmp_path: Path) -> None:
    for garbage in (b"\x00\xff\xfe", b"[1,2", b'"just a string"', b"{" * 5000):
        path = tmp_path / "openclaw.json"
        path.write_bytes(garbage)
        config = load_config(path, {})
        assert config.error
