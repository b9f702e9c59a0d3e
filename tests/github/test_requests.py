"""Successful exchanges: headers, redirects, conditional requests, pagination, listings."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.requests import Request

from ghtraffic import __version__
from ghtraffic.github import GitHubClient, MemoryEtagStore, fetch_traffic

from .conftest import FAST, TOKEN
from .scripted import Reply, Scripted

pytestmark = pytest.mark.anyio

REPO = {"id": 42, "name": "hello", "owner": {"login": "octo"}, "stargazers_count": 7}


async def test_every_request_carries_githubs_headers(gh: GitHubClient, server: Scripted) -> None:
    server.json("/repos/octo/hello", REPO)
    response = await gh.repo("octo", "hello")
    assert response.status == 200
    assert response.data == REPO
    headers = server.seen[0].headers
    assert headers["accept"] == "application/vnd.github+json"
    assert headers["x-github-api-version"] == "2022-11-28"
    assert headers["user-agent"] == f"ghtraffic/{__version__}"
    assert headers["authorization"] == f"Bearer {TOKEN}"


async def test_enterprise_server_base_path_is_kept(server: Scripted) -> None:
    server.json("/api/v3/repos/octo/hello", REPO)
    async with GitHubClient(
        "t", api_url=server.base_url + "/api/v3/", requests_per_minute=None
    ) as gh:
        response = await gh.repo("octo", "hello")
    assert response.data["id"] == 42
    assert server.seen[0].path == "/api/v3/repos/octo/hello"


async def test_renamed_repository_redirect_is_followed(gh: GitHubClient, server: Scripted) -> None:
    server.on("/repos/octo/old-name", Reply(301, headers={"location": "/repositories/42"}))
    server.json("/repositories/42", REPO)
    response = await gh.repo("octo", "old-name")
    assert response.data["name"] == "hello"
    assert response.url.endswith("/repositories/42")
    assert server.seen[1].headers["authorization"] == f"Bearer {TOKEN}"
    assert gh.requests == 2


def _etag_handler(body: Any, etag: str) -> Any:
    def handle(request: Request) -> Reply:
        if request.headers.get("if-none-match") == etag:
            return Reply(304, headers={"etag": etag})
        return Reply(body=body, headers={"etag": etag})

    return handle


async def test_304_returns_the_stored_body_and_costs_no_point(
    gh: GitHubClient, server: Scripted
) -> None:
    views = {"count": 3, "uniques": 2, "views": []}
    server.on("/repos/octo/hello/traffic/views", _etag_handler(views, '"v1"'))
    first = await gh.traffic_views("octo", "hello")
    assert (first.status, first.from_cache, first.etag) == (200, False, '"v1"')
    assert (gh.requests, gh.points) == (1, 1)

    second = await gh.traffic_views("octo", "hello")
    assert (second.status, second.from_cache) == (304, True)
    assert second.data == views
    assert server.seen[1].headers["if-none-match"] == '"v1"'
    assert (gh.requests, gh.points) == (2, 1)

    # The query string is part of the key: per=week is a different resource.
    await gh.traffic_views("octo", "hello", per="week")
    assert "if-none-match" not in server.seen[2].headers
    assert gh.points == 2


async def test_etag_store_is_keyed_by_full_url_without_token(server: Scripted) -> None:
    store = MemoryEtagStore()
    server.json("/repos/octo/hello/traffic/clones", {"count": 0}, etag='"c"')
    async with GitHubClient(
        TOKEN, api_url=server.base_url, etag_store=store, requests_per_minute=None
    ) as gh:
        await gh.traffic_clones("octo", "hello")
    key = f"{server.base_url}/repos/octo/hello/traffic/clones?per=day"
    assert store.get(key) == ('"c"', '{"count": 0}')
    assert len(store) == 1


async def test_rate_state_and_server_clock_come_from_headers(
    gh: GitHubClient, server: Scripted
) -> None:
    server.clock = server.clock.replace(year=2031, month=3, day=1)
    server.remaining = 4321
    server.json("/repos/octo/hello", REPO)
    assert gh.rate is None
    assert gh.server_now() is None
    await gh.repo("octo", "hello")
    assert gh.server_now() == server.clock
    assert gh.rate is not None
    assert (gh.rate.limit, gh.rate.remaining, gh.rate.used) == (5000, 4321, 679)
    assert gh.rate.resource == "core"
    assert gh.rate.wait_seconds == 3600


async def test_rate_limit_endpoint_costs_no_point(gh: GitHubClient, server: Scripted) -> None:
    server.json("/rate_limit", {"resources": {}})
    await gh.rate_limit()
    assert (gh.requests, gh.points) == (1, 0)
    assert await gh.fetch_server_now() == server.clock


def _paginated(server: Scripted, path: str, repos: list[dict[str, Any]]) -> None:
    def handle(request: Request) -> Reply:
        page = int(request.query_params.get("page", "1"))
        size = 3
        chunk = repos[(page - 1) * size : page * size]
        headers = {}
        if page * size < len(repos):
            nxt = f"{server.base_url}{path}?per_page=100&page={page + 1}"
            headers["link"] = f'<{nxt}>; rel="next", <{server.base_url}{path}?page=9>; rel="last"'
        return Reply(body=chunk, headers=headers)

    server.on(path, handle)


async def test_pagination_yields_every_repository_once(gh: GitHubClient, server: Scripted) -> None:
    repos = [{"id": i, "name": f"r{i}"} for i in range(8)]
    _paginated(server, "/orgs/acme/repos", repos)
    server.json("/users/acme", {"login": "acme", "type": "Organization"})
    listed = [r async for r in gh.owner_repos("acme")]
    assert [r["id"] for r in listed] == list(range(8))
    first = server.seen[1]
    assert first.path == "/orgs/acme/repos"
    assert "per_page=100" in first.query
    assert "type=all" in first.query
    assert [s.query for s in server.seen[2:]] == ["per_page=100&page=2", "per_page=100&page=3"]


async def test_own_account_lists_owned_repositories(gh: GitHubClient, server: Scripted) -> None:
    server.json("/users/Me", {"login": "Me", "type": "User"})
    server.json("/user", {"login": "me"})
    _paginated(server, "/user/repos", [{"id": 1}, {"id": 2}])
    assert [r["id"] async for r in gh.owner_repos("Me")] == [1, 2]
    assert "affiliation=owner" in server.seen[-1].query


async def test_other_user_lists_public_repositories(gh: GitHubClient, server: Scripted) -> None:
    server.json("/users/someone", {"login": "someone", "type": "User"})
    server.json("/user", {"login": "me"})
    _paginated(server, "/users/someone/repos", [{"id": 5}])
    assert [r["id"] async for r in gh.owner_repos("someone")] == [5]


async def test_fetch_traffic_returns_bodies_as_sent(gh: GitHubClient, server: Scripted) -> None:
    base = "/repos/octo/hello/traffic"
    views = {"count": 1, "uniques": 1, "views": [], "extra": {"kept": True}}
    clones = {"count": 0, "uniques": 0, "clones": []}
    server.json(f"{base}/views", views)
    server.json(f"{base}/clones", clones)
    server.json(f"{base}/popular/referrers", [{"referrer": "Google", "count": 2, "uniques": 1}])
    server.json(f"{base}/popular/paths", [])
    result = await fetch_traffic(gh, "octo", "hello")
    assert result == {
        "views": views,
        "clones": clones,
        "referrers": [{"referrer": "Google", "count": 2, "uniques": 1}],
        "paths": [],
    }
    assert all("per=day" in s.query for s in server.seen if s.path.endswith(("views", "clones")))


async def test_retry_policy_is_configurable(server: Scripted) -> None:
    server.on("/x", Reply(500), Reply(body={"ok": True}))
    async with GitHubClient(
        None, api_url=server.base_url, retry=FAST, requests_per_minute=None
    ) as gh:
        assert (await gh.get("/x")).data == {"ok": True}
    assert "authorization" not in server.seen[0].headers
