"""Login throttling: after N failures of one user name from one address, a wait."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

_MAX_ENTRIES = 10_000


@dataclass
class _Entry:
    failures: int
    locked_until: float
    last: float


class LoginThrottle:
    """In-process counters keyed by (lower-cased user name, client address)."""

    def __init__(
        self,
        max_failures: int = 5,
        lockout_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.lockout_seconds = lockout_seconds
        self._clock = clock
        self._entries: dict[tuple[str, str], _Entry] = {}

    def retry_after(self, name: str, address: str) -> float:
        """Seconds to wait before another attempt is even checked (0: go ahead)."""
        entry = self._entries.get((name.lower(), address))
        if entry is None:
            return 0.0
        return max(0.0, entry.locked_until - self._clock())

    def failure(self, name: str, address: str) -> None:
        now = self._clock()
        key = (name.lower(), address)
        entry = self._entries.get(key)
        if entry is None or now - entry.last > self.lockout_seconds * 4:
            entry = _Entry(0, 0.0, now)
        entry.failures += 1
        entry.last = now
        if entry.failures >= self.max_failures:
            entry.locked_until = now + self.lockout_seconds
            entry.failures = 0
        self._entries[key] = entry
        if len(self._entries) > _MAX_ENTRIES:
            oldest = sorted(self._entries, key=lambda k: self._entries[k].last)
            for stale in oldest[: _MAX_ENTRIES // 10]:
                del self._entries[stale]

    def success(self, name: str, address: str) -> None:
        self._entries.pop((name.lower(), address), None)
