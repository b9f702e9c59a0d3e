"""``/collection`` (admins): the run log, failures with reasons, repositories never
archived (with the reason), rate limit, the rate budget at the repositories' cadence
(each one's read interval and why), collect now."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ghtraffic.collect.planner import archive_plan, plan_lines
from ghtraffic.storage import queries
from ghtraffic.web.state import state_of
from ghtraffic.web.views.common import back, require_admin


async def collection_page(request: Request) -> Response:
    if (refused := require_admin(request)) is not None:
        return refused
    state = state_of(request)

    def load() -> dict[str, Any]:
        runs = state.archive.runs(30)
        latest = runs[0] if runs else None
        results = state.archive.run_results(latest.id) if latest else []
        failures = {
            run.id: [r for r in state.archive.run_results(run.id) if r.outcome != "ok"]
            for run in runs[:10]
            if run.repos_failed or run.repos_deferred
        }
        with state.archive.db.read_session() as session:
            never = queries.never_archived(session, state.settings.repos)
        figures = archive_plan(state.archive, state.settings, datetime.now(UTC), pending=len(never))
        names = {s.repo_id: s.full_name for s in state.archive.repo_states().values()}
        cadence = sorted(
            (
                (names.get(repo_id, str(repo_id)), interval)
                for repo_id, interval in figures.intervals.items()
            ),
            key=lambda item: (item[1].days, item[0].casefold()),
        )
        return {
            "runs": runs,
            "latest": latest,
            "results": results,
            "failures": failures,
            "never_archived": never,
            "plan": figures,
            "plan_lines": plan_lines(figures),
            "cadence": cadence,
        }

    context = await run_in_threadpool(load)
    context["can_collect"] = state.collect_now is not None
    context["flash"] = request.query_params.get("flash", "")
    # the run started from this page: the newest run after the one that was newest then
    after = request.query_params.get("after", "")
    latest = context["latest"]
    context["ended"] = (
        latest
        if latest is not None
        and after.isdigit()
        and latest.id > int(after)
        and latest.status != "running"
        else None
    )
    return state.templates.render(request, "collection.html", context)


async def collect_now(request: Request) -> Response:
    if (refused := require_admin(request)) is not None:
        return refused
    state = state_of(request)
    if state.collect_now is None:
        return back("/collection", flash="unavailable")
    newest = await run_in_threadpool(state.archive.runs, 1)
    started = await state.collect_now()
    if not started:
        return back("/collection", flash="busy")
    return back("/collection", flash="started", after=str(newest[0].id if newest else 0))


def routes() -> list[BaseRoute]:
    return [
        Route("/collection", collection_page, methods=["GET"]),
        Route("/collection/run", collect_now, methods=["POST"]),
    ]
