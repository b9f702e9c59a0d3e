"""Each fault kind, as an httpx client sees it, and the ``--faults`` syntax."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest

from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.faults import parse_faults
from ghtraffic.fakegithub.server import FakeGitHub, running

from .conftest import HEADERS, repo_names


@pytest.fixture
def faulty() -> Iterator[FakeGitHub]:
    with running(FakeGitHubConfig(repos=6, seed=2)) as server:
        yield server


def _client(fake: FakeGitHub, timeout: float = 5) -> httpx.Client:
    return httpx.Client(base_url=fake.api_url, headers=HEADERS, timeout=timeout)


def test_parse_faults() -> None:
    settings = parse_faults(
        "5xx=0.05,reset=0.02,timeout=0.01,truncate=0.02,secondary=0.02,no-push=acme-labs/foo,"
        "no-push=globex/a|globex/b,latency=50,limit=10,retry-after=3,timeout-s=2,seed=7"
    )
    assert settings.rate("5xx") == 0.05
    assert settings.rate("reset") == 0.02
    assert settings.no_push == {"acme-labs/foo", "globex/a", "globex/b"}
    assert settings.latency_ms == 50
    assert settings.rate_limit == 10
    assert settings.retry_after == 3
    assert settings.timeout_seconds == 2
    assert settings.seed == 7
    with pytest.raises(ValueError, match="unknown fault"):
        parse_faults("bogus=1")
    config = FakeGitHubConfig.from_options(latency_ms=20, faults="reset=0.1", token="t0k")
    assert config.latency_ms == 20
    assert config.faults.rate("reset") == 0.1
    assert config.tokens["t0k"] == "octo-demo"
    assert "demo-token" not in config.tokens


def test_reset_truncate_5xx_secondary(faulty: FakeGitHub) -> None:
    with _client(faulty) as http:
        faulty.set_faults(reset=1.0)
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            http.get("/user")
        faulty.set_faults(truncate=1.0)
        cut = http.get("/user")
        assert cut.status_code == 200
        assert int(cut.headers["content-length"]) == len(cut.content)
        with pytest.raises(json.JSONDecodeError):
            cut.json()
        faulty.set_faults(secondary=1.0, retry_after=4)
        limited = http.get("/user")
        assert limited.status_code == 403
        assert limited.headers["retry-after"] == "4"
        assert "secondary rate limit" in limited.json()["message"]
        faulty.set_faults("5xx=1")
        assert http.get("/user").status_code in (500, 502, 503)
        faulty.set_faults("")
        assert http.get("/user").status_code == 200
        assert http.get("/_fake/clock").status_code == 200  # control routes are never faulted
    assert faulty.stats()["faults"]["reset"] == 1


def test_the_secondary_limit_is_enforced_per_token_and_window(faulty: FakeGitHub) -> None:
    faulty.set_faults("per-minute=5,secondary-window=1.5")
    with _client(faulty) as http:
        answers = [http.get("/user") for _ in range(7)]
        assert [a.status_code for a in answers] == [200] * 5 + [403] * 2
        limited = answers[-1]
        assert "secondary rate limit" in limited.json()["message"]
        assert 1 <= int(limited.headers["retry-after"]) <= 2
        time.sleep(1.6)  # the window moved on: the token may ask again
        assert http.get("/user").status_code == 200
    stats = faulty.stats()
    assert stats["faults"]["secondary-limit"] == 2
    assert stats["secondary_peaks"] == {"demo-token": 5}
    faulty.set_faults("")
    with _client(faulty) as http:
        assert all(http.get("/user").status_code == 200 for _ in range(8))


def test_timeout_and_latency(faulty: FakeGitHub) -> None:
    faulty.set_faults("timeout=1,timeout-s=1.5")
    with _client(faulty, timeout=0.3) as http, pytest.raises(httpx.ReadTimeout):
        http.get("/user")
    faulty.set_faults("latency=150")
    with _client(faulty) as http:
        response = http.get("/user")
    assert response.status_code == 200
    assert response.elapsed.total_seconds() >= 0.15
    faulty.set_faults("")


def test_primary_limit_exhaustion_and_reset_with_the_clock(faulty: FakeGitHub) -> None:
    faulty.set_faults("limit=3")
    faulty.set_now("2026-01-06T10:00:00Z")
    with _client(faulty) as http:
        assert [http.get("/user").status_code for _ in range(4)] == [200, 200, 200, 403]
        blocked = http.get("/user")
        assert blocked.headers["x-ratelimit-remaining"] == "0"
        assert blocked.json()["message"] == "API rate limit exceeded for user ID 1."
        assert http.get("/rate_limit").json()["rate"]["remaining"] == 0
        faulty.set_now("2026-01-06T11:00:00Z")
        assert http.get("/user").status_code == 200
    faulty.set_faults("")


def test_no_push_fault(faulty: FakeGitHub) -> None:
    name = repo_names(faulty, private=False)[0]
    faulty.set_faults({"no-push": [name]})
    with _client(faulty) as http:
        response = http.get(f"/repos/{name}/traffic/views")
        assert response.status_code == 403
        assert response.json()["message"] == "Must have push access to repository"
        assert http.get(f"/repos/{name}").json()["permissions"]["push"] is False
    faulty.set_faults("")


def test_probabilistic_faults_are_reproducible() -> None:
    outcomes = []
    for _ in range(2):
        config = FakeGitHubConfig(repos=4, faults=parse_faults("5xx=0.3,secondary=0.2,seed=5"))
        with running(config) as fake, _client(fake) as http:
            outcomes.append([http.get(f"/user?n={i % 5}").status_code for i in range(30)])
    assert outcomes[0] == outcomes[1]
    assert set(outcomes[0]) >= {200, 403}
    assert any(s >= 500 for s in outcomes[0])
