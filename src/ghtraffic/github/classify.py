"""Turn a failed HTTP exchange into the :mod:`.errors` class a person can act on."""

from __future__ import annotations

import json
import socket
import ssl
from datetime import datetime

import httpx

from .errors import (
    BadCredentials,
    Forbidden,
    GitHubError,
    NoPushAccess,
    NotFound,
    RateLimitExhausted,
    SecondaryRateLimited,
    ServerError,
    UnexpectedStatus,
    one_line,
)
from .ratelimit import parse_rate_headers, retry_after_seconds

_SECONDARY_WORDS = ("rate limit", "abuse")


def github_message(response: httpx.Response, secret: str | None = None) -> str:
    """The ``message`` of a ``basic-error`` body, or ``""``; ``secret`` is masked if echoed."""
    try:
        body = json.loads(response.text)
    except ValueError:
        return ""
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(message, str):
        return ""
    if secret:
        message = message.replace(secret, "***")
    return one_line(message)


def error_for_status(
    response: httpx.Response,
    *,
    what: str,
    url: str,
    now: datetime | None,
    secret: str | None = None,
) -> GitHubError:
    """The error for a non-2xx, non-304 ``response``; ``what`` names the subject (OWNER/REPO).

    ``secret`` (the token) is masked should the server echo it back in a message.
    """
    status = response.status_code
    headers = response.headers
    if status == 401:
        return BadCredentials(url=url)
    if status in (403, 429):
        retry_after = retry_after_seconds(headers, now)
        if retry_after is not None:
            return SecondaryRateLimited(retry_after=retry_after, status=status, url=url)
        if headers.get("x-ratelimit-remaining", "").strip() == "0":
            state = parse_rate_headers(headers, now)
            return RateLimitExhausted(
                reset_at=state.reset_at if state else None,
                wait_seconds=state.wait_seconds if state else 60.0,
                limit=state.limit if state else None,
                resource=state.resource if state else None,
                status=status,
                url=url,
            )
        message = github_message(response, secret)
        if status == 429 or any(word in message.lower() for word in _SECONDARY_WORDS):
            return SecondaryRateLimited(retry_after=None, status=status, url=url)
        if "/traffic/" in response.request.url.path:
            return NoPushAccess(what, url=url)
        return Forbidden(what, message, url=url)
    if status == 404:
        return NotFound(what, url=url)
    if status >= 500:
        return ServerError(status, url=url)
    return UnexpectedStatus(status, github_message(response, secret), url=url)


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and the exceptions it was raised from, innermost last."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def transport_reason(exc: BaseException) -> str:
    """A short reason for a transport failure, without request details."""
    chain = _causes(exc)
    if any(isinstance(e, httpx.TimeoutException | TimeoutError) for e in chain):
        return "timed out"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "connection refused"
    if any(isinstance(e, socket.gaierror) for e in chain):
        return "host name not found"
    for e in chain:
        if isinstance(e, ssl.SSLError):
            return f"TLS error ({one_line(str(e), 100)})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the server closed the connection mid-response"
    if any(isinstance(e, ConnectionResetError) for e in chain) or isinstance(
        exc, httpx.ReadError | httpx.WriteError
    ):
        return "connection reset"
    return one_line(str(exc), 120) or type(exc).__name__
