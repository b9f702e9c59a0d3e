"""The process of ``ghtraffic serve``: the web app under uvicorn, the scheduler of
collections beside it, and processing after each repository a collection commits."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import datetime

import uvicorn

from ghtraffic.collect.run import run_collection
from ghtraffic.config import ConfigError, Settings
from ghtraffic.domain import RepoOutcome
from ghtraffic.processing import Processor
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.credentials import collection_credentials
from ghtraffic.web.app import create_app
from ghtraffic.web.config import WebConfig, schedule_config, uvicorn_proxy_options
from ghtraffic.web.scheduler import Scheduler

Committed = Callable[[RepoOutcome], None]
#: Where the process reports what it does (a line each: serving, each collection's result).
Say = Callable[[str], None]


def check_cookies(web: WebConfig, host: str) -> None:
    if not web.secure_cookies and host not in ("127.0.0.1", "localhost", "::1"):
        raise ConfigError(
            "[web] secure_cookies = false is only for http on a loopback address: serve "
            "behind HTTPS or listen on 127.0.0.1"
        )


async def serve(
    settings: Settings,
    archive: Archive,
    web: WebConfig,
    *,
    host: str | None = None,
    port: int | None = None,
    scheduler: bool = True,
    on_committed: Committed | None = None,
    on_ready: Callable[[str], Awaitable[None] | None] | None = None,
    before_collect: Callable[[], None] | None = None,
    say: Say = print,
) -> None:
    """Run the web app (and the scheduler) until the server stops.

    ``before_collect`` runs before each collection (the demo moves its fake GitHub's clock
    a day ahead, so "collect now" brings new data).
    """
    bind_host, bind_port = host or web.host, port or web.port
    check_cookies(web, bind_host)
    schedule = schedule_config(settings)
    loop = asyncio.get_running_loop()
    app_holder: list[object] = []
    processor = on_committed or _processor(archive, settings)

    def committed(outcome: RepoOutcome) -> None:
        processor(outcome)
        if app_holder:
            loop.call_soon_threadsafe(app_holder[0].state.web.broadcaster.wake)  # type: ignore[attr-defined]

    async def collect() -> None:
        if before_collect is not None:
            await asyncio.to_thread(before_collect)
        try:  # the stored credentials as they are now: added or removed ones count
            run_settings = await asyncio.to_thread(collection_credentials, settings, archive.db)
        except ConfigError as exc:
            say(f"collection: error: {exc}")
            return
        summary = await run_collection(run_settings, archive=archive, on_committed=committed)
        say(f"collection: {summary.line()}")

    def last_success() -> datetime | None:
        runs = [r for r in archive.runs(50) if r.status in ("ok", "partial")]
        return runs[0].finished_at if runs else None

    cron: Scheduler | None = None
    if scheduler:
        cron = Scheduler(
            collect,
            schedule.cron,
            last_success=last_success,
            catch_up_hours=schedule.catch_up_hours,
        )
    app = create_app(
        archive.db,
        settings,
        config=web.model_copy(update={"host": bind_host}),  # answers to the name it binds
        collect_now=None if cron is None else cron.trigger,
    )
    app_holder.append(app)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=bind_host,
            port=bind_port,
            log_level="warning",
            server_header=False,
            **uvicorn_proxy_options(web),
        )
    )
    where = f"http://{bind_host}:{bind_port}"
    say(f"serving {where}" + ("" if cron is None else f"; collecting on cron {cron.cron!r} (UTC)"))
    if on_ready is not None:
        maybe = on_ready(where)
        if maybe is not None:
            await maybe
    background = None if cron is None else asyncio.create_task(cron.run_forever())
    try:
        await server.serve()
    finally:
        if background is not None:
            background.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await background


def _processor(archive: Archive, settings: Settings) -> Committed:
    """The processing trigger: roll-ups, spike events and notifications after each commit."""
    return Processor(archive.db, settings).on_committed
