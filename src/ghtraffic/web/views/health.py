"""``/healthz``: the process answers and the database too (no login needed, no data)."""

from __future__ import annotations

from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from ghtraffic.web.state import state_of


async def healthz(request: Request) -> JSONResponse:
    db = state_of(request).db

    def ping() -> bool:
        try:
            with db.read_session() as session:
                session.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    ok = await run_in_threadpool(ping)
    return JSONResponse({"status": "ok" if ok else "database unavailable"}, 200 if ok else 503)


def routes() -> list[BaseRoute]:
    return [Route("/healthz", healthz, methods=["GET"])]
