"""Where each credential comes from (`diagnose.sources`, `check`'s "Where credentials come from",
`check --json` `credentialSources`): every place OpenClaw looks, in its precedence, masked,
the one that wins and the ones it hides. Values are fake keys; none is ever printed whole."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from openclaw_triage.diagnose.result import Diagnosis, Source
from openclaw_triage.diagnose.run import diagnose
from openclaw_triage.keys import mask
from openclaw_triage.openclaw.install import inspect_install
from openclaw_triage.openclaw.locate import Options
from openclaw_triage.output.check import check_json, check_text
from openclaw_triage.output.schema import CheckReport
from tests import fakekeys
from tests.builders import CurrentHome, LegacyHome, api_key_profile
from tests.gateway_fakes import free_port

NOW = 1_800_000_000_000.0
OPENAI_MODEL = {"agents": {"defaults": {"model": "openai/gpt-5.5"}}}


def run(home: Path, **env: str) -> Diagnosis:
    tmp = home / "tmp"
    tmp.mkdir(exist_ok=True)
    base = {"HOME": str(home), "PATH": "", "TMPDIR": str(tmp), "OPENCLAW_GATEWAY_PORT": str(free_port())}
    install = inspect_install(Options(openclaw="none"), env={**base, **env})
    return diagnose(install, now_ms=NOW)


def sources(diag: Diagnosis, provider: str) -> list[Source]:
    (group,) = [g for g in diag.sources if g.provider == provider]
    return group.sources


def row(diag: Diagnosis, provider: str, kind: str, variable: str | None = None) -> Source:
    (found,) = [s for s in sources(diag, provider) if s.kind == kind and (variable is None or s.variable == variable)]
    return found


def used(diag: Diagnosis, provider: str) -> Source | None:
    return next((s for s in sources(diag, provider) if s.status == "used"), None)


def shown(diag: Diagnosis, *secrets: str) -> str:
    """The check text and JSON, with no secret in either (JSON valid against the contract)."""
    doc = check_json(diag)
    CheckReport.model_validate(doc)
    text = check_text(diag) + "\n" + json.dumps(doc)
    for secret in secrets:
        assert secret not in text
        assert secret[10:40] not in text
    return text


def unit(home: Path, **env: str) -> None:
    """A systemd user unit for the gateway with these `Environment=` values (no process running)."""
    units = home / ".config" / "systemd" / "user"
    units.mkdir(parents=True, exist_ok=True)
    lines = "".join(f"Environment={k}={v}\n" for k, v in env.items())
    (units / "openclaw-gateway.service").write_text(f"[Service]\nExecStart=/bin/true\n{lines}")


def test_a_profile_shadows_the_env_var_you_set(tmp_path: Path) -> None:
    """The seed thread's first guess, "the gateway isn't seeing the env var you set": it sees it,
    and a stored profile wins over it; the output says which, masked."""
    stored, env_key = fakekeys.api_key("stored"), fakekeys.api_key("exported")
    LegacyHome(tmp_path).config({}).store({"profiles": {"anthropic:default": api_key_profile(stored)}})
    diag = run(tmp_path, ANTHROPIC_API_KEY=env_key)
    winner = used(diag, "anthropic")
    assert winner is not None and winner.kind == "profile" and winner.where.startswith("anthropic:default")
    assert winner.value == mask(stored, era="json")
    env_row = row(diag, "anthropic", "process env", "ANTHROPIC_API_KEY")
    assert env_row.status == "shadowed" and env_row.value == mask(env_key, era="json")
    text = shown(diag, stored, env_key)
    assert "Where credentials come from (anthropic)" in text
    assert f"shadowed  process env    {mask(env_key, era='json')}" in text
    assert f"used      profile        {mask(stored, era='json')}" in text


def test_an_openai_default_model_with_openai_api_key_set(tmp_path: Path) -> None:
    key = fakekeys.openai_key("env")
    CurrentHome(tmp_path).config(OPENAI_MODEL)
    diag = run(tmp_path, OPENAI_API_KEY=key)
    winner = used(diag, "openai")
    assert winner is not None and winner.kind == "process env" and winner.variable == "OPENAI_API_KEY"
    assert winner.value == mask(key)
    assert [s.status for s in sources(diag, "openai") if s.status != "not set"] == ["used"]
    assert [g.provider for g in diag.sources] == ["openai"]  # only the providers in use
    text = shown(diag, key)
    assert "Where credentials come from (openai)" in text


def test_a_key_only_in_the_service_environment_is_what_the_gateway_uses(tmp_path: Path) -> None:
    key = fakekeys.openai_key("service")
    CurrentHome(tmp_path).config(OPENAI_MODEL)
    unit(tmp_path, OPENAI_API_KEY=key)
    diag = run(tmp_path)
    winner = used(diag, "openai")
    assert winner is not None and winner.kind == "gateway env" and "openclaw-gateway.service" in winner.where
    assert winner.value == mask(key)
    assert not [s for s in sources(diag, "openai") if s.kind == "shell env"]
    shown(diag, key)


def test_a_key_only_in_your_shell_is_unseen_by_a_service_gateway(tmp_path: Path) -> None:
    """Exported in the shell, but the gateway runs from a systemd unit that does not have it."""
    key = fakekeys.openai_key("shell")
    CurrentHome(tmp_path).config(OPENAI_MODEL)
    unit(tmp_path, FOO="1")
    diag = run(tmp_path, OPENAI_API_KEY=key)
    assert used(diag, "openai") is None
    shell = row(diag, "openai", "shell env", "OPENAI_API_KEY")
    assert shell.status == "unseen" and shell.value == mask(key) and "does not see your shell" in shell.note
    assert row(diag, "openai", "gateway env", "OPENAI_API_KEY").status == "not set"
    text = shown(diag, key)
    assert "unseen    shell env" in text


def test_the_process_environment_wins_over_dotenv_which_wins_over_the_config_env_block(tmp_path: Path) -> None:
    process, dotenv, block = (fakekeys.openai_key(s) for s in ("process", "dotenv", "block"))
    CurrentHome(tmp_path).config({**OPENAI_MODEL, "env": {"vars": {"OPENAI_API_KEY": block}}})
    (tmp_path / ".openclaw" / ".env").write_text(f"OPENAI_API_KEY={dotenv}\n")
    diag = run(tmp_path, OPENAI_API_KEY=process)
    env_rows = [(s.kind, s.status, s.value) for s in sources(diag, "openai") if s.variable == "OPENAI_API_KEY"]
    assert env_rows[0] == ("process env", "used", mask(process))
    assert (".env", "shadowed", mask(dotenv)) in env_rows
    assert env_rows[-1] == ("config env", "shadowed", mask(block))
    shown(diag, process, dotenv, block)
    # Without the process's own value, the .env file is what OpenClaw reads.
    diag = run(tmp_path)
    winner = used(diag, "openai")
    assert winner is not None and winner.kind == ".env" and winner.value == mask(dotenv)
    assert row(diag, "openai", "config env").status == "shadowed"


def test_a_config_api_key_comes_after_profiles_and_the_environment(tmp_path: Path) -> None:
    config_key, env_key = fakekeys.openai_key("config"), fakekeys.openai_key("env")
    config: dict[str, Any] = {**OPENAI_MODEL, "models": {"providers": {"openai": {"apiKey": config_key}}}}
    LegacyHome(tmp_path).config(config)
    diag = run(tmp_path)
    winner = used(diag, "openai")
    assert winner is not None and winner.kind == "config apiKey" and winner.value == mask(config_key, era="json")
    assert "models.providers.openai.apiKey" in winner.where
    shown(diag, config_key)
    diag = run(tmp_path, OPENAI_API_KEY=env_key)
    assert row(diag, "openai", "process env").status == "used"
    assert row(diag, "openai", "config apiKey").status == "shadowed"
    shown(diag, config_key, env_key)


def test_a_config_api_key_with_auth_api_key_goes_first_on_2026_9_only(tmp_path: Path) -> None:
    config_key, stored = fakekeys.openai_key("config"), fakekeys.openai_key("stored")
    providers = {"openai": {"auth": "api-key", "apiKey": config_key}}
    profiles = {"openai:default": api_key_profile(stored, "openai")}
    new = CurrentHome(tmp_path / "new").config({**OPENAI_MODEL, "models": {"providers": providers}})
    new.shared_store({"profiles": profiles})
    LegacyHome(tmp_path / "old").config({**OPENAI_MODEL, "models": {"providers": providers}}).store(
        {"profiles": profiles}
    )
    current = run(tmp_path / "new")
    assert [(s.kind, s.status) for s in sources(current, "openai") if s.status != "not set"] == [
        ("config apiKey", "used"),
        ("profile", "shadowed"),
    ]
    legacy = run(tmp_path / "old")
    assert [(s.kind, s.status) for s in sources(legacy, "openai") if s.status != "not set"] == [
        ("profile", "used"),
        ("config apiKey", "shadowed"),
    ]
    shown(current, config_key, stored)
    shown(legacy, config_key, stored)


def test_a_config_api_key_naming_a_variable_reads_it(tmp_path: Path) -> None:
    key = fakekeys.openai_key("named")
    CurrentHome(tmp_path).config({**OPENAI_MODEL, "models": {"providers": {"openai": {"apiKey": "OPENAI_API_KEY"}}}})
    diag = run(tmp_path, OPENAI_API_KEY=key)
    config_row = row(diag, "openai", "config apiKey")
    assert config_row.status == "shadowed" and config_row.value == mask(key) and "OPENAI_API_KEY" in config_row.note


def test_a_key_only_in_models_json_is_not_what_openclaw_sends(tmp_path: Path) -> None:
    key = fakekeys.openai_key("models-json")
    home = CurrentHome(tmp_path).config(OPENAI_MODEL)
    agent_dir = home.state / "agents" / "main" / "agent"
    agent_dir.mkdir(parents=True, exist_ok=True)
    (agent_dir / "models.json").write_text(json.dumps({"providers": {"openai": {"apiKey": key}}}))
    diag = run(tmp_path)
    assert used(diag, "openai") is None
    models = row(diag, "openai", "models.json")
    assert models.status == "unseen" and models.value == mask(key)
    shown(diag, key)


def test_fallback_providers_are_listed_and_an_unresolved_ref_is_named(tmp_path: Path) -> None:
    model = {"agents": {"defaults": {"model": {"primary": "openai/gpt-5.5", "fallbacks": ["openrouter/auto"]}}}}
    ref = {
        "type": "api_key",
        "provider": "openrouter",
        "keyRef": {"source": "env", "provider": "default", "id": "MY_OR_KEY"},
    }
    LegacyHome(tmp_path).config(model).store({"profiles": {"openrouter:default": ref}})
    diag = run(tmp_path)
    assert [g.provider for g in diag.sources] == ["openai", "openrouter"]
    profile = row(diag, "openrouter", "profile")
    assert profile.value == "(unresolved ref)" and profile.status == "not set"
    text = shown(diag)
    assert "Where credentials come from (openrouter)" in text and "(unresolved ref)" in text
    assert "not set   env            (not set)             OPENAI_API_KEY" in text
