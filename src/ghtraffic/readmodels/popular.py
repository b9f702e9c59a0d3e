"""Top referrers and popular paths: GitHub's 14-day lists, one snapshot per day."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ghtraffic.storage.tables import PathItem, PopularSnapshot, ReferrerItem


@dataclass(frozen=True, slots=True)
class Item:
    """One row of a list: ``key`` is the referrer or the path."""

    key: str
    title: str | None
    count: int
    uniques: int
    #: This key's 14-day count in each snapshot of the range, oldest first.
    history: tuple[int, ...] = ()

    def as_dict(self, kind: str) -> dict[str, object]:
        found: dict[str, object] = {
            "referrer" if kind == "referrers" else "path": self.key,
            "count": self.count,
            "uniques": self.uniques,
        }
        if kind == "paths":
            found["title"] = self.title
        return found


def snapshot_days(
    session: Session, repo_id: int, kind: str, since: date | None, until: date | None
) -> list[date]:
    query = select(PopularSnapshot.day).where(
        PopularSnapshot.repo_id == repo_id, PopularSnapshot.kind == kind
    )
    if since is not None:
        query = query.where(PopularSnapshot.day >= since)
    if until is not None:
        query = query.where(PopularSnapshot.day <= until)
    return list(session.scalars(query.order_by(PopularSnapshot.day)))


def newest_day(session: Session, repo_id: int, kind: str, until: date | None) -> date | None:
    query = select(func.max(PopularSnapshot.day)).where(
        PopularSnapshot.repo_id == repo_id, PopularSnapshot.kind == kind
    )
    if until is not None:
        query = query.where(PopularSnapshot.day <= until)
    return session.scalar(query)


def items_on(session: Session, repo_id: int, kind: str, day: date) -> list[Item]:
    if kind == "referrers":
        rows = session.execute(
            select(ReferrerItem.referrer, ReferrerItem.count, ReferrerItem.uniques)
            .where(ReferrerItem.repo_id == repo_id, ReferrerItem.day == day)
            .order_by(ReferrerItem.rank)
        )
        return [Item(key, None, count, uniques) for key, count, uniques in rows]
    paths = session.execute(
        select(PathItem.path, PathItem.title, PathItem.count, PathItem.uniques)
        .where(PathItem.repo_id == repo_id, PathItem.day == day)
        .order_by(PathItem.rank)
    )
    return [Item(key, title, count, uniques) for key, title, count, uniques in paths]


def with_history(
    session: Session, repo_id: int, kind: str, since: date, until: date
) -> tuple[date | None, list[Item]]:
    """The newest list in the range, each row with its counts over the range's snapshots."""
    day = newest_day(session, repo_id, kind, until)
    if day is None or day < since:
        return None, []
    current = items_on(session, repo_id, kind, day)
    days = snapshot_days(session, repo_id, kind, since, until)
    model = ReferrerItem if kind == "referrers" else PathItem
    key_column = ReferrerItem.referrer if kind == "referrers" else PathItem.path
    counts: dict[str, dict[date, int]] = defaultdict(dict)
    keys = [item.key for item in current]
    if keys:
        for key, seen, count in session.execute(
            select(key_column, model.day, model.count).where(
                model.repo_id == repo_id,
                model.day >= since,
                model.day <= until,
                key_column.in_(keys),
            )
        ):
            counts[key][seen] = count
    return day, [
        Item(
            item.key,
            item.title,
            item.count,
            item.uniques,
            tuple(counts[item.key].get(d, 0) for d in days),
        )
        for item in current
    ]
