"""The primary rate limit: points per token per fake-clock hour."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

DEFAULT_LIMIT = 5000


@dataclass(frozen=True, slots=True)
class RateState:
    limit: int
    remaining: int
    used: int
    reset: int  # epoch seconds (fake time) when the window restarts
    resource: str = "core"

    def headers(self) -> dict[str, str]:
        return {
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(self.remaining),
            "x-ratelimit-used": str(self.used),
            "x-ratelimit-reset": str(self.reset),
            "x-ratelimit-resource": self.resource,
        }


def window_start(now: datetime) -> int:
    """Epoch seconds of the start of ``now``'s hour: the current rate-limit window."""
    epoch = int(now.timestamp())
    return epoch - epoch % 3600


class RateLimiter:
    """Counts points per token; the window restarts at every full hour of the fake clock.
    ``resource``: ``core`` (REST) or ``graphql``, each a budget of its own."""

    def __init__(self, limit: int = DEFAULT_LIMIT, resource: str = "core") -> None:
        self.limit = limit
        self.resource = resource
        self._lock = threading.Lock()
        self._used: dict[str, tuple[int, int]] = {}  # token -> (window start, used)

    def _current(self, token: str, now: datetime) -> tuple[int, int]:
        start = window_start(now)
        window, used = self._used.get(token, (start, 0))
        return (start, 0) if window != start else (start, used)

    def state(self, token: str, now: datetime) -> RateState:
        with self._lock:
            start, used = self._current(token, now)
        return RateState(self.limit, max(0, self.limit - used), used, start + 3600, self.resource)

    def exhausted(self, token: str, now: datetime) -> bool:
        return self.state(token, now).remaining <= 0

    def spend(self, token: str, now: datetime, points: int = 1) -> RateState:
        with self._lock:
            start, used = self._current(token, now)
            self._used[token] = (start, used + points)
        return self.state(token, now)

    def reset(self) -> None:
        with self._lock:
            self._used.clear()

    def spent(self) -> dict[str, int]:
        with self._lock:
            return {token: used for token, (_, used) in self._used.items()}
