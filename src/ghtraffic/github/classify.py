"""Turn a failed HTTP exchange into the :mod:`.errors` class a person can act on."""

from __future__ import annotations

import json
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


def github_message(response: httpx.Response) -> str:
    """The ``message`` of a ``basic-error`` body, or ``""``."""
    try:
        body = json.loads(response.text)
    except ValueError:
        return ""
    message = body.get("message") if isinstance(body, dict) else None
    return one_line(message) if isinstance(message, str) else ""


def error_for_status(
    response: httpx.Response, *, what: str, url: str, now: datetime | None
) -> GitHubError:
    """The error for a non-2xx, non-304 ``response``; ``what`` names the subject (OWNER/REPO)."""
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
        message = github_message(response)
        if status == 429 or any(word in message.lower() for word in _SECONDARY_WORDS):
            return SecondaryRateLimited(retry_after=None, status=status, url=url)
        if "/traffic/" in response.request.url.path:
            return NoPushAccess(what, url=url)
        return Forbidden(what, message, url=url)
    if status == 404:
        return NotFound(what, url=url)
    if status >= 500:
        return ServerError(status, url=url)
    return UnexpectedStatus(status, github_message(response), url=url)


def transport_reason(exc: BaseException) -> str:
    """A short reason for a transport failure, without request details."""
    text = one_line(str(exc), 120)
    lowered = text.lower()
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        if "refused" in lowered:
            return "connection refused"
        if any(w in lowered for w in ("name or service", "nodename", "getaddrinfo", "resolve")):
            return f"host name not found ({text})"
        if any(w in lowered for w in ("ssl", "certificate", "tls")):
            return f"TLS error ({text})"
        return text or "connection failed"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the server closed the connection mid-response"
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return "connection reset"
    return text or type(exc).__name__
