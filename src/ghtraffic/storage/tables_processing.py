"""Tables of processing: roll-ups, events (spikes), notification deliveries, change feed.

Roll-ups are derived from ``traffic_daily`` and can be rebuilt from it at any time. Sums of
daily unique visitors are named ``*_unique_day_sum``: they are not unique visitors of the
period (GitHub's weekly uniques live in ``traffic_weekly``, 14-day ones in
``traffic_windows``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ghtraffic.storage.base import Base
from ghtraffic.storage.types import UTCDateTime

PERIODS = ("week", "month")
GROUP_SCOPES = ("owner", "all")
EVENT_METRICS = ("views", "clones")
DELIVERY_STATUSES = ("pending", "sending", "sent", "failed")
CHANGE_KINDS = ("traffic", "event", "run")


def _repo_fk() -> ForeignKey:
    return ForeignKey("repos.id", ondelete="CASCADE")


class ProcessingState(Base):
    """Per repository: how far processing got (newest merge time seen), under which owner,
    and the last queued processing job it did."""

    __tablename__ = "processing_state"

    repo_id: Mapped[int] = mapped_column(BigInteger, _repo_fk(), primary_key=True)
    owner_key: Mapped[str] = mapped_column(Text)
    watermark: Mapped[datetime | None] = mapped_column(UTCDateTime)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The id of the newest processing job done, written in that job's own transaction: a
    #: job run again after its commit (its worker killed before it could say so) finds
    #: itself here and does nothing.
    last_job_id: Mapped[int | None] = mapped_column(BigInteger)


class PeriodSums:
    """The period of a roll-up row (the last part of its key) and the sums of daily
    traffic over it."""

    period: Mapped[str] = mapped_column(String(8), primary_key=True)
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    views: Mapped[int | None] = mapped_column(BigInteger)
    views_unique_day_sum: Mapped[int | None] = mapped_column(BigInteger)
    clones: Mapped[int | None] = mapped_column(BigInteger)
    clones_unique_day_sum: Mapped[int | None] = mapped_column(BigInteger)


class RollupRepo(PeriodSums, Base):
    """One repository's sums of daily traffic over a week (from Monday) or a month."""

    __tablename__ = "rollups_repo"
    __table_args__ = (
        CheckConstraint("period IN ('week', 'month')", name="period"),
        Index("ix_rollups_repo_period_start", "period", "period_start"),
    )

    repo_id: Mapped[int] = mapped_column(BigInteger, _repo_fk(), primary_key=True)
    #: Archived days in the period (a day with any metric observed).
    days: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RollupGroup(PeriodSums, Base):
    """Sums over the repositories of one owner (``key``: lower-cased login) or all (``''``)."""

    __tablename__ = "rollups_group"
    __table_args__ = (
        CheckConstraint("scope IN ('owner', 'all')", name="scope"),
        CheckConstraint("period IN ('week', 'month')", name="period"),
    )

    scope: Mapped[str] = mapped_column(String(8), primary_key=True)
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    #: Repository-days archived in the period, and repositories with at least one.
    days: Mapped[int] = mapped_column(Integer)
    repos: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TrafficEvent(Base):
    """A spike: a complete day whose views or clones rose far above the usual level."""

    __tablename__ = "traffic_events"
    __table_args__ = (
        UniqueConstraint("repo_id", "day", "metric"),
        CheckConstraint("metric IN ('views', 'clones')", name="metric"),
        Index("ix_traffic_events_day", "day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    repo_id: Mapped[int] = mapped_column(BigInteger, _repo_fk())
    day: Mapped[date] = mapped_column(Date)
    metric: Mapped[str] = mapped_column(String(16))
    #: The day's value (raised when GitHub revises the day upward).
    value: Mapped[int] = mapped_column(Integer)
    #: Median and scaled MAD of the days before, and the threshold the value crossed.
    baseline: Mapped[float] = mapped_column(Float)
    mad: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    #: ``[{"referrer": ..., "growth": ...}, ...]``; ``None`` until a referrer snapshot
    #: covering the day exists.
    referrers: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NotificationDelivery(Base):
    """One notification on one channel. ``subject`` names what it is about
    (``event:<id>`` or ``failure:<owner/name>:<day>``); one row per subject and channel, so
    nothing is ever sent twice."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        UniqueConstraint("subject", "channel"),
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name="status"),
        Index("ix_notification_deliveries_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("traffic_events.id", ondelete="CASCADE")
    )
    repo_id: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DataChange(Base):
    """The change feed: one row per processed repository, new event or failed collection.

    Readers poll ``id > last seen id``. Rows are pruned after a few days.
    """

    __tablename__ = "data_changes"
    __table_args__ = (
        CheckConstraint("kind IN ('traffic', 'event', 'run')", name="kind"),
        Index("ix_data_changes_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    repo_id: Mapped[int | None] = mapped_column(BigInteger)
    #: The event's id for ``event`` rows.
    ref_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
