"""openclaw-triage: find and fix what stands between an OpenClaw user and a working model key."""

__version__ = "0.1.0"
