"""Fixtures: one scripted server for the module, reset before each test, and a fast client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from ghtraffic.github import GitHubClient, RetryPolicy

from .scripted import Scripted, start, stop

TOKEN = "ghp_TESTtoken0123456789SENTINEL"
FAST = RetryPolicy(
    attempts=3, initial=0.001, maximum=0.01, secondary_attempts=3, secondary_initial=0.01
)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def _server() -> Iterator[Scripted]:
    scripted = Scripted()
    running = start(scripted)
    yield scripted
    stop(running)


@pytest.fixture
def server(_server: Scripted) -> Scripted:
    _server.reset()
    return _server


@pytest.fixture
async def gh(server: Scripted) -> AsyncIterator[GitHubClient]:
    async with GitHubClient(
        TOKEN, api_url=server.base_url, requests_per_minute=None, retry=FAST, timeout=5
    ) as client:
        yield client
