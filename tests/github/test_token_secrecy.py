"""The token never shows up in an error message, a repr or a log line."""

from __future__ import annotations

import logging
import socket

import pytest

from ghtraffic.github import GitHubClient, GitHubError, RetryPolicy

from .conftest import FAST, TOKEN
from .scripted import Reply, Scripted

pytestmark = pytest.mark.anyio


def _texts(error: BaseException) -> list[str]:
    """Messages and reprs of the error and everything chained to it."""
    out: list[str] = []
    current: BaseException | None = error
    while current is not None:
        out += [str(current), repr(current), repr(current.args), repr(vars(current))]
        current = current.__cause__ or current.__context__
    return out


async def test_no_error_path_reveals_the_token(
    server: Scripted, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.on("/401", Reply(401, {"message": "Bad credentials"}))
    server.on("/403", Reply(403, {"message": f"token {TOKEN} is not allowed"}))
    server.on("/repos/o/r/traffic/views", Reply(403, {"message": "Must have push access"}))
    server.on("/404", Reply(404, {"message": "Not Found"}))
    server.on("/422", Reply(422, {"message": "Validation Failed"}))
    server.on("/500", Reply(500))
    server.on("/truncated", Reply(body={"a": 1}, truncate=True))
    server.on("/badjson", Reply(body="{"))
    server.on("/slow", Reply(body={}, delay=0.3))
    server.on("/primary", Reply(403, {}, headers=server.rate_headers(remaining=0), rate=False))
    server.on("/secondary", Reply(429, {"message": "secondary rate limit"}))
    server.on("/cap", Reply(403, {}, headers={"retry-after": "9999"}))
    server.json("/api/v3/repos/o/r", {"id": 1})

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"

    errors: list[BaseException] = []
    options = {"retry": FAST, "requests_per_minute": None, "timeout": 0.1}
    async with GitHubClient(TOKEN, api_url=server.base_url, **options) as gh:  # type: ignore[arg-type]
        assert TOKEN not in repr(gh)
        assert TOKEN not in str(gh)
        for path in (
            "/401", "/403", "/404", "/422", "/500", "/truncated", "/badjson",
            "/slow", "/primary", "/secondary", "/cap",
        ):  # fmt: skip
            with pytest.raises(GitHubError) as caught:
                await gh.get(path)
            errors.append(caught.value)
        with pytest.raises(GitHubError) as caught:
            await gh.traffic_views("o", "r")
        errors.append(caught.value)
    async with GitHubClient(TOKEN, api_url=f"{server.base_url}/api/v3", **options) as gh:  # type: ignore[arg-type]
        with pytest.raises(GitHubError) as caught:
            await gh.traffic_views("o", "r")
        errors.append(caught.value)
    async with GitHubClient(
        TOKEN, api_url=closed, retry=RetryPolicy(attempts=1), requests_per_minute=None
    ) as gh:
        with pytest.raises(GitHubError) as caught:
            await gh.get("/x")
        errors.append(caught.value)

    kinds = {type(e).__name__ for e in errors}
    assert kinds >= {
        "BadCredentials", "Forbidden", "NotFound", "UnexpectedStatus", "ServerError",
        "Unreachable", "BadResponse", "RateLimitExhausted", "SecondaryRateLimited",
        "NoPushAccess", "NoTrafficApi",
    }  # fmt: skip
    for error in errors:
        for text in _texts(error):
            assert TOKEN not in text, type(error).__name__
    assert caplog.records, "expected the client to log at DEBUG"
    assert TOKEN not in caplog.text
    for record in caplog.records:
        assert TOKEN not in record.getMessage()
