"""The overview's table: sorted, filtered and paged on the server, through the query string
(so links can be shared and it works without a script), for admins, viewers and the
public view alike; and its fragment (``fragment=table``) that the script swaps in."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from ghtraffic.domain import DayValues, RepoFacts
from ghtraffic.identity.accounts import find_user
from ghtraffic.identity.public import set_public
from ghtraffic.readmodels.series import Point
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database
from ghtraffic.storage.tables import TrafficDaily
from ghtraffic.web.views.overview_table import PAGE_SIZE, Table, TableQuery, select, sort_key
from tests.web.seed import NEWEST

ROW = re.compile(r'<tr data-name="([^"]+)">')
COUNT = re.compile(r"data-count>([^<]+)<")


def names(html: str) -> list[str]:
    """The repositories of the table's rows, in their order."""
    return ROW.findall(html)


def count(html: str) -> str:
    found = COUNT.search(html)
    assert found, "no count in the table"
    return " ".join(found.group(1).split())


def add_repos(archive: Archive, how_many: int, owner: str = "bulk") -> None:
    """``how_many`` more repositories: repo ``i`` has ``i`` views on the newest day."""
    at = datetime.combine(NEWEST, datetime.min.time(), UTC) + timedelta(hours=5)
    for i in range(1, how_many + 1):
        facts = RepoFacts(10_000 + i, owner, f"r{i:03d}", stars=i % 7, forks=0)
        with archive.repo_batch() as batch:
            batch.upsert_repo(facts, at)
            batch.merge_daily(facts.github_id, [DayValues(NEWEST, i, 1, i % 5, 1)], at)
            batch.mark_success(facts.github_id, at)


# -- the table as a user sees it ---------------------------------------------------------


def test_rows_start_with_the_most_viewed(admin: TestClient) -> None:
    page = admin.get("/")
    assert page.status_code == 200
    assert names(page.text) == ["globex/secret-plan", "acme/anvil", "acme/rocket"]
    assert 'aria-sort="descending"' in page.text
    assert count(page.text) == "1–3 of 3 repositories"


SORTED = [
    ("sort=name", ["acme/anvil", "acme/rocket", "globex/secret-plan"]),
    ("sort=name&dir=desc", ["globex/secret-plan", "acme/rocket", "acme/anvil"]),
    ("sort=views&dir=asc", ["acme/rocket", "acme/anvil", "globex/secret-plan"]),
    ("sort=stars", ["globex/secret-plan", "acme/rocket", "acme/anvil"]),
    ("sort=stars&dir=asc", ["acme/anvil", "acme/rocket", "globex/secret-plan"]),
    ("sort=clones_unique&dir=asc", ["acme/rocket", "acme/anvil", "globex/secret-plan"]),
    ("sort=views_unique", ["globex/secret-plan", "acme/anvil", "acme/rocket"]),
    ("sort=clones", ["globex/secret-plan", "acme/anvil", "acme/rocket"]),
]


def test_sorting_by_each_column(admin: TestClient) -> None:
    for query, expected in SORTED:
        assert names(admin.get(f"/?{query}").text) == expected, query


def test_a_header_links_to_its_order_and_the_current_one_to_the_reverse(
    admin: TestClient,
) -> None:
    page = admin.get("/?range=7d&sort=stars").text
    found = re.findall(r'href="([^"]+)" data-table-link data-key="sort-(\w+)"', page)
    links = {key: href for href, key in found}
    assert parse_qs(urlsplit(links["stars"].replace("&amp;", "&")).query) == {
        "range": ["7d"],
        "sort": ["stars"],
        "dir": ["asc"],
    }
    assert parse_qs(urlsplit(links["name"].replace("&amp;", "&")).query) == {
        "range": ["7d"],
        "sort": ["name"],
    }
    assert names(admin.get(links["stars"].replace("&amp;", "&")).text)[0] == "acme/anvil"


def test_filtering_by_name_keeps_the_totals_of_every_repo(admin: TestClient) -> None:
    page = admin.get("/?q=ROCK")
    assert names(page.text) == ["acme/rocket"]
    assert count(page.text) == "1–1 of 1 matching (3 repositories)"
    assert 'data-kpi="Repositories">3<' in page.text
    assert 'value="ROCK"' in page.text  # the filter box shows what was asked
    nothing = admin.get("/?q=no-such-thing")
    assert names(nothing.text) == []
    assert "No repository matches these filters" in nothing.text


FILTERED = [
    ("min_stars=40", ["globex/secret-plan", "acme/rocket"]),
    ("max_stars=39", ["acme/anvil"]),
    ("min_views=1000&max_views=1500", ["acme/anvil"]),
    ("min_clones_unique=8", ["globex/secret-plan", "acme/anvil"]),
    ("max_views_unique=20", ["acme/rocket"]),
    ("min_clones=100&q=acme", ["acme/anvil"]),
    ("min_stars_change=6", []),
    (
        "min_stars_change=5&max_stars_change=5&sort=name",
        ["acme/anvil", "acme/rocket", "globex/secret-plan"],
    ),
    ("min_stars=abc", ["globex/secret-plan", "acme/anvil", "acme/rocket"]),
]


