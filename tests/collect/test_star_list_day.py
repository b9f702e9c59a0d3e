"""The day a repository's star list may be read: its own day of the week, or the first
read after it, so a repository read every few days is never passed over for good."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ghtraffic.collect.stars import today_is_its_day
from ghtraffic.storage.records import RepoState

START = date(2026, 3, 2)


def read_on(repo_id: int, day: date | None) -> RepoState:
    at = datetime.combine(day, time(4), UTC) if day is not None else None
    return RepoState(repo_id, "acme/rocket", None, None, at, None)


def allowed_days(repo_id: int, every: int, offset: int, reads: int) -> list[date]:
    """The read days that may read the list, for reads every ``every`` days."""
    days = [START + timedelta(days=offset + every * n) for n in range(reads)]
    return [
        today
        for previous, today in itertools.pairwise(days)
        if today_is_its_day(repo_id, read_on(repo_id, previous), today)
    ]


def test_never_on_a_first_read() -> None:
    assert not today_is_its_day(7, None, START)
    assert not today_is_its_day(7, read_on(7, None), START)


@given(st.integers(1, 10**9), st.integers(0, 6))
def test_a_repository_read_daily_reads_its_list_on_one_day_a_week(
    repo_id: int, offset: int
) -> None:
    found = allowed_days(repo_id, 1, offset, 29)
    assert len(found) == 4  # 28 days after the first read: four weeks
    assert {day.toordinal() % 7 for day in found} == {repo_id % 7}


@given(st.integers(1, 10**9), st.integers(2, 12), st.integers(0, 13))
def test_a_repository_read_every_few_days_is_never_passed_over(
    repo_id: int, every: int, offset: int
) -> None:
    found = allowed_days(repo_id, every, offset, 8)
    # Once a week at the most (within the weeks the reads span), and never missed: a
    # read whose previous read lies a week or more back always may.
    assert found
    assert all(b - a >= timedelta(days=min(every, 7)) for a, b in itertools.pairwise(found))
    if every >= 7:
        assert len(found) == 7
