"""Sign in and out. The session id is new at every sign-in; failures are throttled."""

from __future__ import annotations

from datetime import timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ghtraffic.identity.accounts import authenticate
from ghtraffic.identity.digests import new_secret
from ghtraffic.identity.sessions import COOKIE, create_session, end_session
from ghtraffic.web import csrf
from ghtraffic.web.principal import principal_of
from ghtraffic.web.state import WebState, state_of
from ghtraffic.web.throttle import Wait


def client_address(request: Request) -> str:
    """The client's address: the peer, or what a trusted proxy said it is (uvicorn sets it
    from ``[web] trusted_proxies``)."""
    return request.client.host if request.client else "unknown"


def too_many(wait: Wait) -> str:
    return f"Too many failed attempts: try again in {int(wait.seconds) + 1} seconds."


def safe_next(target: str | None) -> str:
    """Only a local path is followed after sign-in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _login_page(
    request: Request, state: WebState, *, error: str = "", status: int = 200, name: str = ""
) -> Response:
    token = request.cookies.get(csrf.LOGIN_COOKIE) or new_secret()
    response = state.templates.render(
        request,
        "login.html",
        {
            "login_csrf": token,
            "error": error,
            "name": name,
            "next": safe_next(request.query_params.get("next")),
        },
        status_code=status,
    )
    response.set_cookie(
        csrf.LOGIN_COOKIE,
        token,
        max_age=3600 * 12,
        httponly=True,
        secure=state.config.secure_cookies,
        samesite="strict",
    )
    return response


async def login_form(request: Request) -> Response:
    if principal_of(request).signed_in:
        return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    return _login_page(request, state_of(request))


async def login(request: Request) -> Response:
    state = state_of(request)
    form = await request.form()
    name = str(form.get("name", "")).strip()[:100]
    password = str(form.get("password", ""))[:1000]
    target = safe_next(str(form.get("next", "/")))
    user = await run_in_threadpool(
        state.throttle.check,
        name,
        client_address(request),
        password,
        lambda: authenticate(state.db, name, password),
    )
    if isinstance(user, Wait):
        return _login_page(request, state, error=too_many(user), status=429, name=name)
    if user is None:
        return _login_page(
            request, state, error="Wrong user name or password.", status=401, name=name
        )
    lifetime = timedelta(hours=state.config.session_hours)
    value, _ = await run_in_threadpool(
        lambda: create_session(state.db, user.id, lifetime, previous=request.cookies.get(COOKIE))
    )
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        value,
        max_age=int(lifetime.total_seconds()),
        httponly=True,
        secure=state.config.secure_cookies,
        samesite="lax",
    )
    response.delete_cookie(csrf.LOGIN_COOKIE)
    return response


async def logout(request: Request) -> Response:
    state = state_of(request)
    value = request.cookies.get(COOKIE)
    if value:
        await run_in_threadpool(end_session, state.db, value)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, httponly=True, secure=state.config.secure_cookies)
    return response


def routes() -> list[BaseRoute]:
    return [
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
    ]
