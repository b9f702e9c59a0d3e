"""``/``: totals and one combined chart of every visible repository, and a table of them
that the server filters, sorts and pages (``overview_table``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ghtraffic.identity.permissions import visible_ids, visible_repos
from ghtraffic.identity.principal import Principal
from ghtraffic.readmodels import chartdata, coverage, series
from ghtraffic.storage.records import RepoRow
from ghtraffic.web.pagecache import archive_version
from ghtraffic.web.principal import principal_of
from ghtraffic.web.ranges import DateRange
from ghtraffic.web.state import state_of
from ghtraffic.web.views.common import (
    range_between,
    range_context,
    read_archive,
    spark_bucket,
    sparkline,
)
from ghtraffic.web.views.overview_table import TableQuery, select


@dataclass(frozen=True, slots=True)
class OverviewRow:
    repo: RepoRow
    name_key: str
    views: int
    #: ``None`` when the archive of this repository starts after the previous period did.
    previous_views: int | None
    clones: int
    views_unique_14d: int | None
    clones_unique_14d: int | None
    stars: int | None
    stars_change: int | None
    spark: str
    #: The day ``stars_change`` counts from when the archive starts inside the range.
    stars_since: date | None = None

    @property
    def repo_id(self) -> int:
        return self.repo.id

    def value(self, column: str) -> int | None:
        """The figure of a table column (``overview_table.COLUMNS``)."""
        if column == "views_unique":
            return self.views_unique_14d
        if column == "clones_unique":
            return self.clones_unique_14d
        found: int | None = getattr(self, column)
        return found


def overview(
    session: Session, principal: Principal, request: Request, base: str = ""
) -> dict[str, Any]:
    """The page's data: totals and chart of every visible repository, and the page of the
    table the query string asks for.

    What does not depend on the table's query (the rows of every visible repository and
    the HTML of each row) is computed once per archive version and range; a request only
    filters, sorts and slices those rows."""
    ids = visible_ids(session, principal)
    visible = tuple(sorted(ids))
    state = state_of(request)
    version = archive_version(session)
    oldest, newest = state.pages.get_or_build(
        ("bounds", visible, version), lambda: series.bounds(session, ids)
    )
    period = range_between(request, oldest, newest)

    def make() -> dict[str, Any]:
        repos = [repo for repo in visible_repos(session, principal) if repo.id in ids]
        built = build(session, repos, period)
        row = state.templates.env.get_template("overview_rows.html").module.row  # type: ignore[attr-defined]
        html = {r.repo.id: str(row(r, base, period)) for r in built["rows"]}
        return {**built, "row_html": html}

    key = ("overview", base, visible, period.since, period.until, version)
    built = state.pages.get_or_build(key, make)
    query = TableQuery.parse(request.query_params)
    table = select(built["rows"], built["row_html"], query, period.query())
    return {
        "chart": built["chart"],
        "compared": built["compared"],
        "totals": built["totals"],
        "table": table,
        **range_context(period),
    }


def render(request: Request, context: dict[str, Any], base: str) -> Response:
    """The page, or with ``fragment=table`` only its table (what the script swaps in)."""
    templates = state_of(request).templates
    name = "overview_table.html" if request.query_params.get("fragment") == "table" else None
    return templates.render(request, name or "overview.html", {**context, "base": base})


def build(session: Session, repos: list[RepoRow], period: DateRange) -> dict[str, Any]:
    ids = {repo.id for repo in repos}
    before = period.previous()
    # views and clones per sparkline bucket (a day up to 60 days), summed by the database
    size = spark_bucket(period.days)
    count = -(-period.days // size)
    current = series.buckets_by_repo(session, ids, period.since, period.until, size)
    previous = series.views_by_repo(session, ids, before.since, before.until)
    first = coverage.first_days(session, ids)
    windows = series.newest_windows(session, ids)
    stars_now = series.stars_on(session, ids, period.until)
    stars_then = series.stars_on(session, ids, period.since - timedelta(days=1))
    stars_first = coverage.first_stars(session, ids, period.since, period.until)
    rows = []
    for repo in repos:
        buckets = current.get(repo.id, {})
        window = windows.get(repo.id)
        now, then = stars_now.get(repo.id), stars_then.get(repo.id)
        since = None
        if then is None and repo.id in stars_first:
            since, then = stars_first[repo.id]
        views = [buckets[i].views if i in buckets else None for i in range(count)]
        covered = repo.id in first and first[repo.id] <= before.since
        rows.append(
            OverviewRow(
                repo=repo,
                name_key=repo.full_name.casefold(),
                views=sum(v or 0 for v in views),
                previous_views=previous.get(repo.id, 0) if covered else None,
                clones=sum(b.clones or 0 for b in buckets.values()),
                views_unique_14d=None if window is None else window.views_unique,
                clones_unique_14d=None if window is None else window.clones_unique,
                stars=now,
                stars_change=None if now is None or then is None else now - then,
                spark=sparkline(views),
                stars_since=since,
            )
        )
    rows.sort(key=lambda row: (-row.views, row.name_key))
    totals = series.totals_daily(session, ids, period.since, period.until)
    previous_views, previous_clones = series.totals_sum(session, ids, before.since, before.until)
    oldest = min(first.values(), default=None)
    compared = oldest is not None and oldest <= before.since
    days = chartdata.days_between(period.since, period.until)
    by_day = {p.day: p for p in totals}
    chart = chartdata.daily_or_weekly(
        days,
        {
            "views": [by_day[d].views if d in by_day else None for d in days],
            "clones": [by_day[d].clones if d in by_day else None for d in days],
        },
        right=["clones"],
    )
    changes = [row.stars_change for row in rows if row.stars_change is not None]
    return {
        "rows": rows,
        "chart": chart,
        "compared": compared,
        "totals": {
            "views": series.total(totals, "views"),
            "clones": series.total(totals, "clones"),
            "previous_views": previous_views if compared else None,
            "previous_clones": previous_clones if compared else None,
            "stars": sum(row.stars or 0 for row in rows),
            "stars_change": sum(changes) if changes else None,
            "stars_since": min((r.stars_since for r in rows if r.stars_since), default=None),
            "repos": len(rows),
        },
    }


async def overview_page(request: Request) -> Response:
    principal = principal_of(request)
    context = await read_archive(request, lambda session: overview(session, principal, request))
    return render(request, context, "")


def routes() -> list[BaseRoute]:
    return [Route("/", overview_page, methods=["GET"])]
