"""Archive contents for the web tests, written through ``Archive.repo_batch()``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from ghtraffic.config import Settings
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
from ghtraffic.processing import Processor
from ghtraffic.storage.archive import Archive

NEWEST = date(2026, 3, 1)
DAYS = 60
REPOS = (
    RepoFacts(101, "acme", "rocket", stars=40, forks=3, description="Rockets <b>fast</b>"),
    RepoFacts(102, "acme", "anvil", stars=7, forks=1),
    RepoFacts(201, "globex", "secret-plan", stars=99, forks=9, private=True),
)


def seed(archive: Archive, days: int = DAYS, newest: date = NEWEST) -> None:
    seen = datetime.combine(newest, datetime.min.time(), UTC) + timedelta(hours=3)
    for index, facts in enumerate(REPOS, start=1):
        rows = [
            DayValues(
                newest - timedelta(days=d),
                views=(index * 10 + d % 7) * (2 if d < days // 2 else 1),
                views_unique=index * 3 + d % 3,
                clones=index + d % 4,
                clones_unique=1 + d % 2,
            )
            for d in range(days)
        ]
        with archive.repo_batch() as batch:
            batch.upsert_repo(facts, seen)
            batch.merge_daily(facts.github_id, rows, seen)
            monday = newest - timedelta(days=newest.weekday() + 7)
            batch.merge_weekly(
                facts.github_id,
                [
                    WeekValues(monday - timedelta(weeks=w), 50 * index, 9 * index, 5, 2)
                    for w in range(6)
                ],
                seen,
            )
            batch.record_window(
                facts.github_id,
                WindowTotals(
                    newest,
                    newest - timedelta(days=13),
                    newest,
                    views=14 * index * 10,
                    views_unique=11 * index,
                    clones=20,
                    clones_unique=4 * index,
                ),
                seen,
            )
            for d in range(0, days, 7):
                day = newest - timedelta(days=d)
                old = RepoFacts(
                    facts.github_id,
                    facts.owner,
                    facts.name,
                    stars=max(facts.stars - d // 7, 0),
                    forks=facts.forks,
                )
                batch.record_repo_snapshot(facts.github_id, day, old, seen)
                batch.replace_referrers(
                    facts.github_id,
                    day,
                    [
                        Referrer("github.com", 30 + d, 9),
                        Referrer("<script>alert(1)</script>.example", 5, 2),
                    ],
                    seen,
                )
                batch.replace_paths(
                    facts.github_id,
                    day,
                    [PopularPath(f"/{facts.full_name}", f"{facts.name} <i>home</i>", 20, 8)],
                    seen,
                )
            batch.mark_success(facts.github_id, seen)
    run_id = archive.start_run("https://api.github.com", seen)
    for outcome in (
        RepoOutcome("acme/rocket", "ok", 101, requests=8, points=8, days_added=90),
        RepoOutcome("acme/anvil", "ok", 102, requests=8, points=8, days_added=90),
        RepoOutcome("globex/secret-plan", "failed", 201, reason="403 from GitHub", requests=4),
    ):
        archive.record_result(run_id, outcome)
    rate = RateLimitState(5000, 4900, 100, seen + timedelta(hours=1), seen)
    archive.finish_run(run_id, seen + timedelta(minutes=1), rate=rate)


def add_day(archive: Archive, repo_id: int, day: date, views: int, at: datetime) -> None:
    """One more collected day for an existing repository, processed as a collection's
    would be (so the change feed tells open dashboards)."""
    facts = next(f for f in REPOS if f.github_id == repo_id)
    with archive.repo_batch() as batch:
        batch.upsert_repo(facts, at)
        batch.merge_daily(repo_id, [DayValues(day, views, 1, 1, 1)], at)
        batch.mark_success(repo_id, at)
    processor = Processor(archive.db, Settings())
    try:
        processor.process_repo(repo_id, at)
    finally:
        processor.close()
