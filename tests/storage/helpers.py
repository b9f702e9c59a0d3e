"""Small helpers shared by the storage tests."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from alembic import command
from sqlalchemy import select
from sqlalchemy.engine import Connection

from ghtraffic.domain import METRICS, RepoFacts
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database
from ghtraffic.storage.migrate import alembic_config
from ghtraffic.storage.tables import TrafficDaily

T0 = datetime(2026, 1, 1, 23, 10, tzinfo=UTC)
_ids = itertools.count(1000)


@contextmanager
def migrated_to(db: Database, revision: str) -> Iterator[Connection]:
    """A transaction on ``db`` migrated to ``revision`` in it: an archive of an earlier
    release, to fill with the rows it held before it is upgraded."""
    with db.engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)
        yield connection


def new_repo(archive: Archive, owner: str = "acme", name: str | None = None) -> int:
    """Create a repository with a fresh id and return the id."""
    repo_id = next(_ids)
    facts = RepoFacts(repo_id, owner, name or f"repo{repo_id}")
    with archive.repo_batch() as batch:
        batch.upsert_repo(facts, T0)
    return repo_id


def stored_days(archive: Archive, repo_id: int) -> dict[date, dict[str, int | None]]:
    """The stored daily metrics of one repository."""
    with archive.db.read_session() as session:
        rows = session.scalars(select(TrafficDaily).where(TrafficDaily.repo_id == repo_id))
        return {row.day: {name: getattr(row, name) for name in METRICS} for row in rows}


def at(step: int) -> datetime:
    """The collection time of the ``step``-th run."""
    return T0 + timedelta(days=step)
