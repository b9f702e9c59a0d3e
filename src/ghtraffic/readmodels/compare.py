"""Several repositories side by side: one metric per day over a range, and the same
metric over a previous period of the same length."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ghtraffic.storage.tables import TrafficDaily

METRICS = ("views", "views_unique", "clones", "clones_unique")


def per_day(
    session: Session, ids: Collection[int], metric: str, since: date, until: date
) -> dict[int, dict[date, int | None]]:
    """Per repository: the metric on each archived day of ``since..until``."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}")
    if not ids:
        return {}
    D = TrafficDaily
    column = getattr(D, metric)
    query = select(D.repo_id, D.day, column).where(
        D.repo_id.in_(sorted(ids)), D.day >= since, D.day <= until
    )
    found: dict[int, dict[date, int | None]] = defaultdict(dict)
    for repo_id, day, value in session.execute(query):
        found[int(repo_id)][day] = value
    return found
