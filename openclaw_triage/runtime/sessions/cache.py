"""Session stores already read, kept while their file is unchanged; shared by both eras' readers.

`check`, the app and its refreshes read the same stores again and again; a 10,000-chat store
takes a tenth of a second to read.
"""

from __future__ import annotations

from .model import SessionStore

TYPE_CHECKING = False  # `typing` costs ~3 ms to import; check's budget is tight
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

_CACHE: dict[tuple[Any, ...], SessionStore] = {}


def cached_store(ident: tuple[Any, ...], build: Callable[[], SessionStore]) -> SessionStore:
    """A store read before, while its file is unchanged (check, the app and its refreshes re-read often).

    `ident[3]` is `pinned_only`: a pinned-only read is served from a cached full read when there is one.
    """
    hit = _CACHE.get(ident)
    if hit is None and ident[3]:
        full = _CACHE.get((*ident[:3], False, *ident[4:]))
        if full is not None:
            hit = _CACHE[ident] = SessionStore(
                full.agent_id,
                full.era,
                full.location,
                full.format,
                full.exists,
                [s for s in full.sessions if s.pin is not None],
                list(full.issues),
                full.mode,
                full.size,
            )
    if hit is None:
        if len(_CACHE) > 16:
            _CACHE.clear()
        hit = _CACHE[ident] = build()
    return hit


def clear_cache() -> None:
    """Forget every store read so far (tests, benchmarks)."""
    _CACHE.clear()
