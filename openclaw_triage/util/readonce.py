"""What one run has read of an install, each file (or scan of the disk) once.

Several parts of a run look at the same file: the agent's `models.json` (the scrubber, the
config check, the credential sources, the probe's base URL), `openclaw.json` (the release that
last wrote it decides the layout, then the config is loaded), the `.env` files (the environment,
then the credential sources). `inspect_install` makes one `Reads` and the `Install` carries it,
so each is read once, through `read_text` (`safe_read`: no FIFO, no device, a size cap), and
every reader sees the same content, or the same refusal: an `OSError` or `ValueError` (a
`ParseError`) is kept and raised again to the next reader.
"""

from __future__ import annotations

import os

from .jsonio import parse_json, read_text

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from collections.abc import Callable, Hashable
    from typing import Any, TypeVar

    T = TypeVar("T")


class Reads:
    """One install's files as this run read them (`text`, `json`), and any other look at the
    disk worth doing once (`once`)."""

    __slots__ = ("_done",)

    def __init__(self) -> None:
        self._done: dict[Hashable, Any] = {}

    def once(self, key: Hashable, read: Callable[[], T]) -> T:
        """`read()` the first time `key` is asked for, its result (or its `OSError` or
        `ValueError`, raised again) every time after."""
        try:
            found = self._done[key]
        except KeyError:
            try:
                found = self._done[key] = read()
            except (OSError, ValueError) as exc:
                found = self._done[key] = exc
        if isinstance(found, OSError | ValueError):
            raise found.with_traceback(None)
        return found  # type: ignore[no-any-return]

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """For `output.schema`: what a run read is no part of the model. An `Install` validated
        gets a `Reads` of its own; one dumped carries none (`null`)."""
        from pydantic_core import core_schema

        return core_schema.no_info_plain_validator_function(
            lambda _: cls(),
            json_schema_input_schema=core_schema.none_schema(),
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda _: None, return_schema=core_schema.none_schema()
            ),
        )

    def text(self, path: Any, *, limit: int) -> str:
        """`read_text(path, limit=limit)`, once."""
        return self.once(("text", os.fspath(path), limit), lambda: read_text(path, limit=limit))

    def json(self, path: Any, *, limit: int) -> Any:
        """`parse_json` of `text(path)`, once: one parsed value shared by every reader, to read only."""
        return self.once(("json", os.fspath(path), limit), lambda: parse_json(self.text(path, limit=limit)))
