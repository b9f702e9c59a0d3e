"""The seams of a collection, each chosen once at start-up: in-process for ``collect`` and
``serve`` (``collect/``), shared through PostgreSQL for workers (``tasks/``). The reading of
one repository (``repository.py``) is the same code on both sides of every seam.

* :class:`Budget`: the rate points a repository's plan may spend, per credential;
* :class:`Pace`: the requests it may make, per credential, under GitHub's secondary limit;
* :class:`RunLog`: where its result goes, and whether the run still starts repositories.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ghtraffic.collect.budget import Rates, Reservation, Spent
from ghtraffic.collect.pace import SlidingWindow, Ticket
from ghtraffic.config import Settings
from ghtraffic.domain import RepoOutcome
from ghtraffic.storage.batch import RepoBatch


class Budget(Protocol):
    async def reserve(
        self, credential: str | None, points: int, *, optional: bool = False
    ) -> Reservation:
        """Take ``points`` of the credential's budget, or raise ``budget.Deferred``
        (``optional``: only from the half of the limit that traffic does not need)."""
        ...

    async def settle(self, reservation: Reservation, spent: Spent, rates: Rates) -> None:
        """Give back what was reserved and not spent; take in every credential's headers."""
        ...


class Pace(Protocol):
    async def acquire(self, credential: str | None, requests: int) -> Ticket:
        """Return when ``requests`` more requests of the credential keep to the pace."""
        ...

    async def give_back(self, ticket: Ticket, unused: int) -> None:
        """Requests acquired but not made (negative: made beyond those acquired)."""
        ...


class RunLog(Protocol):
    """The run a repository's result belongs to. Its methods touch the archive: they are
    called on the run's storage thread."""

    def stopped(self) -> str | None:
        """Why the run starts no more repositories, or ``None``."""
        ...

    def stop(self, reason: str) -> None: ...

    def in_commit(self, batch: RepoBatch, outcome: RepoOutcome) -> None:
        """Log the result of a repository whose data commits in ``batch``."""
        ...

    def record(self, outcome: RepoOutcome) -> None:
        """Log the result of a repository that has no data to commit."""
        ...

    def add_requests(self, requests: int, points: int) -> None:
        """Requests of the run that belong to no repository's result (star lists)."""
        ...


@dataclass(frozen=True)
class Seams:
    budget: Budget
    pace: Pace
    log: RunLog


class Unpaced:
    """No pace (``requests_per_minute = 0``)."""

    async def acquire(self, credential: str | None, requests: int) -> Ticket:
        return Ticket(credential, requests)

    async def give_back(self, ticket: Ticket, unused: int) -> None:
        return None


class Unbudgeted:
    """No budget: nothing is reserved (a server without rate limits)."""

    async def reserve(
        self, credential: str | None, points: int, *, optional: bool = False
    ) -> Reservation:
        return Reservation(credential, 0)

    async def settle(self, reservation: Reservation, spent: Spent, rates: Rates) -> None:
        return None


def pace_of(settings: Settings) -> Pace:
    """The pace of a run in one process: a sliding window of ``requests_per_minute``."""
    if settings.requests_per_minute <= 0:
        return Unpaced()
    return SlidingWindow(settings.requests_per_minute)
