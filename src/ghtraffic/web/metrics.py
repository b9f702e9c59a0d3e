"""``/metrics`` on the web port, when ``[metrics] access = "token"``: Prometheus' text
format for a caller with an API token that may read the metrics (``may_read``: an
admin's token, read-only is enough).

With ``access = "off"`` or ``"port"`` there is no such route here (``"port"``: ``serve``
and the ASGI factory open a listener of its own, ``metrics/port.py``).
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ghtraffic.config import Settings
from ghtraffic.identity.principal import Principal
from ghtraffic.metrics.config import metrics_config
from ghtraffic.metrics.process import process_registry
from ghtraffic.storage.database import Database
from ghtraffic.web.auth import METRICS_PATH
from ghtraffic.web.principal import principal_of


def may_read(principal: Principal) -> bool:
    """An API token of an admin, or one minted for the metrics alone, may read them (a
    browser session may not: a scraper holds a token)."""
    return principal.via_token and (principal.is_admin or principal.metrics_only)


def routes(db: Database, settings: Settings) -> list[BaseRoute]:
    config = metrics_config(settings)
    if config.access != "token":
        return []
    registry: CollectorRegistry = process_registry(db, settings, config)

    async def metrics(request: Request) -> Response:
        if not may_read(principal_of(request)):
            return JSONResponse(
                {
                    "error": "the metrics need an API token of an admin or one made with"
                    " `ghtraffic user token NAME --metrics`: Authorization: Bearer …"
                },
                status_code=403,
            )
        body = await run_in_threadpool(generate_latest, registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"cache-control": "no-store"})

    return [Route(METRICS_PATH, metrics, methods=["GET"])]
