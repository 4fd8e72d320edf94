"""`.env` files, parsed by the rules of the `dotenv` package OpenClaw bundles (17.x)."""

from __future__ import annotations

import os
import re

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from pathlib import Path

    from ..util.readonce import Reads

DOTENV_LIMIT = 1024 * 1024

# A port of dotenv's LINE regex; `\w` is ASCII in JavaScript.
_LINE = re.compile(
    r"^\s*(?:export\s+)?([A-Za-z0-9_.-]+)(?:\s*=\s*?|:\s+?)"
    r"(\s*'(?:\\'|[^'])*'|\s*\"(?:\\\"|[^\"])*\"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?"
    r"\s*(?:#.*)?$",
    re.MULTILINE,
)
_QUOTED = re.compile(r"^(['\"`])([\s\S]*)\1$", re.MULTILINE)


def parse_dotenv(text: str) -> dict[str, str]:
    """Parse `.env` text into a mapping; later lines win, as in dotenv."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out: dict[str, str] = {}
    for match in _LINE.finditer(text):
        key = match.group(1)
        value = (match.group(2) or "").strip()
        quote = value[:1]
        value = _QUOTED.sub(r"\2", value)
        if quote == '"':
            value = value.replace("\\n", "\n").replace("\\r", "\r")
        out[key] = value
    return out


def read_dotenv(reads: Reads, path: Path) -> dict[str, str]:
    """The variables of the `.env` file `path`, read and parsed once per run (`reads`); an
    `OSError` or `ParseError` when it cannot be read. Shared by every reader: read only."""
    return reads.once(("dotenv", os.fspath(path)), lambda: parse_dotenv(reads.text(path, limit=DOTENV_LIMIT)))
