"""The worker's lines: one per failure (a repository that failed, a job that raised),
none for a success or a repository deferred by the rate limit, and one per run that
ends, written once however often the run log is read."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from procrastinate import JobContext
from procrastinate.jobs import Job
from procrastinate.worker import Worker

from ghtraffic.collect.budget import Deferred
from ghtraffic.domain import RepoOutcome
from ghtraffic.github.ratelimit import RateLimitState
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.errors import StorageError
from ghtraffic.tasks import jobs
from ghtraffic.tasks.app import build_app
from ghtraffic.tasks.worklog import LOGGER, RunLines, log_outcomes

APP = build_app("postgresql+psycopg://ghtraffic@127.0.0.1/never-connected", cron="0 0 1 1 *")


def outcome_lines(
    caplog: pytest.LogCaptureFixture, task: str, kwargs: dict[str, Any], run: Callable[[], Any]
) -> list[str]:
    """The lines written while a job of ``task`` runs ``run`` (its result or its error)."""
    job = Job(id=7, queue="q", lock=None, queueing_lock=None, task_name=task, task_kwargs=kwargs)
    context = JobContext(app=APP, job=job, start_timestamp=time.time(), abort_reason=lambda: None)
    middleware = log_outcomes(lambda: False)

    async def call_next() -> Any:
        return run()

    caplog.clear()
    # The job's error goes on to the worker, which retries the job or gives it up.
    with (
        caplog.at_level(logging.INFO, logger=LOGGER),
        contextlib.suppress(StorageError, Deferred),
    ):
        asyncio.run(middleware(call_next, context, Worker(APP)))
    return [record.getMessage() for record in caplog.records if record.name == LOGGER]


def fail(error: Exception) -> Callable[[], Any]:
    def run() -> Any:
        raise error

    return run


COLLECT = {"run_id": 3, "total": 9, "target": {"requested": "acme/rocket"}}


def test_one_line_per_failure(caplog: pytest.LogCaptureFixture) -> None:
    given_up = outcome_lines(
        caplog, jobs.COLLECT_TASK, COLLECT, lambda: "failed: no push access to acme/rocket"
    )
    assert given_up == ["failed: acme/rocket (run 3): no push access to acme/rocket"]
    broken = outcome_lines(
        caplog, jobs.PROCESS_TASK, {"repo_id": 5, "at": "x"}, fail(StorageError("disk full"))
    )
    assert broken == [
        "job ghtraffic.process_repo 7 (repository 5) failed: StorageError: disk full; "
        "tried again later"
    ]


def test_no_line_for_a_success_or_a_deferral(caplog: pytest.LogCaptureFixture) -> None:
    assert outcome_lines(caplog, jobs.COLLECT_TASK, COLLECT, lambda: "ok") == []
    deferral = fail(Deferred("rate limit low", datetime.now(UTC)))
    assert outcome_lines(caplog, jobs.COLLECT_TASK, COLLECT, deferral) == []


def test_one_line_per_ended_run(archive: Archive, caplog: pytest.LogCaptureFixture) -> None:
    started = datetime(2026, 3, 2, 3, 17, tzinfo=UTC)
    lines = RunLines(archive.db, since=started)
    run_id = archive.start_run("https://api.github.com", started)
    outcomes = [("ok", 2980), ("failed", 1), ("deferred", 19)]
    with caplog.at_level(logging.INFO, logger=LOGGER):
        for kind, count in outcomes:
            for n in range(count):
                archive.record_result(run_id, RepoOutcome(f"acme/{kind}-{n}", kind, requests=8))
        assert lines.write_new() == 0  # still running
        ended = started + timedelta(minutes=4, seconds=12)
        rate = RateLimitState(5000, 4120, 880, ended + timedelta(minutes=30), ended)
        archive.finish_run(run_id, ended, rate=rate)
        assert lines.write_new() == 1
        assert lines.write_new() == 0
    assert [r.getMessage() for r in caplog.records if r.name == LOGGER] == [
        f"run {run_id} partial: 2,980 ok, 1 failed, 19 deferred of 3,000 repositories; "
        "24,000 requests; rate limit 4,120/5,000 left; took 4 min 12 s"
    ]
