"""2026.3 writes through the API: only what was asked changes, byte for byte, or nothing at all.

The strongest checks compare against files the real OpenClaw wrote (committed fixtures): our
`set_order` on `same_secret_two_profiles` must give exactly the bytes OpenClaw's own
`order set` gave in `same_secret_order_pinned`, and `clear_order` must give them back.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from openclaw_triage import write
from openclaw_triage.model import CredentialType, Install
from openclaw_triage.openclaw.install import inspect_install
from openclaw_triage.openclaw.locate import Options
from openclaw_triage.secret import Secret
from openclaw_triage.write import json_store
from openclaw_triage.write.atomic import write_atomic
from openclaw_triage.write.jsonfmt import dump_store, js_number
from tests import fakekeys
from tests.builders import LegacyHome, api_key_profile, token_profile
from tests.states import StateHome

KEY = fakekeys.api_key("js")
KEY2 = fakekeys.api_key("js2")
TOKEN = fakekeys.oauth_token("js")
STORE_REL = Path(".openclaw/agents/main/agent/auth-profiles.json")
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "states" / "legacy-2026.3"


pytestmark = pytest.mark.usefixtures("triage_state")  # our journal in a temp dir


def inspect(home: Path, **options: Any) -> Install:
    """Our view of a test home, isolated from the real user (no gateway port anybody listens on)."""
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "OPENCLAW_GATEWAY_PORT": "9"}
    return inspect_install(Options(**options), env=env)


def write_like_openclaw(path: Path, data: Any, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_bytes(dump_store(data))
    os.chmod(path, mode)
    return path


def untouched(triage_state: Path) -> bool:
    """Nothing was journaled or backed up."""
    return not any(triage_state.glob("journal/*.json")) and not any(triage_state.glob("backups/*"))


RICH = {
    "version": 1,
    "profiles": {
        "anthropic:default": {
            "type": "api_key",
            "provider": "anthropic",
            "key": KEY,
            "metadata": {"team": "zürich ✓"},
            "x-unknown": [1, 2.5, None, True],
        },
        "anthropic:manual": {"type": "token", "provider": "anthropic", "token": TOKEN, "expires": 4102444800000},
        "openai:default": {"type": "api_key", "provider": "openai", "key": "sk-proj-not-anthropic"},
    },
    "order": {"openai": ["openai:default"]},
    "lastGood": {"anthropic": "anthropic:default"},
    "usageStats": {"anthropic:default": {"lastUsed": 1764000000000, "errorCount": 0, "weird": 0.000001}},
    "x-top-level": {"kept": "yes", "ratio": 1.5e-7},
}


@pytest.fixture
def rich(tmp_path: Path) -> tuple[Path, Path]:
    home = tmp_path / "home"
    LegacyHome(home).config({})
    return home, write_like_openclaw(home / STORE_REL, RICH)


# --------------------------------------------------------------------------- byte-exact against OpenClaw


def _fixture_store(scenario: str) -> bytes:
    return (FIXTURES / scenario / "home" / STORE_REL).read_bytes()


def test_set_order_gives_exactly_the_bytes_openclaws_order_set_wrote(
    openclaw_state: Callable[[str, str], StateHome],
) -> None:
    st = openclaw_state("legacy-2026.3", "same_secret_two_profiles")
    change = write.set_order(inspect(st.home), "anthropic", ["anthropic:default"])
    assert (st.home / STORE_REL).read_bytes() == _fixture_store("same_secret_order_pinned")
    assert (
        change.changed
        and change.undoable
        and change.summary == ("Pinned the anthropic profile order to anthropic:default.")
    )


def test_clear_order_gives_back_exactly_the_bytes_before_openclaws_order_set(
    openclaw_state: Callable[[str, str], StateHome],
) -> None:
    st = openclaw_state("legacy-2026.3", "same_secret_order_pinned")
    write.clear_order(inspect(st.home), "anthropic")
    assert (st.home / STORE_REL).read_bytes() == _fixture_store("same_secret_two_profiles")


def test_upsert_and_order_reproduce_openclaws_file(openclaw_state: Callable[[str, str], StateHome]) -> None:
    """one_api_key + anthropic:work + `order set work default` = order_pinned_to_broken, byte for byte."""
    st = openclaw_state("legacy-2026.3", "one_api_key")
    path = st.home / STORE_REL
    expected = _fixture_store("order_pinned_to_broken")
    # The fixture's broken (truncated) fake key, taken from the file: the API would refuse it, on purpose.
    truncated = json.loads(expected)["profiles"]["anthropic:work"]["key"]
    json_store.apply(path, json_store.upsert_secret("anthropic:work", "anthropic", CredentialType.API_KEY, truncated))
    write.set_order(inspect(st.home), "anthropic", ["anthropic:work", "anthropic:default"])
    assert path.read_bytes() == expected


def test_round_trip_of_a_store_onboard_wrote_is_byte_identical(
    openclaw_state: Callable[[str, str], StateHome],
) -> None:
    st = openclaw_state("legacy-2026.3", "one_api_key")
    path = st.home / STORE_REL
    before = path.read_bytes()
    install = inspect(st.home)
    write.set_order(install, "anthropic", ["anthropic:default"])
    write.clear_order(install, "anthropic")
    assert path.read_bytes() == before


# --------------------------------------------------------------------------- what is kept


def _without(data: dict[str, Any], *path: str) -> dict[str, Any]:
    out = json.loads(json.dumps(data))
    node = out
    for part in path[:-1]:
        node = node[part]
    node.pop(path[-1], None)
    return out


def test_set_order_changes_only_the_order(rich: tuple[Path, Path]) -> None:
    home, path = rich
    before = path.read_bytes()
    write.set_order(inspect(home), " Anthropic ", [" anthropic:manual ", "anthropic:default", "anthropic:manual"])
    after = json.loads(path.read_bytes())
    assert after["order"] == {"openai": ["openai:default"], "anthropic": ["anthropic:manual", "anthropic:default"]}
    assert _without(after, "order", "anthropic") == json.loads(before)
    assert list(after) == list(RICH)  # key order kept
    write.clear_order(inspect(home), "anthropic")
    assert path.read_bytes() == before  # the rest was never re-formatted


def test_set_order_into_a_store_without_order_puts_it_after_profiles(tmp_path: Path) -> None:
    home = tmp_path
    path = LegacyHome(home).store(
        {"profiles": {"anthropic:default": api_key_profile(KEY)}, "usageStats": {}, "lastGood": {}}
    )
    write.set_order(inspect(home), "anthropic", ["anthropic:default"])
    assert list(json.loads(path.read_text())) == ["version", "profiles", "order", "usageStats", "lastGood"]


def test_clear_order_drops_an_empty_order_object(tmp_path: Path) -> None:
    path = LegacyHome(tmp_path).store(
        {"profiles": {"anthropic:default": api_key_profile(KEY)}, "order": {"anthropic": ["anthropic:default"]}}
    )
    change = write.clear_order(inspect(tmp_path), "ANTHROPIC")
    assert "order" not in json.loads(path.read_text()) and change.changed
    again = write.clear_order(inspect(tmp_path), "anthropic")
    assert not again.changed and again.id == "" and not again.undoable


def test_set_key_replaces_only_the_secret(rich: tuple[Path, Path]) -> None:
    home, path = rich
    before = json.loads(path.read_bytes())
    change = write.set_key(inspect(home), "anthropic", "anthropic:default", Secret(KEY2), type=CredentialType.API_KEY)
    after = json.loads(path.read_bytes())
    assert after["profiles"]["anthropic:default"]["key"] == KEY2
    assert _without(after, "profiles", "anthropic:default", "key") == _without(
        before, "profiles", "anthropic:default", "key"
    )
    assert change.summary == f"Set the secret of anthropic:default (api_key) to {KEY2[:8]}...{KEY2[-8:]}."


def test_set_key_creates_a_profile_shaped_like_openclaws(tmp_path: Path) -> None:
    path = LegacyHome(tmp_path).store({"profiles": {"anthropic:default": api_key_profile(KEY)}})
    change = write.set_key(inspect(tmp_path), "Anthropic", "anthropic:manual", Secret(TOKEN), type=CredentialType.TOKEN)
    entry = json.loads(path.read_text())["profiles"]["anthropic:manual"]
    assert list(entry.items()) == [("type", "token"), ("provider", "anthropic"), ("token", TOKEN)]
    assert change.summary.startswith("Added anthropic:manual (token) with sk-ant-o...")


def test_set_key_over_a_key_ref_drops_the_ref_and_says_why(tmp_path: Path) -> None:
    ref = {"source": "env", "provider": "default", "id": "ANTHROPIC_API_KEY"}
    path = LegacyHome(tmp_path).store(
        {"profiles": {"anthropic:default": {"type": "api_key", "provider": "anthropic", "keyRef": ref, "note": 1}}}
    )
    change = write.set_key(
        inspect(tmp_path), "anthropic", "anthropic:default", Secret(KEY), type=CredentialType.API_KEY
    )
    entry = json.loads(path.read_text())["profiles"]["anthropic:default"]
    assert entry == {"type": "api_key", "provider": "anthropic", "note": 1, "key": KEY}
    assert any("keyRef (env:ANTHROPIC_API_KEY)" in n for n in change.notes)


def test_set_key_on_a_token_drops_the_old_expiry(tmp_path: Path) -> None:
    path = LegacyHome(tmp_path).store(
        {"profiles": {"anthropic:manual": token_profile(fakekeys.oauth_token("old"), expires=1)}}
    )
    change = write.set_key(inspect(tmp_path), "anthropic", "anthropic:manual", Secret(TOKEN), type=CredentialType.TOKEN)
    assert "expires" not in json.loads(path.read_text())["profiles"]["anthropic:manual"]
    assert any("expiry" in n for n in change.notes)


def test_set_key_keeps_the_legacy_apikey_spelling(tmp_path: Path) -> None:
    path = LegacyHome(tmp_path).store(
        {"profiles": {"anthropic:default": {"mode": "api_key", "provider": "anthropic", "apiKey": KEY}}}
    )
    write.set_key(inspect(tmp_path), "anthropic", "anthropic:default", Secret(KEY2), type=CredentialType.API_KEY)
    assert json.loads(path.read_text())["profiles"]["anthropic:default"] == {
        "mode": "api_key",
        "provider": "anthropic",
        "apiKey": KEY2,
    }


def test_the_same_secret_again_is_no_change(tmp_path: Path, triage_state: Path) -> None:
    path = LegacyHome(tmp_path).store({"profiles": {"anthropic:default": api_key_profile(KEY)}})
    before = path.read_bytes()
    change = write.set_key(
        inspect(tmp_path), "anthropic", "anthropic:default", Secret(KEY), type=CredentialType.API_KEY
    )
    assert not change.changed and path.read_bytes() == before and untouched(triage_state)


def test_remove_profile_removes_every_reference(rich: tuple[Path, Path]) -> None:
    home, path = rich
    write.set_order(inspect(home), "anthropic", ["anthropic:default", "anthropic:manual"])
    change = write.remove_profile(inspect(home), "anthropic:default")
    after = json.loads(path.read_text())
    assert "anthropic:default" not in after["profiles"]
    assert after["order"] == {"openai": ["openai:default"], "anthropic": ["anthropic:manual"]}
    assert after["lastGood"] == {} and "anthropic:default" not in after["usageStats"]
    assert after["x-top-level"] == RICH["x-top-level"]
    assert change.summary == "Removed anthropic:default." and change.notes


# --------------------------------------------------------------------------- refusals change nothing


@pytest.mark.parametrize(
    ("call", "error", "text"),
    [
        (
            lambda i: write.set_order(i, "anthropic", ["anthropic:nope"]),
            write.ProfileNotFound,
            'Auth profile "anthropic:nope" not found',
        ),
        (lambda i: write.set_order(i, "anthropic", ["openai:default"]), write.InvalidInput, "is for openai"),
        (lambda i: write.set_order(i, "anthropic", [" ", ""]), write.InvalidInput, "Missing profile ids"),
        (
            lambda i: write.set_key(i, "anthropic", "anthropic:manual", Secret(KEY), type=CredentialType.API_KEY),
            write.InvalidInput,
            "anthropic:manual is a token profile",
        ),
        (
            lambda i: write.set_key(i, "anthropic", "anthropic:x", Secret(TOKEN), type=CredentialType.API_KEY),
            write.InvalidSecret,
            "setup token",
        ),
        (
            lambda i: write.set_key(
                i, "anthropic", "anthropic:x", Secret(KEY[:50] + " " + KEY[50:]), type=CredentialType.API_KEY
            ),
            write.InvalidSecret,
            "space",
        ),
        (
            lambda i: write.set_key(
                i, "anthropic", "anthropic:x", Secret(fakekeys.refresh_token()), type=CredentialType.TOKEN
            ),
            write.InvalidSecret,
            "refresh token",
        ),
        (
            lambda i: write.set_key(
                i, "anthropic", "anthropic:x", Secret(fakekeys.admin_key()), type=CredentialType.API_KEY
            ),
            write.InvalidSecret,
            "Admin",
        ),
        (
            lambda i: write.set_key(
                i, "anthropic", "anthropic:x", Secret(fakekeys.openrouter_key()), type=CredentialType.API_KEY
            ),
            write.InvalidSecret,
            "OpenRouter",
        ),
        (lambda i: write.remove_profile(i, "anthropic:nope"), write.ProfileNotFound, "anthropic:nope"),
        (lambda i: write.set_order(i, "anthropic", ["anthropic:default"], agent="ghost"), write.InvalidInput, "ghost"),
    ],
)
def test_refusals_change_nothing(
    rich: tuple[Path, Path], triage_state: Path, call: Callable[[Install], object], error: type, text: str
) -> None:
    home, path = rich
    before = path.read_bytes()
    with pytest.raises(error) as info:
        call(inspect(home))
    assert text in str(info.value)
    assert path.read_bytes() == before
    assert untouched(triage_state)
    for secret in (KEY, TOKEN, KEY2):
        assert secret not in str(info.value)


@pytest.mark.parametrize(
    "raw",
    [
        '{\n  "version": 1,\n  "profiles": {\n    "anthropic:default": {\n      "type": "api_key",',
        '\ufeff{"version": 1, "profiles": {}}',
        "",
        "[]",
        '{"version": 1, "profiles": []}',
        '{"version": 1, "profiles": {}, "usageStats": {"x": {"lastUsed": NaN}}}',
    ],
    ids=["truncated", "bom", "empty", "array", "profiles-array", "nan"],
)
def test_a_broken_store_is_never_overwritten(tmp_path: Path, triage_state: Path, raw: str) -> None:
    path = LegacyHome(tmp_path).raw_store(raw)
    before = path.read_bytes()
    install = inspect(tmp_path)
    for call in (
        lambda: write.set_order(install, "anthropic", ["anthropic:default"], validate=False),
        lambda: write.clear_order(install, "anthropic"),
        lambda: write.set_key(install, "anthropic", "anthropic:default", Secret(KEY), type=CredentialType.API_KEY),
        lambda: write.remove_profile(install, "anthropic:default"),
    ):
        with pytest.raises(write.StoreBroken) as info:
            call()
        assert "not overwritten" in str(info.value)
    assert path.read_bytes() == before
    assert untouched(triage_state)
    assert sorted(p.name for p in path.parent.iterdir()) == ["auth-profiles.json"]


def test_a_store_truncated_mid_write_is_refused(openclaw_state: Callable[[str, str], StateHome]) -> None:
    """The `broken_store` story: an interrupted in-place write left half of a real store."""
    st = openclaw_state("legacy-2026.3", "one_api_key")
    path = st.home / STORE_REL
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    before = path.read_bytes()
    with pytest.raises(write.StoreBroken, match="is not valid JSON"):
        write.set_key(inspect(st.home), "anthropic", "anthropic:default", Secret(KEY), type=CredentialType.API_KEY)
    assert path.read_bytes() == before


# --------------------------------------------------------------------------- files: mode, symlinks, agents


def test_mode_0600_is_kept_and_a_wider_mode_is_tightened(tmp_path: Path) -> None:
    path = LegacyHome(tmp_path).store({"profiles": {"anthropic:default": api_key_profile(KEY)}})
    write.set_order(inspect(tmp_path), "anthropic", ["anthropic:default"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    os.chmod(path, 0o644)
    change = write.clear_order(inspect(tmp_path), "anthropic")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert any("644 to 600" in n for n in change.notes)
    write.undo(change.id)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # an undo restores exactly, mode included


def test_a_symlinked_store_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    home = tmp_path / "home"
    LegacyHome(home).config({})
    real = write_like_openclaw(
        tmp_path / "dotfiles" / "auth-profiles.json", {"version": 1, "profiles": RICH["profiles"]}
    )
    link = home / STORE_REL
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(real)
    write.set_order(inspect(home), "anthropic", ["anthropic:default"])
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert json.loads(real.read_text())["order"] == {"anthropic": ["anthropic:default"]}
    assert not (link.parent / "auth-profiles.json.lock").exists()


def test_write_atomic_keeps_mode_and_cleans_up_on_failure(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_text("old")
    os.chmod(path, 0o640)
    write_atomic(path, b"new")
    assert path.read_text() == "new" and stat.S_IMODE(path.stat().st_mode) == 0o640

    def boom() -> None:
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        write_atomic(path, b"newer", before_replace=boom)
    assert path.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.json"]
    os.mkdir(tmp_path / "d")
    with pytest.raises(write.WriteError, match="not a regular file"):
        write_atomic(tmp_path / "d", b"x")


def test_a_non_main_agent_gets_its_own_file_and_main_is_untouched(tmp_path: Path, triage_state: Path) -> None:
    h = LegacyHome(tmp_path).config({"agents": {"list": [{"id": "main", "default": True}, {"id": "work"}]}})
    main = h.store({"profiles": {"anthropic:default": api_key_profile(KEY)}})
    main_before = main.read_bytes()
    install = inspect(tmp_path)
    # Validation sees main's profiles (the agent inherits them), the order lands in work's file.
    change = write.set_order(install, "anthropic", ["anthropic:default"], agent="work")
    work = tmp_path / ".openclaw/agents/work/agent/auth-profiles.json"
    assert json.loads(work.read_text()) == {"version": 1, "profiles": {}, "order": {"anthropic": ["anthropic:default"]}}
    assert stat.S_IMODE(work.stat().st_mode) == 0o600 and stat.S_IMODE(work.parent.stat().st_mode) == 0o700
    assert main.read_bytes() == main_before and change.agent == "work"
    write.set_key(install, "anthropic", "anthropic:default", Secret(KEY2), type=CredentialType.API_KEY, agent="work")
    assert json.loads(work.read_text())["profiles"]["anthropic:default"]["key"] == KEY2
    assert main.read_bytes() == main_before
    # Undo both: the file we created disappears again.
    write.undo()
    write.undo()
    assert not work.exists() and main.read_bytes() == main_before


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can make files for another user")
def test_sudo_leaves_the_users_tree_owned_by_the_user(tmp_path: Path, triage_state: Path) -> None:
    """`sudo openclaw-triage` on a user's install: what it creates must be the user's, or the
    user's own OpenClaw (and gateway) could no longer read its agent's store."""
    h = LegacyHome(tmp_path).config({"agents": {"list": [{"id": "main", "default": True}, {"id": "work"}]}})
    h.store({"profiles": {"anthropic:default": api_key_profile(KEY)}})
    user = (4321, 4321)
    for folder, _, files in os.walk(tmp_path):
        for name in [folder, *(os.path.join(folder, f) for f in files)]:
            os.chown(name, *user)
    write.set_order(inspect(tmp_path), "anthropic", ["anthropic:default"], agent="work")
    write.set_key(inspect(tmp_path), "anthropic", "anthropic:default", Secret(KEY2), type=CredentialType.API_KEY)
    assert (tmp_path / ".openclaw/agents/work/agent/auth-profiles.json").exists()
    assert triage_state.is_relative_to(tmp_path) and any(triage_state.rglob("*"))  # journal and backups
    for folder, dirs, files in os.walk(tmp_path):
        for name in [folder, *(os.path.join(folder, f) for f in dirs + files)]:
            st = os.lstat(name)
            assert (st.st_uid, st.st_gid) == user, name


def test_an_agent_without_the_profile_anywhere_is_refused(tmp_path: Path) -> None:
    LegacyHome(tmp_path).config({"agents": {"list": [{"id": "main"}, {"id": "work"}]}})
    with pytest.raises(write.ProfileNotFound):
        write.set_order(inspect(tmp_path), "anthropic", ["anthropic:default"], agent="work")
    assert not (tmp_path / ".openclaw/agents/work/agent/auth-profiles.json").exists()


# --------------------------------------------------------------------------- JSON.stringify


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1"),
        (0.1, "0.1"),
        (1e-05, "0.00001"),
        (1e-07, "1e-7"),
        (1.5e-07, "1.5e-7"),
        (1e16, "10000000000000000"),
        (1e21, "1e+21"),
        (-2.5e30, "-2.5e+30"),
        (123.456, "123.456"),
        (5e-324, "5e-324"),
        (float("nan"), "null"),
    ],
)
def test_numbers_are_written_as_javascript_writes_them(value: float, text: str) -> None:
    assert js_number(value) == text


def test_strings_are_written_as_javascript_writes_them() -> None:
    data = {"a": 'zürich\u2028\x01"\\', "b": "\ud800", "c": [], "d": {}}
    assert dump_store(data).decode("utf-8") == (
        '{\n  "a": "zürich\u2028\\u0001\\"\\\\",\n  "b": "\\ud800",\n  "c": [],\n  "d": {}\n}\n'
    )
