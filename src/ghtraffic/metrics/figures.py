"""The figures a scrape reads from the archive, and the cache that keeps them a while.

Read-only, a few small queries: the run log (the last finished run, the last successful
one), the workers' shared rate budget per credential (named with this process's
credentials; a fingerprint no credential of this process has is left out) or, without
workers, the rate limit left after the last run, and the queue's jobs on PostgreSQL.
The repositories' coverage (at risk, lost days) costs a pass over every archived day and
is read apart, in the background (``coverage.py``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ghtraffic.metrics.kept import KeptReading
from ghtraffic.storage.database import Database
from ghtraffic.storage.tables import CollectionRun

#: Runs that collected something.
SUCCESS = ("ok", "partial")
#: How the workers' budget keys a credential that is not a token (a GitHub App
#: installation, whose name is learnt only inside a job): a hash of that name.
INSTALLATION_PREFIX = "credential:"
#: The queue's job states that are waiting or running.
QUEUE_STATES = ("todo", "doing")


@dataclass(frozen=True, slots=True)
class RateLeft:
    credential: str
    remaining: int
    limit: int
    #: When the window resets (GitHub's clock brought to this machine's), if known.
    reset_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class LastRun:
    id: int
    status: str
    finished_at: datetime | None
    repos_ok: int
    repos_failed: int
    repos_deferred: int
    requests: int
    rate_remaining: int | None
    rate_limit: int | None


@dataclass(frozen=True, slots=True)
class Figures:
    #: The newest run that is no longer running.
    last_run: LastRun | None
    #: When the newest run that collected something (``ok`` or ``partial``) ended.
    last_success_at: datetime | None
    rates: tuple[RateLeft, ...] = ()
    #: Jobs per (queue, state); ``None`` where there is no queue (SQLite, no workers).
    queue: Mapping[tuple[str, str], int] | None = None
    #: Seconds the read took.
    read_seconds: float = 0.0


#: Names of the credentials this process knows, by fingerprint (never the token).
Names = Callable[[], Mapping[str, str]]


@dataclass
class Sources:
    """Where the figures come from: the archive and what names its credentials."""

    db: Database
    names: Names = field(default=lambda: {})
    #: The name given to the rate limit of the run log's last run (one credential: its
    #: name; several: ``last run``).
    run_credential: Callable[[], str] = field(default=lambda: "last run")


def read_figures(sources: Sources) -> Figures:
    started = time.perf_counter()
    with sources.db.read_session() as session:
        last_run = _last_finished_run(session)
        last_success_at = session.scalar(
            select(func.max(CollectionRun.finished_at)).where(CollectionRun.status.in_(SUCCESS))
        )
        budget = _budget_rows(session)
        queue = _queue(session)
    rates = _rates(budget, sources.names())
    if not rates and last_run is not None and last_run.rate_remaining is not None:
        limit = last_run.rate_limit if last_run.rate_limit is not None else 0
        rates = (RateLeft(sources.run_credential(), last_run.rate_remaining, limit),)
    return Figures(
        last_run=last_run,
        last_success_at=last_success_at,
        rates=rates,
        queue=queue,
        read_seconds=time.perf_counter() - started,
    )


def _last_finished_run(session: Session) -> LastRun | None:
    R = CollectionRun
    row = session.execute(
        select(
            R.id,
            R.status,
            R.finished_at,
            R.repos_ok,
            R.repos_failed,
            R.repos_deferred,
            R.requests,
            R.rate_remaining,
            R.rate_limit,
        )
        .where(R.status != "running")
        .order_by(R.id.desc())
        .limit(1)
    ).first()
    return None if row is None else LastRun(*row)


def _budget_rows(session: Session) -> list[tuple[str, int, int, datetime, float]]:
    rows = session.execute(
        text(
            "SELECT fingerprint, remaining, lim, reset_at, server_offset FROM ghtraffic_rate_budget"
        )
    ).all()
    return [(str(r[0]), int(r[1]), int(r[2]), r[3], float(r[4])) for r in rows]


def _rates(
    rows: list[tuple[str, int, int, datetime, float]], names: Mapping[str, str]
) -> tuple[RateLeft, ...]:
    found = []
    for fingerprint, remaining, limit, reset_at, offset in rows:
        name = names.get(fingerprint)
        if name is None and fingerprint.startswith(INSTALLATION_PREFIX):
            name = f"installation {fingerprint.removeprefix(INSTALLATION_PREFIX)[:12]}"
        if name is None:
            continue  # a token this process does not hold
        if reset_at.tzinfo is None:
            reset_at = reset_at.replace(tzinfo=UTC)
        found.append(RateLeft(name, remaining, limit, reset_at - timedelta(seconds=offset)))
    return tuple(sorted(found, key=lambda rate: rate.credential))


def _queue(session: Session) -> dict[tuple[str, str], int] | None:
    if session.get_bind().dialect.name != "postgresql":
        return None
    if session.scalar(text("SELECT to_regclass('procrastinate_jobs')")) is None:
        return None
    rows = session.execute(
        text(
            "SELECT queue_name, status::text, count(*) FROM procrastinate_jobs"
            " WHERE status IN ('todo', 'doing') GROUP BY queue_name, status"
        )
    ).all()
    return {(str(queue), str(state)): int(count) for queue, state, count in rows}


class CachedFigures(KeptReading[Sources, Figures]):
    """``read_figures`` at most once every ``seconds``; concurrent scrapes share a read."""

    def __init__(
        self, sources: Sources, seconds: float, *, read: Callable[[Sources], Figures] = read_figures
    ) -> None:
        super().__init__(sources, seconds, read)

    def get(self) -> Figures:
        with self._lock:
            if self._value is None or self._stale():
                self._value = self._read(self.source)
                self._read_at = time.monotonic()
            return self._value
