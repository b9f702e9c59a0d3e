"""The request pace every worker of one credential shares, kept in PostgreSQL: GitHub's
secondary limit (900 points a minute for REST; a GET is one point, a 304 too) holds for
the credential, not for one process.

A token bucket per credential in ``ghtraffic_request_pace``: it refills at
``per_minute / 60`` requests a second on PostgreSQL's clock (one clock for every
machine) and holds at most ``per_minute / 12`` (five seconds' worth), so any rolling
minute sees at most ``per_minute × 13/12`` requests: 867 at the default 800. Before a
repository a job takes the most requests it may make; after it, it gives back what it did
not use (or takes what retries used on top). With several credentials each has its own
bucket (:class:`CredentialPaces`), keyed as its rate budget.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text

from ghtraffic.storage.database import Database

#: The bucket's size, in seconds of refill.
BURST_SECONDS = 5.0
#: The longest single sleep while waiting for the bucket (then it is asked again).
LONGEST_WAIT = 5.0
#: ``:now`` when given, else PostgreSQL's clock.
_LOCK_ROW = text(
    "SELECT tokens, updated_at, COALESCE(CAST(:now AS timestamptz), clock_timestamp())"
    " FROM ghtraffic_request_pace WHERE fingerprint = :key FOR UPDATE"
)
_NEW_ROW = text(
    "INSERT INTO ghtraffic_request_pace (fingerprint, tokens, updated_at) VALUES"
    " (:key, :tokens, COALESCE(CAST(:now AS timestamptz), clock_timestamp()))"
    " ON CONFLICT (fingerprint) DO NOTHING"
)


class SharedPace:
    """A per-minute request pace shared through one row of ``ghtraffic_request_pace``."""

    def __init__(self, db: Database, key: str, *, per_minute: int) -> None:
        if per_minute <= 0:
            raise ValueError("a shared pace needs a positive number of requests a minute")
        self.db = db
        self.key = key
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, self.rate * BURST_SECONDS)

    def take(self, cost: int, now: datetime | None = None) -> float:
        """Take ``cost`` requests from the bucket: 0 when taken, else the seconds until
        they will be there (nothing taken). ``now`` replaces the server's clock."""
        clock = {"now": now}
        with self.db.session() as session:
            row = session.execute(_LOCK_ROW, {"key": self.key, **clock}).first()
            if row is None:  # the credential's first request: a full bucket
                session.execute(_NEW_ROW, {"key": self.key, "tokens": self.capacity, **clock})
                row = session.execute(_LOCK_ROW, {"key": self.key, **clock}).one()
            tokens, updated, current = float(row[0]), row[1], row[2]
            elapsed = max(0.0, (current - updated).total_seconds())
            tokens = min(self.capacity, tokens + elapsed * self.rate)
            need = min(float(cost), self.capacity)
            wait = 0.0 if tokens + 1e-9 >= need else (need - tokens) / self.rate
            if not wait:
                tokens -= cost
            session.execute(
                text(
                    "UPDATE ghtraffic_request_pace SET tokens = :tokens, updated_at = :at"
                    " WHERE fingerprint = :key"
                ),
                {"tokens": tokens, "at": current, "key": self.key},
            )
            return wait

    def give_back(self, unused: int) -> None:
        """Return requests taken but not made (negative: made on top of those taken)."""
        if unused == 0:
            return
        with self.db.session() as session:
            session.execute(
                text(
                    "UPDATE ghtraffic_request_pace SET tokens = LEAST(:capacity, tokens + :unused)"
                    " WHERE fingerprint = :key"
                ),
                {"capacity": self.capacity, "unused": unused, "key": self.key},
            )

    async def acquire(
        self, cost: int, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    ) -> float:
        """Wait until ``cost`` requests are taken; returns the seconds waited."""
        waited = 0.0
        while True:
            wait = await asyncio.to_thread(self.take, cost)
            if wait <= 0:
                return waited
            pause = min(wait, LONGEST_WAIT)
            await sleep(pause)
            waited += pause


@dataclass(frozen=True)
class CredentialPaces:
    """The shared pace of each credential: ``key`` turns a credential's name (``None``:
    the single token of a plain client) into the key of its bucket."""

    db: Database
    per_minute: int
    key: Callable[[str | None], str]

    def pace(self, name: str | None) -> SharedPace:
        return SharedPace(self.db, self.key(name), per_minute=self.per_minute)

    async def acquire(self, credential: str | None, requests: int) -> None:
        await self.pace(credential).acquire(requests)

    async def give_back(self, credential: str | None, unused: int) -> None:
        await asyncio.to_thread(self.pace(credential).give_back, unused)
