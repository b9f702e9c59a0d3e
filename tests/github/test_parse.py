"""GitHub bodies into domain values: tolerant of extras and omissions, strict about shape."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from ghtraffic.domain import PopularPath, Referrer, RepoFacts
from ghtraffic.github import (
    BadResponse,
    parse_paths,
    parse_referrers,
    parse_repo,
    parse_series,
    parse_timestamp,
    parse_totals,
)

RECORDED = Path(__file__).parents[1] / "data" / "github-api" / "get-repository.json"


def test_parse_repo_full() -> None:
    body = {
        "id": 7,
        "name": "hello",
        "owner": {"login": "octo", "type": "User"},
        "private": True,
        "fork": False,
        "archived": True,
        "stargazers_count": 12,
        "forks_count": 3,
        "open_issues_count": 4,
        "size": 900,
        "subscribers_count": 5,
        "description": "hi",
        "unknown_new_field": {"x": 1},
    }
    assert parse_repo(body) == RepoFacts(
        github_id=7,
        owner="octo",
        name="hello",
        private=True,
        archived=True,
        stars=12,
        forks=3,
        open_issues=4,
        size_kb=900,
        watchers=5,
        description="hi",
    )


def test_parse_repo_minimal_listing_item() -> None:
    facts = parse_repo({"id": 1, "name": "r", "owner": {"login": "o"}, "description": None})
    assert facts == RepoFacts(github_id=1, owner="o", name="r")
    assert facts.watchers is None


def test_parse_recorded_repository() -> None:
    body = json.loads(RECORDED.read_text())[0]["response"]
    facts = parse_repo(body)
    assert facts.full_name == body["full_name"]
    assert facts.watchers == body.get("subscribers_count")


@pytest.mark.parametrize(
    "body",
    [[], "x", {"id": "7", "name": "r", "owner": {"login": "o"}}, {"id": 1, "name": "r"}],
)
def test_parse_repo_wrong_shape(body: object) -> None:
    with pytest.raises(BadResponse, match="unexpected response"):
        parse_repo(body)


def test_parse_series_and_totals() -> None:
    body = {
        "count": 9,
        "uniques": 4,
        "views": [
            {"timestamp": "2026-01-05T00:00:00Z", "count": 5, "uniques": 3, "new": 1},
            {"timestamp": "2026-01-06T00:00:00Z", "count": 4, "uniques": 2},
        ],
    }
    assert parse_series(body, "views") == {date(2026, 1, 5): (5, 3), date(2026, 1, 6): (4, 2)}
    assert parse_totals(body, "views") == (9, 4)
    assert parse_series({"count": 0, "uniques": 0}, "clones") == {}


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"views": {}},
        {"views": [{"timestamp": "yesterday", "count": 1, "uniques": 1}]},
        {"views": [{"timestamp": "2026-01-05T00:00:00Z", "count": None, "uniques": 1}]},
    ],
)
def test_parse_series_wrong_shape(body: object) -> None:
    with pytest.raises(BadResponse):
        parse_series(body, "views")


def test_parse_timestamp_is_utc_day() -> None:
    assert parse_timestamp("2026-01-05T23:00:00-02:00") == date(2026, 1, 6)


def test_parse_referrers_and_paths() -> None:
    assert parse_referrers([{"referrer": "Google", "count": 3, "uniques": 2, "x": 0}]) == [
        Referrer("Google", 3, 2)
    ]
    assert parse_paths([{"path": "/o/r", "title": "<b>r</b>", "count": 1, "uniques": 1}]) == [
        PopularPath("/o/r", "<b>r</b>", 1, 1)
    ]
    assert parse_paths([{"path": "/o/r", "count": 1, "uniques": 1}])[0].title == ""
    with pytest.raises(BadResponse):
        parse_referrers({"referrer": "Google"})
    with pytest.raises(BadResponse):
        parse_paths([{"title": "no path", "count": 1, "uniques": 1}])
