"""Weekly and monthly roll-ups of ``traffic_daily``: per repository, per owner, all repos.

Only the periods touched by a repository's changed days are recomputed: one select of
the repository's days in those periods, its old rows deleted and the new ones inserted.
The owner and all-repository rows then move by the repository's difference (new minus
old), in the same transaction: their cost does not grow with the number of repositories,
and a roll-up always equals the sum of its days as committed. A repository that changed
owner or was merged into another has its groups summed again from the per-repository
roll-ups (``rebuild_groups``).
"""

from __future__ import annotations

import calendar
from collections.abc import Collection, Iterable, Sequence
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
#: A roll-up row's period and start.
Key = tuple[str, date]
#: A roll-up row's sums (the ``SUMS`` names) and ``days``.
Sums = dict[str, Any]


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

    @classmethod
    def of_keys(cls, keys: Iterable[Key]) -> Periods:
        result = cls()
        for key in keys:
            result.add(key)
        return result

    def add(self, key: Key) -> None:
        period, start = key
        (self.weeks if period == "week" else self.months).add(start)

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


@dataclass(frozen=True)
class RepoChange:
    """One of a repository's roll-up rows before and after a recompute (``None``: absent)."""

    key: Key
    old: Sums | None
    new: Sums | None


def recompute_repo(
    session: Session, repo_id: int, periods: Periods, now: datetime
) -> list[RepoChange]:
    """Rebuild the repository's roll-ups of ``periods`` from its daily rows; returns the
    rows that changed, for ``update_groups``."""
    if not periods:
        return []
    lo, hi = periods.span()
    D = TrafficDaily
    rows = session.execute(
        select(D.day, D.views, D.views_unique, D.clones, D.clones_unique).where(
            D.repo_id == repo_id, D.day.between(lo, hi)
        )
    ).all()
    sums: dict[Key, Sums] = {}
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
    # The old rows come back from their deletion: what the owner and all-repository sums
    # hold of this repository, read under the write lock.
    removed = session.execute(
        delete(R)
        .where(R.repo_id == repo_id, periods.where(R.period, R.period_start))
        .returning(R.period, R.period_start, R.days, *(getattr(R, name) for name, _ in SUMS))
    ).all()
    old: dict[Key, Sums] = {}
    for period, start, days, *values in removed:
        old[(period, start)] = {"days": days} | {
            name: value for (name, _), value in zip(SUMS, values, strict=True)
        }
    if sums:
        session.execute(
            cast(Table, R.__table__).insert(),
            [
                {"repo_id": repo_id, "period": p, "period_start": s, "updated_at": now, **acc}
                for (p, s), acc in sorted(sums.items())
            ],
        )
    return [
        RepoChange(key, old.get(key), sums.get(key))
        for key in sorted(old.keys() | sums.keys())
        if old.get(key) != sums.get(key)
    ]


def repo_periods(session: Session, repo_id: int) -> Periods:
    """Every period the repository has a roll-up for."""
    result = Periods()
    rows = session.execute(
        select(RollupRepo.period, RollupRepo.period_start).where(RollupRepo.repo_id == repo_id)
    )
    for period, start in rows:
        result.add((period, start))
    return result


def update_groups(
    session: Session, changes: Sequence[RepoChange], owner_key: str, now: datetime
) -> None:
    """Carry one repository's roll-up changes into the owner's and the all-repository
    sums: each group row moves by the repository's difference, so the cost does not grow
    with the number of repositories. A sum that may have become empty (the repository's
    value went to ``None``) is summed again from the per-repository roll-ups."""
    if not changes:
        return
    G = RollupGroup
    touched = Periods.of_keys(c.key for c in changes)
    for scope, key in (("all", ""), ("owner", owner_key)):
        current: dict[Key, Sums] = {}
        for period, start, days, repos, *values in session.execute(
            select(
                G.period, G.period_start, G.days, G.repos, *(getattr(G, n) for n, _ in SUMS)
            ).where(G.scope == scope, G.key == key, touched.where(G.period, G.period_start))
        ):
            current[(period, start)] = {"days": days, "repos": repos} | {
                name: value for (name, _), value in zip(SUMS, values, strict=True)
            }
        moved: dict[Key, Sums | None] = {}
        again = Periods()
        for change in changes:
            try:
                moved[change.key] = _moved(current.get(change.key), change)
            except _SumAgain:
                again.add(change.key)
        if moved:
            session.execute(
                delete(G).where(
                    G.scope == scope,
                    G.key == key,
                    Periods.of_keys(moved).where(G.period, G.period_start),
                )
            )
            rows = [
                {"scope": scope, "key": key, "period": p, "period_start": s, "updated_at": now}
                | values
                for (p, s), values in sorted(moved.items())
                if values is not None
            ]
            if rows:
                session.execute(cast(Table, G.__table__).insert(), rows)
        if again:
            _rebuild(session, again, scope, key, now)


class _SumAgain(Exception):
    """Only a new sum over the repositories can tell the group row."""


def _moved(row: Sums | None, change: RepoChange) -> Sums | None:
    """A group row after one repository's change (``None``: no repository left in it)."""
    old, new = change.old, change.new
    if old is not None and row is None:
        raise _SumAgain  # the group never counted this repository
    repos = (row["repos"] if row else 0) - (old is not None) + (new is not None)
    if repos <= 0:
        return None
    result: Sums = {
        "repos": repos,
        "days": (row["days"] if row else 0)
        - (old["days"] if old else 0)
        + (new["days"] if new else 0),
    }
    for name, _ in SUMS:
        before = row[name] if row else None
        was = old[name] if old else None
        now = new[name] if new else None
        if was is not None and (now is None or before is None):
            raise _SumAgain  # the sum may have no value left, or never counted this one
        result[name] = before if now is None else (before or 0) - (was or 0) + now
    return result


def rebuild_groups(
    session: Session, periods: Periods, owner_keys: Collection[str], now: datetime
) -> None:
    """Rebuild the all-repository roll-ups and those of ``owner_keys`` (lower-cased logins)
    for ``periods``, from the per-repository roll-ups: for a repository that changed owner
    or was merged into another."""
    _rebuild(session, periods, "all", "", now)
    for key in sorted(set(owner_keys)):
        _rebuild(session, periods, "owner", key, now)


def _rebuild(session: Session, periods: Periods, scope: str, key: str, now: datetime) -> None:
    if not periods:
        return
    R, G = RollupRepo, RollupGroup
    columns = [func.sum(getattr(R, name)) for name, _ in SUMS]
    query = select(R.period, R.period_start, *columns, func.sum(R.days), func.count()).where(
        periods.where(R.period, R.period_start)
    )
    if scope == "owner":
        query = query.join(Repo, Repo.id == R.repo_id).where(func.lower(Repo.owner) == key)
    found = session.execute(query.group_by(R.period, R.period_start)).all()
    session.execute(
        delete(G).where(G.scope == scope, G.key == key, periods.where(G.period, G.period_start))
    )
    if not found:
        return
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
