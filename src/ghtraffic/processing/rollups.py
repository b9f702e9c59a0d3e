"""Weekly and monthly roll-ups of ``traffic_daily``: per repository, per owner, all repos.

Only the periods touched by a repository's changed days are recomputed: one select of
the repository's days in those periods and one bulk insert per table; owner and all-repo
sums are one ``GROUP BY`` over the per-repository roll-ups. Rows of the touched periods
are deleted and inserted again in the same transaction, so a roll-up always equals the
sum of its days as committed.
"""

from __future__ import annotations

import calendar
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, and_, delete, false, func, or_, select
from sqlalchemy.orm import Session

from ghtraffic.storage.tables import Repo, TrafficDaily
from ghtraffic.storage.tables_processing import RollupGroup, RollupRepo

#: Roll-up columns and the daily metric each one sums.
SUMS: tuple[tuple[str, str], ...] = (
    ("views", "views"),
    ("views_unique_day_sum", "views_unique"),
    ("clones", "clones"),
    ("clones_unique_day_sum", "clones_unique"),
)


def week_start(day: date) -> date:
    """The Monday of ``day``'s week (GitHub's weeks start on Monday)."""
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)


def period_start(period: str, day: date) -> date:
    if period == "week":
        return week_start(day)
    if period == "month":
        return month_start(day)
    raise ValueError(f"period must be 'week' or 'month', not {period!r}")


def period_end(period: str, start: date) -> date:
    """The last day of the period starting on ``start``."""
    if period == "week":
        return start + timedelta(days=6)
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])


@dataclass
class Periods:
    """Week starts and month starts."""

    weeks: set[date] = field(default_factory=set)
    months: set[date] = field(default_factory=set)

    @classmethod
    def of_days(cls, days: Iterable[date]) -> Periods:
        result = cls()
        for day in days:
            result.weeks.add(week_start(day))
            result.months.add(month_start(day))
        return result

    def __bool__(self) -> bool:
        return bool(self.weeks or self.months)

    def __len__(self) -> int:
        return len(self.weeks) + len(self.months)

    def update(self, other: Periods) -> None:
        self.weeks |= other.weeks
        self.months |= other.months

    def span(self) -> tuple[date, date]:
        """First and last day covered by all the periods."""
        starts = [*self.weeks, *self.months]
        ends = [period_end("week", w) for w in self.weeks]
        ends += [period_end("month", m) for m in self.months]
        return min(starts), max(ends)

    def where(self, period: Any, start: Any) -> ColumnElement[bool]:
        """SQL: the row's ``(period, start)`` is one of these periods."""
        parts: list[ColumnElement[bool]] = []
        if self.weeks:
            parts.append(and_(period == "week", start.in_(sorted(self.weeks))))
        if self.months:
            parts.append(and_(period == "month", start.in_(sorted(self.months))))
        return or_(*parts) if parts else false()


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def recompute_repo(session: Session, repo_id: int, periods: Periods, now: datetime) -> None:
    """Rebuild the repository's roll-ups of ``periods`` from its daily rows."""
    if not periods:
        return
    lo, hi = periods.span()
    D = TrafficDaily
    rows = session.execute(
        select(D.day, D.views, D.views_unique, D.clones, D.clones_unique).where(
            D.repo_id == repo_id, D.day.between(lo, hi)
        )
    ).all()
    sums: dict[tuple[str, date], dict[str, Any]] = {}
    for day, *values in rows:
        keys = []
        if week_start(day) in periods.weeks:
            keys.append(("week", week_start(day)))
        if month_start(day) in periods.months:
            keys.append(("month", month_start(day)))
        for key in keys:
            acc = sums.get(key)
            if acc is None:
                acc = sums[key] = {name: None for name, _ in SUMS} | {"days": 0}
            acc["days"] += 1
            for (name, _), value in zip(SUMS, values, strict=True):
                if value is not None:
                    acc[name] = (acc[name] or 0) + value
    R = RollupRepo
    session.execute(delete(R).where(R.repo_id == repo_id, periods.where(R.period, R.period_start)))
    if sums:
        session.execute(
            cast(Table, R.__table__).insert(),
            [
                {"repo_id": repo_id, "period": p, "period_start": s, "updated_at": now, **acc}
                for (p, s), acc in sorted(sums.items())
            ],
        )


def repo_periods(session: Session, repo_id: int) -> Periods:
    """Every period the repository has a roll-up for."""
    result = Periods()
    rows = session.execute(
        select(RollupRepo.period, RollupRepo.period_start).where(RollupRepo.repo_id == repo_id)
    )
    for period, start in rows:
        (result.weeks if period == "week" else result.months).add(start)
    return result


def recompute_groups(
    session: Session, periods: Periods, owner_keys: Collection[str], now: datetime
) -> None:
    """Rebuild the all-repository roll-ups and those of ``owner_keys`` (lower-cased logins)
    for ``periods``, from the per-repository roll-ups."""
    if not periods:
        return
    R, G = RollupRepo, RollupGroup
    columns = [func.sum(getattr(R, name)) for name, _ in SUMS]
    base = select(R.period, R.period_start, *columns, func.sum(R.days), func.count()).where(
        periods.where(R.period, R.period_start)
    )
    scopes: list[tuple[str, str, Any]] = [("all", "", base)]
    for key in sorted(set(owner_keys)):
        owned = base.join(Repo, Repo.id == R.repo_id).where(func.lower(Repo.owner) == key)
        scopes.append(("owner", key, owned))
    for scope, key, query in scopes:
        found = session.execute(query.group_by(R.period, R.period_start)).all()
        session.execute(
            delete(G).where(G.scope == scope, G.key == key, periods.where(G.period, G.period_start))
        )
        if not found:
            continue
        rows = []
        for period, start, *values, days, repos in found:
            row: dict[str, Any] = {
                "scope": scope,
                "key": key,
                "period": period,
                "period_start": start,
                "days": int(days or 0),
                "repos": int(repos),
                "updated_at": now,
            }
            for (name, _), value in zip(SUMS, values, strict=True):
                row[name] = _int(value)
            rows.append(row)
        session.execute(cast(Table, G.__table__).insert(), rows)
