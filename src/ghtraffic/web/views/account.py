"""``/account``: the signed-in user's API tokens (shown once) and password."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ghtraffic.identity.accounts import AccountError, authenticate, set_password
from ghtraffic.identity.sessions import end_user_sessions
from ghtraffic.identity.tokens import create_token, list_tokens, revoke_token
from ghtraffic.web.principal import principal_of
from ghtraffic.web.state import state_of
from ghtraffic.web.throttle import Wait
from ghtraffic.web.views.common import back, refuse
from ghtraffic.web.views.login import client_address, too_many


def _render(request: Request, **extra: Any) -> Response:
    state = state_of(request)
    user = principal_of(request).user
    assert user is not None
    tokens = list_tokens(state.db, user.id)
    context = {"tokens": tokens, "new_token": None, "error": "", "flash": ""}
    context["flash"] = request.query_params.get("flash", "")
    status = extra.pop("status", 400 if extra.get("error") else 200)
    context.update(extra)
    return state.templates.render(request, "account.html", context, status_code=status)


async def account_page(request: Request) -> Response:
    if principal_of(request).user is None:
        return refuse(request, 403)
    return await run_in_threadpool(_render, request)


async def new_token(request: Request) -> Response:
    principal = principal_of(request)
    user = principal.user
    if user is None:
        return refuse(request, 403)
    form = await request.form()
    write = form.get("write") == "1"
    if write and not principal.is_admin:
        return refuse(request, 403, "Only an administrator may create a token that writes.")
    try:
        token, _ = await run_in_threadpool(
            lambda: create_token(
                state_of(request).db, user.id, str(form.get("name", "")), write=write
            )
        )
    except AccountError as error:
        message = str(error)
        return await run_in_threadpool(lambda: _render(request, error=message))
    return await run_in_threadpool(lambda: _render(request, new_token=token))


async def drop_token(request: Request) -> Response:
    user = principal_of(request).user
    if user is None:
        return refuse(request, 403)
    token_id = int(request.path_params["token_id"])
    if not await run_in_threadpool(revoke_token, state_of(request).db, user.id, token_id):
        return refuse(request, 404, "You have no live token with that number.")
    return back("/account", flash="revoked")


async def change_password(request: Request) -> Response:
    user = principal_of(request).user
    if user is None:
        return refuse(request, 403)
    state = state_of(request)
    form = await request.form()
    current, new = str(form.get("current", ""))[:1000], str(form.get("new", ""))
    checked = await run_in_threadpool(
        state.throttle.check,
        user.name,
        client_address(request),
        current,
        lambda: authenticate(state.db, user.name, current),
    )
    if isinstance(checked, Wait):
        wait = checked
        return await run_in_threadpool(lambda: _render(request, error=too_many(wait), status=429))
    if checked is None:
        return await run_in_threadpool(
            lambda: _render(request, error="The current password is wrong.")
        )
    try:
        await run_in_threadpool(set_password, state.db, user.name, new)
    except AccountError as error:
        message = str(error)
        return await run_in_threadpool(lambda: _render(request, error=message))
    await run_in_threadpool(end_user_sessions, state.db, user.id)
    return back("/login")


def routes() -> list[BaseRoute]:
    return [
        Route("/account", account_page, methods=["GET"]),
        Route("/account/tokens", new_token, methods=["POST"]),
        Route("/account/tokens/{token_id:int}/revoke", drop_token, methods=["POST"]),
        Route("/account/password", change_password, methods=["POST"]),
    ]
