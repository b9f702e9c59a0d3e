"""Shields-style SVG badges of public repositories: ``/badge/OWNER/REPO/{views,clones,stars}.svg``.

Only repositories an admin made public have badges; any other name answers 404 with the
same body, whoever asks.
"""

from __future__ import annotations

from html import escape

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ghtraffic.identity.public import public_ids
from ghtraffic.readmodels import series
from ghtraffic.storage.queries import find_repo
from ghtraffic.web.state import state_of
from ghtraffic.web.templating import number

METRICS = {"views": "views (14 d)", "clones": "clones (14 d)", "stars": "stars"}
CACHE = "public, max-age=3600"


def _width(text: str) -> int:
    return 10 + int(sum(7 if c.isupper() or c in "mw" else 6 for c in text))


def render(label: str, value: str, color: str = "#4c1") -> str:
    left, right = _width(label), _width(value)
    total = left + right
    label_x, value_x = left * 5, (left + right / 2) * 10
    safe_label, safe_value = escape(label), escape(value)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" '
        f'aria-label="{safe_label}: {safe_value}"><title>{safe_label}: {safe_value}</title>'
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" '
        'stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{color}"/>'
        f'<rect width="{total}" height="20" fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" '
        'font-size="110" text-rendering="geometricPrecision">'
        f'<text x="{label_x}" y="140" transform="scale(.1)">{safe_label}</text>'
        f'<text x="{value_x:.0f}" y="140" transform="scale(.1)">{safe_value}</text></g></svg>'
    )


def badge_value(session: Session, full_name: str, metric: str) -> str | None:
    """The figure a public repository's badge shows, or ``None`` (unknown or not public)."""
    repo = find_repo(session, full_name)
    if repo is None or repo.id not in public_ids(session):
        return None
    if metric == "stars":
        snaps = series.snapshots(session, repo.id)
        return number(snaps[-1].stars) if snaps else "–"
    window = series.newest_windows(session, {repo.id}).get(repo.id)
    value = None if window is None else getattr(window, metric)
    return number(value)


async def badge(request: Request) -> Response:
    metric = request.path_params["metric"]
    full_name = f"{request.path_params['owner']}/{request.path_params['name']}"
    db = state_of(request).db
    value: str | None = None
    if metric in METRICS:

        def load() -> str | None:
            with db.read_session() as session:
                return badge_value(session, full_name, metric)

        value = await run_in_threadpool(load)
    if value is None:
        return Response(
            render("badge", "not found", "#9f9f9f"),
            status_code=404,
            media_type="image/svg+xml",
            headers={"cache-control": "public, max-age=300"},
        )
    return Response(
        render(METRICS[metric], value),
        media_type="image/svg+xml",
        headers={"cache-control": CACHE},
    )


def routes() -> list[BaseRoute]:
    return [Route("/badge/{owner}/{name}/{metric}.svg", badge, methods=["GET"])]