def test_filtering_by_each_column(admin: TestClient) -> None:
    for query, expected in FILTERED:
        assert names(admin.get(f"/?{query}").text) == expected, query


def test_paging_shows_every_repo_once(archive: Archive, admin: TestClient) -> None:
    add_repos(archive, 2 * PAGE_SIZE + 7)
    total = 2 * PAGE_SIZE + 7 + 3
    first = admin.get("/").text
    assert len(names(first)) == PAGE_SIZE
    assert count(first) == f"1–{PAGE_SIZE} of {total} repositories"
    assert 'rel="next"' in first
    assert 'rel="prev"' not in first
    seen: list[str] = []
    for number in (1, 2, 3):
        seen += names(admin.get(f"/?page={number}").text)
    assert len(seen) == len(set(seen)) == total
    last = admin.get("/?page=3").text
    assert count(last) == f"{2 * PAGE_SIZE + 1}–{total} of {total} repositories"
    assert 'rel="next"' not in last
    assert admin.get("/?page=99").text.count("<tr data-name") == total - 2 * PAGE_SIZE
    assert names(admin.get("/?page=nonsense").text) == names(first)
    # a filter and an order apply before the paging, across every page
    bulk = admin.get("/?q=bulk/&sort=views&dir=asc&page=2").text
    assert names(bulk)[0] == f"bulk/r{PAGE_SIZE + 1:03d}"
    nexts = re.findall(r'href="([^"]+)" rel="next"', bulk)
    assert nexts
    assert parse_qs(urlsplit(nexts[0].replace("&amp;", "&")).query) == {
        "range": ["30d"],
        "q": ["bulk/"],
        "dir": ["asc"],
        "page": ["3"],
    }


def test_the_fragment_is_the_table_alone(admin: TestClient) -> None:
    whole = admin.get("/?range=7d&sort=name&q=acme")
    part = admin.get("/?range=7d&sort=name&q=acme&fragment=table")
    assert part.status_code == 200
    assert part.headers["content-type"].startswith("text/html")
    assert "<html" not in part.text
    assert "<main" not in part.text
    assert 'id="repos"' in part.text
    assert names(part.text) == names(whole.text) == ["acme/anvil", "acme/rocket"]
    assert "fragment" not in part.text  # its links lead to the page, not to fragments


def test_a_change_of_range_keeps_the_filters_and_the_order(admin: TestClient) -> None:
    page = admin.get("/?q=acme&sort=clones&page=1").text
    assert 'href="?range=90d&amp;q=acme&amp;sort=clones"' in page
    assert '<input type="hidden" name="q" value="acme">' in page


def test_a_viewer_pages_and_fragments_hold_only_granted_repos(
    archive: Archive, viewer: TestClient
) -> None:
    add_repos(archive, PAGE_SIZE + 5, owner="acme")
    seen: list[str] = []
    for number in (1, 2):
        page = viewer.get(f"/?page={number}&sort=stars").text
        part = viewer.get(f"/?page={number}&sort=stars&fragment=table").text
        assert names(part) == names(page)
        seen += names(page)
    assert len(seen) == len(set(seen)) == PAGE_SIZE + 5 + 2
    assert all(name.startswith("acme/") for name in seen)
    for query in ("q=secret", "q=globex", "min_stars=99", "sort=stars&page=1"):
        for url in (f"/?{query}", f"/?{query}&fragment=table"):
            text = viewer.get(url).text
            assert all(name.startswith("acme/") for name in names(text)), url
            assert "secret-plan" not in text, url
            assert "globex/" not in text, url
    assert 'data-kpi="Repositories">107<' in viewer.get("/").text


def test_the_public_view_and_the_anonymous(seeded: Database, anon: TestClient) -> None:
    set_public(seeded, "acme/anvil", True)
    part = anon.get("/public?fragment=table&sort=name")
    assert part.status_code == 200
    assert names(part.text) == ["acme/anvil"]
    assert 'href="/public/repos/acme/anvil?range=30d"' in part.text
    assert names(anon.get("/public?q=rocket").text) == []
    refused = anon.get("/?fragment=table")
    assert refused.status_code == 303
    assert refused.headers["location"].startswith("/login")


# -- the pure parts -------------------------------------------------------------------


@dataclass(frozen=True)
class FakeRow:
    repo_id: int
    name_key: str
    figures: dict[str, int | None]

    def value(self, column: str) -> int | None:
        return self.figures.get(column)


def test_query_parsing_falls_back_to_defaults() -> None:
    assert TableQuery.parse({}) == TableQuery()
    assert TableQuery.parse({"sort": "name"}).descending is False
    assert TableQuery.parse({"sort": "stars"}).descending is True
    assert TableQuery.parse({"sort": "nope", "dir": "sideways", "page": "-3"}) == TableQuery()
    parsed = TableQuery.parse({"min_views": " 1,000 ", "max_stars": "2.5", "min_bogus": "1"})
    assert parsed.bounds == (("views", 1000, None), ("stars", None, 2))
    assert TableQuery.parse({"q": "x" * 500}).text == "x" * 200


