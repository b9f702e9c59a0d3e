"""Computed page data, reused until the archive changes.

The archive changes when a collection or processing commits (a new ``collection_runs``
row, a new ``data_changes`` row), a few times a day; dashboards are read far more often.
A cached value is keyed by what it was computed from (the visible repositories, the
range) and by the archive's version, and expires after ``ttl`` seconds in any case (an
import writes without a run, for instance).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ghtraffic.storage.tables import CollectionRun
from ghtraffic.storage.tables_processing import DataChange

T = TypeVar("T")


def archive_version(session: Session) -> tuple[int, int]:
    """The newest run and change-feed ids: both grow with every commit of new data."""
    run = session.scalar(select(func.max(CollectionRun.id))) or 0
    change = session.scalar(select(func.max(DataChange.id))) or 0
    return int(run), int(change)


class PageCache:
    """Values by key, each built by one caller at a time: callers asking for a key that is
    being built wait for that build instead of repeating it (on a busy server a cold
    overview costs a second or more of a core)."""

    def __init__(self, ttl: float = 60.0, size: int = 64) -> None:
        self.ttl = ttl
        self.size = size
        self._values: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._building: dict[Hashable, threading.Event] = {}
        self._lock = threading.Lock()

    def get_or_build(self, key: Hashable, build: Callable[[], T]) -> T:
        while True:
            with self._lock:
                found = self._values.get(key)
                if found is not None and time.monotonic() - found[0] < self.ttl:
                    self._values.move_to_end(key)
                    value: T = found[1]
                    return value
                pending = self._building.get(key)
                if pending is None:
                    done = self._building[key] = threading.Event()
                    break
            # another caller builds it: use theirs (or build it when theirs failed)
            pending.wait()
        try:
            started = time.monotonic()
            value = build()
            with self._lock:
                self._values[key] = (started, value)
                self._values.move_to_end(key)
                while len(self._values) > self.size:
                    self._values.popitem(last=False)
            return value
        finally:
            with self._lock:
                del self._building[key]
            done.set()
