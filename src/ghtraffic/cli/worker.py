"""``ghtraffic worker``: run collection and processing jobs from the PostgreSQL queue."""

from __future__ import annotations

import asyncio

import click

from ghtraffic.cli import loop
from ghtraffic.cli.common import (
    collecting_settings,
    config_options,
    err,
    one_line_errors,
    pace_option,
    seconds_option,
)


@click.command("worker")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 256),
    default=8,
    show_default=True,
    help="Jobs this worker runs at once.",
)
@click.option("--cron", help="Schedule of the collection runs, UTC (default [schedule] cron).")
@pace_option("Requests a minute per token, shared by every worker (default 800; 0 = off).")
@click.option("--run-now", is_flag=True, help="Queue one collection run now and exit.")
@seconds_option(
    "--stop-timeout",
    "Seconds running jobs get to finish on SIGTERM/SIGINT before they go back to the queue.",
    default=8.0,
)
@click.option(
    "--metrics-port",
    type=click.IntRange(0, 65535),
    help="Serve Prometheus metrics (and /healthz) on this port (default [metrics] worker_port).",
)
@click.option(
    "--metrics-host",
    help="Address of the metrics port (default [metrics] host or 127.0.0.1; 0.0.0.0: every one).",
)
@click.option("--heartbeat", type=click.FloatRange(0.1), default=10.0, hidden=True)
@click.option("--until-idle", is_flag=True, hidden=True)
@config_options
@one_line_errors
def worker_command(
    concurrency: int,
    cron: str | None,
    requests_per_minute: int | None,
    run_now: bool,
    stop_timeout: float,
    metrics_port: int | None,
    metrics_host: str | None,
    heartbeat: float,
    until_idle: bool,
    config_path: str | None,
    database_url: str | None,
    api_url: str | None,
) -> None:
    """Collect and process from the queue in PostgreSQL; start one on any number of machines.

    Every worker schedules the collection runs on the [schedule] cron (each run is queued
    once, whatever the number of workers) and runs one job per repository. Needs
    GHTRAFFIC_DATABASE_URL=postgresql+psycopg://...; `ghtraffic db upgrade` prepares it.
    It writes one line per run and per failure on stderr.
    """
    from sqlalchemy import make_url

    from ghtraffic.metrics.config import metrics_config
    from ghtraffic.sockets import bind, url_of
    from ghtraffic.storage.errors import describe_url
    from ghtraffic.storage.urls import require_postgres
    from ghtraffic.tasks.worker import run_worker
    from ghtraffic.tasks.worklog import configure_logging
    from ghtraffic.web.config import schedule_config

    # The credentials are checked once the archive's stored ones are added (make_runtime).
    settings = collecting_settings(config_path, database_url, api_url)
    require_postgres(settings.database_url)
    if run_now:
        from ghtraffic.tasks.app import queue_run_now
        from ghtraffic.tasks.schema import apply_queue_schema

        apply_queue_schema(settings.database_url)
        job = asyncio.run(queue_run_now(settings.database_url))
        click.echo(f"collection run queued (job {job}): the workers take it")
        return
    if requests_per_minute is not None:
        settings = settings.with_changes(requests_per_minute=requests_per_minute)
    schedule_settings = schedule_config(settings)
    schedule = cron or schedule_settings.cron
    config = metrics_config(settings)
    port = metrics_port if metrics_port is not None else config.worker_port
    metrics = None
    if port is not None:
        option = "--metrics-port" if metrics_port is not None else "[metrics] worker_port"
        metrics = (config, bind(metrics_host or config.host, port, option=option))
    where = describe_url(make_url(settings.database_url))
    err.print(
        f"worker on {where}: collection runs on cron {schedule!r} (UTC), "
        f"{concurrency} jobs at once"
        + ("" if metrics is None else f"; metrics on {url_of(metrics[1])}")
    )
    configure_logging()
    stopped_by = loop.run(
        run_worker(
            settings,
            cron=schedule,
            concurrency=concurrency,
            heartbeat=heartbeat,
            wait=not until_idle,
            stop_timeout=stop_timeout,
            metrics=metrics,
            top_up=schedule_settings.top_up,
        )
    )
    err.print(f"worker stopped on {stopped_by}" if stopped_by else "worker stopped: queues empty")
