"""The change feed the live stream polls: processing's ``data_changes`` when it is there,
else the archive's own run log and success times.

Both give ``Change`` values with increasing ids; ``changes_since(last_id)`` returns the
newer ones. The processing feed works across processes (it is a table); the archive
fallback numbers its changes in this process.
"""

from __future__ import annotations

import importlib
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import func, inspect, select

from ghtraffic.storage.database import Database
from ghtraffic.storage.tables import CollectionRun, Repo


@dataclass(frozen=True, slots=True)
class Change:
    id: int
    #: The repository whose data changed; ``None`` for a change of no one repository.
    repo_id: int | None
    kind: str


class ChangeFeed(Protocol):
    def latest_id(self) -> int: ...

    def changes_since(self, last_id: int, limit: int = 500) -> list[Change]: ...


class ProcessingFeed:
    """``ghtraffic.processing.feed.changes_since(db, last_id, limit)``, adapted."""

    def __init__(self, db: Database, module: Any) -> None:
        self.db = db
        self.module = module

    def changes_since(self, last_id: int, limit: int = 500) -> list[Change]:
        return [
            Change(
                int(getattr(row, "id", 0)),
                getattr(row, "repo_id", None),
                str(getattr(row, "kind", "change")),
            )
            for row in self.module.changes_since(self.db, last_id, limit)
        ]

    def latest_id(self) -> int:
        latest = getattr(self.module, "latest_change_id", None)
        if callable(latest):
            return int(latest(self.db))
        last = 0
        while batch := self.changes_since(last, 1000):
            last = batch[-1].id
        return last


class ArchiveFeed:
    """Changes seen by polling ``collection_runs`` and ``repos.last_success_at``."""

    def __init__(self, db: Database, keep: int = 1000) -> None:
        self.db = db
        self._next_id = 0
        self._recent: deque[Change] = deque(maxlen=keep)
        self._run: tuple[int | None, int] | None = None
        self._successes: dict[int, datetime | None] = {}
        self._poll()

    def _emit(self, repo_id: int | None, kind: str) -> None:
        self._next_id += 1
        self._recent.append(Change(self._next_id, repo_id, kind))

    def _poll(self) -> None:
        with self.db.read_session() as session:
            run = session.execute(
                select(func.max(CollectionRun.id), func.count(CollectionRun.finished_at))
            ).one()
            successes = {
                repo_id: at
                for repo_id, at in session.execute(select(Repo.id, Repo.last_success_at))
            }
        primed = self._run is not None
        signature = (run[0], int(run[1]))
        if primed:
            for repo_id, at in successes.items():
                if self._successes.get(repo_id, "unseen") != at:
                    self._emit(repo_id, "collected")
            if signature != self._run:
                self._emit(None, "run")
        self._run = signature
        self._successes = successes

    def latest_id(self) -> int:
        self._poll()
        return self._next_id

    def changes_since(self, last_id: int, limit: int = 500) -> list[Change]:
        self._poll()
        return [change for change in self._recent if change.id > last_id][:limit]


def default_feed(db: Database) -> ChangeFeed:
    """The processing feed when its module and table exist, else the archive fallback."""
    try:
        module = importlib.import_module("ghtraffic.processing.feed")
    except ImportError:
        return ArchiveFeed(db)
    with db.errors():
        has_table = inspect(db.engine).has_table("data_changes")
    return ProcessingFeed(db, module) if has_table else ArchiveFeed(db)
