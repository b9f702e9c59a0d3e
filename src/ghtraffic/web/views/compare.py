"""``/compare``: several repositories on one chart, and each against an earlier period.

Everything comes from the query string, so a link reproduces the view:
``repos`` (``owner/name``, comma-separated or repeated, at most ``MAX_REPOS``), ``metric``,
the range (``range``, ``since``, ``until``) and the earlier period: ``vs=previous`` (the
same length just before, the default), ``vs=none``, or ``vs_since=YYYY-MM-DD`` (the same
length from that day)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ghtraffic.identity.permissions import resolve_repo, visible_ids, visible_repos
from ghtraffic.identity.principal import Principal
from ghtraffic.readmodels import chartdata, compare, series
from ghtraffic.storage.records import RepoRow
from ghtraffic.web.principal import principal_of
from ghtraffic.web.ranges import DateRange
from ghtraffic.web.state import state_of
from ghtraffic.web.views.common import range_context, range_of, read_archive

MAX_REPOS = 6
LABELS = {
    "views": "Views",
    "views_unique": "Unique visitors (daily)",
    "clones": "Clones",
    "clones_unique": "Unique cloners (daily)",
}


def asked_names(request: Request) -> list[str]:
    names: list[str] = []
    for value in request.query_params.getlist("repos"):
        names += [n.strip() for n in value.split(",") if n.strip()]
    return list(dict.fromkeys(names))


def earlier(request: Request, period: DateRange) -> tuple[DateRange | None, str | None]:
    """The earlier period asked for, and why a chosen start could not be used."""
    chosen = request.query_params.get("vs_since", "").strip()
    if chosen:
        try:
            return period.starting(date.fromisoformat(chosen)), None
        except ValueError:
            return (
                period.previous(),
                f"{chosen}: not a date (YYYY-MM-DD); comparing with the period before.",
            )
    if request.query_params.get("vs") == "none":
        return None, None
    return period.previous(), None


def compare_context(session: Session, principal: Principal, request: Request) -> dict[str, Any]:
    metric = request.query_params.get("metric", "views")
    if metric not in compare.METRICS:
        metric = "views"
    problems: list[str] = []
    repos: list[RepoRow] = []
    for name in asked_names(request)[:MAX_REPOS]:
        repo = resolve_repo(session, principal, name)
        if repo is None:
            problems.append(f"{name}: no such repository, or you may not see it.")
        else:
            repos.append(repo)
    if len(asked_names(request)) > MAX_REPOS:
        problems.append(
            f"At most {MAX_REPOS} repositories are compared; the first {MAX_REPOS} are shown."
        )
    ids = {r.id for r in repos} or visible_ids(session, principal)
    period = range_of(request, session, ids)
    if not repos and not asked_names(request):
        views = series.views_by_repo(session, ids, period.since, period.until)
        top = sorted(views, key=lambda i: -views[i])[:3]
        by_id = {r.id: r for r in visible_repos(session, principal)}
        repos = [by_id[i] for i in top if i in by_id]
    before, problem = earlier(request, period)
    if problem:
        problems.append(problem)
    days = chartdata.days_between(period.since, period.until)
    now = compare.per_day(session, {r.id for r in repos}, metric, period.since, period.until)
    then = (
        compare.per_day(session, {r.id for r in repos}, metric, before.since, before.until)
        if before
        else {}
    )
    columns: dict[str, list[int | None]] = {}
    labels: dict[str, str] = {}
    earlier_of: dict[str, str] = {}
    rows = []
    for repo in repos:
        values = [now.get(repo.id, {}).get(d) for d in days]
        columns[repo.full_name] = values
        labels[repo.full_name] = repo.full_name
        total = sum(v or 0 for v in values)
        previous = None
        if before is not None:
            earlier_days = chartdata.days_between(before.since, before.until)
            shifted = [then.get(repo.id, {}).get(d) for d in earlier_days]
            if any(v is not None for v in shifted):
                key = f"{repo.full_name} (earlier)"
                columns[key] = shifted
                labels[key] = f"{repo.full_name}, {before.since} – {before.until}"
                earlier_of[key] = repo.full_name
                previous = sum(v or 0 for v in shifted)
        rows.append({"repo": repo, "total": total, "previous": previous})
    chart = chartdata.daily_or_weekly(
        days, columns, labels=labels, dashed=list(earlier_of), colour_of=earlier_of
    )
    return {
        "repos": repos,
        "rows": rows,
        "metric": metric,
        "metrics": [(m, LABELS[m]) for m in compare.METRICS],
        "before": before,
        "vs_since": request.query_params.get("vs_since", ""),
        "vs": request.query_params.get("vs", "previous"),
        "problems": problems,
        "chart": chart,
        "names": ", ".join(r.full_name for r in repos),
        **range_context(period),
    }


async def compare_page(request: Request) -> Response:
    principal = principal_of(request)
    context = await read_archive(request, lambda s: compare_context(s, principal, request))
    return state_of(request).templates.render(request, "compare.html", context)


def routes() -> list[BaseRoute]:
    return [Route("/compare", compare_page, methods=["GET"])]
