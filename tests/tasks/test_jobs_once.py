"""A queued job run again (its worker killed before the queue heard it finish) does its
work once: the scheduling job continues the run it opened, a processing job that
committed does nothing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from procrastinate import App, JobContext
from procrastinate.jobs import Job
from sqlalchemy import text

from ghtraffic.config import load_settings
from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.server import FakeGitHub, running
from ghtraffic.tasks import jobs
from ghtraffic.tasks.app import build_app
from ghtraffic.tasks.worker import make_runtime, run_worker
from tests.commands import cli_env
from tests.connections import connected

OWNERS = ("octo-demo", "acme-labs")
REPOS = 10


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with running(FakeGitHubConfig(repos=REPOS, seed=11)) as server:
        yield server


def context(app: App, runtime: jobs.Runtime, job_id: int, task: str) -> JobContext:
    """The context a worker gives job ``job_id`` of ``task``."""
    job = Job(id=job_id, queue="q", lock=None, queueing_lock=None, task_name=task)
    return JobContext(
        app=app,
        job=job,
        start_timestamp=time.time(),
        additional_context={"runtime": runtime},
        abort_reason=lambda: None,
    )


def rows(url: str, query: str) -> list[tuple[object, ...]]:
    with connected(url) as connection:
        return [tuple(row) for row in connection.execute(text(query))]


def test_a_scheduling_job_run_again_continues_its_run(
    fake: FakeGitHub, pg_url: str, tmp_path: Path
) -> None:
    env = cli_env(fake.api_url, pg_url, tmp_path, OWNERS)
    settings = load_settings(env=env, need_token=True).with_changes(requests_per_minute=0)
    runtime = make_runtime(settings)
    app = build_app(pg_url, cron="0 0 1 1 *", pool_size=2)

    async def schedule_twice() -> tuple[str, str]:
        async with app.open_async():
            first = await jobs.schedule_run(context(app, runtime, 9001, jobs.SCHEDULE_TASK), 0)
            again = await jobs.schedule_run(context(app, runtime, 9001, jobs.SCHEDULE_TASK), 0)
            return first, again

    try:
        first, again = asyncio.run(schedule_twice())
        listed = rows(pg_url, "SELECT count(*) FROM procrastinate_jobs")[0][0]
        assert isinstance(listed, int)
        assert listed > 0
        assert first.endswith(f"{listed} repositories queued, 0 owners failed")
        # The second attempt finds the first one's jobs waiting: none queued twice, none
        # logged as deferred, the same run.
        assert again.endswith(f"{listed} repositories queued, 0 owners failed")
        assert rows(pg_url, "SELECT count(*) FROM collection_results") == [(0,)]
        assert rows(pg_url, "SELECT id, job_id, repos_total FROM collection_runs") == [
            (1, 9001, listed)
        ]

        asyncio.run(run_worker(settings, cron="0 0 1 1 *", concurrency=4, wait=False))
        assert rows(pg_url, "SELECT status, repos_ok, repos_failed FROM collection_runs") == [
            ("ok", listed, 0)
        ]

        # Run once more after the whole run finished: nothing is queued or counted again.
        async def late() -> str:
            async with app.open_async():
                return await jobs.schedule_run(context(app, runtime, 9001, jobs.SCHEDULE_TASK), 0)

        assert asyncio.run(late()).endswith(": 0 repositories queued, 0 owners failed")
        assert rows(pg_url, "SELECT count(*) FROM procrastinate_jobs") == [(0,)]
        assert rows(pg_url, "SELECT count(*), count(DISTINCT repo_id) FROM collection_results") == [
            (listed, listed)
        ]
        changes = rows(pg_url, "SELECT count(*) FROM data_changes WHERE kind = 'traffic'")
        assert changes == [(listed,)]

        # A processing job run again after its commit does nothing and says so.
        done = rows(pg_url, "SELECT repo_id, last_job_id FROM processing_state LIMIT 1")[0]

        async def process_again() -> str:
            async with app.open_async():
                job = context(app, runtime, int(str(done[1])), jobs.PROCESS_TASK)
                return await jobs.process_repo(job, int(str(done[0])), "2026-03-01T00:00:00+00:00")

        assert asyncio.run(process_again()).startswith("already processed")
        assert rows(pg_url, "SELECT count(*) FROM data_changes WHERE kind = 'traffic'") == changes
    finally:
        runtime.processor.close()
        runtime.archive.db.dispose()
