"""A minimum-interval pacer that keeps requests under GitHub's per-minute secondary limit."""

from __future__ import annotations

import asyncio
import time


class Pacer:
    """Spaces request starts at least ``60 / per_minute`` seconds apart."""

    def __init__(self, per_minute: float):
        if per_minute <= 0:
            raise ValueError("per_minute must be positive")
        self.interval = 60.0 / per_minute
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        """Return when the next request may start."""
        async with self._lock:
            now = time.monotonic()
            if now < self._next:
                await asyncio.sleep(self._next - now)
                now = time.monotonic()
            self._next = max(now, self._next) + self.interval
