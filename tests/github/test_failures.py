"""Failures: the right error class and message, retries where they help, none where not."""

from __future__ import annotations

import socket
import time
from datetime import timedelta

import pytest

from ghtraffic.github import (
    BadCredentials,
    BadResponse,
    Forbidden,
    GitHubClient,
    NoPushAccess,
    NotFound,
    NoTrafficApi,
    RateLimitExhausted,
    RetryPolicy,
    SecondaryRateLimited,
    ServerError,
    UnexpectedStatus,
    Unreachable,
    fetch_traffic,
    is_enterprise_server,
)

from .conftest import FAST
from .scripted import Reply, Scripted

pytestmark = pytest.mark.anyio

REPO = {"id": 42, "name": "hello", "owner": {"login": "octo"}}
VIEWS = "/repos/octo/hello/traffic/views"


async def test_bad_credentials(gh: GitHubClient, server: Scripted) -> None:
    server.on("/repos/octo/hello", Reply(401, {"message": "Bad credentials"}))
    with pytest.raises(BadCredentials) as caught:
        await gh.repo("octo", "hello")
    assert str(caught.value) == (
        "GitHub rejected the token (401 Bad credentials): create a new token or check GITHUB_TOKEN"
    )
    assert server.hits["/repos/octo/hello"] == 1


async def test_no_push_access_on_traffic(gh: GitHubClient, server: Scripted) -> None:
    server.on(VIEWS, Reply(403, {"message": "Must have push access to repository"}))
    with pytest.raises(NoPushAccess) as caught:
        await gh.traffic_views("octo", "hello")
    assert str(caught.value) == (
        "no push access to octo/hello: traffic needs push access "
        "or the fine-grained permission Administration: read"
    )
    assert server.hits[VIEWS] == 1


async def test_other_forbidden(gh: GitHubClient, server: Scripted) -> None:
    server.on("/repos/octo/hello", Reply(403, {"message": "Repository access blocked"}))
    with pytest.raises(Forbidden, match=r"octo/hello \(403 Repository access blocked\)"):
        await gh.repo("octo", "hello")


async def test_not_found_is_not_retried(gh: GitHubClient, server: Scripted) -> None:
    with pytest.raises(NotFound) as caught:
        await gh.repo("octo", "missing")
    assert str(caught.value) == "octo/missing not found, or the token cannot see it"
    assert server.hits["/repos/octo/missing"] == 1


async def test_unexpected_4xx_is_not_retried(gh: GitHubClient, server: Scripted) -> None:
    server.on("/x", Reply(422, {"message": "Validation Failed"}))
    with pytest.raises(UnexpectedStatus, match="422 \\(Validation Failed\\)"):
        await gh.get("/x")
    assert server.hits["/x"] == 1


async def test_enterprise_server_has_no_traffic_api(server: Scripted) -> None:
    server.json("/api/v3/repos/octo/hello", REPO)
    async with GitHubClient(
        "t", api_url=f"{server.base_url}/api/v3", retry=FAST, requests_per_minute=None
    ) as gh:
        with pytest.raises(NoTrafficApi) as caught:
            await gh.traffic_clones("octo", "hello")
        with pytest.raises(NotFound):
            await gh.traffic_clones("octo", "missing")
    assert str(caught.value) == (
        "127.0.0.1 is GitHub Enterprise Server, which has no traffic API: "
        "only repository facts (stars, forks, watchers) are archived"
    )


def test_is_enterprise_server() -> None:
    assert is_enterprise_server("https://ghe.example.com/api/v3")
    assert is_enterprise_server("https://ghe.example.com/api/v3/")
    assert not is_enterprise_server("https://api.github.com")
    assert not is_enterprise_server("https://api.acme.ghe.com")


async def test_server_errors_are_retried_then_succeed(gh: GitHubClient, server: Scripted) -> None:
    server.on("/repos/octo/hello", Reply(502), Reply(503), Reply(body=REPO))
    assert (await gh.repo("octo", "hello")).data == REPO
    assert gh.requests == 3


async def test_server_errors_give_up_after_the_attempts(gh: GitHubClient, server: Scripted) -> None:
    server.on("/repos/octo/hello", Reply(500, "oops"))
    with pytest.raises(ServerError, match="GitHub answered 500 \\(server error\\)"):
        await gh.repo("octo", "hello")
    assert server.hits["/repos/octo/hello"] == FAST.attempts


async def test_dropped_connection_is_retried(gh: GitHubClient, server: Scripted) -> None:
    server.on("/repos/octo/hello", Reply(body=REPO, truncate=True), Reply(body=REPO))
    assert (await gh.repo("octo", "hello")).data == REPO
    assert server.hits["/repos/octo/hello"] == 2


async def test_dropped_connection_every_time_is_unreachable(
    gh: GitHubClient, server: Scripted
) -> None:
    server.on("/repos/octo/hello", Reply(body=REPO, truncate=True))
    with pytest.raises(Unreachable, match="server closed the connection mid-response"):
        await gh.repo("octo", "hello")
    assert server.hits["/repos/octo/hello"] == FAST.attempts


async def test_truncated_json_is_retried_then_reported(gh: GitHubClient, server: Scripted) -> None:
    server.on(VIEWS, Reply(body='{"count": 3, "uniq'), Reply(body={"count": 3}))
    assert (await gh.traffic_views("octo", "hello")).data == {"count": 3}
    server.reset()
    server.on(VIEWS, Reply(body='{"count": 3, "uniq'))
    with pytest.raises(BadResponse) as caught:
        await gh.traffic_views("octo", "hello")
    url = f"{server.base_url}{VIEWS}?per=day"
    assert str(caught.value) == f"GitHub sent an incomplete response for {url}; try again later"
    assert server.hits[VIEWS] == FAST.attempts


