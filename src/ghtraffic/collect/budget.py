"""The rate budget of a run: start a repository only when its requests fit.

Every repository reserves the points it may spend before it starts; the reservation is
released when it ends. A repository starts when ``remaining - floor - reserved`` covers
its cost. When it does not, the budget waits for running repositories to finish; with
nothing running it waits for GitHub's reset (up to ``max_wait`` seconds) or stops, and
every repository not yet started is deferred to the next run. Points are never spent on
a repository that cannot finish, so a spent limit wastes no half-read repositories.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from ghtraffic.github.ratelimit import RateLimitState

Sleep = Callable[[float], Awaitable[None]]


class RateBudget:
    def __init__(
        self,
        rate: Callable[[], RateLimitState | None],
        refresh: Callable[[], Awaitable[object]],
        *,
        floor: int,
        max_wait: float,
        on_notice: Callable[[str], None] = lambda m: None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._rate = rate
        self._refresh = refresh
        self.floor = floor
        self.max_wait = max_wait
        self._on_notice = on_notice
        self._sleep = sleep
        self._reserved = 0
        self._running = 0
        self._changed = asyncio.Condition()
        #: Why no more repositories start, once that is decided.
        self.stopped: str | None = None

    async def admit(self, cost: int) -> bool:
        """Reserve ``cost`` points, waiting as needed; False when the run must stop."""
        async with self._changed:
            while True:
                if self.stopped:
                    return False
                rate = self._rate()
                if rate is None:
                    break  # no limit reported (yet, or at all): nothing to budget
                available = rate.remaining - self.floor - self._reserved
                if available >= cost:
                    break
                if self._running:
                    await self._changed.wait()
                    continue
                if not await self._wait_for_reset(rate):
                    return False
            self._reserved += cost
            self._running += 1
            return True

    async def release(self, cost: int) -> None:
        async with self._changed:
            self._reserved -= cost
            self._running -= 1
            self._changed.notify_all()

    def stop(self, reason: str) -> None:
        self.stopped = self.stopped or reason

    async def _wait_for_reset(self, rate: RateLimitState) -> bool:
        wait = rate.wait_seconds
        reset = f"{rate.reset_at:%Y-%m-%d %H:%M}"
        if wait > self.max_wait:
            self.stop(
                f"rate limit low ({rate.remaining} of {rate.limit} left, resets {reset} UTC): "
                "deferred to the next run"
            )
            return False
        self._on_notice(
            f"rate limit low ({rate.remaining} left): waiting {wait:.0f} s for the reset"
        )
        await self._sleep(wait + 1.0)
        await self._refresh()  # the free /rate_limit call brings the new window's figures
        return True
