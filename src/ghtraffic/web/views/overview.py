"""``/``: every visible repository in one table, totals and one combined chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ghtraffic.storage.records import RepoRow
from ghtraffic.web import series
from ghtraffic.web.pagecache import archive_version
from ghtraffic.web.permissions import visible_repos
from ghtraffic.web.principal import Principal, principal_of
from ghtraffic.web.ranges import DateRange
from ghtraffic.web.state import state_of
from ghtraffic.web.views.common import dense, range_context, range_of, sparkline


@dataclass(frozen=True, slots=True)
class OverviewRow:
    repo: RepoRow
    views: int
    previous_views: int
    clones: int
    views_unique_14d: int | None
    clones_unique_14d: int | None
    stars: int | None
    stars_change: int | None
    spark: str


def overview(
    session: Session, principal: Principal, request: Request, base: str = ""
) -> dict[str, Any]:
    """The page's data; the table rows are rendered once per archive version and range."""
    repos = visible_repos(session, principal)
    ids = {repo.id for repo in repos}
    period = range_of(request, session, ids)
    state = state_of(request)
    key = ("overview", base, tuple(sorted(ids)), period.since, period.until)

    def make() -> dict[str, Any]:
        built = build(session, repos, period)
        rows_html = state.templates.env.get_template("overview_rows.html").render(
            rows=built["rows"], base=base, period=period
        )
        # Rendered by the autoescaping environment above: safe to insert as it is.
        return {**built, "rows_html": Markup(rows_html)}  # noqa: S704

    built = state.pages.get_or_build((*key, archive_version(session)), make)
    return {**built, **range_context(period)}


def build(session: Session, repos: list[RepoRow], period: DateRange) -> dict[str, Any]:
    ids = {repo.id for repo in repos}
    before = period.previous()
    current = series.daily_by_repo(session, ids, period.since, period.until)
    previous = series.views_by_repo(session, ids, before.since, before.until)
    windows = series.newest_windows(session, ids)
    stars_now = series.stars_on(session, ids, period.until)
    stars_then = series.stars_on(session, ids, period.since - timedelta(days=1))
    rows = []
    for repo in repos:
        points = current.get(repo.id, [])
        window = windows.get(repo.id)
        now, then = stars_now.get(repo.id), stars_then.get(repo.id)
        rows.append(
            OverviewRow(
                repo=repo,
                views=series.total(points, "views"),
                previous_views=previous.get(repo.id, 0),
                clones=series.total(points, "clones"),
                views_unique_14d=None if window is None else window.views_unique,
                clones_unique_14d=None if window is None else window.clones_unique,
                stars=now,
                stars_change=None if now is None or then is None else now - then,
                spark=sparkline(
                    dense({p.day: p.views for p in points}, period.since, period.until)
                ),
            )
        )
    rows.sort(key=lambda row: (-row.views, row.repo.full_name.casefold()))
    totals = series.totals_daily(session, ids, period.since, period.until)
    previous_totals = series.totals_daily(session, ids, before.since, before.until)
    days = [period.since + timedelta(days=i) for i in range(period.days)]
    by_day = {p.day: p for p in totals}
    chart = {
        "days": [d.isoformat() for d in days],
        "series": {
            "views": [by_day[d].views if d in by_day else None for d in days],
            "clones": [by_day[d].clones if d in by_day else None for d in days],
        },
    }
    return {
        "rows": rows,
        "chart": chart,
        "totals": {
            "views": series.total(totals, "views"),
            "clones": series.total(totals, "clones"),
            "previous_views": series.total(previous_totals, "views"),
            "previous_clones": series.total(previous_totals, "clones"),
            "stars": sum(row.stars or 0 for row in rows),
            "stars_change": sum(row.stars_change or 0 for row in rows),
            "repos": len(rows),
        },
    }


async def overview_page(request: Request) -> Response:
    state = state_of(request)
    principal = principal_of(request)

    def load() -> dict[str, Any]:
        with state.db.read_session() as session:
            return overview(session, principal, request)

    context = await run_in_threadpool(load)
    return state.templates.render(request, "overview.html", {**context, "base": ""})


def routes() -> list[BaseRoute]:
    return [Route("/", overview_page, methods=["GET"])]
