"""The rate budget: a repository starts only when the points its plan may spend fit.

One ledger per credential: GitHub's ``remaining``, ``limit`` and ``reset`` as last seen.
Before a repository its plan's points are taken from ``remaining`` (a reservation);
afterwards the ledger is settled: within the same window it keeps the lower of its own
count (with the points reserved but not spent given back) and the count GitHub's
headers report; a newer window replaces it. A repository whose points do not fit above
the floor waits for the reset when that comes within ``max_wait`` seconds, else it is
deferred to the next run. No point is spent on a repository that cannot finish.

The arithmetic is here once (:func:`decide`, :func:`settled`); where the ledgers live is
the only difference between a run in one process (:class:`LocalBudget`, in memory) and
workers on many machines (``tasks.budget``, a row per credential in PostgreSQL).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ghtraffic.github.ratelimit import RateLimitState

#: GitHub's primary rate-limit window.
WINDOW = timedelta(hours=1)
Sleep = Callable[[float], Awaitable[None]]
#: Per credential name (``None``: the single token of a plain client): points spent, and
#: the newest rate-limit headers.
Spent = Mapping[str | None, int]
Rates = Mapping[str | None, RateLimitState]


@dataclass(frozen=True, slots=True)
class Ledger:
    remaining: int
    limit: int
    #: When the window resets, on GitHub's clock.
    reset_at: datetime


class Deferred(Exception):
    """The repository's points do not fit: it is deferred (``retry_at``: when they
    will, on this machine's clock, when the reset comes within the wait allowed)."""

    def __init__(self, reason: str, retry_at: datetime | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_at = retry_at


@dataclass(frozen=True, slots=True)
class Reservation:
    """Points taken from one credential's ledger (``points = 0``: none was known yet)."""

    credential: str | None
    points: int


@dataclass(frozen=True, slots=True)
class Verdict:
    #: The ledger after taking the points, when they fit.
    taken: Ledger | None = None
    #: Seconds until the reset, when the points fit only after it.
    wait: float | None = None
    #: Why not, when they do not fit before the next run.
    deferred: str | None = None


def current(ledger: Ledger, now: datetime) -> Ledger:
    """The ledger at ``now`` (GitHub's clock): a window that has reset is full again."""
    if ledger.reset_at <= now:
        return Ledger(ledger.limit, ledger.limit, now + WINDOW)
    return ledger


def decide(
    ledger: Ledger,
    cost: int,
    *,
    floor: int,
    now: datetime,
    max_wait: float,
    optional: bool = False,
) -> Verdict:
    """Whether ``cost`` points fit in ``ledger`` above ``floor`` now, after a reset within
    ``max_wait`` seconds, or not before the next run. ``optional`` work (star histories)
    leaves half of the limit and never waits: traffic comes first."""
    ledger = current(ledger, now)
    if optional:
        floor, max_wait = max(floor, ledger.limit // 2), -1.0
    if ledger.remaining - cost >= floor:
        return Verdict(taken=replace(ledger, remaining=ledger.remaining - cost))
    wait = max(0.0, (ledger.reset_at - now).total_seconds())
    if wait <= max_wait:
        return Verdict(wait=wait)
    return Verdict(
        deferred=(
            f"rate limit low ({ledger.remaining} of {ledger.limit} left, resets"
            f" {ledger.reset_at:%Y-%m-%d %H:%M} UTC): deferred to the next run"
        )
    )


def settled(ledger: Ledger | None, rate: RateLimitState | None, unspent: int) -> Ledger | None:
    """The ledger after a repository: ``unspent`` reserved points given back, and brought
    in line with the newest headers (``rate``) of the credential."""
    if rate is None:
        if ledger is None:
            return None
        return replace(ledger, remaining=min(ledger.limit, ledger.remaining + max(0, unspent)))
    if ledger is None or rate.reset_at > ledger.reset_at:
        return Ledger(rate.remaining, rate.limit, rate.reset_at)
    return Ledger(
        min(ledger.remaining + max(0, unspent), rate.remaining),
        rate.limit,
        max(ledger.reset_at, rate.reset_at),
    )


def settlements(
    reservation: Reservation, spent: Spent, rates: Rates
) -> Iterator[tuple[str | None, RateLimitState | None, int]]:
    """What to settle after a repository: each credential that answered or was reserved
    on, with its newest headers and the points reserved on it and not spent."""
    for credential in {reservation.credential, *spent, *rates}:
        unspent = 0
        if credential == reservation.credential and reservation.points:
            unspent = reservation.points - spent.get(credential, 0)
        yield credential, rates.get(credential), unspent


class LocalBudget:
    """The ledgers of a run in one process, in memory.

    ``rates`` gives each credential's newest headers (``None``: the single token of a
    plain client); ``now`` GitHub's clock; ``refresh`` reads the limits again (the free
    ``/rate_limit``) after waiting for a reset.
    """

    def __init__(
        self,
        rates: Callable[[], Rates],
        now: Callable[[], datetime],
        *,
        floor: int,
        max_wait: float,
        refresh: Callable[[], Awaitable[object]] | None = None,
        on_notice: Callable[[str], None] = lambda m: None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._rates = rates
        self._now = now
        self.floor = floor
        self.max_wait = max_wait
        self._refresh = refresh
        self._on_notice = on_notice
        self._sleep = sleep
        self._ledgers: dict[str | None, Ledger] = {}
        self._lock = asyncio.Lock()

    def ledger(self, credential: str | None) -> Ledger | None:
        known = self._ledgers.get(credential)
        if known is None and (rate := self._rates().get(credential)) is not None:
            known = settled(None, rate, 0)
        return known

    async def reserve(
        self, credential: str | None, points: int, *, optional: bool = False
    ) -> Reservation:
        while True:
            async with self._lock:
                ledger = self.ledger(credential)
                if ledger is None:
                    return Reservation(credential, 0)  # no limit reported: nothing to budget
                verdict = decide(
                    ledger,
                    points,
                    floor=self.floor,
                    now=self._now(),
                    max_wait=self.max_wait,
                    optional=optional,
                )
                if verdict.taken is not None:
                    self._ledgers[credential] = verdict.taken
                    return Reservation(credential, points)
                if verdict.deferred is not None:
                    raise Deferred(verdict.deferred)
            wait = verdict.wait or 0.0
            self._on_notice(
                f"rate limit low ({ledger.remaining} left): waiting {wait:.0f} s for the reset"
            )
            await self._sleep(wait + 1.0)
            if self._refresh is not None:
                await self._refresh()
            async with self._lock:
                self._ledgers.pop(credential, None)  # the new window's headers decide

    async def settle(self, reservation: Reservation, spent: Spent, rates: Rates) -> None:
        async with self._lock:
            for credential, rate, unspent in settlements(reservation, spent, rates):
                ledger = settled(self._ledgers.get(credential), rate, unspent)
                if ledger is not None:
                    self._ledgers[credential] = ledger
