"""A string that refuses to show itself.

`Secret` behaves like pydantic's `SecretStr` (same `get_secret_value()` API, masked `repr`
and `str`) without importing pydantic, so `openclaw-triage check` stays fast. When pydantic
does validate or serialise our model (JSON schema, the TUI), it treats a `Secret` as
`SecretStr`: masked on output, never dumped.
"""

from __future__ import annotations

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from typing import Any

_HIDDEN = "**********"


class Secret:
    """Holds one secret; every way of printing it prints asterisks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("Secret holds a string")
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{_HIDDEN}')" if self._value else "Secret('')"

    def __str__(self) -> str:
        return _HIDDEN if self._value else ""

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __len__(self) -> int:
        return len(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        import hmac

        return hmac.compare_digest(
            self._value.encode("utf-8", "surrogatepass"), other._value.encode("utf-8", "surrogatepass")
        )

    def __hash__(self) -> int:
        return hash(self.fingerprint())

    def __reduce__(self) -> Any:  # pickling is a way of printing; refuse it
        raise TypeError("a Secret cannot be pickled")

    def fingerprint(self) -> str:
        """A short, one-way id: equal secrets share it, and it reveals nothing useful."""
        import hashlib

        return hashlib.sha256(self._value.encode("utf-8", "surrogatepass")).hexdigest()[:12]

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """Validate from a string, serialise as asterisks: pydantic's `SecretStr` contract."""
        from pydantic_core import core_schema

        return core_schema.no_info_plain_validator_function(
            lambda v: v if isinstance(v, Secret) else Secret(str(v)),
            serialization=core_schema.plain_serializer_function_ser_schema(
                str, when_used="always", return_schema=core_schema.str_schema()
            ),
            json_schema_input_schema=core_schema.str_schema(),
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: Any) -> dict[str, Any]:
        return {"type": "string", "format": "password", "writeOnly": True}
