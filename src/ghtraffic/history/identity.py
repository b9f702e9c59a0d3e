"""Repositories known only by name: synthetic ids, and their adoption by a collection.

An imported repository has no GitHub id yet. It gets a stable negative id derived from
its lower-cased ``owner/name`` (the same name always gives the same id, so imports are
idempotent). When a collection later stores the same name under GitHub's real id (the
alias then points at the real id), ``adopt_imported`` moves the imported history onto
the real repository: daily and weekly rows by the max-merge, every other row only where
the real repository has none for that key (what was collected wins), then deletes the
synthetic repository.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from sqlalchemy import Table, and_, delete, exists, func, select, update
from sqlalchemy.orm import Session

from ghtraffic.domain import DayValues, RepoFacts, WeekValues
from ghtraffic.processing.rollups import rebuild_groups, repo_periods
from ghtraffic.storage import queries
from ghtraffic.storage.batch import RepoBatch
from ghtraffic.storage.schema import metadata
from ghtraffic.storage.tables import (
    PathItem,
    PopularSnapshot,
    ReferrerItem,
    Repo,
    RepoAlias,
    TrafficDaily,
    TrafficWeekly,
)

MERGED = {"traffic_daily", "traffic_weekly", "referrer_items", "path_items", "repos"}


def synthetic_id(full_name: str) -> int:
    """The negative id of a repository known only by name (stable, case-insensitive)."""
    digest = hashlib.sha256(full_name.strip().lower().encode()).digest()
    return -(int.from_bytes(digest[:6], "big") + 1)


@dataclass(frozen=True, slots=True)
class Resolved:
    repo_id: int
    full_name: str
    created: bool


def resolve(batch: RepoBatch, full_name: str, at: datetime) -> Resolved:
    """The repository an import of ``full_name`` writes to; created (synthetic) if unknown."""
    session = batch.session
    found = queries.find_repo(session, full_name)
    if found is not None:
        return Resolved(found.id, found.full_name, False)
    repo_id = synthetic_id(full_name)
    while session.get(Repo, repo_id) is not None:
        repo_id -= 1  # another name with the same hash prefix: take the next free id
    owner, name = full_name.split("/", 1)
    batch.upsert_repo(RepoFacts(repo_id, owner, name), at)
    return Resolved(repo_id, full_name, True)


def _real_id(session: Session, name: str) -> int | None:
    alias = session.get(RepoAlias, name.lower())
    if alias is not None and alias.repo_id > 0:
        return alias.repo_id
    return session.scalar(
        select(Repo.id)
        .where(Repo.id > 0, func.lower(Repo.full_name) == name.lower())
        .order_by(Repo.last_seen_at.desc())
        .limit(1)
    )


def adopt_imported(session: Session, at: datetime) -> list[tuple[str, int, int]]:
    """Move every synthetic repository's history onto the collected repository of its name.

    Returns ``(name, synthetic id, real id)`` per adoption. Cheap when there is nothing to
    adopt (one query); call it after a collection run, in its own transaction.
    """
    adopted = []
    synthetic = session.execute(select(Repo.id, Repo.full_name).where(Repo.id < 0)).all()
    for repo_id, name in synthetic:
        real = _real_id(session, name)
        if real is not None:
            move_history(session, repo_id, real, at)
            adopted.append((name, repo_id, real))
    return adopted


def move_history(session: Session, source: int, target: int, at: datetime) -> None:
    """Move the rows of repository ``source`` onto ``target``, then delete ``source``.

    The owner and all-repository roll-ups of both repositories' periods are summed again:
    the source's own roll-ups go with it (the target's next processing recomputes its own).
    """
    periods = repo_periods(session, source)
    periods.update(repo_periods(session, target))
    owners = {
        owner.lower()
        for owner in session.scalars(select(Repo.owner).where(Repo.id.in_((source, target))))
    }
    batch = RepoBatch(session)
    days = session.scalars(select(TrafficDaily).where(TrafficDaily.repo_id == source)).all()
    batch.merge_daily(
        target,
        [DayValues(d.day, d.views, d.views_unique, d.clones, d.clones_unique) for d in days],
        at,
    )
    weeks = session.scalars(select(TrafficWeekly).where(TrafficWeekly.repo_id == source)).all()
    batch.merge_weekly(
        target,
        [
            WeekValues(w.week_start, w.views, w.views_unique, w.clones, w.clones_unique)
            for w in weeks
        ],
        at,
    )
    _move_popular(session, source, target)
    for table in metadata.sorted_tables:
        if table.name in MERGED or table.name == "popular_snapshots":
            continue
        if "repo_id" in table.c and any(
            fk.column.table.name == "repos" for fk in table.c.repo_id.foreign_keys
        ):
            _move_missing(session, table, source, target)
    session.execute(update(RepoAlias).where(RepoAlias.repo_id == source).values(repo_id=target))
    session.flush()
    session.execute(delete(Repo).where(Repo.id == source))
    rebuild_groups(session, periods, owners, at)
    session.expire_all()


def _move_missing(session: Session, table: Table, source: int, target: int) -> None:
    keys = [column for column in table.primary_key.columns if column.name != "repo_id"]
    other = table.alias("other")
    taken = exists().where(
        other.c.repo_id == target, *(other.c[column.name] == column for column in keys)
    )
    session.execute(update(table).where(table.c.repo_id == source, ~taken).values(repo_id=target))
    session.execute(delete(table).where(table.c.repo_id == source))


def _move_popular(session: Session, source: int, target: int) -> None:
    headers = cast(Table, PopularSnapshot.__table__)
    free: list[tuple[date, str]] = []
    for day, kind in session.execute(
        select(PopularSnapshot.day, PopularSnapshot.kind).where(PopularSnapshot.repo_id == source)
    ):
        if session.get(PopularSnapshot, (target, day, kind)) is None:
            free.append((day, kind))
    for day, kind in free:
        item = ReferrerItem if kind == "referrers" else PathItem
        session.execute(
            update(item).where(item.repo_id == source, item.day == day).values(repo_id=target)
        )
        session.execute(
            update(headers)
            .where(and_(headers.c.repo_id == source, headers.c.day == day, headers.c.kind == kind))
            .values(repo_id=target)
        )
    for model in (ReferrerItem, PathItem, PopularSnapshot):
        session.execute(delete(model).where(model.repo_id == source))
