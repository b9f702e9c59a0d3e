"""What each repository's read interval is, and why, on the collection page and in the API;
the rate budget at that cadence on the collection page."""

from __future__ import annotations

from starlette.testclient import TestClient


def test_the_collection_page_shows_the_budget_and_each_interval(admin: TestClient) -> None:
    page = admin.get("/collection").text
    assert "Rate budget and cadence" in page
    assert "rate points a day needed at this cadence" in page
    assert "5,000" in page or "available" in page  # the seeded run reported a limit
    for name in ("acme/rocket", "acme/anvil", "globex/secret-plan"):
        assert name in page
    assert "views a day" in page, "why: the views GitHub counted"


def test_the_api_gives_a_repositorys_interval_and_why(admin: TestClient) -> None:
    collection = admin.get("/api/v1/repos/acme/rocket").json()["collection"]
    assert collection["read_every_days"] >= 1
    assert collection["cadence"] in ("busy", "modest", "quiet", "new", "daily")
    assert collection["cadence_why"]
