"""The fake's simulated clock: it moves only when told to (or with wall time in realtime mode)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

DEFAULT_START = datetime(2026, 1, 5, 23, 0, tzinfo=UTC)


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 instant; a naive value is taken as UTC."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class FakeClock:
    """A thread-safe simulated UTC clock.

    In realtime mode the simulated time also advances with the wall clock, starting from
    the simulated instant that was last set.
    """

    def __init__(self, start: datetime = DEFAULT_START, *, realtime: bool = False) -> None:
        self._lock = threading.Lock()
        self._realtime = realtime
        self._base = start.astimezone(UTC)
        self._wall = time.monotonic()

    def now(self) -> datetime:
        with self._lock:
            if not self._realtime:
                return self._base
            return self._base + timedelta(seconds=time.monotonic() - self._wall)

    def set(self, instant: datetime) -> datetime:
        with self._lock:
            self._base = instant.astimezone(UTC)
            self._wall = time.monotonic()
            return self._base

    def advance(self, delta: timedelta) -> datetime:
        return self.set(self.now() + delta)
