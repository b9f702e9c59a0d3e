"""``ghtraffic serve``: the dashboard, the API and the scheduled collections in one process."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import datetime

import click

from ghtraffic.cli import loop
from ghtraffic.cli.common import config_options, err, one_line_errors
from ghtraffic.collect.run import open_archive, run_collection
from ghtraffic.config import ConfigError, Settings, load_settings, require_credential
from ghtraffic.domain import RepoOutcome
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.credentials import with_stored_credentials
from ghtraffic.web.config import WebConfig, schedule_config, web_config

Committed = Callable[[RepoOutcome], None]


@click.command("serve")
@click.option("--host", help="Address to listen on (default [web] host or 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (default [web] port or 8000).")
@click.option("--no-scheduler", is_flag=True, help="Serve only; collect with `ghtraffic collect`.")
@config_options
@one_line_errors
def serve_command(
    host: str | None,
    port: int | None,
    no_scheduler: bool,
    config_path: str | None,
    database_url: str | None,
    api_url: str | None,
) -> None:
    """Serve the dashboard and API; collect on the [schedule] cron (default 03:17 UTC daily)."""
    settings = load_settings(
        config=config_path,
        database_url=database_url,
        api_url=api_url,
        need_token=not no_scheduler,
        check_token=False,
    )
    web = web_config(settings)
    archive = open_archive(settings.database_url)
    if not no_scheduler:  # a credential configured or stored, else one line now
        require_credential(with_stored_credentials(settings, archive.db))
    loop.run(serve(settings, archive, web, host=host, port=port, scheduler=not no_scheduler))


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
) -> None:
    """Run the web app (and the scheduler) until the server stops.

    ``before_collect`` runs before each collection (the demo moves its fake GitHub's clock
    a day ahead, so "collect now" brings new data).
    """
    import uvicorn

    from ghtraffic.web.app import create_app
    from ghtraffic.web.scheduler import Scheduler

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
            run_settings = await asyncio.to_thread(_run_settings, settings, archive)
        except ConfigError as exc:
            err.print(f"collection: error: {exc}")
            return
        summary = await run_collection(run_settings, archive=archive, on_committed=committed)
        err.print(f"collection: {summary.line()}")

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
        config=web,
        collect_now=None if cron is None else cron.trigger,
    )
    app_holder.append(app)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=bind_host,
            port=bind_port,
            log_level="warning",
            proxy_headers=True,
            server_header=False,
        )
    )
    where = f"http://{bind_host}:{bind_port}"
    err.print(
        f"serving {where}" + ("" if cron is None else f"; collecting on cron {cron.cron!r} (UTC)")
    )
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


def _run_settings(settings: Settings, archive: Archive) -> Settings:
    """The settings of one scheduled run: the configured and the stored credentials."""
    return require_credential(with_stored_credentials(settings, archive.db))


def _processor(archive: Archive, settings: Settings) -> Committed:
    """The processing trigger: roll-ups, spike events and notifications after each commit."""
    try:
        from ghtraffic.processing import Processor
    except ImportError:  # pragma: no cover - processing ships with the package
        return lambda outcome: None
    return Processor(archive.db, settings).on_committed
