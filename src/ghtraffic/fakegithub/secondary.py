"""GitHub's secondary rate limit as the fake enforces it: at most N requests per token in
any rolling window of real time (GitHub: 900 points a minute for REST, a GET is one), and
the most any token made in one window, so a test or benchmark can show a limit was kept.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class SecondaryLimiter:
    """Counts each token's requests over the last ``window`` seconds (monotonic time)."""

    def __init__(self, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._recent: dict[str, deque[float]] = {}
        self._peak: dict[str, int] = {}

    def admit(self, token: str, limit: int | None) -> float | None:
        """Count a request of ``token``: ``None`` when admitted, else (not counted) the
        seconds until ``limit`` requests no longer fill the window."""
        now = self._clock()
        with self._lock:
            recent = self._recent.setdefault(token, deque())
            while recent and recent[0] <= now - self.window:
                recent.popleft()
            if limit is not None and len(recent) >= limit:
                return recent[len(recent) - limit] + self.window - now
            recent.append(now)
            self._peak[token] = max(self._peak.get(token, 0), len(recent))
            return None

    def peaks(self) -> dict[str, int]:
        """Per token, the most requests admitted within one window."""
        with self._lock:
            return dict(self._peak)

    def reset(self) -> None:
        with self._lock:
            self._recent.clear()
            self._peak.clear()
