"""``create_app``: the Starlette application, assembled from the route modules."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from ghtraffic.config import Settings
from ghtraffic.metrics.http import RequestTimer
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database
from ghtraffic.web import api, badges, metrics, views
from ghtraffic.web.assets import static_files
from ghtraffic.web.auth import AuthMiddleware
from ghtraffic.web.config import WebConfig, login_limits, web_config
from ghtraffic.web.headers import AllowedHosts, SecurityHeaders
from ghtraffic.web.listen import listen
from ghtraffic.web.sse import Broadcaster, Listener, stream
from ghtraffic.web.state import CollectNow, WebState, state_of
from ghtraffic.web.stopping import relay_stop_signals
from ghtraffic.web.templating import Templates
from ghtraffic.web.throttle import LoginThrottle


async def events_stream(request: Request) -> Response:
    state = state_of(request)
    return await stream(request, state.db, state.broadcaster)


async def _error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if request.url.path.startswith("/api/"):
        text = "not found" if status == 404 else "method not allowed" if status == 405 else "error"
        return JSONResponse({"error": text}, status_code=status)
    message = {404: "There is nothing here.", 405: "That method is not allowed here."}
    return state_of(request).templates.render(
        request,
        "error.html",
        {"status": status, "message": message.get(status, "Something went wrong.")},
        status_code=status,
    )


def _listener(db: Database) -> Listener | None:
    """On PostgreSQL: wake the live stream on ``NOTIFY`` from any process."""
    if db.engine.dialect.name != "postgresql":
        return None
    url = db.engine.url.render_as_string(hide_password=False)
    return lambda wake: listen(url, wake)


def create_app(
    db: Database,
    settings: Settings,
    *,
    collect_now: CollectNow | None = None,
    config: WebConfig | None = None,
    throttle: LoginThrottle | None = None,
) -> Starlette:
    """The web application over ``db`` (already upgraded).

    ``collect_now`` starts a collection (the "collect now" button; ``serve`` provides it).
    """
    config = config or web_config(settings)
    broadcaster = Broadcaster(db, config.live_poll_seconds, _listener(db))
    state = WebState(
        db=db,
        archive=Archive(db),
        settings=settings,
        config=config,
        templates=Templates(),
        throttle=throttle or LoginThrottle(db, login_limits(config)),
        broadcaster=broadcaster,
        collect_now=collect_now,
    )
    routes: list[BaseRoute] = [
        *views.routes(),
        *api.routes(),
        *badges.routes(),
        Route("/events/stream", events_stream, methods=["GET"]),
        *metrics.routes(db, settings),
        Mount("/static", app=static_files(), name="static"),
    ]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # A stop signal ends the live streams first: the server waits for open responses.
        restore = relay_stop_signals(broadcaster.close_streams)
        try:
            yield
        finally:
            restore()
            await broadcaster.close()

    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(RequestTimer),
            Middleware(SecurityHeaders),
            Middleware(AllowedHosts, hosts=config.hosts()),
            Middleware(GZipMiddleware, minimum_size=1000, compresslevel=6),
            Middleware(AuthMiddleware, db=db, public_view=config.public_view),
        ],
        exception_handlers={404: _error, 405: _error, 500: _error},
        lifespan=lifespan,
    )
    app.state.web = state
    return app
