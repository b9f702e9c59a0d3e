"""Helpers the pages share: the asked-for range, sparklines, refusals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from ghtraffic.readmodels.series import bounds
from ghtraffic.web.principal import principal_of
from ghtraffic.web.ranges import PRESETS, DateRange, parse_range
from ghtraffic.web.state import state_of


def range_of(request: Request, session: Session, ids: set[int]) -> DateRange:
    """The range the query string asks for, ending on the newest archived day."""
    return range_between(request, *bounds(session, ids))


def range_between(request: Request, oldest: date | None, newest: date | None) -> DateRange:
    """The range the query string asks for within the archive's ``oldest..newest``."""
    return parse_range(
        request.query_params.get("range"),
        request.query_params.get("since"),
        request.query_params.get("until"),
        newest=newest or datetime.now(UTC).date(),
        oldest=oldest,
    )


def range_context(period: DateRange) -> dict[str, Any]:
    return {
        "period": period,
        "presets": [(key, label) for key, (label, _) in PRESETS.items()],
    }


#: A sparkline is 120 pixels wide: more points than this only make the page heavier.
SPARK_POINTS = 60


def spark_bucket(days: int) -> int:
    """How many days one point of a sparkline of ``days`` days sums."""
    return max(1, -(-days // SPARK_POINTS))


def sparkline(values: Sequence[int | None], width: int = 120, height: int = 28) -> str:
    """The ``points`` of an SVG polyline drawing ``values`` (empty for fewer than two).

    Long ranges are summed into at most ``SPARK_POINTS`` buckets of ``spark_bucket`` days
    (the first bucket starts with the first value)."""
    if len(values) > SPARK_POINTS:
        size = spark_bucket(len(values))
        values = [
            None if all(v is None for v in chunk) else sum(v or 0 for v in chunk)
            for chunk in (values[i : i + size] for i in range(0, len(values), size))
        ]
    if len(values) < 2:
        return ""
    top = max((v or 0) for v in values) or 1
    step = width / (len(values) - 1)
    return " ".join(
        f"{i * step:.1f},{height - 2 - (v or 0) * (height - 4) / top:.1f}"
        for i, v in enumerate(values)
    )


def refuse(request: Request, status: int = 404, message: str | None = None) -> HTMLResponse:
    """Not found and not allowed look the same to a viewer: nothing is revealed."""
    text = message or (
        "No such repository, or you may not see it."
        if status == 404
        else "Only an administrator may do that."
    )
    return state_of(request).templates.render(
        request, "error.html", {"status": status, "message": text}, status_code=status
    )


def require_admin(request: Request) -> HTMLResponse | None:
    return None if principal_of(request).is_admin else refuse(request, 403)


def back(url: str, **flash: str) -> RedirectResponse:
    from urllib.parse import urlencode

    query = urlencode(flash)
    return RedirectResponse(f"{url}?{query}" if query else url, status_code=303)
