"""Opaque cursors: ``next_cursor`` of one page is the ``cursor`` of the next."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


class BadRequest(ValueError):
    """A query parameter the API cannot use; the message says which and why."""


def encode(value: Any) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode(cursor: str | None) -> Any:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeError):
        raise BadRequest("cursor: not a cursor this API handed out") from None


def limit_of(text: str | None) -> int:
    if text is None or text == "":
        return DEFAULT_LIMIT
    try:
        value = int(text)
    except ValueError:
        raise BadRequest(f"limit: {text!r} is not a whole number") from None
    if not 1 <= value <= MAX_LIMIT:
        raise BadRequest(f"limit: must be between 1 and {MAX_LIMIT}")
    return value


def page(items: list[Any], limit: int, key: Any) -> dict[str, Any]:
    """``items`` (fetched as ``limit + 1``) cut to one page; ``key(item)`` makes the cursor."""
    more = len(items) > limit
    shown = items[:limit]
    return {
        "items": shown,
        "next_cursor": encode(key(shown[-1])) if more and shown else None,
    }
