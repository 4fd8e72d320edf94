"""What reaches the terminal: control and bidi characters from outside are shown, not obeyed."""

from __future__ import annotations

import json
from pathlib import Path

from openclaw_triage.util.termsafe import termsafe
from tests import fakekeys
from tests.builders import LegacyHome, api_key_profile
from tests.support.cli import run_cli

EVIL_ID = "anthropic:\x1b]0;pwned\x07\x1b[2Jevil\u202e"


def test_escape_sequences_bidi_overrides_and_c1_controls_are_shown_escaped() -> None:
    out = termsafe("a\x1b[2Jb\x07c\x9bd\x7fe\u202ef\u2066g\rh\ni\tj")
    assert out == "a\\x1b[2Jb\\x07c\\x9bd\\x7fe\\u202ef\\u2066g\\x0dh\\x0ai\\x09j"
    assert termsafe("plain text · ünïcode ✓") == "plain text · ünïcode ✓"


def test_a_document_keeps_its_own_lines_and_tabs_but_not_a_carriage_return() -> None:
    assert termsafe("one\n\ttwo\r\x1b", multiline=True) == "one\n\ttwo\\x0d\\x1b"


def _evil_home(root: Path) -> Path:
    home = LegacyHome(root)
    home.config({})
    home.store({"profiles": {EVIL_ID: api_key_profile(fakekeys.api_key("evil"))}, "order": {"anthropic": [EVIL_ID]}})
    return root


def test_a_profile_id_with_escapes_shows_escaped_in_check_and_report(tmp_path: Path) -> None:
    home = _evil_home(tmp_path / "home")
    for args in (("check",), ("report",), ("sessions",)):
        ran = run_cli(home, *args)
        assert "\x1b" not in ran.stdout and "\u202e" not in ran.stdout, args
    check = run_cli(home, "check").stdout
    assert "anthropic:\\x1b]0;pwned\\x07\\x1b[2Jevil\\u202e" in check
    assert "\\x1b[2J" in run_cli(home, "report").stdout


def test_json_keeps_the_id_exactly_and_stays_valid(tmp_path: Path) -> None:
    home = _evil_home(tmp_path / "home")
    doc = json.loads(run_cli(home, "check", "--json").stdout)
    assert [p["id"] for p in doc["profiles"]] == [EVIL_ID]  # JSON escapes it; a script gets the real id
