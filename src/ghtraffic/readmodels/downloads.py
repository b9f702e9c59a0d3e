"""Release asset downloads over time: GitHub's cumulative count per asset and day, and
the downloads gained per day and per week."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ghtraffic.storage.tables_history import DownloadCount

SOURCE = "release-asset"


@dataclass(frozen=True, slots=True)
class Asset:
    """One asset (``TAG/NAME``): its cumulative count on each day it was read."""

    name: str
    counts: dict[date, int]

    @property
    def total(self) -> int:
        """The newest count."""
        return self.counts[max(self.counts)] if self.counts else 0

    def gains(self, days: list[date]) -> list[int | None]:
        """Downloads gained on each of ``days`` (``None`` where a day or the day before was
        not read; a count that went down, as when an asset is replaced, gains nothing)."""
        found: list[int | None] = []
        for day in days:
            now, before = self.counts.get(day), self.counts.get(day - timedelta(days=1))
            found.append(None if now is None or before is None else max(0, now - before))
        return found


def has_downloads(session: Session, repo_id: int) -> bool:
    query = select(DownloadCount.day).where(
        DownloadCount.repo_id == repo_id, DownloadCount.source == SOURCE
    )
    return session.execute(query.limit(1)).first() is not None


def assets(session: Session, repo_id: int, since: date, until: date) -> list[Asset]:
    """Every asset with a count in ``since - 1 .. until`` (the day before gives the first
    day's gain), the most downloaded first."""
    D = DownloadCount
    query = select(D.name, D.day, D.count).where(
        D.repo_id == repo_id,
        D.source == SOURCE,
        D.day >= since - timedelta(days=1),
        D.day <= until,
    )
    counts: dict[str, dict[date, int]] = defaultdict(dict)
    for name, day, count in session.execute(query):
        counts[name][day] = int(count)
    found = [Asset(name, by_day) for name, by_day in counts.items()]
    return sorted(found, key=lambda a: (-a.total, a.name))


def repos_with_downloads(session: Session, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    D = DownloadCount
    query = select(D.repo_id).where(D.repo_id.in_(ids), D.source == SOURCE).group_by(D.repo_id)
    return {int(repo_id) for repo_id in session.scalars(query)}


def newest_day(session: Session, repo_id: int) -> date | None:
    D = DownloadCount
    return session.scalar(select(func.max(D.day)).where(D.repo_id == repo_id, D.source == SOURCE))
