"""The process of ``ghtraffic serve``: the web app under uvicorn, the scheduler of
collections beside it, and processing after each repository a collection commits.

It listens on a socket bound before anything is announced (a port in use is a one-line
error, exit 2), and stops on SIGTERM or SIGINT within ``STOP_SECONDS``: the live streams
are told to close (``stopping.py``), responses still running after ``GRACE_SECONDS`` are
cancelled, then a running collection is cancelled (every repository it committed is
kept), and ``serve`` returns normally.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import threading
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from types import FrameType

import uvicorn

from ghtraffic.collect.planner import anything_due
from ghtraffic.collect.run import run_collection
from ghtraffic.config import ConfigError, Settings
from ghtraffic.domain import RepoOutcome
from ghtraffic.metrics.config import metrics_config
from ghtraffic.metrics.port import MetricsListener
from ghtraffic.metrics.process import process_registry
from ghtraffic.processing import Processor
from ghtraffic.sockets import bind, url_of
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.credentials import collection_credentials
from ghtraffic.web.app import create_app
from ghtraffic.web.config import WebConfig, schedule_config, uvicorn_proxy_options
from ghtraffic.web.scheduler import Scheduler
from ghtraffic.web.stopping import STOP_SIGNALS

Committed = Callable[[RepoOutcome], None]
#: Where the process reports what it does (a line each: serving, each collection's result).
Say = Callable[[str], None]

#: Seconds open responses get to end after a stop signal before they are cancelled.
GRACE_SECONDS = 3
#: What ``serve`` promises: it has returned this long after a stop signal.
STOP_SECONDS = 5.0


class StoppableServer(uvicorn.Server):
    """uvicorn's server, except that a stop signal ends ``serve()`` normally, naming the
    signal in ``stopped_by``, instead of raising the signal again once stopped."""

    stopped_by: str | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.stopped_by is None:
            self.stopped_by = signal.Signals(sig).name
        super().handle_exit(sig, frame)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


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
    listener: socket.socket | None = None,
) -> None:
    """Run the web app (and the scheduler) until the server stops.

    ``before_collect`` runs before each collection (the demo moves its fake GitHub's clock
    a day ahead, so "collect now" brings new data). ``listener``: a socket already bound
    (else ``host:port`` is bound here; ``AddressUnavailable`` when it cannot be).
    """
    bind_host, bind_port = host or web.host, port or web.port
    check_cookies(web, bind_host)
    schedule = schedule_config(settings)
    metrics = metrics_config(settings)
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
            top_up=schedule.top_up,
            anything_due=lambda: anything_due(archive, settings, datetime.now(UTC)),
        )
    app = create_app(
        archive.db,
        settings,
        config=web.model_copy(update={"host": bind_host}),  # answers to the name it binds
        collect_now=None if cron is None else cron.trigger,
    )
    app_holder.append(app)
    sock = listener or bind(bind_host, bind_port)
    metrics_listener = None
    try:
        if metrics.access == "port":
            metrics_sock = bind(metrics.host, metrics.port, option="[metrics] port")
            registry = process_registry(archive.db, settings, metrics)
            metrics_listener = MetricsListener(registry, metrics_sock)
        server = StoppableServer(
            uvicorn.Config(
                app,
                log_level="warning",
                server_header=False,
                timeout_graceful_shutdown=GRACE_SECONDS,
                **uvicorn_proxy_options(web),
            )
        )
        where = url_of(sock)
        say(
            f"serving {where}"
            + ("" if cron is None else f"; collecting on cron {cron.cron!r} (UTC)")
            + ("" if metrics_listener is None else f"; metrics on {url_of(metrics_sock)}")
        )
        if on_ready is not None:
            maybe = on_ready(where)
            if maybe is not None:
                await maybe
        background = None if cron is None else asyncio.create_task(cron.run_forever())
        try:
            await server.serve(sockets=[sock])
        finally:
            if background is not None:
                background.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await background
    finally:
        sock.close()
        if metrics_listener is not None:
            metrics_listener.close()
    if server.stopped_by is not None:
        say(f"stopped on {server.stopped_by}: live pages were told to reconnect")


def _processor(archive: Archive, settings: Settings) -> Committed:
    """The processing trigger: roll-ups, spike events and notifications after each commit."""
    return Processor(archive.db, settings).on_committed
