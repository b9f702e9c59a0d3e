"""A worker process: the app, the shared state of its jobs, and the run loop."""

from __future__ import annotations

import os
import socket
from typing import cast

from ghtraffic.collect.run import distinct_tokens
from ghtraffic.config import Settings
from ghtraffic.github.kept_apps import KeptApps
from ghtraffic.github.pool import Pools
from ghtraffic.processing.processor import Processor
from ghtraffic.storage.archive import open_archive
from ghtraffic.storage.credentials import collection_credentials
from ghtraffic.storage.urls import require_postgres
from ghtraffic.tasks.app import build_app, connection_deferrer
from ghtraffic.tasks.budget import CredentialBudgets, fingerprint
from ghtraffic.tasks.jobs import Runtime
from ghtraffic.tasks.pace import CredentialPaces
from ghtraffic.tasks.schema import apply_queue_schema

#: The shortest silence (seconds) after which a worker's jobs are taken over.
STALLED_FLOOR = 15.0


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
    heartbeat: float = 10.0,
    wait: bool = True,
    queues: list[str] | None = None,
) -> None:
    """Run jobs until stopped (SIGINT/SIGTERM: running jobs finish first); with
    ``wait=False`` until the queues are empty; ``queues``: only these (default: all)."""
    # A worker counts as dead after three missed heartbeats, and never sooner than
    # STALLED_FLOOR: a busy machine can delay a live worker's heartbeat by seconds, and
    # retrying a live worker's job would run it twice.
    stalled_after = max(heartbeat * 3, STALLED_FLOOR)
    runtime = make_runtime(settings, stalled_after=stalled_after, warm_connections=True)
    app = build_app(settings.database_url, cron=cron, pool_size=concurrency + 4)
    try:
        async with app.open_async():
            await app.run_worker_async(
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
            )
    finally:
        if runtime.pools is not None:
            await runtime.pools.shutdown()
        if runtime.apps is not None:
            await runtime.apps.shutdown()
        runtime.processor.close()
        runtime.archive.db.dispose()