def test_an_unknown_figure_sorts_last_either_way() -> None:
    rows = [
        FakeRow(1, "a", {"stars": None}),
        FakeRow(2, "b", {"stars": 3}),
        FakeRow(3, "c", {"stars": 1}),
    ]
    down = sorted(rows, key=sort_key("stars", True))
    up = sorted(rows, key=sort_key("stars", False))
    assert [r.repo_id for r in down] == [2, 3, 1]
    assert [r.repo_id for r in up] == [3, 2, 1]
    assert [r.repo_id for r in sorted(rows, key=sort_key("name", False))] == [1, 2, 3]


def test_page_links_keep_the_ends_and_the_neighbours() -> None:
    rows = [FakeRow(i, f"r{i:04d}", {"views": i}) for i in range(2000)]
    html = {row.repo_id: f"<tr>{row.repo_id}</tr>" for row in rows}
    table: Table = select(rows, html, TableQuery(page=10), "range=30d")
    assert table.pages == 20
    assert table.page_links() == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert select(rows[:250], html, TableQuery(), "range=30d").page_links() == [1, 2, 3]
    assert str(table.html).startswith("<tr>1099</tr>")


def _daily_by_repo(
    session: Session, ids: set[int], since: date, until: date
) -> dict[int, list[Point]]:
    """Every archived day of the repositories in the range: what the buckets summarise."""
    found: dict[int, list[Point]] = defaultdict(list)
    query = sa.select(
        TrafficDaily.repo_id,
        TrafficDaily.day,
        TrafficDaily.views,
        TrafficDaily.views_unique,
        TrafficDaily.clones,
        TrafficDaily.clones_unique,
    ).where(TrafficDaily.repo_id.in_(ids), TrafficDaily.day >= since, TrafficDaily.day <= until)
    for repo_id, day, views, views_unique, clones, clones_unique in session.execute(query):
        found[repo_id].append(Point(day, views, views_unique, clones, clones_unique))
    return found


def _dense(points: dict[date, int | None], since: date, until: date) -> list[int | None]:
    """Values for every day of the range (a missing day is ``None``)."""
    return [points.get(since + timedelta(days=i)) for i in range((until - since).days + 1)]


def test_figures_and_sparklines_match_the_daily_rows(seeded: Database) -> None:
    """The buckets the database sums give what summing the archived days gives, for short
    ranges (a point a day) and long ones (a point per several days), gaps included."""
    from ghtraffic.identity.permissions import visible_repos
    from ghtraffic.identity.principal import Principal
    from ghtraffic.readmodels import series
    from ghtraffic.web.ranges import DateRange
    from ghtraffic.web.views.common import sparkline
    from ghtraffic.web.views.overview import build

    user = find_user(seeded, "admin")
    with seeded.read_session() as session:
        repos = visible_repos(session, Principal(user=user))
        ids = {r.id for r in repos}
        for days, end in (
            (7, NEWEST),
            (30, NEWEST),
            (60, NEWEST),
            (61, NEWEST),
            (200, NEWEST),
            (365, NEWEST + timedelta(days=40)),
            (1096, NEWEST),
        ):
            period = DateRange("custom", end - timedelta(days=days - 1), end)
            built = build(session, repos, period)
            daily = _daily_by_repo(session, ids, period.since, period.until)
            for row in built["rows"]:
                points = daily.get(row.repo.id, [])
                assert row.views == series.total(points, "views"), (days, row.repo.full_name)
                assert row.clones == series.total(points, "clones")
                values = _dense({p.day: p.views for p in points}, period.since, period.until)
                assert row.spark == sparkline(values), (days, row.repo.full_name)
            totals = series.totals_daily(session, ids, period.since, period.until)
            assert built["totals"]["views"] == series.total(totals, "views")
            before = period.previous()
            earlier = series.totals_daily(session, ids, before.since, before.until)
            oldest = series.bounds(session, ids)[0]
            if oldest is not None and oldest <= before.since:
                assert built["totals"]["previous_views"] == series.total(earlier, "views")
                assert built["totals"]["previous_clones"] == series.total(earlier, "clones")
            else:  # the archive starts inside the previous period: nothing to compare with
                assert built["compared"] is False
                assert built["totals"]["previous_views"] is None
                assert all(row.previous_views is None for row in built["rows"])


def test_the_page_cache_builds_a_value_once_for_concurrent_callers() -> None:
    import threading
    import time

    from ghtraffic.web.pagecache import PageCache

    cache = PageCache()
    calls: list[int] = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.2)
        return len(calls)

    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get_or_build("k", slow)))
        for _ in range(5)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [1] * 5
    assert calls == [1]

    def broken() -> int:
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        cache.get_or_build("other", broken)
    assert cache.get_or_build("other", lambda: 7) == 7  # a failed build leaves nothing behind
