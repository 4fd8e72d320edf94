"""A run reads each file of the install once, however many parts of it look (`Install.reads`):
the config (the layout's stamp, then the load), the `.env` files (the environment, then where each
credential comes from), the agent's `models.json` (the scrubber, the config check, the sources)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from openclaw_triage.keys import mask
from openclaw_triage.util import jsonio
from tests import fakekeys
from tests.builders import CurrentHome, LegacyHome, api_key_profile, write_json
from tests.support.cli import run_cli


@pytest.mark.parametrize("era", ["2026.3", "2026.9"])
def test_check_reads_the_config_env_and_models_json_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, era: str
) -> None:
    key, models_key, env_key = fakekeys.api_key("once"), fakekeys.openai_key("models"), fakekeys.openai_key("dotenv")
    profiles = {"profiles": {"anthropic:default": api_key_profile(key)}}
    config: dict[str, Any] = {"agents": {"defaults": {"model": "openai/gpt-5.5"}}}
    if era == "2026.3":
        home: LegacyHome | CurrentHome = LegacyHome(tmp_path).config(config)
        home.store(profiles)
    else:
        home = CurrentHome(tmp_path).config(config)
        home.shared_store(profiles)
    agent_dir = home.state / "agents" / "main" / "agent"
    write_json(agent_dir / "models.json", {"providers": {"openai": {"apiKey": models_key}}})
    (home.state / ".env").write_text(f"OPENAI_API_KEY={env_key}\n")
    reads: Counter[str] = Counter()
    read_bytes = jsonio.read_bytes

    def counted(path: Any, **kw: Any) -> bytes:
        reads[Path(path).name] += 1
        return read_bytes(path, **kw)

    monkeypatch.setattr(jsonio, "read_bytes", counted)
    ran = run_cli(tmp_path, "--openclaw", "none", "check", "--json")
    doc = json.loads(ran.stdout)
    assert {k: reads[k] for k in ("openclaw.json", ".env", "models.json")} == {
        "openclaw.json": 1,
        ".env": 1,
        "models.json": 1,
    }
    shown = {(s["kind"], s["value"]) for group in doc["credentialSources"].values() for s in group}
    era_name = "json" if era == "2026.3" else "sqlite"
    assert ("models.json", mask(models_key, era=era_name)) in shown and (".env", mask(env_key, era=era_name)) in shown
    assert key not in ran.stdout and models_key not in ran.stdout and env_key not in ran.stdout
