"""``/admin``: users, their grants, and which repositories are public (badges)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ghtraffic.identity.accounts import AccountError, add_user, delete_user, list_users
from ghtraffic.identity.grants import all_grants, grant, holds_target, not_held, revoke
from ghtraffic.identity.public import public_ids, set_public
from ghtraffic.storage.tables import Repo
from ghtraffic.web.principal import principal_of
from ghtraffic.web.state import state_of
from ghtraffic.web.views.common import back, require_admin


async def admin_page(request: Request) -> Response:
    if (refused := require_admin(request)) is not None:
        return refused
    state = state_of(request)

    def load() -> dict[str, Any]:
        with state.db.read_session() as session:
            public = public_ids(session)
            repos = [
                (full_name, repo_id in public)
                for repo_id, full_name in session.execute(
                    select(Repo.id, Repo.full_name).order_by(Repo.full_name)
                )
            ]
        return {"users": list_users(state.db), "grants": all_grants(state.db), "repos": repos}

    context = await run_in_threadpool(load)
    context["flash"] = request.query_params.get("flash", "")
    context["error"] = request.query_params.get("error", "")
    return state.templates.render(request, "admin.html", context)


async def _apply(
    request: Request, action: Callable[[dict[str, str]], str | None], done: str
) -> Response:
    """Run ``action`` on the form; it may return a warning to show beside ``done``."""
    if (refused := require_admin(request)) is not None:
        return refused
    form = {key: str(value) for key, value in (await request.form()).items()}
    try:
        warning = await run_in_threadpool(action, form)
    except AccountError as error:
        return back("/admin", error=str(error))
    return back("/admin", flash=f"{done}; {warning}" if warning else done)


async def new_user(request: Request) -> Response:
    db = state_of(request).db

    def action(form: dict[str, str]) -> None:
        add_user(
            db, form.get("name", ""), form.get("password", ""), admin=form.get("role") == "admin"
        )

    return await _apply(request, action, "user added")


async def remove_user(request: Request) -> Response:
    db = state_of(request).db
    me = principal_of(request).name

    def action(form: dict[str, str]) -> None:
        if form.get("name") == me:
            raise AccountError("you cannot delete yourself")
        delete_user(db, form.get("name", ""))

    return await _apply(request, action, "user deleted")


async def add_grant(request: Request) -> Response:
    db = state_of(request).db

    def action(form: dict[str, str]) -> str | None:
        key = grant(db, form.get("name", ""), form.get("target", ""))
        return None if holds_target(db, key) else not_held(key)

    return await _apply(request, action, "granted")


async def drop_grant(request: Request) -> Response:
    db = state_of(request).db

    def action(form: dict[str, str]) -> None:
        revoke(db, form.get("name", ""), form.get("target", ""))

    return await _apply(request, action, "revoked")


async def mark_public(request: Request) -> Response:
    db = state_of(request).db
    me = principal_of(request).name

    def action(form: dict[str, str]) -> None:
        set_public(db, form.get("repo", ""), form.get("public") == "1", me)

    return await _apply(request, action, "saved")


def routes() -> list[BaseRoute]:
    return [
        Route("/admin", admin_page, methods=["GET"]),
        Route("/admin/users", new_user, methods=["POST"]),
        Route("/admin/users/delete", remove_user, methods=["POST"]),
        Route("/admin/grants", add_grant, methods=["POST"]),
        Route("/admin/grants/revoke", drop_grant, methods=["POST"]),
        Route("/admin/public", mark_public, methods=["POST"]),
    ]
