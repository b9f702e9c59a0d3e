"""Server-rendered pages: one module per page or group of forms."""

from __future__ import annotations

from starlette.routing import BaseRoute

from ghtraffic.web.views import (
    account,
    admin,
    collection,
    compare,
    events,
    health,
    login,
    overview,
    public,
    repo,
    repo_more,
)


def routes() -> list[BaseRoute]:
    return [
        *health.routes(),
        *login.routes(),
        *overview.routes(),
        *repo.routes(),
        *repo_more.routes(),
        *events.routes(),
        *compare.routes(),
        *collection.routes(),
        *account.routes(),
        *admin.routes(),
        *public.routes(),
    ]
