"""Weekly and monthly roll-ups (per repository, owner, or the whole archive) as series."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, TypeVar

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from ghtraffic.processing.rollups import period_start
from ghtraffic.storage.database import Database
from ghtraffic.storage.records import copied
from ghtraffic.storage.tables_processing import RollupGroup, RollupRepo

Scope = Literal["repo", "owner", "all"]
Period = Literal["week", "month"]
Rollup = TypeVar("Rollup", RollupRepo, RollupGroup)


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
            rows = _periods(
                session, RollupRepo, RollupRepo.repo_id == int(key), period, since, until
            )
        elif scope in ("owner", "all"):
            group_key = "" if scope == "all" else str(key or "").lower()
            of_group = and_(RollupGroup.scope == scope, RollupGroup.key == group_key)
            rows = _periods(session, RollupGroup, of_group, period, since, until)
        else:
            raise ValueError(f"scope must be 'repo', 'owner' or 'all', not {scope!r}")
    return [
        copied(RollupPoint, row, repos=row.repos if isinstance(row, RollupGroup) else 1)
        for row in rows
    ]


def _periods(
    session: Session,
    table: type[Rollup],
    which: ColumnElement[bool],
    period: Period,
    since: date | None,
    until: date | None,
) -> list[Rollup]:
    """The rows of ``table`` that ``which`` picks, of the periods overlapping
    ``since..until``, oldest first."""
    query = select(table).where(which, table.period == period)
    if since is not None:
        query = query.where(table.period_start >= period_start(period, since))
    if until is not None:
        query = query.where(table.period_start <= until)
    return list(session.scalars(query.order_by(table.period_start)))
