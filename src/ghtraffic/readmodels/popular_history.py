"""Referrers and popular paths over time: each key's 14-day count in every daily snapshot
of a range, read from the lists GitHub returned each day."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ghtraffic.readmodels.popular import snapshot_days
from ghtraffic.storage.tables import PathItem, ReferrerItem

KINDS = ("referrers", "paths")


@dataclass(frozen=True, slots=True)
class KeyHistory:
    """One referrer or path: its 14-day count and uniques in each snapshot (``None`` on a
    day it was not in GitHub's top-10 list)."""

    key: str
    title: str | None
    counts: tuple[int | None, ...]
    uniques: tuple[int | None, ...]

    @property
    def newest(self) -> int:
        return next((c for c in reversed(self.counts) if c is not None), 0)

    @property
    def peak(self) -> int:
        return max((c for c in self.counts if c is not None), default=0)


@dataclass(frozen=True, slots=True)
class History:
    kind: str
    days: tuple[date, ...]
    keys: tuple[KeyHistory, ...]

    def find(self, key: str) -> KeyHistory | None:
        return next((k for k in self.keys if k.key == key), None)


def history(session: Session, repo_id: int, kind: str, since: date, until: date) -> History:
    """Every key listed in the range, those with the highest newest count first."""
    days = snapshot_days(session, repo_id, kind, since, until)
    if kind == "referrers":
        query = select(
            ReferrerItem.referrer, ReferrerItem.day, ReferrerItem.count, ReferrerItem.uniques
        ).where(ReferrerItem.repo_id == repo_id, ReferrerItem.day >= since)
        rows = [
            (key, None, day, c, u)
            for key, day, c, u in session.execute(query.where(ReferrerItem.day <= until))
        ]
    else:
        paths = select(
            PathItem.path, PathItem.title, PathItem.day, PathItem.count, PathItem.uniques
        )
        rows = list(
            session.execute(
                paths.where(
                    PathItem.repo_id == repo_id, PathItem.day >= since, PathItem.day <= until
                )
            )
        )
    counts: dict[str, dict[date, tuple[int, int]]] = defaultdict(dict)
    titles: dict[str, str | None] = {}
    for key, title, day, count, uniques in rows:
        counts[key][day] = (int(count), int(uniques))
        titles[key] = title
    found = [
        KeyHistory(
            key,
            titles[key],
            tuple(counts[key][d][0] if d in counts[key] else None for d in days),
            tuple(counts[key][d][1] if d in counts[key] else None for d in days),
        )
        for key in counts
    ]
    found.sort(key=lambda k: (-k.newest, -k.peak, k.key))
    return History(kind, tuple(days), tuple(found))
