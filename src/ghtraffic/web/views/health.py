"""Probes for load balancers and Kubernetes (no login needed, no data shown).

``/healthz``: the process answers (liveness; it never touches the database, so a slow or
restarting database does not get the process restarted). ``/readyz``: the archive answers
and its migrations are the ones this version needs (readiness: send traffic here).
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from ghtraffic.storage.database import Database
from ghtraffic.storage.migrate import head_revision
from ghtraffic.web.state import state_of


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def readiness(db: Database) -> tuple[bool, dict[str, str]]:
    """Whether ``db`` answers at the migration this version needs, and why not."""
    head = head_revision()
    try:
        current = db.current_revision()
    except Exception:
        return False, {"status": "database unavailable"}
    if current == head:
        return True, {"status": "ready", "migration": head}
    if current is None:
        reason = f"the archive has no tables yet: run `ghtraffic db upgrade` (to {head})"
    else:
        reason = (
            f"the archive is at migration {current} and this version needs {head}: "
            "run `ghtraffic db upgrade` with the newest version"
        )
    return False, {"status": "not ready", "reason": reason}


async def readyz(request: Request) -> JSONResponse:
    ready, body = await run_in_threadpool(readiness, state_of(request).db)
    return JSONResponse(body, 200 if ready else 503)


def routes() -> list[BaseRoute]:
    return [
        Route("/healthz", healthz, methods=["GET", "HEAD"]),
        Route("/readyz", readyz, methods=["GET", "HEAD"]),
    ]
