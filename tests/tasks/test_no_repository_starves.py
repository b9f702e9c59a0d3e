"""No repository starves on workers either: the scenario of
``tests/collect/test_no_repository_starves.py`` (400 repositories, 600 points an hour on
the fake GitHub's clock, 45 simulated days) with three workers on PostgreSQL and the
schedule of ``serve``: the run of the day (``[schedule] cron``) and, between runs, a top-up
run whenever a repository is due or the newest run left some deferred (here every six
simulated hours). Every day from the day after the first run is archived for every
repository and every repository is read at least every 12 days.
"""

from __future__ import annotations

import asyncio
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from ghtraffic.collect.planner import anything_due
from ghtraffic.config import load_settings
from ghtraffic.fakegithub.server import running
from ghtraffic.storage.archive import open_archive
from ghtraffic.tasks.app import build_app
from ghtraffic.tasks.jobs import SCHEDULE_QUEUE, SCHEDULE_TASK
from ghtraffic.tasks.schema import apply_queue_schema
from ghtraffic.tasks.worker import run_worker
from tests.collect.test_no_repository_starves import (
    DAYS,
    ORG,
    WORLD,
    assert_nothing_starved,
    environment,
    org_repositories,
)

NEVER = "0 0 1 1 *"
#: Simulated hours between two chances of a top-up run.
TOP_UP_EVERY = 6


@pytest.mark.slow
def test_three_workers_on_the_schedule_of_serve_archive_every_day(
    pg_url: str, tmp_path: Path
) -> None:
    with running(WORLD) as fake:
        names = org_repositories(fake)
        env = environment(fake, pg_url, tmp_path / "home")
        (tmp_path / "home" / "ghtraffic.toml").write_text(
            f'requests_per_minute = 0\n[collect]\nowners = ["{ORG}"]\n'
        )
        saved = dict(os.environ)
        os.environ.update(env)
        try:
            settings = load_settings(need_token=True, check_token=False)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        archive = open_archive(pg_url)
        apply_queue_schema(pg_url)
        engine = create_engine(pg_url)
        first_run = fake.now().date()

        def idle() -> bool:
            with engine.connect() as connection:
                return not connection.execute(
                    text(
                        "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"
                    )
                ).scalar_one()

        async def scenario() -> None:
            workers = [
                asyncio.create_task(run_worker(settings, cron=NEVER, concurrency=4, heartbeat=1.0))
                for _ in range(3)
            ]
            app = build_app(pg_url, cron=NEVER, pool_size=2)
            try:
                async with app.open_async():
                    for step in range(DAYS * 24 // TOP_UP_EVERY):
                        run_of_the_day = step % (24 // TOP_UP_EVERY) == 0
                        if run_of_the_day or anything_due(archive, settings, fake.now()):
                            await app.configure_task(
                                SCHEDULE_TASK, queue=SCHEDULE_QUEUE
                            ).defer_async(timestamp=int(time.time()))
                            while not await asyncio.to_thread(idle):
                                await asyncio.sleep(0.2)
                        fake.advance(timedelta(hours=TOP_UP_EVERY))
            finally:
                for worker in workers:
                    worker.cancel()
                await asyncio.gather(*workers, return_exceptions=True)

        try:
            asyncio.run(scenario())
            last_run = fake.now().date() - timedelta(days=1)
            assert_nothing_starved(archive, names, first_run, last_run)
        finally:
            archive.db.dispose()
            engine.dispose()
