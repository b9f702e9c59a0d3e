"""The optional public view (``[web] public_view = true``): the public repositories, read
only, without login (repository pages: ``common.repo_pages``)."""

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


async def public_overview(request: Request) -> Response:
    state = state_of(request)
    if not state.config.public_view:
        return refuse(request)

    def load() -> dict[str, Any]:
        with state.db.read_session() as session:
            return overview(session, PUBLIC, request, base="/public")

    return render(request, await run_in_threadpool(load), "/public")


def routes() -> list[BaseRoute]:
    return [
        Route("/public", public_overview, methods=["GET"]),
    ]
