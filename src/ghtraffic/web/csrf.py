"""CSRF protection for every state-changing request made with a cookie.

A signed-in browser sends its session's token as the form field ``csrf_token`` or the
header ``X-CSRF-Token``. The login form, made before there is a session, uses a
double-submit cookie: the field must equal the ``ghtraffic_csrf`` cookie.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.datastructures import Headers
from starlette.types import Message, Receive

from ghtraffic.identity.digests import same

FIELD = "csrf_token"
HEADER = "x-csrf-token"
LOGIN_COOKIE = "ghtraffic_csrf"
#: Forms are small; a bigger body is refused before it is read whole.
MAX_FORM_BYTES = 64 * 1024

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BodyTooLarge(Exception):
    pass


async def read_body(receive: Receive, limit: int = MAX_FORM_BYTES) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands ``body`` once, then defers to the real one."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


def submitted_token(headers: Headers, body: bytes) -> str | None:
    """The token the request carries: the header, else the urlencoded form field."""
    header = headers.get(HEADER)
    if header:
        return header
    kind = headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        return None
    values = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).get(FIELD)
    return values[0] if values else None


def token_matches(expected: str | None, submitted: str | None) -> bool:
    return bool(expected) and bool(submitted) and same(str(expected), str(submitted))
