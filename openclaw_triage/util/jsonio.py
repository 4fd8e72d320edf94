"""Parsing OpenClaw's files the way Node.js parses them.

`openclaw.json` is JSON5 (OpenClaw uses the `json5` package; we use the fast Cython
`pyjson5`, kept behind `parse_json5` so it can be swapped). `auth-profiles.json` is read
with `JSON.parse`, which is stricter than Python's `json`: no NaN/Infinity, no BOM. A value
read from either may be of any type, so `as_object`, `as_list` and `as_text` give the shape the
code needs or an empty one.

Node parses any depth its stack allows; we refuse documents nested deeper than `MAX_DEPTH`
(`ParseError`), because what we parse is later walked recursively (`${VAR}` substitution,
`$include` merging, the report's masking, `json.dumps`) and a hostile file must be a finding,
not a `RecursionError`. Files are read through `util.safe_read` (no FIFO, no device, a size cap).
"""

from __future__ import annotations

import json

from .safe_read import FileTooLarge, read_bytes

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from typing import Any


MAX_DEPTH = 128  # far beyond any real OpenClaw file; far below Python's recursion limit


class ParseError(ValueError):
    """A file is not valid for its format. The message never quotes the file's content."""


def check_depth(value: object, limit: int = MAX_DEPTH) -> None:
    """Raise `ParseError` when arrays/objects nest deeper than `limit` (checked without recursion)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        node, depth = pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth >= limit:
                    raise ParseError(f"nested more than {limit} levels deep")
                push((child, depth + 1))


def _reject_constant(name: str) -> Any:
    raise ParseError(f"{name} is not valid JSON")


def parse_json(text: str, *, max_depth: int | None = MAX_DEPTH) -> Any:
    """`JSON.parse(text)`: strict JSON; a BOM, NaN or Infinity is an error as in Node.

    `max_depth=None` skips the depth check, for a big document read key by key and never walked.
    """
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        # exc.msg and position only: the document may hold secrets.
        raise ParseError(f"{exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise ParseError("nested too deeply") from None
    if max_depth is not None and isinstance(value, dict | list):
        check_depth(value, max_depth)
    return value


def parse_json5(text: str) -> Any:
    """Parse JSON5 (comments, trailing commas, unquoted keys) as OpenClaw's config loader does.

    OpenClaw writes its config as plain JSON, and JSON is a subset of JSON5: the C `json`
    module reads that in microseconds, so `pyjson5` (4 ms just to import) is loaded only for
    hand-edited files that need it.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        import pyjson5

        try:
            value = pyjson5.decode(text)
        except pyjson5.Json5Exception as exc:
            message = exc.args[0] if exc.args else type(exc).__name__
            raise ParseError(f"JSON5: {message}") from None
        except (RecursionError, ValueError, TypeError, MemoryError) as exc:
            raise ParseError(f"JSON5: {type(exc).__name__}") from None
    if isinstance(value, dict | list):
        check_depth(value)
    return value


def read_text(path: Any, *, limit: int = 64 * 1024 * 1024) -> str:
    """Read a UTF-8 text file, refusing absurd sizes (a runaway file is a finding, not an OOM).

    `OSError` when it cannot be read or is not a regular file (`safe_read.read_bytes`).
    """
    try:
        data = read_bytes(path, limit=limit)
    except FileTooLarge:
        raise ParseError(f"file is larger than {limit // (1024 * 1024)} MB") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(f"not UTF-8 text (byte {exc.start})") from None


# --- values as the shape the code needs: a hand-edited file may hold any type at any key, and a
# wrong type reads as empty (never a crash).


def as_object(value: object) -> dict[str, Any]:
    """A JSON object, else `{}`."""
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[Any]:
    """A JSON array, else `[]`."""
    return value if isinstance(value, list) else []


def as_text(value: object) -> str | None:
    """A JSON string, else None."""
    return value if isinstance(value, str) else None
