"""A worker process: the app, the shared state of its jobs, and the run loop.

Stopping: on SIGTERM or SIGINT the worker takes no new job, lets the running ones finish
for up to ``stop_timeout`` seconds, hands back the ones still running (``release.py``:
queued again for the next worker, none left ``doing``) and returns; a second signal
stops it at once (the jobs it held are then taken over by ``retry_stalled``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
from collections.abc import Callable, Iterator
from typing import cast

from ghtraffic.collect.run import distinct_tokens
from ghtraffic.config import Settings
from ghtraffic.github.kept_apps import KeptApps
from ghtraffic.github.pool import Pools
from ghtraffic.metrics.config import MetricsConfig
from ghtraffic.metrics.port import MetricsListener
from ghtraffic.metrics.process import process_registry
from ghtraffic.processing.processor import Processor
from ghtraffic.storage.archive import open_archive
from ghtraffic.storage.credentials import collection_credentials
from ghtraffic.storage.urls import require_postgres
from ghtraffic.tasks.app import build_app, connection_deferrer
from ghtraffic.tasks.budget import CredentialBudgets, fingerprint
from ghtraffic.tasks.jobs import Runtime
from ghtraffic.tasks.pace import CredentialPaces
from ghtraffic.tasks.release import TrackedThreads, release_at_shutdown, settle_threads
from ghtraffic.tasks.schema import apply_queue_schema
from ghtraffic.tasks.worklog import RunLines, log, log_outcomes

#: The shortest silence (seconds) after which a worker's jobs are taken over.
STALLED_FLOOR = 15.0
#: Seconds running jobs get to finish after a stop signal before they are handed back.
STOP_TIMEOUT = 8.0


def make_runtime(
    settings: Settings, *, stalled_after: float = 30.0, warm_connections: bool = False
) -> Runtime:
    """The archive (migrated), the queue's schema, the processor, the shared budget and
    the shared pace of each credential, the GitHub Apps kept for all jobs, and with
    ``warm_connections`` the connection pools its jobs borrow in turn."""
    require_postgres(settings.database_url)
    archive = open_archive(settings.database_url)
    apply_queue_schema(settings.database_url)
    # The archive's stored credentials join the configured ones (decrypted with the key).
    settings = collection_credentials(settings, archive.db)
    tokens = distinct_tokens(settings)
    single = tokens[0][1] if len(tokens) == 1 and not settings.apps else None
    budgets = CredentialBudgets(
        archive.db,
        {name: fingerprint(token) for name, token in tokens},
        floor=settings.rate_floor,
        single=tokens[0][0] if single is not None else None,
    )
    paces = None
    if settings.requests_per_minute > 0:
        paces = CredentialPaces(archive.db, settings.requests_per_minute, budgets.key_of)
    pools = Pools(settings.concurrency) if warm_connections else None
    apps = KeptApps() if settings.apps else None
    return Runtime(
        settings=settings,
        archive=archive,
        processor=Processor(archive.db, settings),
        deferrer=connection_deferrer(),
        budgets=budgets,
        stalled_after=stalled_after,
        paces=paces,
        pools=pools,
        apps=apps,
    )


async def run_worker(
    settings: Settings,
    *,
    cron: str,
    concurrency: int,
    top_up: str = "",
    heartbeat: float = 10.0,
    wait: bool = True,
    queues: list[str] | None = None,
    stop_timeout: float = STOP_TIMEOUT,
    metrics: tuple[MetricsConfig, socket.socket] | None = None,
) -> str | None:
    """Run jobs until stopped (SIGINT/SIGTERM: see the module's docstring), or with
    ``wait=False`` until the queues are empty; ``queues``: only these (default: all).
    ``metrics``: serve them on that socket. Returns the name of the signal that stopped
    the worker (``None``: it ran out of work)."""
    # A worker counts as dead after three missed heartbeats, and never sooner than
    # STALLED_FLOOR: a busy machine can delay a live worker's heartbeat by seconds, and
    # retrying a live worker's job would run it twice.
    stalled_after = max(heartbeat * 3, STALLED_FLOOR)
    runtime = make_runtime(settings, stalled_after=stalled_after, warm_connections=True)
    app = build_app(settings.database_url, cron=cron, top_up=top_up, pool_size=concurrency + 4)
    loop = asyncio.get_running_loop()
    threads = TrackedThreads()
    loop.set_default_executor(threads)
    stopped_by: list[str] = []
    release_at_shutdown(app, lambda: bool(stopped_by))
    runs = RunLines(runtime.archive.db)
    listener = None
    if metrics is not None:
        config, sock = metrics
        registry = process_registry(runtime.archive.db, runtime.settings, config)
        listener = MetricsListener(registry, sock)
    lines = asyncio.create_task(runs.run_forever())
    try:
        async with app.open_async():
            working = asyncio.create_task(
                app.run_worker_async(
                    concurrency=concurrency,
                    wait=wait,
                    name=f"{socket.gethostname()}:{os.getpid()}",
                    additional_context={"runtime": runtime},
                    # None is every queue: Procrastinate's worker takes it, its hints do not.
                    queues=cast(list[str], queues),
                    update_heartbeat_interval=heartbeat,
                    stalled_worker_timeout=stalled_after,
                    delete_jobs="successful",
                    fetch_job_polling_interval=1.0,
                    shutdown_graceful_timeout=stop_timeout,
                    install_signal_handlers=False,
                    worker_middleware=[
                        log_outcomes(lambda: bool(stopped_by)),
                        settle_threads(threads),
                    ],
                )
            )
            with (
                _stop_signals(loop, lambda name: _stop(name, working, stopped_by, stop_timeout)),
                contextlib.suppress(asyncio.CancelledError),
            ):
                await working
    finally:
        lines.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await lines
        with contextlib.suppress(Exception):
            await asyncio.to_thread(runs.write_new)  # a run that ended just before
        if listener is not None:
            listener.close()
        if runtime.pools is not None:
            await runtime.pools.shutdown()
        if runtime.apps is not None:
            await runtime.apps.shutdown()
        runtime.processor.close()
        runtime.archive.db.dispose()
    return stopped_by[0] if stopped_by else None


def _stop(name: str, working: asyncio.Task[None], stopped_by: list[str], timeout: float) -> None:
    stopped_by.append(name)
    log.info(
        "stopping on %s: running jobs get %g s to finish, then go back to the queue",
        name,
        timeout,
    )
    working.cancel()  # Procrastinate's graceful stop: no new job, the running ones finish


@contextlib.contextmanager
def _stop_signals(
    loop: asyncio.AbstractEventLoop, on_stop: Callable[[str], None]
) -> Iterator[None]:
    """Call ``on_stop`` on the first SIGTERM or SIGINT; a second one acts as if no
    handler were installed (SIGTERM ends the process, SIGINT interrupts it)."""
    numbers = (signal.SIGTERM, signal.SIGINT)

    def remove() -> None:
        for number in numbers:
            loop.remove_signal_handler(number)

    def first(number: signal.Signals) -> None:
        remove()
        on_stop(number.name)

    try:
        for number in numbers:
            loop.add_signal_handler(number, first, number)
    except (NotImplementedError, RuntimeError):  # Windows, or not the main thread
        yield
        return
    try:
        yield
    finally:
        remove()
