"""More about one repository: its referrers or popular pages over time
(``/repos/OWNER/NAME/referrers``, ``/paths``) and its release downloads (``/downloads``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.routing import BaseRoute

from ghtraffic.identity.principal import Principal
from ghtraffic.readmodels import chartdata, downloads, popular_history
from ghtraffic.storage.records import RepoRow
from ghtraffic.web.views.common import range_context, range_of, repo_pages

#: Keys stacked in the chart of the top referrers or pages.
STACKED = 5
TITLES = {"referrers": "Referrers", "paths": "Popular pages"}


def popular_context(kind: str, session: Session, repo: RepoRow, request: Request) -> dict[str, Any]:
    period = range_of(request, session, {repo.id})
    found = popular_history.history(session, repo.id, kind, period.since, period.until)
    key = request.query_params.get("key", "")
    chosen = found.find(key) if key else None
    top = found.keys[:STACKED]
    stacked = chartdata.block(
        found.days,
        {f"k{i}": list(k.counts) for i, k in enumerate(top)},
        labels={f"k{i}": k.title or k.key for i, k in enumerate(top)},
        summary="last",
        stacked=True,
    )
    one = None
    if chosen is not None:
        one = chartdata.block(
            found.days,
            {"count": list(chosen.counts), "uniques": list(chosen.uniques)},
            labels={"count": "Views (14 days)", "uniques": "Unique visitors (14 days)"},
            summary="last",
        )
    return {
        "repo": repo,
        "kind": kind,
        "title": TITLES[kind],
        "history": found,
        "key": key,
        "chosen": chosen,
        "missing": bool(key) and chosen is None,
        "chart": {"top": stacked, "one": one},
        **range_context(period),
    }


def downloads_context(session: Session, repo: RepoRow, request: Request) -> dict[str, Any]:
    period = range_of(request, session, {repo.id})
    assets = downloads.assets(session, repo.id, period.since, period.until)
    days = chartdata.days_between(period.since, period.until)
    gains = {a.name: a.gains(days) for a in assets}
    totals = {a.name: [a.counts.get(d) for d in days] for a in assets}
    rows = []
    for asset in assets:
        gained = gains[asset.name]
        rows.append(
            {
                "name": asset.name,
                "total": asset.total,
                "range": sum(g or 0 for g in gained),
                "day": next((g for g in reversed(gained) if g is not None), None),
                "week": sum(g or 0 for g in gained[-7:]),
            }
        )
    return {
        "repo": repo,
        "rows": rows,
        "chart": {
            "daily": chartdata.block(days, gains),
            "weekly": chartdata.weekly_sums(days, gains),
            "total": chartdata.block(days, totals, summary="last"),
        },
        "grain": "weekly" if period.days > chartdata.LONG_RANGE_DAYS else "daily",
        **range_context(period),
    }


def _referrers(session: Session, repo: RepoRow, _: Principal, request: Request) -> dict[str, Any]:
    return popular_context("referrers", session, repo, request)


def _paths(session: Session, repo: RepoRow, _: Principal, request: Request) -> dict[str, Any]:
    return popular_context("paths", session, repo, request)


def _downloads(session: Session, repo: RepoRow, _: Principal, request: Request) -> dict[str, Any]:
    return downloads_context(session, repo, request)


def routes() -> list[BaseRoute]:
    return [
        *repo_pages("/referrers", "popular.html", _referrers),
        *repo_pages("/paths", "popular.html", _paths),
        *repo_pages("/downloads", "downloads.html", _downloads),
    ]
