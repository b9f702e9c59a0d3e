"""The collection scheduler of ``ghtraffic serve``: a cron expression, top-up runs between
them when something is due, a catch-up run at start, and never two runs at once in the
process."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import KW_ONLY, dataclass, field
from datetime import UTC, datetime, timedelta

from cronsim import CronSim

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


def next_time(cron: str, after: datetime) -> datetime:
    """The first moment after ``after`` (UTC) that the cron expression names."""
    return next(CronSim(cron, after.astimezone(UTC)))


def catch_up_due(last_success: datetime | None, now: datetime, hours: float) -> bool:
    return last_success is None or now - last_success > timedelta(hours=hours)


@dataclass(eq=False)
class Scheduler:
    run: Callable[[], Awaitable[object]]
    cron: str
    _: KW_ONLY
    last_success: Callable[[], datetime | None] = lambda: None
    catch_up_hours: float = 24.0
    top_up: str = ""
    anything_due: Callable[[], bool] = lambda: False
    clock: Clock = _now
    lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)
    _tasks: set[asyncio.Task[bool]] = field(default_factory=set, init=False)

    @property
    def running(self) -> bool:
        return self.lock.locked()

    async def run_once(self) -> bool:
        """Run a collection now unless one is running; returns whether it ran."""
        if self.lock.locked():
            return False
        async with self.lock:
            try:
                await self.run()
            except Exception:
                log.exception("the scheduled collection failed")
        return True

    async def trigger(self) -> bool:
        """Start a collection in the background (the "collect now" button)."""
        if self.lock.locked():
            return False
        task = asyncio.create_task(self.run_once())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        await asyncio.sleep(0)
        return True

    async def run_forever(self) -> None:
        last = await asyncio.to_thread(self.last_success)
        if catch_up_due(last, self.clock(), self.catch_up_hours):
            await self.run_once()
        while True:
            now = self.clock()
            at = next_time(self.cron, now)
            top_up = False
            if self.top_up and (extra := next_time(self.top_up, now)) < at:
                at, top_up = extra, True
            await asyncio.sleep(max((at - now).total_seconds(), 0.0))
            if not top_up or await asyncio.to_thread(self.anything_due):
                await self.run_once()
