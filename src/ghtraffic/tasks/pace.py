"""The request pace every worker of one credential shares, kept in PostgreSQL: GitHub's
secondary limit (900 points a minute for REST; a GET is one point, a 304 too) holds for
the credential, not for one process.

The sliding window of ``collect/pace.py`` (at most ``requests_per_minute`` requests in any
60 seconds, the same arithmetic) over a log of ``ghtraffic_request_log`` rows per
credential, on PostgreSQL's clock (one clock for every machine). Taking requests locks the
credential (a transaction-level advisory lock on a hash of its key), drops the rows that
left the window, and adds one when the requests fit; what a repository did not use is
given back to its row afterwards. Each credential has a log of its own
(:class:`CredentialPaces`), keyed as its rate budget.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text

from ghtraffic.collect.pace import WINDOW, Ticket, wait_for
from ghtraffic.storage.database import Database

#: The longest single sleep while waiting for the window (then it is asked again).
LONGEST_WAIT = 5.0
#: ``:now`` when given, else PostgreSQL's clock.
_NOW = text("SELECT COALESCE(CAST(:now AS timestamptz), clock_timestamp())")


class SharedPace:
    """One credential's window, shared through its rows of ``ghtraffic_request_log``."""

    def __init__(self, db: Database, key: str, *, per_minute: int) -> None:
        if per_minute <= 0:
            raise ValueError("a shared pace needs a positive number of requests a minute")
        self.db = db
        self.key = key
        self.limit = per_minute

    def take(self, requests: int, now: datetime | None = None) -> tuple[float, int | None]:
        """Take ``requests``: ``(0, row id)`` when taken, else the seconds until they fit
        (nothing taken). ``now`` replaces the server's clock."""
        clock = {"now": now, "key": self.key}
        with self.db.session() as session:
            session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), clock)
            current = session.execute(_NOW, clock).scalar_one()
            session.execute(
                text(
                    "DELETE FROM ghtraffic_request_log WHERE fingerprint = :key AND at <= :cutoff"
                ),
                {"key": self.key, "cutoff": current - timedelta(seconds=WINDOW)},
            )
            rows = session.execute(
                text(
                    "SELECT at, requests FROM ghtraffic_request_log WHERE fingerprint = :key"
                    " ORDER BY at, id"
                ),
                clock,
            ).all()
            entries = [(at.timestamp(), int(n)) for at, n in rows]
            wait = wait_for(entries, current.timestamp(), requests, self.limit)
            if wait > 0:
                return wait, None
            row_id = session.execute(
                text(
                    "INSERT INTO ghtraffic_request_log (fingerprint, at, requests)"
                    " VALUES (:key, :at, :requests) RETURNING id"
                ),
                {**clock, "at": current, "requests": requests},
            ).scalar_one()
            return 0.0, int(row_id)

    def give_back(self, row_id: int, unused: int) -> None:
        """Return requests taken but not made (negative: made on top of those taken)."""
        if unused == 0:
            return
        with self.db.session() as session:
            session.execute(
                text(
                    "UPDATE ghtraffic_request_log SET requests = GREATEST(0, requests - :unused)"
                    " WHERE id = :id"
                ),
                {"unused": unused, "id": row_id},
            )

    async def acquire(
        self, requests: int, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    ) -> int:
        """Wait until ``requests`` are taken; returns the row that holds them."""
        while True:
            wait, row_id = await asyncio.to_thread(self.take, requests)
            if row_id is not None:
                return row_id
            await sleep(min(wait, LONGEST_WAIT))


@dataclass(frozen=True)
class CredentialPaces:
    """The pace seam of workers: the shared window of each credential; ``key`` turns a
    credential's name (``None``: the single token of a plain client) into its key."""

    db: Database
    per_minute: int
    key: Callable[[str | None], str]

    def pace(self, name: str | None) -> SharedPace:
        return SharedPace(self.db, self.key(name), per_minute=self.per_minute)

    async def acquire(self, credential: str | None, requests: int) -> Ticket:
        row_id = await self.pace(credential).acquire(requests)
        return Ticket(credential, requests, ref=row_id)

    async def give_back(self, ticket: Ticket, unused: int) -> None:
        if isinstance(ticket.ref, int):
            await asyncio.to_thread(self.pace(ticket.credential).give_back, ticket.ref, unused)
