"""The archive schema as SQLAlchemy 2 typed declarative models (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ghtraffic.storage.base import Base
from ghtraffic.storage.types import UTCDateTime

RUN_STATUSES = ("running", "ok", "partial", "failed")
OUTCOMES = ("ok", "failed", "deferred")
POPULAR_KINDS = ("referrers", "paths")
#: The ``sort_order`` of key columns declared on a mixin: they come before the others.
KEY_FIRST = -1


def _repo_fk() -> ForeignKey:
    return ForeignKey("repos.id", ondelete="CASCADE")


class Repo(Base):
    """A repository, keyed by GitHub's numeric id (stable across renames)."""

    __tablename__ = "repos"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    owner: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    full_name: Mapped[str] = mapped_column(Text)
    private: Mapped[bool] = mapped_column(Boolean)
    fork: Mapped[bool] = mapped_column(Boolean)
    archived: Mapped[bool] = mapped_column(Boolean)
    description: Mapped[str | None] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RepoAlias(Base):
    """A lower-cased ``owner/name`` a repository is or was known by."""

    __tablename__ = "repo_aliases"

    name: Mapped[str] = mapped_column(Text, primary_key=True)
    repo_id: Mapped[int] = mapped_column(BigInteger, _repo_fk(), index=True)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RepoDayKey:
    """The key of a row per repository and UTC day, placed before the other columns."""

    repo_id: Mapped[int] = mapped_column(
        BigInteger, _repo_fk(), primary_key=True, sort_order=KEY_FIRST
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True, sort_order=KEY_FIRST)


class PopularItem(RepoDayKey):
    """A row of a top-referrers or top-paths list: its day's key, and its 14-day counts
    after what it names."""

    count: Mapped[int] = mapped_column(Integer)
    uniques: Mapped[int] = mapped_column(Integer)


class ObservedMaxima:
    """The columns after the key of a daily or weekly traffic row: the four figures (each
    the maximum ever observed), when the row was first seen and when each figure was last
    raised."""

    views: Mapped[int | None] = mapped_column(Integer)
    views_unique: Mapped[int | None] = mapped_column(Integer)
    clones: Mapped[int | None] = mapped_column(Integer)
    clones_unique: Mapped[int | None] = mapped_column(Integer)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    views_raised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    views_unique_raised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    clones_raised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    clones_unique_raised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TrafficDaily(RepoDayKey, ObservedMaxima, Base):
    """Per repository and UTC day: the maximum ever observed of each metric."""

    __tablename__ = "traffic_daily"


class TrafficWeekly(ObservedMaxima, Base):
    """Per repository and week (starting Monday): the maximum ever observed of each metric."""

    __tablename__ = "traffic_weekly"

    repo_id: Mapped[int] = mapped_column(BigInteger, _repo_fk(), primary_key=True)
    week_start: Mapped[date] = mapped_column(Date, primary_key=True)


class TrafficWindow(RepoDayKey, Base):
    """The 14-day totals of the last collection of a UTC day, and the span it covered."""

    __tablename__ = "traffic_windows"

    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    views: Mapped[int | None] = mapped_column(Integer)
    views_unique: Mapped[int | None] = mapped_column(Integer)
    clones: Mapped[int | None] = mapped_column(Integer)
    clones_unique: Mapped[int | None] = mapped_column(Integer)
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PopularSnapshot(RepoDayKey, Base):
    """The header of one day's top-referrers or top-paths list (may have zero items)."""

    __tablename__ = "popular_snapshots"
    __table_args__ = (CheckConstraint("kind IN ('referrers', 'paths')", name="kind"),)

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReferrerItem(PopularItem, Base):
    """One row of a top-referrers snapshot (14-day counts)."""

    __tablename__ = "referrer_items"

    rank: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    referrer: Mapped[str] = mapped_column(Text)


class PathItem(PopularItem, Base):
    """One row of a top-paths snapshot (14-day counts)."""

    __tablename__ = "path_items"

    rank: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    path: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)


class RepoSnapshot(RepoDayKey, Base):
    """Stars, forks, watchers and flags of a repository on one UTC day."""

    __tablename__ = "repo_snapshots"

    stars: Mapped[int] = mapped_column(Integer)
    forks: Mapped[int] = mapped_column(Integer)
    watchers: Mapped[int | None] = mapped_column(Integer)
    open_issues: Mapped[int] = mapped_column(Integer)
    size_kb: Mapped[int] = mapped_column(BigInteger)
    private: Mapped[bool] = mapped_column(Boolean)
    fork: Mapped[bool] = mapped_column(Boolean)
    archived: Mapped[bool] = mapped_column(Boolean)
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HttpCache(Base):
    """The last ETag and JSON body served for a URL, for conditional requests."""

    __tablename__ = "http_cache"

    url: Mapped[str] = mapped_column(Text, primary_key=True)
    etag: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CollectionRun(Base):
    """One collection run and its totals."""

    __tablename__ = "collection_runs"
    __table_args__ = (
        CheckConstraint("status IN ('running', 'ok', 'partial', 'failed')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))
    api_url: Mapped[str] = mapped_column(Text)
    repos_ok: Mapped[int] = mapped_column(Integer, default=0)
    repos_failed: Mapped[int] = mapped_column(Integer, default=0)
    repos_deferred: Mapped[int] = mapped_column(Integer, default=0)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    rate_points: Mapped[int] = mapped_column(Integer, default=0)
    rate_remaining: Mapped[int | None] = mapped_column(Integer)
    rate_limit: Mapped[int | None] = mapped_column(Integer)
    days_added: Mapped[int] = mapped_column(Integer, default=0)
    days_raised: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)
    #: On workers: the queued scheduling job that opened the run (that job run again
    #: continues this run), and how many results close it.
    job_id: Mapped[int | None] = mapped_column(BigInteger, unique=True, index=True)
    repos_total: Mapped[int | None] = mapped_column(Integer)
    #: Why the run started no more repositories (every one not yet started is deferred).
    stopped_because: Mapped[str | None] = mapped_column(Text)


class CollectionResult(Base):
    """How one repository fared in one run."""

    __tablename__ = "collection_results"
    __table_args__ = (CheckConstraint("outcome IN ('ok', 'failed', 'deferred')", name="outcome"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("collection_runs.id", ondelete="CASCADE"), index=True
    )
    full_name: Mapped[str] = mapped_column(Text)
    repo_id: Mapped[int | None] = mapped_column(BigInteger)
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    days_added: Mapped[int] = mapped_column(Integer, default=0)
    days_raised: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
