"""Another provider's key, as the real CLI stored it: `onboard --openai-api-key`, `--openrouter-api-key`,
`--gemini-api-key`, `--xai-api-key`, `--mistral-api-key` (and `--deepseek-api-key`) on 2026.3.13 and 2026.9.6 (committed states; their profile labels and
default model are compared with the CLI's own `models status` in tests/test_fixture_labels.py).

A user whose default model is that provider's must get a clean report: its key judged by its own
shapes, the source table naming the profile OpenClaw uses, and the key itself nowhere.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import fakekeys
from tests.states import load_state
from tests.support.cli import fake_openclaw, run_cli

ERAS = ("legacy-2026.3", "current-2026.9")
# provider the default model uses -> the profile OpenClaw stored (2026.9.6 names OpenAI's `openai:api-key`)
PROVIDERS = {
    ("openai_key", "legacy-2026.3"): ("openai", "openai:default"),
    ("openai_key", "current-2026.9"): ("openai", "openai:api-key"),
    ("openrouter_key", "legacy-2026.3"): ("openrouter", "openrouter:default"),
    ("openrouter_key", "current-2026.9"): ("openrouter", "openrouter:default"),
    ("gemini_key", "legacy-2026.3"): ("google", "google:default"),
    ("gemini_key", "current-2026.9"): ("google", "google:default"),
    ("xai_key", "legacy-2026.3"): ("xai", "xai:default"),
    ("xai_key", "current-2026.9"): ("xai", "xai:default"),
    ("mistral_key", "legacy-2026.3"): ("mistral", "mistral:default"),
    ("mistral_key", "current-2026.9"): ("mistral", "mistral:default"),
    # 2026.3.13 has no --deepseek-api-key; Groq's 2026.9.6 plugin comes from clawhub.ai, unreachable here.
    ("deepseek_key", "current-2026.9"): ("deepseek", "deepseek:default"),
}


@pytest.mark.parametrize(("scenario", "era"), sorted(PROVIDERS))
def test_another_providers_key_reads_clean_and_its_source_wins(scenario: str, era: str, tmp_path: Path) -> None:
    provider, profile_id = PROVIDERS[(scenario, era)]
    state = load_state(era, scenario, tmp_path / "home")
    cli = fake_openclaw(tmp_path / "bin", state.scenario["openclawVersion"])
    ran = run_cli(state.home, "--openclaw", cli, "check", "--json", env={"PATH": ""})
    doc = json.loads(ran.stdout)
    assert doc["openclaw"]["defaultModel"].startswith(provider + "/")
    mine = [f for f in doc["findings"] if f["subject"] in (provider, profile_id)]
    assert not [f for f in mine if f["severity"] == "error"], mine
    assert not [f for f in doc["findings"] if f["code"] in ("auth.missing", "key.wrong_provider")]
    [used] = [s for s in doc["credentialSources"][provider] if s["status"] == "used"]
    assert used["kind"] == "profile" and used["where"].startswith(profile_id)
    text = run_cli(state.home, "--openclaw", cli, "check", env={"PATH": ""}).stdout
    assert "Where credentials come from (" + provider + ")" in text
    for secret in state.secrets.values():
        assert secret not in ran.stdout + ran.stderr + text


def test_a_groq_key_no_model_uses_is_listed_masked_and_judged_by_groqs_shapes(tmp_path: Path) -> None:
    """2026.9.6's `paste-api-key --provider groq` (groq:manual); no model can use Groq here (its plugin
    comes from clawhub.ai), so it is a stored key, listed as `models status` lists it (fixture labels)."""
    state = load_state("current-2026.9", "groq_key", tmp_path / "home")
    cli = fake_openclaw(tmp_path / "bin", state.scenario["openclawVersion"])
    ran = run_cli(state.home, "--openclaw", cli, "check", "--json", env={"PATH": ""})
    doc = json.loads(ran.stdout)
    [profile] = [p for p in doc["profiles"] if p["id"] == "groq:manual"]
    assert profile["provider"] == "groq" and profile["masked"].startswith("gsk_")
    assert not [f for f in doc["findings"] if f["subject"] == "groq:manual" and f["severity"] != "info"]
    assert all(secret not in ran.stdout + ran.stderr for secret in state.secrets.values())


@pytest.mark.usefixtures("triage_state")
@pytest.mark.parametrize("provider", sorted(fakekeys.BY_PROVIDER))
def test_every_providers_key_is_saved_whole_into_its_profile_and_undone_exactly(provider: str, tmp_path: Path) -> None:
    """On the state 2026.3.13's onboard made: each provider's key through the one write door the
    paste guard uses (`write.set_key`), read back as OpenClaw reads it, then `undo`: byte for byte."""
    from openclaw_triage import write
    from openclaw_triage.model import CredentialType
    from openclaw_triage.openclaw.install import inspect_install
    from openclaw_triage.openclaw.locate import Options
    from openclaw_triage.secret import Secret

    state = load_state("legacy-2026.3", "one_api_key", tmp_path / "home")
    store = state.state_dir / "agents/main/agent/auth-profiles.json"
    before = store.read_bytes()
    key = fakekeys.BY_PROVIDER[provider](f"save-{provider}")
    env = {"HOME": str(state.home), "PATH": ""}
    install = inspect_install(Options(openclaw="none"), env=env)
    profile_id = f"{provider}:saved"
    change = write.set_key(install, provider, profile_id, Secret(" " + key + "\n"), type=CredentialType.API_KEY)
    assert change.changed and change.undoable
    assert key not in change.summary + " ".join(change.notes)
    saved = inspect_install(Options(openclaw="none"), env=env).agent.effective.profiles[profile_id]
    assert saved.provider == provider and saved.secret is not None and saved.secret.get_secret_value() == key
    write.undo(install=inspect_install(Options(openclaw="none"), env=env))
    assert store.read_bytes() == before
