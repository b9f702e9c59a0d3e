"""Releases (download counts) and stargazers (with starred_at) as GitHub describes them."""

from __future__ import annotations

import httpx

from ghtraffic.fakegithub import extras
from ghtraffic.fakegithub.server import FakeGitHub

from .conftest import HEADERS, Validator


def _with_releases(fake: FakeGitHub) -> str:
    for repo in fake.world()["repos"]:
        if extras._unit(repo["id"], "releases") < 0.25 and not repo["private"]:
            return str(repo["full_name"])
    raise AssertionError("the world has no repository with releases")


def test_releases_validate_and_downloads_grow(
    fake: FakeGitHub, client: httpx.Client, validate: Validator
) -> None:
    name = _with_releases(fake)
    first = client.get(f"/repos/{name}/releases")
    validate(first)
    assert first.json(), "releases are listed"
    fake.advance_days(3)
    later = client.get(f"/repos/{name}/releases")
    before = {a["id"]: a["download_count"] for r in first.json() for a in r["assets"]}
    after = {a["id"]: a["download_count"] for r in later.json() for a in r["assets"]}
    assert all(after[i] >= before[i] for i in before)
    assert sum(after.values()) > sum(before.values())


def test_stargazers_with_times_match_the_star_count(
    fake: FakeGitHub, client: httpx.Client, validate: Validator
) -> None:
    name = _with_releases(fake)
    stars = client.get(f"/repos/{name}").json()["stargazers_count"]
    seen: list[str] = []
    url: str | None = f"/repos/{name}/stargazers?per_page=100"
    while url:
        page = client.get(url, headers={**HEADERS, "Accept": extras.STAR_MEDIA})
        validate(page)
        seen += [entry["starred_at"] for entry in page.json()]
        url = page.links.get("next", {}).get("url")
    assert len(seen) == stars
    assert seen == sorted(seen)
    plain = client.get(f"/repos/{name}/stargazers")
    assert "starred_at" not in plain.json()[0]
