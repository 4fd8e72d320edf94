"""The install a command line points at: the global flags as `locate.Options`."""

from __future__ import annotations

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    import argparse

    from ..openclaw.locate import Options


def options_from_args(args: argparse.Namespace) -> Options:
    """`--state-dir`, `--config`, `--agent`, `--profile`, `--openclaw`, each only if given."""
    from ..openclaw.locate import Options

    return Options(
        state_dir=getattr(args, "state_dir", None),
        config=getattr(args, "config", None),
        agent=getattr(args, "agent", None),
        profile=getattr(args, "profile", None),
        openclaw=getattr(args, "openclaw", None),
    )
