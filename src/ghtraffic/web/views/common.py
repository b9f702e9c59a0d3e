"""Helpers the pages share: the asked-for range, sparklines, refusals."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ghtraffic.identity.permissions import resolve_repo
from ghtraffic.identity.principal import PUBLIC, Principal
from ghtraffic.readmodels.series import bounds
from ghtraffic.storage.records import RepoRow
from ghtraffic.web.principal import principal_of
from ghtraffic.web.ranges import PRESETS, DateRange, parse_range
from ghtraffic.web.state import state_of

Read = TypeVar("Read")


async def read_archive(request: Request, read: Callable[[Session], Read]) -> Read:
    """``read`` on a read session of the archive, in a worker thread (the event loop goes
    on serving meanwhile)."""
    db = state_of(request).db

    def load() -> Read:
        with db.read_session() as session:
            return read(session)

    return await run_in_threadpool(load)


def range_of(request: Request, session: Session, ids: set[int]) -> DateRange:
    """The range the query string asks for, ending on the newest archived day."""
    return range_between(request, *bounds(session, ids))


def range_between(request: Request, oldest: date | None, newest: date | None) -> DateRange:
    """The range the query string asks for within the archive's ``oldest..newest``."""
    return parse_range(
        request.query_params.get("range"),
        request.query_params.get("since"),
        request.query_params.get("until"),
        newest=newest or datetime.now(UTC).date(),
        oldest=oldest,
    )


def range_context(period: DateRange) -> dict[str, Any]:
    return {
        "period": period,
        "presets": [(key, label) for key, (label, _) in PRESETS.items()],
    }


#: A sparkline is 120 pixels wide: more points than this only make the page heavier.
SPARK_POINTS = 60


def spark_bucket(days: int) -> int:
    """How many days one point of a sparkline of ``days`` days sums."""
    return max(1, -(-days // SPARK_POINTS))


def sparkline(values: Sequence[int | None], width: int = 120, height: int = 28) -> str:
    """The ``points`` of an SVG polyline drawing ``values`` (empty for fewer than two).

    Long ranges are summed into at most ``SPARK_POINTS`` buckets of ``spark_bucket`` days
    (the first bucket starts with the first value)."""
    if len(values) > SPARK_POINTS:
        size = spark_bucket(len(values))
        values = [
            None if all(v is None for v in chunk) else sum(v or 0 for v in chunk)
            for chunk in (values[i : i + size] for i in range(0, len(values), size))
        ]
    if len(values) < 2:
        return ""
    top = max((v or 0) for v in values) or 1
    step = width / (len(values) - 1)
    return " ".join(
        f"{i * step:.1f},{height - 2 - (v or 0) * (height - 4) / top:.1f}"
        for i, v in enumerate(values)
    )


def refuse(request: Request, status: int = 404, message: str | None = None) -> HTMLResponse:
    """Not found and not allowed look the same to a viewer: nothing is revealed."""
    text = message or (
        "No such repository, or you may not see it."
        if status == 404
        else "Only an administrator may do that."
    )
    return state_of(request).templates.render(
        request, "error.html", {"status": status, "message": text}, status_code=status
    )


def require_admin(request: Request) -> HTMLResponse | None:
    return None if principal_of(request).is_admin else refuse(request, 403)


def back(url: str, **flash: str) -> RedirectResponse:
    from urllib.parse import urlencode

    query = urlencode(flash)
    return RedirectResponse(f"{url}?{query}" if query else url, status_code=303)


#: Builds a repository page's context: (session, repository, principal, request) → context.
RepoBuilder = Callable[[Session, RepoRow, Principal, Request], dict[str, Any]]


def repo_pages(path: str, template: str, build: RepoBuilder) -> list[BaseRoute]:
    """A page about one repository at ``/repos/OWNER/NAME<path>``, and in the public view
    (when enabled) at ``/public/repos/OWNER/NAME<path>``: the same page for anyone who may
    see the repository, refused alike when it does not exist or may not be seen."""

    async def page(request: Request) -> Response:
        state = state_of(request)
        public = request.url.path.startswith("/public/")
        if public and not state.config.public_view:
            return refuse(request)
        principal = PUBLIC if public else principal_of(request)
        full_name = f"{request.path_params['owner']}/{request.path_params['name']}"

        def load() -> dict[str, Any] | None:
            with state.db.read_session() as session:
                repo = resolve_repo(session, principal, full_name)
                return None if repo is None else build(session, repo, principal, request)

        context = await run_in_threadpool(load)
        if context is None:
            return refuse(request)
        return state.templates.render(
            request, template, {**context, "base": "/public" if public else ""}
        )

    return [
        Route(f"/repos/{{owner}}/{{name}}{path}", page, methods=["GET"]),
        Route(f"/public/repos/{{owner}}/{{name}}{path}", page, methods=["GET"]),
    ]
