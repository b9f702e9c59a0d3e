"""Collection runs against the fake GitHub (a real HTTP server) into a real archive."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from ghtraffic.collect.run import run_collection
from ghtraffic.collect.summary import RunSummary
from ghtraffic.collect.window import complete_span, derived_weeks
from ghtraffic.config import Settings
from ghtraffic.domain import DayValues
from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.faults import parse_faults
from ghtraffic.fakegithub.model import TrafficModel
from ghtraffic.fakegithub.server import FakeGitHub, running
from ghtraffic.github.parse import parse_series
from ghtraffic.github.retry import RetryPolicy
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database
from ghtraffic.storage.tables import RepoSnapshot, TrafficDaily, TrafficWeekly
from tests.collect.oracle import as_rows, expected_daily

START = datetime(2026, 1, 8, 22, 0, tzinfo=UTC)  # a Thursday, new window shape
OWNERS = ("octo-demo", "acme-labs", "globex")
FAST = RetryPolicy(attempts=8, initial=0.01, maximum=0.05, secondary_initial=0.01)


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with running(FakeGitHubConfig(repos=6, seed=11, start=START)) as server:
        yield server


def collect(fake: FakeGitHub, archive: Archive, **changes: Any) -> RunSummary:
    """One run reading every repository (as ``collect --all``): these tests are about
    reading; the cadence has tests of its own."""
    token = changes.pop("token", "demo-token")
    changes.setdefault("read_all", True)
    settings = Settings(
        api_url=fake.api_url,
        token=SecretStr(token),
        owners=changes.pop("owners", OWNERS),
        concurrency=4,
        requests_per_minute=0,
        **changes,
    )
    return asyncio.run(run_collection(settings, archive=archive, retry=FAST))


def repos(fake: FakeGitHub) -> dict[str, int]:
    return {r["full_name"]: r["id"] for r in fake.world()["repos"]}


def archived(archive: Archive, name: str) -> list[DayValues]:
    return [
        DayValues(r.day, r.views, r.views_unique, r.clones, r.clones_unique)
        for r in archive.export_daily(name)
    ]


def test_daily_runs_archive_exactly_what_github_served(fake: FakeGitHub, archive: Archive) -> None:
    times = []
    for _ in range(4):
        times.append(fake.now())
        summary = collect(fake, archive)
        assert summary.exit_code == 0, summary.line()
        assert summary.ok == 6
        fake.advance_days(1)
    model = TrafficModel(seed=11)
    for name, repo_id in repos(fake).items():
        assert archived(archive, name) == as_rows(expected_daily(model, repo_id, times)), name


def test_weekly_figures_facts_and_popular_lists_are_kept(
    fake: FakeGitHub, archive: Archive, db: Database
) -> None:
    collect(fake, archive)
    fake.advance_days(4)  # Monday: the week of 2026-01-05 has closed
    fake.log_requests()
    collect(fake, archive)
    model = TrafficModel(seed=11)
    ids = repos(fake)
    with db.session() as session:
        weeks = session.execute(select(TrafficWeekly)).scalars().all()
        snapshots = session.scalar(select(func.count()).select_from(RepoSnapshot))
        days = session.scalar(select(func.count()).select_from(TrafficDaily))
    # one whole week per repo from each run: 2025-12-29 on Thursday, 2026-01-05 on Monday
    by_repo: dict[int, list[str]] = {}
    for week in weeks:
        by_repo.setdefault(week.repo_id, []).append(week.week_start.isoformat())
    assert {tuple(sorted(v)) for v in by_repo.values()} == {("2025-12-29", "2026-01-05")}
    monday = fake.now()
    repo_id = min(ids.values())
    served = model.views_body(repo_id, monday, "week")
    week = next(
        w for w in weeks if w.repo_id == repo_id and w.week_start.isoformat() == "2026-01-05"
    )
    bucket = next(b for b in served["views"] if b["timestamp"].startswith("2026-01-05"))
    assert (week.views, week.views_unique) == (bucket["count"], bucket["uniques"])
    # Every stored week is GitHub's weekly figure; a weekly request was made only where
    # the week's visits (or clones) fell on two days or more.
    asked = {entry["request"] for entry in fake.requests()}
    full_names = {repo_id: name for name, repo_id in ids.items()}
    derived = 0
    for stored in weeks:
        for metric, body in (("views", model.views_body), ("clones", model.clones_body)):
            buckets = parse_series(body(stored.repo_id, monday, "week"), metric)
            assert (getattr(stored, metric), getattr(stored, f"{metric}_unique")) == (
                buckets.get(stored.week_start, (0, 0))
            )
            if stored.week_start.isoformat() != "2026-01-05":
                continue
            window = parse_series(body(stored.repo_id, monday, "day"), metric)
            span = complete_span(set(window), monday.date())
            one_day = derived_weeks(window, span) is not None
            derived += one_day
            request = f"GET /repos/{full_names[stored.repo_id]}/traffic/{metric}?per=week"
            assert (request in asked) != one_day, request
    assert derived, "the fake's quiet repositories have weeks to derive"
    assert snapshots == 12  # one per repo and day
    assert days
    assert days >= 6 * 18


def test_repeat_run_the_same_day_costs_no_traffic_points(
    fake: FakeGitHub, archive: Archive
) -> None:
    collect(fake, archive)
    fake.reset_stats()
    again = collect(fake, archive)
    stats = fake.stats()
    assert again.days_added == 0
    assert again.days_raised == 0
    for kind in ("views", "clones", "referrers", "paths"):
        assert stats["by_kind"][kind] == {"304": 6}, kind
    assert sum(stats["points"].values()) <= 4  # listing pages only


def test_a_renamed_repo_asked_for_by_its_old_name_is_archived_under_its_new_name(
    fake: FakeGitHub, archive: Archive
) -> None:
    renamed = next(r for r in fake.world()["repos"] if r["renamed_from"])
    old, new = renamed["renamed_from"], renamed["full_name"]
    summary = collect(fake, archive, owners=(), repos=(old,))
    assert summary.ok == 1
    assert [o.full_name for o in summary.outcomes] == [new]
    found = archive.find_repo(old)
    assert found is not None
    assert found.full_name == new
    assert found.id == renamed["id"]
    rows = list(archive.export_daily(old))
    assert rows
    assert {r.repo for r in rows} == {new}


def test_a_repo_without_push_access_fails_alone(fake: FakeGitHub, archive: Archive) -> None:
    fake.set_faults("no-push=acme-labs/" + _acme(fake))
    summary = collect(fake, archive)
    failed = [o for o in summary.outcomes if o.outcome == "failed"]
    assert len(failed) == 1
    assert "push access" in (failed[0].reason or "")
    assert summary.ok == 5
    assert summary.exit_code == 1
    run = archive.runs(1)[0]
    assert (run.status, run.repos_failed, run.repos_ok) == ("partial", 1, 5)
    reasons = [r.reason for r in archive.run_results(run.id) if r.outcome == "failed"]
    assert reasons == [failed[0].reason]


def _acme(fake: FakeGitHub) -> str:
    return next(n for n in repos(fake) if n.startswith("acme-labs/")).split("/")[1]


def test_transient_faults_are_retried_and_nothing_is_lost(
    fake: FakeGitHub, archive: Archive
) -> None:
    fake.set_faults(parse_faults("5xx=0.1,reset=0.05,truncate=0.05,seed=3"))
    times = []
    for _ in range(3):
        times.append(fake.now())
        summary = collect(fake, archive)
        assert summary.ok == 6, [o.reason for o in summary.outcomes]
        fake.advance_days(1)
    stats = fake.stats()
    assert stats["faults"], "the faults really happened"
    model = TrafficModel(seed=11)
    for name, repo_id in repos(fake).items():
        assert archived(archive, name) == as_rows(expected_daily(model, repo_id, times))


def test_an_exhausted_rate_limit_defers_the_rest_until_the_next_run(
    archive: Archive,
) -> None:
    config = FakeGitHubConfig(repos=6, seed=11, start=START, rate_limit=25)
    with running(config) as fake:
        first = collect(fake, archive, rate_floor=5)
        assert first.ok > 0
        assert first.deferred > 0
        assert first.failed == 0
        assert first.exit_code == 0
        assert "rate limit" in (archive.runs(1)[0].message or "")
        deferred = {o.full_name for o in first.outcomes if o.outcome == "deferred"}
        fake.advance(timedelta(hours=1))  # the limit resets every hour
        second = collect(fake, archive, rate_floor=5, owners=(), repos=tuple(sorted(deferred)))
        assert {o.full_name for o in second.outcomes if o.outcome == "ok"} == deferred


def test_a_rejected_token_ends_the_run_as_a_configuration_error(
    fake: FakeGitHub, archive: Archive
) -> None:
    summary = collect(fake, archive, token="not-a-valid-token")
    assert summary.fatal is not None
    assert "401" in summary.fatal
    assert "not-a-valid-token" not in summary.fatal
    assert summary.exit_code == 2
    assert archive.runs(1)[0].status == "failed"


def test_enterprise_server_archives_repo_facts_and_says_why_once(
    archive: Archive, db: Database
) -> None:
    with running(FakeGitHubConfig(repos=4, seed=11, start=START, ghes=True)) as fake:
        summary = collect(fake, archive)
    assert summary.ok == 4
    assert len(summary.notices) == 1
    assert "Enterprise Server" in summary.notices[0]
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(RepoSnapshot)) == 4
        assert session.scalar(select(func.count()).select_from(TrafficDaily)) == 0


def test_release_downloads_and_star_history_are_kept(
    fake: FakeGitHub, archive: Archive, db: Database
) -> None:
    from ghtraffic.fakegithub import extras
    from ghtraffic.fakegithub.world import build_world
    from ghtraffic.storage.tables_history import DownloadCount, RepoCount, StarHistory

    # Star lists are read after a repository's first read, each on its own day of a week.
    for _ in range(8):
        collect(fake, archive)
        fake.advance_days(1)
    world = build_world(6, 11)
    now = fake.now() - timedelta(days=1)
    with db.session() as session:
        downloads = session.execute(select(DownloadCount)).scalars().all()
        histories = {h.repo_id: h for h in session.execute(select(StarHistory)).scalars()}
        counts = session.execute(select(RepoCount)).scalars().all()
    expected = {
        (repo.id, f"{tag}/{name}"): count
        for repo in world.repos
        for tag, _, assets in extras.releases(repo, now)
        for _, name, count in assets
    }
    assert expected, "the fake world publishes releases"
    assert {(d.repo_id, d.name): d.count for d in downloads} == expected
    for repo in world.repos:
        if not extras.star_times(repo, now):
            continue
        assert histories[repo.id].source == "stargazers"
        stars = len(extras.star_times(repo, histories[repo.id].checked_at))
        assert histories[repo.id].stars_listed == stars
        final = max((c for c in counts if c.repo_id == repo.id), key=lambda c: c.day)
        assert final.value == stars
