"""What happened, for the events page: traffic spikes and failed or deferred collections,
per repository or overall, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ghtraffic.readmodels.events import EventMark, EventRow, events
from ghtraffic.storage.database import Database
from ghtraffic.storage.tables import CollectionResult, CollectionRun

KINDS = ("spike", "failure")


@dataclass(frozen=True, slots=True)
class Happening:
    """One line of the events page."""

    kind: str
    day: date
    full_name: str
    #: ``spike-ID`` or ``failure-ID``: the anchor a chart marker links to.
    anchor: str
    title: str
    detail: str
    #: A spike's value and baseline, for a bar of its size.
    value: int = 0
    baseline: float = 0.0


def _spike(row: EventRow) -> Happening:
    mark = EventMark.of(row)
    times = f"{row.value / row.baseline:.1f}× the usual {row.baseline:,.0f}" if row.baseline else ""
    grew = f"; grew most from {mark.referrer}" if mark.referrer else ""
    return Happening(
        "spike",
        row.day,
        row.full_name,
        f"spike-{row.id}",
        f"{row.value:,} {row.metric}",
        f"{times} (threshold {row.threshold:,.0f}){grew}",
        row.value,
        row.baseline,
    )


def failures(
    session: Session, ids: set[int] | None, since: date, until: date, limit: int
) -> list[Happening]:
    R, Run = CollectionResult, CollectionRun
    start = datetime.combine(since, time(), tzinfo=UTC)
    end = datetime.combine(until + timedelta(days=1), time(), tzinfo=UTC)
    query = (
        select(R.id, R.full_name, R.outcome, R.reason, Run.started_at, Run.id)
        .join(Run, Run.id == R.run_id)
        .where(R.outcome != "ok", Run.started_at >= start, Run.started_at < end)
        .order_by(Run.started_at.desc(), R.id.desc())
        .limit(limit)
    )
    if ids is not None:
        query = query.where(R.repo_id.in_(sorted(ids)))
    return [
        Happening(
            "failure",
            started.date(),
            full_name,
            f"failure-{result_id}",
            f"collection {outcome}",
            f"run #{run_id}: {reason or 'no reason given'}",
        )
        for result_id, full_name, outcome, reason, started, run_id in session.execute(query)
    ]


def timeline(
    db: Database,
    session: Session,
    ids: set[int] | None,
    since: date,
    until: date,
    *,
    kind: str | None = None,
    limit: int = 200,
) -> list[Happening]:
    """Spikes and failed collections of ``ids`` (``None``: every repository) in the range,
    the newest ``limit`` of them, newest first."""
    found: list[Happening] = []
    if kind in (None, "spike") and (ids is None or ids):
        rows = events(db, None if ids is None else sorted(ids), since, limit=limit)
        found += [_spike(row) for row in rows if row.day <= until]
    if kind in (None, "failure") and (ids is None or ids):
        found += failures(session, ids, since, until, limit)
    return sorted(found, key=lambda h: (h.day, h.kind == "spike"), reverse=True)[:limit]
