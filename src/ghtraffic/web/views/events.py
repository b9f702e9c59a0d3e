"""``/events``: spikes and failed collections, per repository or overall, filterable by
repository, kind and range (the charts' spike markers link here)."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ghtraffic.identity.permissions import resolve_repo, visible_ids
from ghtraffic.readmodels.timeline import KINDS, timeline
from ghtraffic.web.principal import principal_of
from ghtraffic.web.state import state_of
from ghtraffic.web.views.common import range_context, range_of, refuse

#: Lines shown at most (the newest): a narrower range or a filter shows older ones.
LIMIT = 100


async def events_page(request: Request) -> Response:
    state = state_of(request)
    principal = principal_of(request)
    name = request.query_params.get("repo", "").strip()
    kind = request.query_params.get("kind") or None
    if kind not in (None, *KINDS):
        kind = None

    def load() -> dict[str, Any] | None:
        with state.db.read_session() as session:
            ids = visible_ids(session, principal)
            if name:
                repo = resolve_repo(session, principal, name)
                if repo is None:
                    return None
                ids = {repo.id}
            period = range_of(request, session, ids)
            # failures of repositories that are gone or not visible stay with admins
            scope = None if principal.is_admin and not name else ids
            found = timeline(
                state.db, session, scope, period.since, period.until, kind=kind, limit=LIMIT
            )
            largest = max((h.value / h.baseline for h in found if h.baseline), default=1.0)
            return {
                "happenings": found,
                "largest": largest,
                "repo_name": name,
                "kind": kind or "",
                "kinds": KINDS,
                "limit": LIMIT,
                **range_context(period),
            }

    context = await run_in_threadpool(load)
    if context is None:
        return refuse(request)
    return state.templates.render(request, "events.html", context)


def routes() -> list[BaseRoute]:
    return [Route("/events", events_page, methods=["GET"])]
