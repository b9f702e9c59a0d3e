"""The change feed: what changed, in order, for dashboards to update live (across processes).

Writers add rows inside their own transactions; readers poll ``changes_since(last_id)``.
On PostgreSQL the writers hold a transaction-level advisory lock while adding rows, so ids
become visible in increasing order and a reader never skips one, and the same transaction
sends ``NOTIFY ghtraffic_changes`` (delivered when it commits) so listening readers need
not wait for their next poll.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, delete, select, text
from sqlalchemy.orm import Session

from ghtraffic.storage.database import Database
from ghtraffic.storage.tables_processing import CHANGE_KINDS, DataChange

#: The PostgreSQL channel that announces new feed rows.
CHANNEL = "ghtraffic_changes"


@dataclass(frozen=True, slots=True)
class Change:
    id: int
    #: ``traffic`` (a repository's data was processed), ``event`` (a new spike),
    #: ``run`` (a collection failed for a repository or owner).
    kind: str
    repo_id: int | None
    #: The event's id for ``event`` changes.
    ref_id: int | None
    at: datetime


def add_changes(
    session: Session, rows: list[tuple[str, int | None, int | None]], at: datetime
) -> None:
    """Append ``(kind, repo_id, ref_id)`` rows to the feed inside ``session``."""
    for kind, _, _ in rows:
        if kind not in CHANGE_KINDS:
            raise ValueError(f"change kind must be one of {CHANGE_KINDS}, not {kind!r}")
    if rows:
        session.execute(
            cast(Table, DataChange.__table__).insert(),
            [{"kind": k, "repo_id": r, "ref_id": ref, "at": at} for k, r, ref in rows],
        )
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})


def prune_changes(session: Session, now: datetime, keep: timedelta) -> None:
    """Drop feed rows older than ``now - keep``."""
    session.execute(delete(DataChange).where(DataChange.at < now - keep))


def latest_change_id(db: Database) -> int:
    """The newest id in the feed (0 when empty): where a new reader starts."""
    with db.read_session() as session:
        found = session.scalar(select(DataChange.id).order_by(DataChange.id.desc()).limit(1))
        return found or 0


def changes_since(db: Database, last_id: int, limit: int = 100) -> list[Change]:
    """Changes with an id above ``last_id``, oldest first, at most ``limit``."""
    with db.read_session() as session:
        rows = session.execute(
            select(
                DataChange.id, DataChange.kind, DataChange.repo_id, DataChange.ref_id, DataChange.at
            )
            .where(DataChange.id > last_id)
            .order_by(DataChange.id)
            .limit(limit)
        )
        return [Change(i, kind, repo_id, ref_id, at) for i, kind, repo_id, ref_id, at in rows]
