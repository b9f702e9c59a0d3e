"""The repositories' coverage for the metrics: how many are at risk and how many days are
lost, as ``ghtraffic status`` counts them, and the rate budget's plan at their cadence
(points needed and available a day, repositories and read intervals by kind).

That count reads every archived day (about 3 s for 1,000 repositories x 3 years on a
busy 2-core machine, see docs/PERFORMANCE.md), too slow to make a scrape wait for, and
it changes only when a collection commits or a day nears the end of GitHub's window. So
it is read on a thread of its own at most once every ``status_seconds``: a scrape gets
the newest count at once (none before the first read has ended) and, when that count is
older than ``status_seconds``, starts the next read. ``status_seconds = 0`` reads it in
every scrape instead.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from ghtraffic.collect.planner import Plan
from ghtraffic.metrics.kept import KeptReading
from ghtraffic.storage import queries
from ghtraffic.storage.database import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Coverage:
    repositories: int
    at_risk: int
    days_lost: int
    repositories_with_lost_days: int
    #: The moment the count is for, and what reading it took.
    as_of: datetime
    read_seconds: float
    #: The rate budget's plan as of ``as_of`` (none where the process has no settings).
    plan: Plan | None = None


#: The plan of an archive as of a moment (``collect.planner.archive_plan`` with settings).
PlanOf = Callable[[datetime], Plan]


def read_coverage(
    db: Database, as_of: datetime | None = None, plan_of: PlanOf | None = None
) -> Coverage:
    started = time.perf_counter()
    as_of = as_of or datetime.now(UTC)
    with db.read_session() as session:
        report = queries.status(session, as_of)
    return Coverage(
        repositories=len(report.repos),
        at_risk=len(report.at_risk),
        days_lost=sum(repo.lost_count for repo in report.repos),
        repositories_with_lost_days=sum(1 for repo in report.repos if repo.lost_count),
        as_of=as_of,
        read_seconds=time.perf_counter() - started,
        plan=plan_of(as_of) if plan_of is not None else None,
    )


class CoverageInBackground(KeptReading[Database, Coverage]):
    """The newest coverage read, refreshed on a thread once it is ``seconds`` old."""

    def __init__(
        self, db: Database, seconds: float, *, read: Callable[[Database], Coverage] = read_coverage
    ) -> None:
        super().__init__(db, seconds, read)
        self._reading: threading.Thread | None = None

    def get(self) -> Coverage | None:
        if self.seconds <= 0:
            return self._read(self.source)
        with self._lock:
            if self._stale() and self._reading is None:
                self._reading = threading.Thread(
                    target=self._refresh, name="ghtraffic-metrics-coverage", daemon=True
                )
                self._reading.start()
            return self._value

    def _refresh(self) -> None:
        try:
            value = self._read(self.source)
        except Exception:
            log.warning("metrics: the coverage could not be read", exc_info=True)
            value = None
        with self._lock:
            if value is not None:
                self._value = value
            self._read_at = time.monotonic()
            self._reading = None
