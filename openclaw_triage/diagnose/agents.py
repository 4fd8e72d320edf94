"""Every agent of an install, each diagnosed on its own: its profiles, its order, its findings.

Auth is per agent (research mode 9): a Discord route may go to a second agent whose store is
empty while `main` works. `diagnose` looks at one agent (the selected one); this runs it for
each, keeping only the findings about that agent's own credentials.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from ..findings import Finding
from ..openclaw.bindings import routes_to_agent
from .result import Diagnosis
from .run import diagnose

# Codes about an agent's own credentials; the others (config, gateway, channels, ...) are install-wide.
_AGENT_PREFIXES = ("key.", "ref.", "token.", "profile.", "profiles.", "order.", "auth.", "store.")


@dataclass(slots=True)
class AgentView:
    agent_id: str
    is_default: bool
    agent_dir: Path
    routes: list[str]  # channel bindings that send messages to this agent
    diagnosis: Diagnosis

    @property
    def findings(self) -> list[Finding]:
        """This agent's own findings (its stores, profiles and orders)."""
        return [f for f in self.diagnosis.findings if f.code.startswith(_AGENT_PREFIXES)]


def diagnose_agents(diagnosis: Diagnosis) -> list[AgentView]:
    """One view per agent of the install, the diagnosed one reused, the default agent first."""
    install = diagnosis.install
    views = []
    for agent in install.agents:
        if agent.agent_id == diagnosis.agent.agent_id:
            diag = diagnosis
        else:
            other = dataclasses.replace(install, selected_agent_id=agent.agent_id)
            diag = diagnose(other, now_ms=diagnosis.now_ms, runtime=False)
        views.append(
            AgentView(
                agent.agent_id,
                agent.agent_id == install.default_agent_id,
                agent.agent_dir,
                routes_to_agent(install.config.data, agent.agent_id),
                diag,
            )
        )
    return sorted(views, key=lambda v: not v.is_default)
