"""One way to read a repository: the same scenario run once through `ghtraffic collect` and
once through two workers on PostgreSQL leaves the same archive, made the same requests of
GitHub for every repository on every day, and logged the same outcome for every
repository in every run.

The scenario: 50 repositories of three owners, a month of simulated days, 5xx answers
and connection resets (drawn per request path and count, so both paths meet the same
faults on the same requests), and one day on which the rate limit is too low for any
repository (all deferred, read the next day). ``GHTRAFFIC_ONE_WAY_DAYS`` sets the length.
"""

from __future__ import annotations

import asyncio
import io
import os
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from ghtraffic.config import Settings, load_settings
from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.faults import parse_faults
from ghtraffic.fakegithub.server import FakeGitHub, running
from ghtraffic.history import exports
from ghtraffic.storage.archive import Archive, open_archive
from ghtraffic.storage.tables import CollectionResult, CollectionRun
from ghtraffic.tasks.app import queue_run_now
from ghtraffic.tasks.jobs import COLLECT_QUEUE, PROCESS_QUEUE, SCHEDULE_QUEUE
from ghtraffic.tasks.schema import apply_queue_schema
from ghtraffic.tasks.worker import run_worker
from tests.commands import cli_env, ghtraffic

DAYS = int(os.environ.get("GHTRAFFIC_ONE_WAY_DAYS", "30"))
STOP_DAY = min(12, DAYS - 2)
OWNERS = ("octo-demo", "acme-labs", "globex")
START = datetime(2026, 2, 1, 6, 0, tzinfo=UTC)
FAULTS = "5xx=0.05,reset=0.03,retry-after=0,seed=3"
#: With the default floor of 50, a limit of 50 leaves no repository room once listed.
STOP_FAULTS = FAULTS + ",limit=50"
KINDS = ("daily", "weekly", "windows", "referrers", "paths", "repos")


def fake_github() -> FakeGitHubConfig:
    return FakeGitHubConfig(repos=50, seed=21, start=START, faults=parse_faults(FAULTS))


def scenario(fake: FakeGitHub, run: Callable[[], None]) -> None:
    fake.log_requests()
    for day in range(DAYS):
        fake.set_faults(STOP_FAULTS if day == STOP_DAY else FAULTS)
        run()
        fake.advance_days(1)


def requests_by_repository_and_day(fake: FakeGitHub) -> dict[tuple[str, str], Counter[str]]:
    """Per fake day and repository (``-`` for requests of none), each request and status."""
    found: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for entry in fake.requests():
        parts = str(entry["request"]).split(" ", 1)[1].split("?")[0].strip("/").split("/")
        repo = "/".join(parts[1:3]) if parts[0] == "repos" and len(parts) >= 3 else "-"
        found[(str(entry["day"]), repo)][f"{entry['request']} {entry['status']}"] += int(
            entry["count"]
        )
    return dict(found)


def archive_of(url: str) -> Archive:
    return open_archive(url)


def exported(archive: Archive) -> dict[str, str]:
    tables = {}
    for kind in KINDS:
        stream = io.StringIO()
        exports.write_csv(exports.build(archive, kind), stream)
        tables[kind] = stream.getvalue()
    return tables


def outcomes(archive: Archive) -> list[list[tuple[str, str, str | None]]]:
    """Per run, oldest first: each repository's outcome and reason, by name."""
    with archive.db.read_session() as session:
        runs = session.scalars(select(CollectionRun.id).order_by(CollectionRun.id))
        result = []
        for run_id in runs:
            rows = session.execute(
                select(
                    CollectionResult.full_name, CollectionResult.outcome, CollectionResult.reason
                ).where(CollectionResult.run_id == run_id)
            ).all()
            result.append(sorted((name, outcome, reason) for name, outcome, reason in rows))
    return result


def run_log_figures(archive: Archive) -> list[tuple[object, ...]]:
    with archive.db.read_session() as session:
        return [
            tuple(row)
            for row in session.execute(
                select(
                    CollectionRun.status,
                    CollectionRun.repos_ok,
                    CollectionRun.repos_failed,
                    CollectionRun.repos_deferred,
                    CollectionRun.days_added,
                    CollectionRun.days_raised,
                    CollectionRun.requests,
                    CollectionRun.rate_points,
                ).order_by(CollectionRun.id)
            )
        ]


@pytest.mark.slow
def test_collect_and_two_workers_read_every_repository_the_same_way(
    pg_url: str, tmp_path: Path
) -> None:
    # ghtraffic collect, once a simulated day, into a SQLite archive.
    sqlite_url = f"sqlite:///{tmp_path / 'collect.sqlite'}"
    with running(fake_github()) as fake:
        env = unpaced_env(fake.api_url, sqlite_url, tmp_path / "collect")

        def collect() -> None:
            done = ghtraffic(env, "collect", "--quiet", timeout=300)
            assert done.returncode in (0, 1), done.stderr

        scenario(fake, collect)
        by_collect = requests_by_repository_and_day(fake)

    # Two workers on PostgreSQL, one run a simulated day: the scheduling job first, then
    # two workers take the collection and processing jobs together.
    with running(fake_github()) as fake:
        settings = _worker_settings(fake.api_url, pg_url, tmp_path / "workers")
        archive_of(pg_url).db.dispose()
        apply_queue_schema(pg_url)

        async def one_run() -> None:
            await queue_run_now(pg_url)
            await run_worker(
                settings, cron=NEVER, concurrency=1, wait=False, queues=[SCHEDULE_QUEUE]
            )
            await asyncio.gather(
                *(
                    run_worker(
                        settings,
                        cron=NEVER,
                        concurrency=4,
                        wait=False,
                        queues=[COLLECT_QUEUE, PROCESS_QUEUE],
                    )
                    for _ in range(2)
                )
            )

        scenario(fake, lambda: asyncio.run(one_run()))
        by_workers = requests_by_repository_and_day(fake)

    one, two = archive_of(sqlite_url), archive_of(pg_url)
    try:
        assert by_collect == by_workers
        assert outcomes(one) == outcomes(two)
        assert run_log_figures(one) == run_log_figures(two)
        assert exported(one) == exported(two)
        # The scenario did what it says: faults met, a day of deferrals, all read after.
        figures = run_log_figures(one)
        assert len(figures) == DAYS
        assert figures[STOP_DAY][1:4] == (0, 0, 50)
        assert figures[-1][1] == 50
        statuses = {key.rsplit(" ", 1)[1] for counts in by_collect.values() for key in counts}
        assert "0" in statuses, "no connection was reset"
        assert any(status.startswith("5") for status in statuses), "no 5xx was answered"
    finally:
        one.db.dispose()
        two.db.dispose()


#: A cron that never comes within the test: runs are queued explicitly.
NEVER = "0 0 1 1 *"


def unpaced_env(api_url: str, database_url: str, home: Path) -> dict[str, str]:
    """The environment of a ``ghtraffic`` of the scenario: its owners, every repository
    every day (the stop day must meet them all), and no request pace (the fake GitHub has
    no secondary limit here, and the test has no minutes to spare)."""
    home.mkdir(parents=True, exist_ok=True)
    env = cli_env(api_url, database_url, home, OWNERS)
    config = Path(env["GHTRAFFIC_CONFIG"])
    config.write_text("requests_per_minute = 0\n" + config.read_text() + 'cadence = "daily"\n')
    return env


def _worker_settings(api_url: str, database_url: str, home: Path) -> Settings:
    env = unpaced_env(api_url, database_url, home)
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(env)
        return load_settings(need_token=True, check_token=False)
    finally:
        os.environ.clear()
        os.environ.update(saved)
