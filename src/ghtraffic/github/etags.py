"""Where conditional-request validators live: an ETag and the body it belongs to, by URL."""

from __future__ import annotations

from typing import Protocol


class EtagStore(Protocol):
    """Keyed by the full request URL including the query string (never by token)."""

    def get(self, url: str) -> tuple[str, str] | None:
        """Return ``(etag, body_text)`` stored for ``url``, or ``None``."""
        ...

    def put(self, url: str, etag: str, body_text: str) -> None:
        """Remember the ETag and body text of a 200 response to ``url``."""
        ...


class MemoryEtagStore:
    """An :class:`EtagStore` in a dict, for one process."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[str, str]] = {}

    def get(self, url: str) -> tuple[str, str] | None:
        return self._items.get(url)

    def put(self, url: str, etag: str, body_text: str) -> None:
        self._items[url] = (etag, body_text)

    def __len__(self) -> int:
        return len(self._items)
