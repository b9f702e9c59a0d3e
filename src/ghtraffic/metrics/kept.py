"""A reading kept for a while: what the metrics serve between two reads of the archive."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

S = TypeVar("S")
T = TypeVar("T")


class KeptReading(Generic[S, T]):
    """The last value ``read(source)`` gave, and when it was read; stale once it is
    ``seconds`` old. Subclasses decide how a stale value is read again."""

    def __init__(self, source: S, seconds: float, read: Callable[[S], T]) -> None:
        self.source = source
        self.seconds = seconds
        self._read = read
        self._lock = threading.Lock()
        self._value: T | None = None
        self._read_at = 0.0

    def _stale(self) -> bool:
        """No value yet, or one ``seconds`` old (asked with the lock held)."""
        return self._value is None or time.monotonic() - self._read_at >= self.seconds
