"""``/api/v1``: repositories, series, lists, events and runs, filtered by permissions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ghtraffic.collect.schedule import interval_of
from ghtraffic.identity.permissions import resolve_repo, visible_ids, visible_repos
from ghtraffic.identity.principal import Principal
from ghtraffic.readmodels import popular, series
from ghtraffic.readmodels.events import event_marks
from ghtraffic.storage import queries, states
from ghtraffic.storage.records import RepoRow, ResultRow, RunRow
from ghtraffic.web.api.pagination import BadRequest, decode, limit_of, page
from ghtraffic.web.principal import principal_of
from ghtraffic.web.state import state_of


class NotFound(LookupError):
    pass


class Forbidden(PermissionError):
    pass


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def repo_document(repo: RepoRow) -> dict[str, Any]:
    return {
        "id": repo.id,
        "full_name": repo.full_name,
        "owner": repo.owner,
        "name": repo.name,
        "description": repo.description,
        "private": repo.private,
        "fork": repo.fork,
        "archived": repo.archived,
        "last_success_at": _iso(repo.last_success_at),
    }


def run_document(run: RunRow) -> dict[str, Any]:
    return {
        "id": run.id,
        "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at),
        "status": run.status,
        "repos_ok": run.repos_ok,
        "repos_failed": run.repos_failed,
        "repos_deferred": run.repos_deferred,
        "requests": run.requests,
        "rate_remaining": run.rate_remaining,
        "rate_limit": run.rate_limit,
        "days_added": run.days_added,
        "days_raised": run.days_raised,
        "message": run.message,
    }


def result_document(result: ResultRow) -> dict[str, Any]:
    return {
        "repo": result.full_name,
        "outcome": result.outcome,
        "reason": result.reason,
        "requests": result.requests,
        "days_added": result.days_added,
        "days_raised": result.days_raised,
        "finished_at": _iso(result.finished_at),
    }


def _date_param(request: Request, name: str) -> date | None:
    text = request.query_params.get(name)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"{name}: {text!r} is not a date (YYYY-MM-DD)") from None


def _repo(session: Session, principal: Principal, request: Request) -> RepoRow:
    name = f"{request.path_params['owner']}/{request.path_params['name']}"
    repo = resolve_repo(session, principal, name)
    if repo is None:
        raise NotFound(f"no repository {name}, or you may not see it")
    return repo


Handler = Callable[[Session, Principal, Request], Any]


def endpoint(handler: Handler) -> Callable[[Request], Any]:
    """Run ``handler`` in a read session; known errors become JSON 400/403/404."""

    async def call(request: Request) -> Response:
        principal = principal_of(request)
        db = state_of(request).db

        def work() -> Any:
            with db.read_session() as session:
                return handler(session, principal, request)

        try:
            body = await run_in_threadpool(work)
        except BadRequest as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        except Forbidden as error:
            return JSONResponse({"error": str(error)}, status_code=403)
        except NotFound as error:
            return JSONResponse({"error": str(error)}, status_code=404)
        return JSONResponse(body)

    call.__name__ = handler.__name__
    return call


def list_repos(session: Session, principal: Principal, request: Request) -> dict[str, Any]:
    limit = limit_of(request.query_params.get("limit"))
    after = decode(request.query_params.get("cursor"))
    repos = visible_repos(session, principal)
    keyed = [((r.full_name.casefold(), r.id), r) for r in repos]
    if after is not None:
        if not (isinstance(after, list) and len(after) == 2):
            raise BadRequest("cursor: not a cursor this API handed out")
        mark = (str(after[0]), int(after[1]))
        keyed = [pair for pair in keyed if pair[0] > mark]
    chosen = keyed[: limit + 1]
    result = page(
        [repo_document(r) for _, r in chosen], limit, lambda d: [d["full_name"].casefold(), d["id"]]
    )
    return result


def get_repo(session: Session, principal: Principal, request: Request) -> dict[str, Any]:
    repo = _repo(session, principal, request)
    document = repo_document(repo)
    status = next(
        (
            s
            for s in queries.status(session, datetime.now(UTC), repo.id).repos
            if s.repo_id == repo.id
        ),
        None,
    )
    window = series.newest_windows(session, {repo.id}).get(repo.id)
    settings = state_of(request).settings
    interval = interval_of(
        states.repo_states(session, [repo.id]).get(repo.id),
        datetime.now(UTC).date(),
        cadence=settings.cadence,
        max_interval=settings.max_interval,
    )
    document["collection"] = (
        None
        if status is None
        else {
            "first_day": _iso(status.first_day),
            "last_day": _iso(status.last_day),
            "days_archived": status.days_archived,
            "days_lost": status.lost_count,
            "at_risk": status.at_risk,
            "leaves_window_at": _iso(status.leaves_window_at),
            "read_every_days": interval.days,
            "cadence": interval.kind,
            "cadence_why": interval.why,
        }
    )
    document["last_14_days"] = (
        None
        if window is None
        else {
            "day": _iso(window.day),
            "views": window.views,
            "views_unique": window.views_unique,
            "clones": window.clones,
            "clones_unique": window.clones_unique,
        }
    )
    return document


def _series_page(points: list[series.Point], request: Request) -> dict[str, Any]:
    limit = limit_of(request.query_params.get("limit"))
    after = decode(request.query_params.get("cursor"))
    if after is not None:
        try:
            mark = date.fromisoformat(str(after))
        except ValueError:
            raise BadRequest("cursor: not a cursor this API handed out") from None
        points = [p for p in points if p.day > mark]
    return page([p.as_dict() for p in points[: limit + 1]], limit, lambda d: d["date"])


def daily(session: Session, principal: Principal, request: Request) -> dict[str, Any]:
    repo = _repo(session, principal, request)
    since, until = _date_param(request, "since"), _date_param(request, "until")
    return _series_page(series.daily(session, repo.id, since, until), request)


def weekly(session: Session, principal: Principal, request: Request) -> dict[str, Any]:
    repo = _repo(session, principal, request)
    since, until = _date_param(request, "since"), _date_param(request, "until")
    return _series_page(series.weekly(session, repo.id, since, until), request)


def monthly(session: Session, principal: Principal, request: Request) -> dict[str, Any]:
    repo = _repo(session, principal, request)
    since, until = _date_param(request, "since"), _date_param(request, "until")
    points = series.monthly(series.daily(session, repo.id, since, until))
    return _series_page(points, request)


def snapshots(session: Session, principal: Principal, request: Request) -> dict[str, Any]:
    repo = _repo(session, principal, request)
    since, until = _date_param(request, "since"), _date_param(request, "until")
    limit = limit_of(request.query_params.get("limit"))
    after = decode(request.query_params.get("cursor"))
    found = series.snapshots(session, repo.id, since, until)
    if after is not None:
        found = [s for s in found if s.day.isoformat() > str(after)]
    return page([s.as_dict() for s in found[: limit + 1]], limit, lambda d: d["date"])


def _popular(kind: str) -> Handler:
    def handler(session: Session, principal: Principal, request: Request) -> dict[str, Any]:
        repo = _repo(session, principal, request)
        day = _date_param(request, "day") or popular.newest_day(session, repo.id, kind, None)
        items = [] if day is None else popular.items_on(session, repo.id, kind, day)
        return {"date": _iso(day), "items": [item.as_dict(kind) for item in items]}

    handler.__name__ = kind
    return handler


def events(session: Session, principal: Principal, request: Request) -> dict[str, Any]:
    repo = _repo(session, principal, request)
    until = _date_param(request, "until") or datetime.now(UTC).date()
    since = _date_param(request, "since") or until - timedelta(days=365)
    return {
        "items": [e.as_dict() for e in event_marks(state_of(request).db, repo.id, since, until)]
    }


def totals_daily(session: Session, principal: Principal, request: Request) -> dict[str, Any]:
    ids = visible_ids(session, principal)
    _, newest = series.bounds(session, ids)
    until = _date_param(request, "until") or newest or datetime.now(UTC).date()
    since = _date_param(request, "since") or until - timedelta(days=29)
    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "repos": len(ids),
        "items": [
            {"date": p.day.isoformat(), "views": p.views, "clones": p.clones}
            for p in series.totals_daily(session, ids, since, until)
        ],
    }


def _admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise Forbidden("the run log is for administrators")


def runs(session: Session, principal: Principal, request: Request) -> dict[str, Any]:
    _admin(principal)
    limit = limit_of(request.query_params.get("limit"))
    after = decode(request.query_params.get("cursor"))
    found = queries.runs(session, 100_000)
    if after is not None:
        if not isinstance(after, int):
            raise BadRequest("cursor: not a cursor this API handed out")
        found = [run for run in found if run.id < after]
    return page([run_document(r) for r in found[: limit + 1]], limit, lambda d: d["id"])


def run_detail(session: Session, principal: Principal, request: Request) -> dict[str, Any]:
    _admin(principal)
    run_id = int(request.path_params["run_id"])
    found = next((r for r in queries.runs(session, 100_000) if r.id == run_id), None)
    if found is None:
        raise NotFound(f"no run {run_id}")
    document = run_document(found)
    document["results"] = [result_document(r) for r in queries.run_results(session, run_id)]
    return document


REPO = "/api/v1/repos/{owner}/{name}"


def routes() -> list[BaseRoute]:
    def get(path: str, handler: Handler) -> Route:
        return Route(path, endpoint(handler), methods=["GET"])

    return [
        get("/api/v1/repos", list_repos),
        get(REPO, get_repo),
        get(REPO + "/daily", daily),
        get(REPO + "/weekly", weekly),
        get(REPO + "/monthly", monthly),
        get(REPO + "/snapshots", snapshots),
        get(REPO + "/referrers", _popular("referrers")),
        get(REPO + "/paths", _popular("paths")),
        get(REPO + "/events", events),
        get("/api/v1/totals/daily", totals_daily),
        get("/api/v1/runs", runs),
        get("/api/v1/runs/{run_id:int}", run_detail),
    ]
