"""Reads for the dashboard and the API: events and roll-up series (batched, typed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import select

from ghtraffic.processing.rollups import period_start
from ghtraffic.storage.database import Database
from ghtraffic.storage.tables import Repo
from ghtraffic.storage.tables_processing import (
    NotificationDelivery,
    RollupGroup,
    RollupRepo,
    TrafficEvent,
)

Scope = Literal["repo", "owner", "all"]
Period = Literal["week", "month"]


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
class RollupPoint:
    period_start: date
    views: int | None
    #: A sum of daily unique visitors: not the unique visitors of the period.
    views_unique_day_sum: int | None
    clones: int | None
    clones_unique_day_sum: int | None
    #: Archived days (summed over repositories for owner and all).
    days: int
    #: Repositories contributing (1 for a repository).
    repos: int


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
            EventRow(
                id=e.id,
                repo_id=e.repo_id,
                full_name=full_name,
                day=e.day,
                metric=e.metric,
                value=e.value,
                baseline=e.baseline,
                mad=e.mad,
                threshold=e.threshold,
                referrers=_referrers(e.referrers),
                created_at=e.created_at,
                updated_at=e.updated_at,
            )
            for e, full_name in session.execute(query)
        ]


def rollup_series(
    db: Database,
    scope: Scope,
    key: int | str | None,
    period: Period,
    since: date | None = None,
    until: date | None = None,
) -> list[RollupPoint]:
    """Weekly or monthly sums, oldest first, of the periods overlapping ``since..until``.

    ``key``: the repository id for ``repo``, the owner's login for ``owner`` (any case),
    ignored for ``all``.
    """
    if period not in ("week", "month"):
        raise ValueError(f"period must be 'week' or 'month', not {period!r}")
    rows: list[RollupRepo] | list[RollupGroup]
    with db.read_session() as session:
        if scope == "repo":
            if key is None:
                raise ValueError("a repository series needs the repository id as key")
            R = RollupRepo
            repo_query = select(R).where(R.repo_id == int(key), R.period == period)
            if since is not None:
                repo_query = repo_query.where(R.period_start >= period_start(period, since))
            if until is not None:
                repo_query = repo_query.where(R.period_start <= until)
            rows = list(session.scalars(repo_query.order_by(R.period_start)))
        elif scope in ("owner", "all"):
            G = RollupGroup
            group_key = "" if scope == "all" else str(key or "").lower()
            group_query = select(G).where(G.scope == scope, G.key == group_key, G.period == period)
            if since is not None:
                group_query = group_query.where(G.period_start >= period_start(period, since))
            if until is not None:
                group_query = group_query.where(G.period_start <= until)
            rows = list(session.scalars(group_query.order_by(G.period_start)))
        else:
            raise ValueError(f"scope must be 'repo', 'owner' or 'all', not {scope!r}")
    return [
        RollupPoint(
            period_start=row.period_start,
            views=row.views,
            views_unique_day_sum=row.views_unique_day_sum,
            clones=row.clones,
            clones_unique_day_sum=row.clones_unique_day_sum,
            days=row.days,
            repos=row.repos if isinstance(row, RollupGroup) else 1,
        )
        for row in rows
    ]


def deliveries(db: Database, event_id: int | None = None, limit: int = 100) -> list[DeliveryRow]:
    """Notification deliveries, newest first (of one event when ``event_id`` is given)."""
    D = NotificationDelivery
    query = select(D).order_by(D.id.desc()).limit(limit)
    if event_id is not None:
        query = query.where(D.event_id == event_id)
    with db.read_session() as session:
        return [
            DeliveryRow(
                id=d.id,
                subject=d.subject,
                channel=d.channel,
                event_id=d.event_id,
                status=d.status,
                attempts=d.attempts,
                last_error=d.last_error,
                created_at=d.created_at,
                sent_at=d.sent_at,
            )
            for d in session.scalars(query)
        ]
