"""What a worker writes on stderr: one line per collection run and one per failure.

- A run: every worker writes one line for each run that ends while it works (read from
  the run log, which the runs' jobs fill wherever they ran), e.g. ``run 12 partial: 298
  ok, 1 failed, 1 deferred of 300 repositories; 2,410 requests; rate limit 4,120/5,000
  left; took 4 min 12 s``.
- A failure: the worker that ran the job writes it, e.g. ``failed: acme/rocket (run 12):
  no push access ...`` for a repository that failed for itself (logged in the run; the
  next run reads it again), ``job ghtraffic.process_repo 345 (repository 123) failed:
  StorageError: ...; tried again later`` for a job that raised (its last attempt without
  "tried again later"). A repository deferred because the rate limit ran low is not a
  failure (the metrics show the limit).
- A job handed back because the worker stops: ``stopping: job ... queued again``.

Procrastinate's own records of job outcomes are left out (these lines say it once);
its warnings and errors (a lost connection, say) are one line each, without traceback
unless ``GHTRAFFIC_DEBUG`` is set.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from procrastinate import JobContext
from procrastinate.job_context import AbortReason
from procrastinate.worker import Worker
from sqlalchemy import select

from ghtraffic.collect.budget import Deferred
from ghtraffic.storage.database import Database
from ghtraffic.storage.tables import CollectionRun
from ghtraffic.tasks import jobs

#: The logger of the worker's lines.
LOGGER = "ghtraffic.worker"
#: How often the run log is read for runs that ended.
RUN_POLL_SECONDS = 5.0

log = logging.getLogger(LOGGER)


class _QueueLines(logging.Filter):
    """Procrastinate's warnings and errors as one line; its job outcomes left out."""

    def filter(self, record: logging.LogRecord) -> bool:
        if str(getattr(record, "action", "")).startswith("job_"):
            return False
        if not os.environ.get("GHTRAFFIC_DEBUG"):
            record.exc_info = None
            record.exc_text = None
        return True


def configure_logging(stream: Any = None) -> None:
    """Send the worker's lines, and Procrastinate's warnings, to ``stream`` (stderr)."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    ours = logging.getLogger(LOGGER)
    ours.handlers[:] = [handler]
    ours.setLevel(logging.INFO)
    ours.propagate = False
    queue_handler = logging.StreamHandler(stream)
    queue_handler.setFormatter(logging.Formatter("queue: %(message)s"))
    queue_handler.addFilter(_QueueLines())
    procrastinate = logging.getLogger("procrastinate")
    procrastinate.handlers[:] = [queue_handler]
    procrastinate.setLevel(logging.WARNING)
    procrastinate.propagate = False


def _about(task: str, kwargs: dict[str, Any]) -> str:
    if task == jobs.COLLECT_TASK:
        return f"{kwargs.get('requested')}, run {kwargs.get('run_id')}"
    if task == jobs.PROCESS_TASK:
        return f"repository {kwargs.get('repo_id')}"
    return "the run's schedule" if task == jobs.SCHEDULE_TASK else task.rsplit(".", 1)[-1]


def _reason(error: BaseException) -> str:
    text = " ".join(str(error).split())[:300]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def log_outcomes(stopping: Callable[[], bool]) -> Callable[..., Any]:
    """A worker middleware that writes the line of each failed or released job."""

    async def middleware(call_next: Callable[[], Any], context: JobContext, worker: Worker) -> Any:
        job = context.job
        what = f"job {job.task_name} {job.id} ({_about(job.task_name, job.task_kwargs)})"
        try:
            result = await call_next()
        except asyncio.CancelledError:
            if context.abort_reason() == AbortReason.SHUTDOWN or stopping():
                log.info("stopping: %s queued again for the next worker", what)
            raise
        except Deferred:
            raise  # the rate limit ran low: tried again at its reset
        except Exception as error:
            task = worker.app.tasks.get(job.task_name)
            retried = task is not None and task.get_retry_exception(exception=error, job=job)
            later = "; tried again later" if retried else ""
            log.info("%s failed: %s%s", what, _reason(error), later)
            raise
        if job.task_name == jobs.COLLECT_TASK and str(result).startswith("failed: "):
            kwargs = job.task_kwargs
            target = kwargs.get("target")
            log.info(
                "failed: %s (run %s): %s",
                target.get("requested") if isinstance(target, dict) else None,
                kwargs.get("run_id"),
                str(result).removeprefix("failed: "),
            )
        return result

    return middleware


def run_line(run: CollectionRun) -> str:
    """The line of one ended run."""
    done = run.repos_ok + run.repos_failed + run.repos_deferred
    total = run.repos_total if run.repos_total is not None else done
    rate = (
        f"rate limit {run.rate_remaining:,}/{run.rate_limit:,} left"
        if run.rate_remaining is not None and run.rate_limit is not None
        else "no rate limit reported"
    )
    took = ""
    if run.finished_at is not None:
        took = f"; took {_duration((run.finished_at - run.started_at).total_seconds())}"
    return (
        f"run {run.id} {run.status}: {run.repos_ok:,} ok, {run.repos_failed:,} failed, "
        f"{run.repos_deferred:,} deferred of {total:,} repositories; "
        f"{run.requests:,} requests; {rate}{took}"
    )


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


class RunLines:
    """Writes the line of every run that ends from ``since`` on, once each."""

    def __init__(self, db: Database, since: datetime | None = None) -> None:
        self.db = db
        self.since = since or datetime.now(UTC)
        self._written: set[int] = set()

    def write_new(self) -> int:
        """Write the lines of the runs ended since the last call; returns how many."""
        with self.db.read_session() as session:
            ended = session.scalars(
                select(CollectionRun)
                .where(CollectionRun.finished_at >= self.since, CollectionRun.status != "running")
                .order_by(CollectionRun.id)
            ).all()
            lines = [(run.id, run_line(run)) for run in ended if run.id not in self._written]
        for run_id, line in lines:
            self._written.add(run_id)
            log.info("%s", line)
        return len(lines)

    async def run_forever(self, every: float = RUN_POLL_SECONDS) -> None:
        while True:
            try:
                await asyncio.to_thread(self.write_new)
            except Exception:
                log.debug("the run log could not be read; trying again", exc_info=True)
            await asyncio.sleep(every)
