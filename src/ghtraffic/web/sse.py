"""Server-Sent Events at ``/events/stream``: the open pages learn that data changed.

One broadcaster per app polls processing's change feed, ``data_changes`` (every
``live_poll_seconds``, or at once when woken: after a collection in this process, or on
PostgreSQL by a ``NOTIFY`` from any process, see ``listen.py``) and hands each change to
every open stream; a stream passes on only the changes of repositories its principal may
see.

When the process is told to stop (SIGTERM, SIGINT: see ``stopping.py``), every open
stream gets one last event and ends, so the server can exit at once instead of waiting for
the browsers to leave::

    event: closing
    data: {"reason": "the server is stopping"}

The browser's ``EventSource`` then reconnects by itself after the stream's ``retry``
delay, to whichever server answers next (another node behind the load balancer, or this
one restarted). A page may show that it is reconnecting when it receives ``closing``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from ghtraffic.identity.permissions import visible_ids
from ghtraffic.identity.principal import Principal
from ghtraffic.processing.feed import Change, changes_since, latest_change_id
from ghtraffic.storage.database import Database
from ghtraffic.web.principal import principal_of

KEEPALIVE_SECONDS = 15.0
#: The last event of every open stream when the server stops.
CLOSING_EVENT = 'event: closing\ndata: {"reason": "the server is stopping"}\n\n'

log = logging.getLogger(__name__)


#: Runs until cancelled, calling the function it is given whenever the feed may have grown.
Listener = Callable[[Callable[[], None]], Coroutine[Any, Any, None]]


class Broadcaster:
    def __init__(self, db: Database, poll_seconds: float, listener: Listener | None = None) -> None:
        self.db = db
        self.poll_seconds = poll_seconds
        self.listener = listener
        self._queues: set[asyncio.Queue[Change]] = set()
        self._task: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None
        self._stopping: asyncio.Event | None = None

    @property
    def stopping(self) -> asyncio.Event:
        """Set once the server is stopping: every stream sends ``closing`` and ends."""
        if self._stopping is None:
            self._stopping = asyncio.Event()
        return self._stopping

    def close_streams(self) -> None:
        """Tell every open stream, and every stream opened from now on, to end (call
        from the event loop's thread)."""
        self.stopping.set()

    def subscribe(self) -> asyncio.Queue[Change]:
        queue: asyncio.Queue[Change] = asyncio.Queue(maxsize=1000)
        self._queues.add(queue)
        if self._task is None or self._task.done():
            self._wake = asyncio.Event()
            self._task = asyncio.create_task(self._run())
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Change]) -> None:
        self._queues.discard(queue)

    def wake(self) -> None:
        """Look at the feed now (call from the event loop's thread)."""
        if self._wake is not None:
            self._wake.set()

    async def _run(self) -> None:
        listening = None if self.listener is None else asyncio.create_task(self.listener(self.wake))
        try:
            await self._poll()
        finally:
            if listening is not None:
                listening.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await listening

    async def _poll(self) -> None:
        last = await run_in_threadpool(latest_change_id, self.db)
        while self._queues:
            assert self._wake is not None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            self._wake.clear()
            try:
                changes = await run_in_threadpool(changes_since, self.db, last, 500)
            except Exception:
                log.debug("the change feed could not be read; trying again", exc_info=True)
                continue
            for change in changes:
                last = max(last, change.id)
                for queue in list(self._queues):
                    with contextlib.suppress(asyncio.QueueFull):
                        queue.put_nowait(change)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task


def allowed(change: Change, principal: Principal, visible: set[int]) -> bool:
    """Whether ``principal`` may learn of ``change``: run-wide changes go to admins only."""
    if change.repo_id is None:
        return principal.is_admin
    return change.repo_id in visible


def event_text(change: Change) -> str:
    data = json.dumps({"id": change.id, "repo_id": change.repo_id, "kind": change.kind})
    return f"id: {change.id}\nevent: change\ndata: {data}\n\n"


async def stream(request: Request, db: Database, broadcaster: Broadcaster) -> Response:
    principal = principal_of(request)

    def visible() -> set[int]:
        with db.read_session() as session:
            return visible_ids(session, principal)

    queue = broadcaster.subscribe()
    stopping = broadcaster.stopping

    async def events() -> AsyncIterator[str]:
        try:
            yield 'retry: 3000\nevent: hello\ndata: {"ok": true}\n\n'
            while not await request.is_disconnected():
                change = await _next_change(queue, stopping)
                if stopping.is_set():
                    yield CLOSING_EVENT
                    return
                if change is None:
                    yield ": keep-alive\n\n"
                elif allowed(change, principal, await run_in_threadpool(visible)):
                    yield event_text(change)
        finally:
            broadcaster.unsubscribe(queue)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"cache-control": "no-store", "x-accel-buffering": "no"},
    )


async def _next_change(queue: asyncio.Queue[Change], stopping: asyncio.Event) -> Change | None:
    """The next change, or ``None`` after ``KEEPALIVE_SECONDS`` without one or as soon as
    the server is stopping."""
    if stopping.is_set():
        return None
    getter = asyncio.ensure_future(queue.get())
    stopper = asyncio.ensure_future(stopping.wait())
    try:
        await asyncio.wait(
            (getter, stopper), timeout=KEEPALIVE_SECONDS, return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        stopper.cancel()
        if not getter.done():
            getter.cancel()
    return getter.result() if getter.done() and not getter.cancelled() else None
