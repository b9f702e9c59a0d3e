"""The optional public view (``[web] public_view = true``): the public repositories, read
only, without login (repository pages: ``common.repo_pages``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ghtraffic.identity.principal import PUBLIC
from ghtraffic.web.state import state_of
from ghtraffic.web.views.common import read_archive, refuse
from ghtraffic.web.views.overview import overview, render


async def public_overview(request: Request) -> Response:
    if not state_of(request).config.public_view:
        return refuse(request)
    context = await read_archive(
        request, lambda session: overview(session, PUBLIC, request, base="/public")
    )
    return render(request, context, "/public")


def routes() -> list[BaseRoute]:
    return [
        Route("/public", public_overview, methods=["GET"]),
    ]
