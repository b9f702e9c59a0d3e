"""Spike events and their notifications, as pages, the API and the report show them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from ghtraffic.storage.database import Database
from ghtraffic.storage.records import copied
from ghtraffic.storage.tables import Repo
from ghtraffic.storage.tables_processing import NotificationDelivery, TrafficEvent


@dataclass(frozen=True, slots=True)
class ReferrerGrowth:
    referrer: str
    #: Growth of the referrer's 14-day count across the spike day.
    growth: int
    #: The 14-day count in the first list covering the day.
    count: int


@dataclass(frozen=True, slots=True)
class EventRow:
    id: int
    repo_id: int
    full_name: str
    day: date
    metric: str
    value: int
    #: Median and scaled MAD of the days before; the threshold ``value`` crossed.
    baseline: float
    mad: float
    threshold: float
    #: ``None`` while no referrer list covers the day yet.
    referrers: tuple[ReferrerGrowth, ...] | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    id: int
    subject: str
    channel: str
    event_id: int | None
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class EventMark:
    """A spike as a chart marks it: the day, the metric, its size against the baseline and
    the referrer that grew most (``None`` while no referrer list covers the day)."""

    id: int
    day: date
    kind: str
    title: str
    value: int = 0
    baseline: float = 0.0
    threshold: float = 0.0
    referrer: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "date": self.day.isoformat(),
            "kind": self.kind,
            "metric": self.kind,
            "title": self.title,
            "value": self.value,
            "baseline": round(self.baseline, 1),
            "threshold": round(self.threshold, 1),
            "referrer": self.referrer,
        }

    @classmethod
    def of(cls, row: EventRow) -> EventMark:
        grew = max(row.referrers or (), key=lambda r: r.growth, default=None)
        return cls(
            row.id,
            row.day,
            row.metric,
            f"{row.metric} spike: {row.value}",
            row.value,
            row.baseline,
            row.threshold,
            None if grew is None else grew.referrer,
        )


def _referrers(value: Any) -> tuple[ReferrerGrowth, ...] | None:
    if value is None:
        return None
    return tuple(
        ReferrerGrowth(str(r["referrer"]), int(r["growth"]), int(r.get("count", 0))) for r in value
    )


def events(
    db: Database,
    repo_ids: list[int] | None = None,
    since: date | None = None,
    limit: int = 100,
) -> list[EventRow]:
    """Spike events, newest day first (``repo_ids=None``: every repository)."""
    if repo_ids is not None and not repo_ids:
        return []
    E = TrafficEvent
    query = (
        select(E, Repo.full_name)
        .join(Repo, Repo.id == E.repo_id)
        .order_by(E.day.desc(), E.id.desc())
        .limit(limit)
    )
    if repo_ids is not None:
        query = query.where(E.repo_id.in_(sorted(set(repo_ids))))
    if since is not None:
        query = query.where(E.day >= since)
    with db.read_session() as session:
        return [
            copied(EventRow, e, full_name=full_name, referrers=_referrers(e.referrers))
            for e, full_name in session.execute(query)
        ]


def event_marks(db: Database, repo_id: int, since: date, until: date) -> list[EventMark]:
    """The spikes of one repository between ``since`` and ``until``, oldest first: the
    marks on its charts."""
    rows = events(db, repo_ids=[repo_id], since=since, limit=1000)
    return sorted(
        (EventMark.of(row) for row in rows if row.day <= until), key=lambda mark: mark.day
    )


def deliveries(db: Database, event_id: int | None = None, limit: int = 100) -> list[DeliveryRow]:
    """Notification deliveries, newest first (of one event when ``event_id`` is given)."""
    D = NotificationDelivery
    query = select(D).order_by(D.id.desc()).limit(limit)
    if event_id is not None:
        query = query.where(D.event_id == event_id)
    with db.read_session() as session:
        return [copied(DeliveryRow, d) for d in session.scalars(query)]
