"""``/repos/OWNER/NAME``: one repository's traffic, uniques, levels (stars, forks,
watchers, open issues), lists, spikes and collection health."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.routing import BaseRoute

from ghtraffic.identity.principal import Principal
from ghtraffic.readmodels import chartdata, downloads, levels, popular, series
from ghtraffic.readmodels.events import EventMark, event_marks
from ghtraffic.storage import queries
from ghtraffic.storage.database import Database
from ghtraffic.storage.records import RepoRow
from ghtraffic.web.ranges import DateRange
from ghtraffic.web.state import state_of
from ghtraffic.web.views.common import range_context, range_of, repo_pages, sparkline

TRAFFIC = ("views", "views_unique", "clones", "clones_unique")
CLONES = ("clones", "clones_unique")


def marks(events: list[EventMark], base: str, full_name: str) -> list[dict[str, object]]:
    """Spike markers of a chart, each linking to its line on the events page (which the
    public view does not have)."""
    return [
        {
            **e.as_dict(),
            "url": None
            if base
            else f"/events?repo={full_name}&range=custom"
            f"&since={e.day - timedelta(days=7)}&until={e.day + timedelta(days=7)}#spike-{e.id}",
        }
        for e in events
    ]


def traffic_blocks(
    session: Session, repo_id: int, period: DateRange, events: list[dict[str, object]]
) -> dict[str, Any]:
    """The traffic chart at each grain: views on the left axis, clones on the right."""
    by_day = {p.day: p for p in series.daily(session, repo_id, period.since, period.until)}
    days = chartdata.days_between(period.since, period.until)
    columns = {m: [getattr(by_day[d], m) if d in by_day else None for d in days] for m in TRAFFIC}
    weeks = series.weekly(session, repo_id, period.since - timedelta(days=6), period.until)
    return {
        "daily": chartdata.block(days, columns, right=CLONES, events=events),
        "weekly": chartdata.block(
            [w.day for w in weeks],
            {m: [getattr(w, m) for w in weeks] for m in TRAFFIC},
            grain="week",
            right=CLONES,
            events=events,
        ),
        "monthly": chartdata.monthly_sums(
            days, {m: columns[m] for m in ("views", "clones")}, right=["clones"], events=events
        ),
    }


def level_blocks(session: Session, repo_id: int, period: DateRange) -> dict[str, Any]:
    """Stars and forks; watchers and open issues; GitHub's 14-day and weekly uniques."""
    found = levels.levels(session, repo_id, period.since, period.until)
    days = [lv.day for lv in found]
    windows = levels.windows(session, repo_id, period.since, period.until)
    weeks = levels.weeks(session, repo_id, period.since - timedelta(days=6), period.until)
    return {
        "stars": chartdata.block(
            days,
            {"stars": [lv.stars for lv in found], "forks": [lv.forks for lv in found]},
            summary="last",
            right=["forks"],
        ),
        "community": chartdata.block(
            days,
            {
                "watchers": [lv.watchers for lv in found],
                "open_issues": [lv.open_issues for lv in found],
            },
            summary="last",
        ),
        "uniques": {
            "window": chartdata.block(
                [w.day for w in windows],
                {
                    "views_unique_14d": [w.views_unique for w in windows],
                    "clones_unique_14d": [w.clones_unique for w in windows],
                },
                summary="last",
                right=["clones_unique_14d"],
            ),
            "weekly": chartdata.block(
                [w.day for w in weeks],
                {
                    "views_unique": [w.views_unique for w in weeks],
                    "clones_unique": [w.clones_unique for w in weeks],
                },
                grain="week",
                summary="last",
                right=["clones_unique"],
            ),
        },
    }


def chart_data(
    session: Session, db: Database, repo: RepoRow, period: DateRange, base: str = ""
) -> dict[str, Any]:
    events = marks(event_marks(db, repo.id, period.since, period.until), base, repo.full_name)
    return {
        **traffic_blocks(session, repo.id, period, events),
        **level_blocks(session, repo.id, period),
    }


def stars_change(
    session: Session, repo_id: int, period: DateRange
) -> tuple[int | None, date | None]:
    """Stars gained over the range, and since when when the archive starts inside it."""
    now = series.stars_on(session, {repo_id}, period.until).get(repo_id)
    then = series.stars_on(session, {repo_id}, period.since - timedelta(days=1)).get(repo_id)
    if now is None:
        return None, None
    if then is not None:
        return now - then, None
    first = levels.levels(session, repo_id, period.since, period.until)[:1]
    return (now - first[0].stars, first[0].day) if first else (None, None)


def repo_context(
    session: Session, db: Database, principal: Principal, request: Request, repo: RepoRow
) -> dict[str, Any]:
    period = range_of(request, session, {repo.id})
    before = period.previous()
    current = series.daily(session, repo.id, period.since, period.until)
    previous = series.daily(session, repo.id, before.since, before.until)
    oldest = series.bounds(session, {repo.id})[0]
    window = series.newest_windows(session, {repo.id}).get(repo.id)
    status = next(
        (
            s
            for s in queries.status(session, datetime.now(UTC), repo.id).repos
            if s.repo_id == repo.id
        ),
        None,
    )
    change, stars_since = stars_change(session, repo.id, period)
    lists = {}
    for kind in ("referrers", "paths"):
        day, items = popular.with_history(session, repo.id, kind, period.since, period.until)
        lists[kind] = {
            "day": day,
            "items": [(item, sparkline(item.history, 80, 20)) for item in items],
        }
    base = "/public" if principal.public else ""
    chart = chart_data(session, db, repo, period, base)
    covered = oldest is not None and oldest <= before.since
    return {
        "repo": repo,
        "window": window,
        "status": status,
        "figures": {
            "views": series.total(current, "views"),
            "previous_views": series.total(previous, "views") if covered else None,
            "clones": series.total(current, "clones"),
            "previous_clones": series.total(previous, "clones") if covered else None,
            "stars": series.stars_on(session, {repo.id}, period.until).get(repo.id),
            "stars_change": change,
            "stars_since": stars_since,
        },
        "compared": covered,
        "lists": lists,
        "chart": chart,
        "grain": "weekly" if period.days > chartdata.LONG_RANGE_DAYS else "daily",
        "spikes": chart["daily"].get("events", []),
        "has_downloads": downloads.has_downloads(session, repo.id),
        **range_context(period),
    }


def _build(
    session: Session, repo: RepoRow, principal: Principal, request: Request
) -> dict[str, Any]:
    return repo_context(session, state_of(request).db, principal, request, repo)


def routes() -> list[BaseRoute]:
    return repo_pages("", "repo.html", _build)
