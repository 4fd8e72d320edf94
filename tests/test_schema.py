"""The pydantic contracts: `check --json` on every real-CLI fixture state, and the domain model."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from openclaw_triage.diagnose.run import diagnose
from openclaw_triage.model import AuthStore, Install, Profile
from openclaw_triage.openclaw.install import inspect_install
from openclaw_triage.openclaw.locate import Options
from openclaw_triage.output.check import check_json
from openclaw_triage.output.schema import CheckReport, adapter, check_json_schema
from tests.states import list_states, load_state

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("era", "scenario"), list_states())
def test_check_json_of_every_fixture_state_matches_the_contract(era: str, scenario: str, tmp_path: Path) -> None:
    state = load_state(era, scenario, tmp_path / "home")
    install = inspect_install(
        Options(state_dir=str(state.state_dir), openclaw="none"), env={"HOME": str(state.home), "PATH": ""}
    )
    report = check_json(diagnose(install, now_ms=time.time() * 1000))
    CheckReport.model_validate(report)  # raises on any field out of contract
    text = json.dumps(report)
    for secret in state.secrets.values():
        assert secret not in text


def test_the_published_schema_is_current() -> None:
    published = json.loads((ROOT / "docs" / "check-json.schema.json").read_text())
    assert published == check_json_schema(), (
        "regenerate: openclaw-triage check --json-schema > docs/check-json.schema.json"
    )


def test_json_schema_flag_prints_it() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "openclaw_triage", "check", "--json-schema"], capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout)["title"] == "CheckReport"


def test_domain_model_validates_and_never_dumps_a_secret(tmp_path: Path) -> None:
    state = load_state("legacy-2026.3", "same_secret_two_profiles", tmp_path / "home")
    install = inspect_install(
        Options(state_dir=str(state.state_dir), openclaw="none"), env={"HOME": str(state.home), "PATH": ""}
    )
    store = install.agent.effective
    dumped = adapter(AuthStore).dump_json(store).decode()
    assert "**********" in dumped
    for secret in state.secrets.values():
        assert secret not in dumped
    again = adapter(AuthStore).validate_json(dumped)
    assert list(again.profiles) == list(store.profiles)
    assert adapter(Install).json_schema()["title"] == "Install"


def test_profile_validation_rejects_wrong_types() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        adapter(Profile).validate_python({"id": "a:b", "provider": "anthropic", "type": "apikey"})
    profile = adapter(Profile).validate_python(
        {"id": "a:b", "provider": "anthropic", "type": "api_key", "secret": "x" * 20}
    )
    assert repr(profile.secret) == "Secret('**********')"
