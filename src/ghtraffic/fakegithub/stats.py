"""Request statistics of the fake, read and reset through ``/_fake/stats``."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class Stats:
    """Counts requests by route kind and status, points per token, 304s and injected faults;
    when asked (``logging``), each request by fake day, method, path with query, and status
    (0 for a connection reset)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.logging = False
        self._log: Counter[tuple[str, str, int]] = Counter()
        self.reset()

    def log_requests(self, on: bool) -> None:
        """Start (or stop) the request log, empty."""
        with self._lock:
            self.logging = on
            self._log = Counter()

    def log(self, day: str, request: str, status: int) -> None:
        if self.logging:
            with self._lock:
                self._log[(day, request, status)] += 1

    def logged(self) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {"day": day, "request": request, "status": status, "count": count}
                for (day, request, status), count in sorted(self._log.items())
            ]

    def reset(self) -> None:
        with getattr(self, "_lock", threading.Lock()):
            self._by_kind: dict[str, Counter[int]] = {}
            self._points: Counter[str] = Counter()
            self._faults: Counter[str] = Counter()
            self._not_modified = 0
            self._total = 0

    def record(self, kind: str, status: int) -> None:
        with self._lock:
            self._total += 1
            self._by_kind.setdefault(kind, Counter())[status] += 1
            if status == 304:
                self._not_modified += 1

    def spend(self, token: str) -> None:
        with self._lock:
            self._points[token] += 1

    def fault(self, kind: str) -> None:
        with self._lock:
            self._faults[kind] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": self._total,
                "by_kind": {
                    kind: {str(status): n for status, n in sorted(counts.items())}
                    for kind, counts in sorted(self._by_kind.items())
                },
                "points": dict(self._points),
                "not_modified": self._not_modified,
                "faults": dict(self._faults),
            }
