"""Reads: lost days, the 48-hour risk boundary, export with aliases, on both back ends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ghtraffic.domain import DayValues, RepoFacts, WindowTotals
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.coverage import at_risk, covered_days, leaves_window_at
from ghtraffic.storage.errors import UnknownRepoError
from ghtraffic.storage.records import ExportRow

from .helpers import T0, at, new_repo

D0 = date(2026, 3, 1)


def day(offset: int) -> date:
    return D0 + timedelta(days=offset)


def window(archive: Archive, repo: int, first: int, last: int, rows: list[DayValues]) -> None:
    with archive.repo_batch() as batch:
        batch.merge_daily(repo, rows, T0)
        batch.record_window(repo, WindowTotals(day(last + 1), day(first), day(last), 1), T0)


def test_lost_days_are_exact(archive: Archive) -> None:
    repo = new_repo(archive, "o", "gappy")
    window(archive, repo, 0, 13, [DayValues(day(2), 5)])
    window(archive, repo, 20, 33, [DayValues(day(30), 1)])
    window(archive, repo, 40, 53, [DayValues(day(45), 1)])
    with archive.repo_batch() as batch:  # a row imported without its run's window
        batch.merge_daily(repo, [DayValues(day(16), 7)], T0)
    status = archive.status(datetime(2026, 3, 20, tzinfo=UTC)).repos
    assert len(status) == 1
    gappy = status[0]
    # Between two windows with nothing in between: lost.
    assert gappy.lost_days == tuple(day(n) for n in range(34, 40))
    assert gappy.lost_count == 6
    # Next to the imported row: its tool may have seen those days without traffic.
    assert gappy.unexplained_days == (day(14), day(15), day(17), day(18), day(19))
    assert gappy.unexplained_count == 5
    assert (gappy.first_day, gappy.last_day, gappy.days_archived) == (day(2), day(45), 4)
    assert gappy.newest_covered_day == day(53)


def test_no_gap_no_loss_and_summary(archive: Archive) -> None:
    repo = new_repo(archive, "o", "full")
    empty = new_repo(archive, "o", "empty")
    window(archive, repo, 0, 13, [DayValues(day(i), i) for i in range(14)])
    window(archive, repo, 1, 14, [DayValues(day(14), 0)])
    with archive.repo_batch() as batch:
        batch.mark_success(repo, at(0))
    report = archive.status(datetime(2026, 1, 1, tzinfo=UTC))
    by_name = {repo_status.full_name: repo_status for repo_status in report.repos}
    assert by_name["o/full"].lost_days == ()
    assert by_name["o/full"].last_success_at == at(0)
    assert (report.repos_archived, report.total_days, report.last_run) == (1, 15, None)
    idle = by_name["o/empty"]
    assert (idle.repo_id, idle.first_day, idle.at_risk, idle.leaves_window_at) == (
        empty,
        None,
        False,
        None,
    )


def test_at_risk_boundary_is_exactly_48_hours(archive: Archive) -> None:
    repo = new_repo(archive)
    window(archive, repo, 0, 13, [DayValues(day(13), 1)])
    leaves = datetime.combine(day(13 + 15), datetime.min.time(), tzinfo=UTC)
    assert leaves_window_at(day(13)) == leaves
    boundary = leaves - timedelta(hours=48)
    just_before = boundary - timedelta(microseconds=1)
    assert at_risk(day(13), boundary)
    assert not at_risk(day(13), just_before)
    # A day GitHub no longer serves is archived or lost, never at risk.
    assert at_risk(day(13), leaves - timedelta(microseconds=1))
    assert not at_risk(day(13), leaves)
    assert not at_risk(day(13), leaves + timedelta(days=3))
    assert not archive.status(leaves + timedelta(days=300)).repos[0].at_risk
    exact = archive.status(boundary).repos[0]
    assert exact.at_risk
    assert exact.leaves_window_at == leaves
    assert not archive.status(just_before).repos[0].at_risk
    assert [r.full_name for r in archive.status(boundary).at_risk] == [exact.full_name]


def test_export_resolves_aliases_and_orders_rows(archive: Archive) -> None:
    with archive.repo_batch() as batch:
        batch.upsert_repo(RepoFacts(11, "zeta", "b"), T0)
        batch.merge_daily(11, [DayValues(day(1), 1, 1, None, None)], T0)
    with archive.repo_batch() as batch:
        batch.upsert_repo(RepoFacts(12, "alpha", "old"), T0)
        batch.merge_daily(12, [DayValues(day(2), 2, 2, 0, 0), DayValues(day(0), 5)], T0)
    with archive.repo_batch() as batch:
        batch.upsert_repo(RepoFacts(12, "Alpha", "new"), at(1))
    everything = list(archive.export_daily())
    assert everything == [
        ExportRow("Alpha/new", day(0), 5, None, None, None),
        ExportRow("Alpha/new", day(2), 2, 2, 0, 0),
        ExportRow("zeta/b", day(1), 1, 1, None, None),
    ]
    assert list(archive.export_daily("alpha/OLD", since=day(1))) == [everything[1]]
    assert list(archive.export_daily(until=day(1))) == [everything[0], everything[2]]
    assert list(archive.export_daily("zeta/b", since=day(2))) == []
    with pytest.raises(UnknownRepoError, match="no repository named nobody/x"):
        list(archive.export_daily("nobody/x"))


@given(
    spans=st.lists(
        st.tuples(st.integers(0, 120), st.integers(0, 20)).map(
            lambda s: (day(s[0]), day(s[0] + s[1]))
        ),
        max_size=30,
    ),
    stored=st.sets(st.integers(-10, 150).map(day), max_size=20),
)
def test_covered_days_are_every_day_of_every_span_and_every_stored_day(
    spans: list[tuple[date, date]], stored: set[date]
) -> None:
    expected = set(stored)
    for first, last in spans:
        expected |= {first + timedelta(days=n) for n in range((last - first).days + 1)}
    assert covered_days(spans, stored) == expected
