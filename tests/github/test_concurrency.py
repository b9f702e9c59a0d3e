"""Requests in flight never exceed the bound; the pacer spaces request starts."""

from __future__ import annotations

import asyncio
import time

import pytest

from ghtraffic.github import GitHubClient, Response

from .conftest import FAST
from .scripted import Reply, Scripted

pytestmark = pytest.mark.anyio


async def test_concurrency_never_exceeds_the_bound(server: Scripted) -> None:
    server.on("/slow", Reply(body={"ok": True}, delay=0.05))
    async with GitHubClient(
        "t", api_url=server.base_url, concurrency=3, requests_per_minute=None, retry=FAST
    ) as gh:
        results = await asyncio.gather(*(gh.get("/slow", {"n": i}) for i in range(15)))
    assert all(isinstance(r, Response) and r.data == {"ok": True} for r in results)
    assert server.hits["/slow"] == 15
    assert server.max_in_flight == 3


async def test_default_bound_is_four(server: Scripted) -> None:
    server.on("/slow", Reply(body={}, delay=0.05))
    async with GitHubClient("t", api_url=server.base_url, requests_per_minute=None) as gh:
        await asyncio.gather(*(gh.get("/slow", {"n": i}) for i in range(10)))
    assert server.max_in_flight == 4


async def test_pacer_spaces_requests(server: Scripted) -> None:
    server.json("/fast", {})
    async with GitHubClient("t", api_url=server.base_url, requests_per_minute=600) as gh:
        started = time.monotonic()
        await asyncio.gather(*(gh.get("/fast", {"n": i}) for i in range(5)))
        elapsed = time.monotonic() - started
    assert elapsed >= 0.4  # 5 starts, 0.1 s apart
    assert gh.requests == 5
