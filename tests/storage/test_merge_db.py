"""The merge rule through the database, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from ghtraffic.domain import DayValues, MergeStats, WeekValues
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database
from ghtraffic.storage.tables import TrafficDaily, TrafficWeekly

from .helpers import T0, at, new_repo, stored_days
from .strategies import expected_max, windows

DbFactory = Callable[[], AbstractContextManager[Database]]
DB_SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
D = date(2025, 8, 20)


def _merge(archive: Archive, repo_id: int, rows: list[DayValues], when: datetime) -> MergeStats:
    with archive.repo_batch() as batch:
        return batch.merge_daily(repo_id, rows, when)


@DB_SETTINGS
@given(observed=windows, order=st.randoms(use_true_random=False))
def test_db_merge_is_the_max_in_any_order_and_idempotent(
    make_db: DbFactory, observed: list[list[DayValues]], order: random.Random
) -> None:
    with make_db() as db:
        archive = Archive(db)
        first, second = new_repo(archive), new_repo(archive)
        for step, rows in enumerate(observed):
            _merge(archive, first, rows, at(step))
        shuffled = list(observed)
        order.shuffle(shuffled)
        for step, rows in enumerate(shuffled):
            _merge(archive, second, rows, at(step))
        expected = expected_max(observed)
        assert stored_days(archive, first) == expected
        assert stored_days(archive, second) == expected
        for rows in observed:
            assert _merge(archive, first, rows, at(99)) == MergeStats(0, 0)
        assert stored_days(archive, first) == expected


def test_stats_and_raised_at(archive: Archive) -> None:
    repo = new_repo(archive)
    stats = _merge(archive, repo, [DayValues(D, 5, 4), DayValues(date(2025, 8, 21), 1)], at(0))
    assert stats == MergeStats(added=2, raised=0)
    stats = _merge(
        archive, repo, [DayValues(D, 68, 18, 3, 1), DayValues(date(2025, 8, 21), 1)], at(9)
    )
    assert stats == MergeStats(added=0, raised=1)
    stats = _merge(archive, repo, [DayValues(D, 60, 18, 3, 1)], at(10))
    assert stats == MergeStats(0, 0)
    with archive.db.read_session() as session:
        row = session.get_one(TrafficDaily, (repo, D))
        assert (row.views, row.views_unique, row.clones, row.clones_unique) == (68, 18, 3, 1)
        assert row.first_seen_at == at(0)
        assert row.views_raised_at == at(9)
        assert row.clones_raised_at == at(9)


def test_duplicate_days_in_one_call_are_folded(archive: Archive) -> None:
    repo = new_repo(archive)
    stats = _merge(archive, repo, [DayValues(D, 5, None), DayValues(D, 3, 2)], at(0))
    assert stats == MergeStats(added=1, raised=0)
    assert stored_days(archive, repo)[D] == {
        "views": 5,
        "views_unique": 2,
        "clones": None,
        "clones_unique": None,
    }


def test_weekly_merge(archive: Archive) -> None:
    repo = new_repo(archive)
    monday = date(2026, 8, 3)
    with archive.repo_batch() as batch:
        assert batch.merge_weekly(repo, [WeekValues(monday, 100, 40)], T0) == MergeStats(1, 0)
    with archive.repo_batch() as batch:
        stats = batch.merge_weekly(repo, [WeekValues(monday, 90, 41, 7, 2)], at(1))
        assert stats == MergeStats(0, 1)
        assert batch.merge_weekly(repo, [WeekValues(monday, 90, 41)], at(2)) == MergeStats(0, 0)
    with archive.db.read_session() as session:
        row = session.scalars(select(TrafficWeekly).where(TrafficWeekly.repo_id == repo)).one()
        assert (row.views, row.views_unique, row.clones, row.clones_unique) == (100, 41, 7, 2)
        assert row.views_raised_at == T0
        assert row.views_unique_raised_at == at(1)


def test_merging_nothing(archive: Archive) -> None:
    repo = new_repo(archive)
    with archive.repo_batch() as batch:
        assert batch.merge_daily(repo, [], T0) == MergeStats()


def test_a_window_costs_one_select_and_one_upsert(archive: Archive) -> None:
    from sqlalchemy import event

    repo = new_repo(archive)
    window = [DayValues(date(2026, 8, day), day, 1, 2, 1) for day in range(1, 15)]
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]).split(None, 1)[0].upper())

    event.listen(archive.db.engine, "before_cursor_execute", count)
    try:
        with archive.repo_batch() as batch:
            assert batch.merge_daily(repo, window, at(0)) == MergeStats(added=14)
            assert batch.merge_daily(repo, window[::-1], at(1)) == MergeStats()
            lowered = [DayValues(row.day, 0, 0, 0, 0) for row in window]
            raised = [*lowered[:-1], DayValues(window[-1].day, 99)]
            assert batch.merge_daily(repo, raised, at(2)) == MergeStats(raised=1)
    finally:
        event.remove(archive.db.engine, "before_cursor_execute", count)
    assert statements == ["SELECT", "INSERT", "SELECT", "SELECT", "INSERT"]
