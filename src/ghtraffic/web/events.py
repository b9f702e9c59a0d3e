"""Events (spikes) to mark on a repository's chart, read from processing when it is there.

Processing offers ``ghtraffic.processing.reads.events(db, repo_ids, since, limit)``
returning rows with ``day``, ``metric`` and ``value``; without it there are no events.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from datetime import date

from ghtraffic.storage.database import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EventMark:
    day: date
    kind: str
    title: str

    def as_dict(self) -> dict[str, object]:
        return {"date": self.day.isoformat(), "kind": self.kind, "title": self.title}


def events_between(db: Database, repo_id: int, since: date, until: date) -> list[EventMark]:
    try:
        module = importlib.import_module("ghtraffic.processing.reads")
    except ImportError:
        return []
    reader = getattr(module, "events", None)
    if not callable(reader):
        return []
    try:
        rows = reader(db, repo_ids=[repo_id], since=since, limit=1000)
    except Exception:
        log.debug("events could not be read", exc_info=True)
        return []
    found = []
    for row in rows:
        day = getattr(row, "day", None)
        if isinstance(day, date) and since <= day <= until:
            metric = str(getattr(row, "metric", "traffic"))
            value = getattr(row, "value", None)
            title = f"{metric} spike" + ("" if value is None else f": {value}")
            found.append(EventMark(day, metric, title))
    return sorted(found, key=lambda e: e.day)
