"""Which OpenClaw is installed, without starting Node when we can avoid it.

Starting Node costs ~0.1 s, more than our whole `check` budget, so the version comes from
the `package.json` (and `dist/build-info.json`) of the package the `openclaw` binary
resolves to. Only when that fails do we run `openclaw --version` (5 s timeout), and then
fall back to the config's `meta.lastTouchedVersion`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Mapping
from pathlib import Path

from ..model import CliInfo, Era
from ..util.safe_read import read_bytes
from .layouts import for_release

_VERSION_LINE = re.compile(r"OpenClaw\s+(\d{4}\.\d+\.\d+[^\s()]*)(?:\s+\(([0-9a-fA-F]{7,40})\))?")
_SHIM_TARGET = re.compile(r"""([^\s"'`;]*node_modules[\\/]openclaw)[\\/]openclaw\.mjs""")
_HEX = re.compile(r"[0-9a-fA-F]{7,40}")


def find_cli(explicit: str | None, env: Mapping[str, str]) -> str | None:
    """`--openclaw PATH`, else `openclaw` on PATH; `--openclaw none` means "do not use a CLI"."""
    if explicit == "none":
        return None
    if explicit:
        path = os.path.expanduser(explicit)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return os.path.abspath(path)
        found = shutil.which(explicit, path=env.get("PATH"))
        return found
    return shutil.which("openclaw", path=env.get("PATH"))


def _read_json(path: Path) -> dict[str, object] | None:
    try:
        data = json.loads(read_bytes(path, limit=4 * 1024 * 1024).decode("utf-8"))
    except (OSError, ValueError, RecursionError):  # a FIFO or folder in its place is an OSError
        return None
    return data if isinstance(data, dict) else None


def _package_dir_for(cli: str) -> Path | None:
    """The `node_modules/openclaw` folder behind a binary, a symlink, or an npm/pnpm shim."""
    real = Path(os.path.realpath(cli))
    for candidate in (real.parent, real.parent.parent, real.parent.parent.parent):
        pkg = _read_json(candidate / "package.json")
        if pkg is not None and pkg.get("name") == "openclaw":
            return candidate
    try:
        head = read_bytes(real, limit=16384, truncate=True).decode("utf-8", "replace")
    except OSError:
        return None
    for match in _SHIM_TARGET.finditer(head):
        target = match.group(1)
        for var in ("$basedir", "${basedir}", "%~dp0", "%dp0%"):
            target = target.replace(var, str(Path(cli).parent))
        candidate = Path(os.path.normpath(target if os.path.isabs(target) else Path(cli).parent / target))
        pkg = _read_json(candidate / "package.json")
        if pkg is not None and pkg.get("name") == "openclaw":
            return candidate
    return None


def _commit(env: Mapping[str, str], *sources: object) -> str | None:
    for source in (env.get("GIT_COMMIT"), env.get("GIT_SHA"), *sources):
        if isinstance(source, str):
            match = _HEX.search(source.strip())
            if match:
                return match.group(0)[:7].lower()
    return None


def from_package(cli: str, env: Mapping[str, str]) -> CliInfo | None:
    """Version and commit as `openclaw --version` would print them, read from disk."""
    package_dir = _package_dir_for(cli)
    if package_dir is None:
        return None
    pkg = _read_json(package_dir / "package.json") or {}
    build = _read_json(package_dir / "dist" / "build-info.json") or {}
    version = None
    for candidate in (build.get("version"), pkg.get("version")):
        if isinstance(candidate, str) and candidate.strip() and candidate.strip() not in ("undefined", "null"):
            version = candidate.strip()
            break
    if version is None:
        return None
    commit = _commit(env, build.get("commit"), pkg.get("gitHead"), pkg.get("githead"))
    return CliInfo(path=cli, version=version, commit=commit, source="package.json", package_dir=str(package_dir))


def from_cli_output(cli: str, env: Mapping[str, str], timeout: float = 5.0) -> CliInfo | None:
    """Run `openclaw --version` (the slow path: Node starts)."""
    import subprocess

    try:
        proc = subprocess.run(
            [cli, "--version"],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    match = _VERSION_LINE.search(proc.stdout)
    if not match:
        return None
    commit = match.group(2).lower()[:7] if match.group(2) else None
    return CliInfo(path=cli, version=match.group(1), commit=commit, source="cli")


def detect_cli(explicit: str | None, env: Mapping[str, str]) -> CliInfo:
    """Find the CLI and its version; `CliInfo.source` says how we know."""
    cli = find_cli(explicit, env)
    if cli is None:
        return CliInfo(path=None, requested=explicit)
    info = from_package(cli, env) or from_cli_output(cli, env)
    info = info or CliInfo(path=cli, source="none")
    info.requested = explicit
    return info


def parse_version(version: str | None) -> tuple[int, int, int] | None:
    if not version:
        return None
    match = re.match(r"^(\d{4})\.(\d+)\.(\d+)", version.strip())
    if not match:
        return None
    return int(match.group(1)), int(match.group(2)), int(match.group(3))


def era_for_version(version: str | None) -> Era | None:
    """JSON files up to 2026.6.1, SQLite from 2026.6.5 (`layouts.LAYOUTS`)."""
    parsed = parse_version(version)
    if parsed is None:
        return None
    return for_release(parsed).era
