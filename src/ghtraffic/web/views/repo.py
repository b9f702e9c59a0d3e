"""``/repos/OWNER/NAME``: one repository's series, lists, events and collection health."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ghtraffic.identity.permissions import resolve_repo
from ghtraffic.identity.principal import Principal
from ghtraffic.readmodels import popular, series
from ghtraffic.readmodels.events import event_marks
from ghtraffic.storage import queries
from ghtraffic.storage.database import Database
from ghtraffic.storage.records import RepoRow
from ghtraffic.web.principal import principal_of
from ghtraffic.web.ranges import DateRange
from ghtraffic.web.state import state_of
from ghtraffic.web.views.common import range_context, range_of, refuse, sparkline


def chart_data(session: Session, db: Database, repo: RepoRow, period: DateRange) -> dict[str, Any]:
    daily = series.daily(session, repo.id, period.since, period.until)
    by_day = {p.day: p for p in daily}
    days = [period.since + timedelta(days=i) for i in range(period.days)]

    def column(metric: str) -> list[int | None]:
        return [getattr(by_day[d], metric) if d in by_day else None for d in days]

    weeks = series.weekly(session, repo.id, period.since - timedelta(days=6), period.until)
    months = series.monthly(daily)
    snaps = series.snapshots(session, repo.id, period.since, period.until)
    return {
        "daily": {
            "days": [d.isoformat() for d in days],
            "series": {m: column(m) for m in ("views", "views_unique", "clones", "clones_unique")},
        },
        "weekly": {
            "days": [w.day.isoformat() for w in weeks],
            "series": {
                m: [getattr(w, m) for w in weeks]
                for m in ("views", "views_unique", "clones", "clones_unique")
            },
        },
        "monthly": {
            "days": [m.day.isoformat() for m in months],
            "series": {"views": [m.views for m in months], "clones": [m.clones for m in months]},
        },
        "stars": {
            "days": [s.day.isoformat() for s in snaps],
            "series": {"stars": [s.stars for s in snaps], "forks": [s.forks for s in snaps]},
        },
        "events": [e.as_dict() for e in event_marks(db, repo.id, period.since, period.until)],
    }


def repo_context(
    session: Session, db: Database, principal: Principal, request: Request, full_name: str
) -> dict[str, Any] | None:
    repo = resolve_repo(session, principal, full_name)
    if repo is None:
        return None
    period = range_of(request, session, {repo.id})
    before = period.previous()
    current = series.daily(session, repo.id, period.since, period.until)
    previous = series.daily(session, repo.id, before.since, before.until)
    window = series.newest_windows(session, {repo.id}).get(repo.id)
    status = next(
        (
            s
            for s in queries.status(session, datetime.now(UTC), repo.id).repos
            if s.repo_id == repo.id
        ),
        None,
    )
    stars_now = series.stars_on(session, {repo.id}, period.until).get(repo.id)
    stars_then = series.stars_on(session, {repo.id}, period.since - timedelta(days=1)).get(repo.id)
    lists = {}
    for kind in ("referrers", "paths"):
        day, items = popular.with_history(session, repo.id, kind, period.since, period.until)
        lists[kind] = {
            "day": day,
            "items": [(item, sparkline(item.history, 80, 20)) for item in items],
        }
    return {
        "repo": repo,
        "window": window,
        "status": status,
        "figures": {
            "views": series.total(current, "views"),
            "previous_views": series.total(previous, "views"),
            "clones": series.total(current, "clones"),
            "previous_clones": series.total(previous, "clones"),
            "stars": stars_now,
            "stars_change": None
            if stars_now is None or stars_then is None
            else stars_now - stars_then,
        },
        "lists": lists,
        "chart": chart_data(session, db, repo, period),
        **range_context(period),
    }


async def repo_page(request: Request) -> Response:
    state = state_of(request)
    principal = principal_of(request)
    full_name = f"{request.path_params['owner']}/{request.path_params['name']}"

    def load() -> dict[str, Any] | None:
        with state.db.read_session() as session:
            return repo_context(session, state.db, principal, request, full_name)

    context = await run_in_threadpool(load)
    if context is None:
        return refuse(request)
    base = "/public" if principal.public else ""
    return state.templates.render(request, "repo.html", {**context, "base": base})


def routes() -> list[BaseRoute]:
    return [Route("/repos/{owner}/{name}", repo_page, methods=["GET"])]
