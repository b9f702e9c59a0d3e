"""Weekly and monthly roll-ups (per repository, owner, or the whole archive) as series."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import select

from ghtraffic.processing.rollups import period_start
from ghtraffic.storage.database import Database
from ghtraffic.storage.tables_processing import RollupGroup, RollupRepo

Scope = Literal["repo", "owner", "all"]
Period = Literal["week", "month"]


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
