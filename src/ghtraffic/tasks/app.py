"""The Procrastinate app of an archive on PostgreSQL, with ghtraffic's jobs registered."""

from __future__ import annotations

from procrastinate import App, PsycopgConnector, RetryStrategy, SyncPsycopgConnector
from procrastinate.manager import JobManager

from ghtraffic.storage.urls import conninfo
from ghtraffic.tasks import jobs

#: How often a worker looks for the jobs of dead workers (cron with seconds).
STALLED_CRON = "* * * * * */5"


def build_app(
    database_url: str,
    *,
    cron: str,
    top_up: str = "",
    stalled_cron: str = STALLED_CRON,
    pool_size: int = 10,
) -> App:
    """The app on the archive's database; ``cron`` (UTC) schedules the collection runs,
    ``top_up`` the runs between them that start only when something is due ("": none)."""
    connector = PsycopgConnector(
        conninfo=conninfo(database_url), min_size=1, max_size=max(4, pool_size)
    )
    app = App(connector=connector)
    schedule = app.task(name=jobs.SCHEDULE_TASK, queue=jobs.SCHEDULE_QUEUE, pass_context=True)(
        jobs.schedule_run
    )
    app.periodic(cron=cron, periodic_id="run")(schedule)
    if top_up:
        topping = app.task(name=jobs.TOP_UP_TASK, queue=jobs.SCHEDULE_QUEUE, pass_context=True)(
            jobs.top_up
        )
        app.periodic(cron=top_up, periodic_id="top_up")(topping)
    app.task(
        name=jobs.COLLECT_TASK,
        queue=jobs.COLLECT_QUEUE,
        pass_context=True,
        retry=jobs.CollectRetry(),
    )(jobs.collect_repo)
    app.task(
        name=jobs.PROCESS_TASK,
        queue=jobs.PROCESS_QUEUE,
        pass_context=True,
        retry=RetryStrategy(max_attempts=5, exponential_wait=2),
    )(jobs.process_repo)
    stalled = app.task(name=jobs.STALLED_TASK, queue=jobs.SCHEDULE_QUEUE, pass_context=True)(
        jobs.retry_stalled
    )
    app.periodic(cron=stalled_cron, periodic_id="stalled")(stalled)
    return app


def connection_deferrer() -> JobManager:
    """Defers jobs on a psycopg connection it is handed (never opens a pool of its own)."""
    return JobManager(SyncPsycopgConnector())


async def queue_run_now(database_url: str) -> int:
    """Queue one collection run at once (beside the cron's); returns its job's id."""
    import time

    app = build_app(database_url, cron="0 0 1 1 *", pool_size=1)
    async with app.open_async():
        return await app.configure_task(jobs.SCHEDULE_TASK, queue=jobs.SCHEDULE_QUEUE).defer_async(
            timestamp=int(time.time())
        )
