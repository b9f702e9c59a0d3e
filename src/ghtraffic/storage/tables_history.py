"""Tables of history kept beside traffic: star and fork counts, download counts.

Both are written by the importers (``ghtraffic.history``) and may be written by the
collector through ``ghtraffic.history.counts``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ghtraffic.storage.base import Base
from ghtraffic.storage.types import UTCDateTime

COUNT_METRICS = ("stars", "forks", "watchers", "open_issues")
#: ``events``: a cumulative count rebuilt from dated star or fork events (rewritten
#: downward when someone unstars); ``snapshot``: the count read from the repository.
COUNT_SOURCES = ("events", "snapshot")
DOWNLOAD_SOURCES = ("release-asset", "container")


class RepoCount(Base):
    """A repository's star, fork, watcher or open-issue count at the end of a UTC day."""

    __tablename__ = "repo_counts"
    __table_args__ = (
        CheckConstraint("metric IN ('stars', 'forks', 'watchers', 'open_issues')", name="metric"),
        CheckConstraint("source IN ('events', 'snapshot')", name="source"),
    )

    repo_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("repos.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    metric: Mapped[str] = mapped_column(String(16), primary_key=True)
    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DownloadCount(Base):
    """A cumulative download count on a UTC day: a release asset or a container image."""

    __tablename__ = "download_counts"
    __table_args__ = (CheckConstraint("source IN ('release-asset', 'container')", name="source"),)

    repo_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("repos.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    #: ``TAG/ASSET`` for a release asset, the image name for a container.
    name: Mapped[str] = mapped_column(Text, primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime)


#: Where a repository's star history comes from: the dated stargazer list, or (where the
#: credential may not list stargazers) the daily star counts ghtraffic read itself.
STAR_HISTORY_SOURCES = ("stargazers", "snapshots")


class StarHistory(Base):
    """Which source a repository's star history has, and when that was last decided."""

    __tablename__ = "star_history"
    __table_args__ = (CheckConstraint("source IN ('stargazers', 'snapshots')", name="source"),)

    repo_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("repos.id", ondelete="CASCADE"), primary_key=True
    )
    source: Mapped[str] = mapped_column(String(16))
    #: Stars in the stargazer list when it was read (0 for ``snapshots``).
    stars_listed: Mapped[int] = mapped_column(Integer)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Why the list could not be read, for ``snapshots``.
    reason: Mapped[str | None] = mapped_column(Text)


__all__ = [
    "COUNT_METRICS",
    "COUNT_SOURCES",
    "DOWNLOAD_SOURCES",
    "STAR_HISTORY_SOURCES",
    "DownloadCount",
    "RepoCount",
    "StarHistory",
]