async def test_connection_refused_is_unreachable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    api = f"http://127.0.0.1:{port}"
    async with GitHubClient("t", api_url=api, retry=FAST, requests_per_minute=None) as gh:
        with pytest.raises(Unreachable) as caught:
            await gh.get("/rate_limit")
        assert gh.requests == FAST.attempts
    assert str(caught.value) == (
        f"cannot reach {api}: connection refused; check the network or GHTRAFFIC_API_URL"
    )


async def test_slow_server_times_out(server: Scripted) -> None:
    server.on("/slow", Reply(body={}, delay=0.5))
    async with GitHubClient(
        "t", api_url=server.base_url, retry=FAST, requests_per_minute=None, timeout=0.1
    ) as gh:
        with pytest.raises(Unreachable, match="timed out"):
            await gh.get("/slow")


async def test_primary_limit_is_not_retried_and_waits_on_server_clock(
    gh: GitHubClient, server: Scripted
) -> None:
    server.clock -= timedelta(days=200)  # the server's clock is far from this machine's
    headers = server.rate_headers(remaining=0, reset_in=754)
    body = {"message": "API rate limit exceeded for user ID 1."}
    server.on("/repos/octo/hello", Reply(403, body, headers=headers, rate=False))
    with pytest.raises(RateLimitExhausted) as caught:
        await gh.repo("octo", "hello")
    error = caught.value
    assert error.wait_seconds == 754
    assert error.reset_at == server.clock + timedelta(seconds=754)
    assert "rate limit exhausted" in str(error)
    assert "in 13 min" in str(error)
    assert server.hits["/repos/octo/hello"] == 1
    assert gh.rate is not None
    assert gh.rate.remaining == 0
    assert gh.rate.wait_seconds == 754


async def test_primary_limit_on_429(gh: GitHubClient, server: Scripted) -> None:
    headers = server.rate_headers(remaining=0, reset_in=30)
    server.on("/x", Reply(429, {"message": "x"}, headers=headers, rate=False))
    with pytest.raises(RateLimitExhausted) as caught:
        await gh.get("/x")
    assert caught.value.status == 429
    assert caught.value.wait_seconds == 30


async def test_secondary_limit_with_retry_after_is_waited_out(
    gh: GitHubClient, server: Scripted
) -> None:
    limited = Reply(
        403,
        {"message": "You have exceeded a secondary rate limit."},
        headers={"retry-after": "0.2"},
    )
    server.on("/repos/octo/hello", limited, Reply(body=REPO))
    started = time.monotonic()
    assert (await gh.repo("octo", "hello")).data == REPO
    assert time.monotonic() - started >= 0.2
    assert server.hits["/repos/octo/hello"] == 2


async def test_secondary_limit_without_retry_after_backs_off(
    gh: GitHubClient, server: Scripted
) -> None:
    limited = Reply(429, {"message": "You have exceeded a secondary rate limit."})
    server.on("/x", limited, limited, Reply(body=[]))
    assert (await gh.get("/x")).data == []
    assert server.hits["/x"] == 3


async def test_secondary_limit_gives_up_after_its_attempts(
    gh: GitHubClient, server: Scripted
) -> None:
    server.on("/x", Reply(403, {"message": "You have exceeded a secondary rate limit."}))
    with pytest.raises(SecondaryRateLimited, match="secondary rate limit"):
        await gh.get("/x")
    assert server.hits["/x"] == FAST.secondary_attempts


async def test_secondary_wait_longer_than_the_cap_is_not_attempted(server: Scripted) -> None:
    server.on("/x", Reply(403, {"message": "slow down"}, headers={"retry-after": "120"}))
    policy = RetryPolicy(initial=0.001, maximum=0.01, max_wait=60)
    async with GitHubClient(
        "t", api_url=server.base_url, retry=policy, requests_per_minute=None
    ) as gh:
        started = time.monotonic()
        with pytest.raises(SecondaryRateLimited) as caught:
            await gh.get("/x")
    assert time.monotonic() - started < 1
    assert caught.value.retry_after == 120
    assert "wait 2 min" in str(caught.value)
    assert server.hits["/x"] == 1


async def test_wrong_shape_listing_is_bad_response(gh: GitHubClient, server: Scripted) -> None:
    server.json("/users/acme", {"login": "acme", "type": "Organization"})
    server.json("/orgs/acme/repos", {"message": "not a list"})
    with pytest.raises(BadResponse, match="did not return a list"):
        _ = [r async for r in gh.owner_repos("acme")]


def test_messages_are_one_line() -> None:
    error = Forbidden("octo/hello", "line one\n  line two")
    assert "\n" not in str(error)
    assert str(error) == (
        "GitHub refused access to octo/hello (403 line one line two): check the token's permissions"
    )


async def test_fetch_traffic_raises_the_error_itself(gh: GitHubClient, server: Scripted) -> None:
    base = "/repos/octo/hello/traffic"
    for tail in ("views", "clones", "popular/referrers"):
        server.json(f"{base}/{tail}", {})
    server.on(f"{base}/popular/paths", Reply(403, {"message": "Must have push access"}))
    with pytest.raises(NoPushAccess):
        await fetch_traffic(gh, "octo", "hello")
