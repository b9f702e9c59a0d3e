"""The optional public view (``[web] public_view = true``): the public repositories, read
only, without login."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ghtraffic.identity.principal import PUBLIC
from ghtraffic.web.state import state_of
from ghtraffic.web.views.common import refuse
from ghtraffic.web.views.overview import overview, render
from ghtraffic.web.views.repo import repo_context


async def public_overview(request: Request) -> Response:
    state = state_of(request)
    if not state.config.public_view:
        return refuse(request)

    def load() -> dict[str, Any]:
        with state.db.read_session() as session:
            return overview(session, PUBLIC, request, base="/public")

    return render(request, await run_in_threadpool(load), "/public")


async def public_repo(request: Request) -> Response:
    state = state_of(request)
    if not state.config.public_view:
        return refuse(request)
    full_name = f"{request.path_params['owner']}/{request.path_params['name']}"

    def load() -> dict[str, Any] | None:
        with state.db.read_session() as session:
            return repo_context(session, state.db, PUBLIC, request, full_name)

    context = await run_in_threadpool(load)
    if context is None:
        return refuse(request)
    return state.templates.render(request, "repo.html", {**context, "base": "/public"})


def routes() -> list[BaseRoute]:
    return [
        Route("/public", public_overview, methods=["GET"]),
        Route("/public/repos/{owner}/{name}", public_repo, methods=["GET"]),
    ]
