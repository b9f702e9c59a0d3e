"""Two writers on one archive both succeed (SQLite: busy timeout) and the result is the max."""

from __future__ import annotations

import threading
from datetime import date, timedelta

from ghtraffic.domain import DayValues
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database

from .helpers import at, new_repo, stored_days
from .strategies import expected_max

START = date(2026, 8, 1)


def _windows(offset: int) -> list[list[DayValues]]:
    """Overlapping windows whose values differ by writer, so the max needs both."""
    result = []
    for step in range(12):
        first = START + timedelta(days=step)
        result.append(
            [
                DayValues(
                    first + timedelta(days=i),
                    (i * 7 + offset) % 13,
                    (i + offset) % 5,
                    None if (i + offset) % 4 == 0 else i + offset,
                    offset,
                )
                for i in range(14)
            ]
        )
    return result


def test_two_threads_merge_into_one_archive(db: Database) -> None:
    setup = Archive(db)
    repo = new_repo(setup)
    work = {0: _windows(0), 1: _windows(3)}
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def writer(which: int) -> None:
        archive = Archive(Database(db.url))
        try:
            barrier.wait()
            for step, rows in enumerate(work[which]):
                with archive.repo_batch() as batch:
                    batch.merge_daily(repo, rows, at(step))
        except BaseException as error:
            errors.append(error)
        finally:
            archive.db.dispose()

    threads = [threading.Thread(target=writer, args=(which,)) for which in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert stored_days(setup, repo) == expected_max(work[0] + work[1])


def test_the_upsert_itself_never_lowers(archive: Archive) -> None:
    """A writer working from a stale read still cannot lower a stored value."""
    from typing import cast

    from sqlalchemy import Table

    from ghtraffic.storage.tables import TrafficDaily
    from ghtraffic.storage.upsert import max_merge_upsert

    repo = new_repo(archive)
    with archive.repo_batch() as batch:
        batch.merge_daily(repo, [DayValues(START, 10, 5, None, 2)], at(0))
    stale = {
        "repo_id": repo,
        "day": START,
        "first_seen_at": at(1),
        "views": 3,
        "views_unique": 9,
        "clones": 4,
        "clones_unique": None,
        "views_raised_at": at(1),
        "views_unique_raised_at": at(1),
        "clones_raised_at": at(1),
        "clones_unique_raised_at": None,
    }
    with archive.db.session() as session:
        max_merge_upsert(session, cast(Table, TrafficDaily.__table__), ("repo_id", "day"), [stale])
    assert stored_days(archive, repo)[START] == {
        "views": 10,
        "views_unique": 9,
        "clones": 4,
        "clones_unique": 2,
    }
    with archive.db.read_session() as session:
        row = session.get_one(TrafficDaily, (repo, START))
        assert row.views_raised_at == at(0)
        assert row.views_unique_raised_at == at(1)
        assert row.clones_unique_raised_at == at(0)
        assert row.first_seen_at == at(0)
