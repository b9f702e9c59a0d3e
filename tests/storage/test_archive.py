"""The collector's write API: repositories and aliases, windows, popular lists, runs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from ghtraffic.domain import (
    DayValues,
    PopularPath,
    Referrer,
    RepoFacts,
    RepoOutcome,
    WeekValues,
    WindowTotals,
)
from ghtraffic.github.ratelimit import RateLimitState
from ghtraffic.storage import runlog
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.tables import (
    PathItem,
    PopularSnapshot,
    ReferrerItem,
    RepoSnapshot,
    TrafficWindow,
)

from .helpers import T0, at, new_repo

D = date(2026, 8, 20)


def test_rename_keeps_history_under_the_id(archive: Archive) -> None:
    with archive.repo_batch() as batch:
        batch.upsert_repo(RepoFacts(5, "Old", "Name", description="first"), T0)
        batch.merge_daily(5, [DayValues(D, 3, 1)], T0)
    with archive.repo_batch() as batch:
        batch.upsert_repo(RepoFacts(5, "new-owner", "Name2"), at(1), requested_name="Old/Name")
    for asked in ("old/name", "OLD/NAME", "new-owner/name2", "New-Owner/Name2"):
        found = archive.find_repo(asked)
        assert found is not None, asked
        assert (found.id, found.full_name) == (5, "new-owner/Name2")
    found = archive.find_repo("old/name")
    assert found is not None
    assert found.first_seen_at == T0
    assert found.last_seen_at == at(1)
    assert found.description is None
    assert archive.find_repo("nobody/here") is None
    assert [row.repo for row in archive.export_daily("Old/Name")] == ["new-owner/Name2"]


def test_a_reused_name_points_to_the_newest_holder(archive: Archive) -> None:
    with archive.repo_batch() as batch:
        batch.upsert_repo(RepoFacts(1, "o", "r"), T0)
    with archive.repo_batch() as batch:
        batch.upsert_repo(RepoFacts(2, "o", "r"), at(1))
    found = archive.find_repo("o/r")
    assert found is not None
    assert found.id == 2


def test_an_older_sighting_does_not_undo_a_rename(archive: Archive) -> None:
    with archive.repo_batch() as batch:
        batch.upsert_repo(RepoFacts(9, "o", "new"), at(2))
        batch.upsert_repo(RepoFacts(9, "o", "old"), at(1))
    found = archive.find_repo("o/old")
    assert found is not None
    assert found.full_name == "o/new"


def test_window_replaced_by_a_later_run_the_same_day(archive: Archive) -> None:
    repo = new_repo(archive)
    first = WindowTotals(D, date(2026, 8, 6), date(2026, 8, 19), 100, 40, 9, 3)
    later = WindowTotals(D, date(2026, 8, 7), date(2026, 8, 20), 120, 41, 10, 4)
    with archive.repo_batch() as batch:
        batch.record_window(repo, first, at(0))
        batch.record_window(repo, later, at(1))
        batch.record_window(repo, first, at(0))
    with archive.db.read_session() as session:
        row = session.get_one(TrafficWindow, (repo, D))
        assert (row.first_day, row.last_day, row.views, row.clones_unique) == (
            date(2026, 8, 7),
            date(2026, 8, 20),
            120,
            4,
        )
        assert row.observed_at == at(1)


def test_popular_lists_replace_per_day_and_keep_history(archive: Archive) -> None:
    repo = new_repo(archive)
    other_day = date(2026, 8, 21)
    with archive.repo_batch() as batch:
        batch.replace_referrers(repo, D, [Referrer("Google", 9, 8), Referrer("x.org", 2, 1)], at(0))
        batch.replace_paths(repo, D, [PopularPath("/a/b", "B", 5, 2)], at(0))
    with archive.repo_batch() as batch:
        batch.replace_referrers(repo, D, [Referrer("Bing", 3, 3)], at(1))
        batch.replace_referrers(repo, other_day, [], at(2))
        batch.replace_paths(repo, D, [PopularPath("/old", "stale", 1, 1)], T0 - timedelta(hours=1))
    with archive.db.read_session() as session:
        referrers = session.scalars(
            select(ReferrerItem).where(ReferrerItem.repo_id == repo).order_by(ReferrerItem.day)
        ).all()
        assert [(r.day, r.rank, r.referrer, r.count, r.uniques) for r in referrers] == [
            (D, 1, "Bing", 3, 3)
        ]
        headers = session.scalars(
            select(PopularSnapshot)
            .where(PopularSnapshot.repo_id == repo)
            .order_by(PopularSnapshot.day, PopularSnapshot.kind)
        ).all()
        assert [(h.day, h.kind, h.observed_at) for h in headers] == [
            (D, "paths", at(0)),
            (D, "referrers", at(1)),
            (other_day, "referrers", at(2)),
        ]
        paths = session.scalars(select(PathItem).where(PathItem.repo_id == repo)).all()
        assert [(p.path, p.title) for p in paths] == [("/a/b", "B")]


def test_repo_snapshot_keeps_known_watchers(archive: Archive) -> None:
    repo = new_repo(archive)
    with archive.repo_batch() as batch:
        batch.record_repo_snapshot(repo, D, RepoFacts(repo, "o", "r", stars=5, watchers=3), at(0))
        batch.record_repo_snapshot(repo, D, RepoFacts(repo, "o", "r", stars=6), at(1))
    with archive.db.read_session() as session:
        row = session.get_one(RepoSnapshot, (repo, D))
        assert (row.stars, row.watchers, row.observed_at) == (6, 3, at(1))
    states = archive.repo_states()
    assert states[repo].last_watchers_day == D


def test_etags_round_trip(archive: Archive) -> None:
    with archive.repo_batch() as batch:
        batch.put_etag("https://api/x", 'W/"1"', '{"a": 1}', at(0))
        batch.put_etag("https://api/x", 'W/"2"', '{"a": 2}', at(1))
        batch.put_etag("https://api/y", '"3"', "[]", at(1))
    assert archive.load_etags() == {
        "https://api/x": ('W/"2"', '{"a": 2}'),
        "https://api/y": ('"3"', "[]"),
    }


def test_repo_states(archive: Archive) -> None:
    repo = new_repo(archive, "o", "state")
    idle = new_repo(archive, "o", "idle")
    with archive.repo_batch() as batch:
        batch.merge_weekly(
            repo, [WeekValues(date(2026, 8, 3), 1), WeekValues(date(2026, 8, 10))], T0
        )
        batch.record_window(repo, WindowTotals(D, date(2026, 8, 6), date(2026, 8, 19)), T0)
        batch.mark_success(repo, at(1))
        batch.mark_success(repo, at(0))
    states = archive.repo_states()
    assert states[repo].full_name == "o/state"
    assert states[repo].latest_week_start == date(2026, 8, 10)
    assert states[repo].last_window_day == D
    assert states[repo].last_success_at == at(1)
    assert states[repo].last_watchers_day is None
    assert states[idle].last_success_at is None
    with pytest.raises(KeyError), archive.repo_batch() as batch:
        batch.mark_success(999_999, at(1))


def test_a_failed_batch_writes_nothing(archive: Archive) -> None:
    repo = new_repo(archive)

    def interrupted() -> None:
        with archive.repo_batch() as batch:
            batch.merge_daily(repo, [DayValues(D, 1)], T0)
            batch.record_window(repo, WindowTotals(D, D, D, 1), T0)
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        interrupted()
    with archive.db.read_session() as session:
        assert session.scalar(select(func.count()).select_from(TrafficWindow)) == 0
    assert list(archive.export_daily()) == []


def test_run_log_round_trip(archive: Archive) -> None:
    first = archive.start_run("https://api.github.com", at(0))
    run = archive.start_run("https://ghe.example/api/v3", at(1))
    assert run > first
    archive.record_result(
        run,
        RepoOutcome("o/a", "ok", repo_id=1, requests=5, points=5, days_added=14, finished_at=at(1)),
    )
    archive.record_result(
        run, RepoOutcome("o/b", "failed", reason="404 Not Found", requests=4, points=4)
    )
    rate = RateLimitState(5000, 4991, 9, at(3), at(2))
    archive.finish_run(run, at(2), message="1 repository failed", rate=rate)
    newest = archive.runs(limit=1)
    assert len(newest) == 1
    logged = newest[0]
    assert (logged.id, logged.status, logged.api_url) == (
        run,
        "partial",
        "https://ghe.example/api/v3",
    )
    assert (logged.started_at, logged.finished_at, logged.message) == (
        at(1),
        at(2),
        "1 repository failed",
    )
    assert (logged.requests, logged.rate_remaining, logged.rate_limit) == (9, 4991, 5000)
    assert [r.id for r in archive.runs()] == [run, first]
    assert archive.runs()[1].status == "running"
    results = archive.run_results(run)
    assert [(r.full_name, r.outcome, r.reason, r.days_added) for r in results] == [
        ("o/a", "ok", None, 14),
        ("o/b", "failed", "404 Not Found", 0),
    ]
    assert results[0].finished_at == at(1)
    with archive.db.read_session() as session:
        assert runlog.read_days(session) == {"o/a": {at(1).date()}}
    assert archive.status(at(3)).last_run == logged
    with pytest.raises(ValueError, match="outcome"):
        archive.record_result(run, RepoOutcome("o/c", "done"))
