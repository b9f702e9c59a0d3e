"""What a client of the fake notices over real HTTP: rate limits, ETags, pagination, the clock,
access rules, GHES mode, replay and the command line."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx

from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.model import Per, TrafficModel
from ghtraffic.fakegithub.server import FakeGitHub, free_port, running

from .conftest import HEADERS, repo_names

PERS: tuple[Per, ...] = ("day", "week")


def test_rate_limit_counts_requests_but_not_304s(fake: FakeGitHub, client: httpx.Client) -> None:
    start = int(client.get("/rate_limit").json()["resources"]["core"]["remaining"])
    first = client.get("/user")
    assert int(first.headers["x-ratelimit-remaining"]) == start - 1
    again = client.get("/user", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert int(again.headers["x-ratelimit-remaining"]) == start - 1
    core = client.get("/rate_limit").json()["resources"]["core"]
    assert core["remaining"] == start - 1  # /rate_limit itself is free
    now = fake.now()
    hour = int(now.timestamp()) // 3600 * 3600
    assert int(first.headers["x-ratelimit-reset"]) == hour + 3600
    assert parsedate_to_datetime(first.headers["date"]) == now
    assert fake.stats()["not_modified"] >= 1


def test_pagination_walks_every_repo_once(fake: FakeGitHub, client: httpx.Client) -> None:
    seen: list[str] = []
    url: str | None = "/user/repos?per_page=7"
    pages = 0
    while url:
        response = client.get(url)
        seen += [r["full_name"] for r in response.json()]
        pages += 1
        url = response.links.get("next", {}).get("url")
        if pages > 1:
            assert "prev" in response.links
            assert "first" in response.links
    assert sorted(seen) == sorted(repo_names(fake))
    assert len(seen) == len(set(seen))
    assert pages == -(-len(seen) // 7)
    org = [r["full_name"] for r in client.get("/orgs/acme-labs/repos?per_page=100").json()]
    assert sorted(org) == sorted(n for n in repo_names(fake) if n.startswith("acme-labs/"))


def test_outsider_sees_public_repos_only(fake: FakeGitHub) -> None:
    headers = {**HEADERS, "Authorization": "Bearer outsider-token"}
    with httpx.Client(base_url=fake.api_url, headers=headers) as http:
        private = repo_names(fake, private=True)
        assert private
        assert http.get(f"/repos/{private[0]}").status_code == 404
        public = repo_names(fake, private=False, renamed_from=None)[0]
        body = http.get(f"/repos/{public}").json()
        assert body["permissions"] == {
            "admin": False,
            "maintain": False,
            "push": False,
            "triage": False,
            "pull": True,
        }
        assert http.get("/user/repos").json() == []
        owned = http.get("/users/octo-demo/repos?per_page=100").json()
        assert owned
        assert not any(r["private"] for r in owned)


def test_missing_user_agent_and_unknown_route(fake: FakeGitHub, client: httpx.Client) -> None:
    request = client.build_request("GET", "/user")
    del request.headers["user-agent"]
    response = client.send(request)
    assert response.status_code == 403
    assert "User-Agent" in response.json()["message"]
    missing = client.get("/nope/nothing")
    assert missing.status_code == 404
    assert missing.json() == {
        "message": "Not Found",
        "documentation_url": "https://docs.github.com/rest",
        "status": "404",
    }


def test_served_traffic_follows_the_model_as_the_clock_moves(
    fake: FakeGitHub, client: httpx.Client
) -> None:
    model = TrafficModel(seed=1)
    world = {r["full_name"]: r["id"] for r in fake.world()["repos"]}
    name = repo_names(fake, private=False, renamed_from=None)[1]
    try:
        for instant in ("2025-11-20T10:00:00Z", "2025-12-30T05:00:00Z"):
            fake.set_now(instant)
            now = fake.now()
            for per in PERS:
                views = client.get(f"/repos/{name}/traffic/views?per={per}").json()
                assert views == model.views_body(world[name], now, per)
            clones = client.get(f"/repos/{name}/traffic/clones").json()
            assert clones == model.clones_body(world[name], now)
        previous = None
        fake.set_now("2026-01-01T00:00:00Z")
        for _ in range(5):
            fake.advance_days(1)
            rows = client.get(f"/repos/{name}/traffic/views").json()["views"]
            current = {r["timestamp"]: r["count"] for r in rows}
            if previous:
                for stamp, count in previous.items():
                    assert current.get(stamp, count) >= count
            previous = current
    finally:
        fake.set_now(datetime(2026, 1, 5, 23, tzinfo=UTC))


def test_same_seed_same_world() -> None:
    with (
        running(FakeGitHubConfig(repos=12, seed=9)) as a,
        running(FakeGitHubConfig(repos=12, seed=9)) as b,
    ):
        assert a.world()["repos"] == b.world()["repos"]
        name = a.world()["repos"][0]["full_name"]
        bodies = []
        for server in (a, b):
            with httpx.Client(base_url=server.api_url, headers=HEADERS) as http:
                bodies.append(http.get(f"/repos/{name}/traffic/popular/paths").content)
        assert bodies[0] == bodies[1]


def test_ghes_mode() -> None:
    with running(FakeGitHubConfig(repos=5, ghes=True)) as ghes:
        assert ghes.api_url.endswith("/api/v3")
        with httpx.Client(base_url=ghes.api_url, headers=HEADERS) as http:
            name = ghes.world()["repos"][0]["full_name"]
            repo = http.get(f"/repos/{name}")
            assert repo.status_code == 200
            assert "x-ratelimit-limit" not in repo.headers
            assert repo.json()["url"].startswith(ghes.api_url)
            assert http.get(f"/repos/{name}/traffic/views").status_code == 404
            assert http.get("/rate_limit").status_code == 404
        assert httpx.get(f"{ghes.base_url}/user", headers=HEADERS).status_code == 404


def test_replay_serves_an_archive(tmp_path: Path) -> None:
    folder = tmp_path / "someone" / "thing" / "ghrs-data"
    folder.mkdir(parents=True)
    rows = ["time_iso8601,clones_total,clones_unique,views_total,views_unique"]
    rows += [f"2026-01-{d:02d} 00:00:00+00:00,{d * 10},{d},{d * 3},{d}" for d in range(1, 31)]
    (folder / "views_clones_aggregate.csv").write_text("\n".join(rows) + "\n")
    config = FakeGitHubConfig(replay=tmp_path, start=datetime(2026, 2, 1, 12, tzinfo=UTC))
    with running(config) as fake, httpx.Client(base_url=fake.api_url, headers=HEADERS) as http:
        assert [r["full_name"] for r in fake.world()["repos"]] == ["someone/thing"]
        body = http.get("/repos/someone/thing/traffic/views").json()
        last = body["views"][-1]
        assert last["timestamp"] == "2026-01-31T00:00:00Z"
        assert last["count"] <= 93
        assert body["views"][0] == {"timestamp": "2026-01-18T00:00:00Z", "count": 54, "uniques": 18}


def test_command_line_entry_point() -> None:
    port = free_port()
    command = [sys.executable, "-m", "ghtraffic.fakegithub", "--port", str(port), "--repos", "3"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line == f"fake GitHub listening on http://127.0.0.1:{port}"
        response = httpx.get(f"http://127.0.0.1:{port}/user", headers=HEADERS)
        assert response.json()["login"] == "octo-demo"
    finally:
        process.terminate()
        process.wait(timeout=10)
