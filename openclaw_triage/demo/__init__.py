"""The bundled demo installs: copies of broken installs with fake keys, in a temp folder."""

from __future__ import annotations

from .build import make_demo

__all__ = ["make_demo"]
