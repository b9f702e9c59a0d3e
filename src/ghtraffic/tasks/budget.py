"""The rate budget every worker shares, kept in PostgreSQL: the ledgers of
``collect.budget`` (the same arithmetic as a run in one process), one row per credential
in ``ghtraffic_rate_budget``, keyed by the SHA-256 of the token (never the token) or, for
a GitHub App installation, of its name.

A reservation locks the credential's row (``SELECT … FOR UPDATE``), decides and writes
in one transaction, so workers reserving at once never overdraw it. Until a first
response of the credential is seen there is no row and nothing is reserved. Times are
compared on GitHub's clock: the offset of its ``Date`` header to this machine's clock is
kept beside the ledger. When the points fit only after a reset that comes within
``max_wait`` the reservation raises ``Deferred`` with the time to retry (the job is
retried then); otherwise the repository is deferred to the next run.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta
from functools import partial

from pydantic import SecretStr
from sqlalchemy import text

from ghtraffic.collect.budget import (
    Deferred,
    Ledger,
    Rates,
    Reservation,
    Spent,
    decide,
    settled,
    settlements,
)
from ghtraffic.github.ratelimit import RateLimitState
from ghtraffic.storage.database import Database

_LOCK = text(
    "SELECT remaining, lim, reset_at, server_offset FROM ghtraffic_rate_budget"
    " WHERE fingerprint = :key FOR UPDATE"
)
_WRITE = text(
    "INSERT INTO ghtraffic_rate_budget (fingerprint, remaining, lim, reset_at, server_offset)"
    " VALUES (:key, :remaining, :lim, :reset_at, :offset)"
    " ON CONFLICT (fingerprint) DO UPDATE SET remaining = excluded.remaining,"
    " lim = excluded.lim, reset_at = excluded.reset_at,"
    " server_offset = excluded.server_offset, updated_at = now()"
)


def fingerprint(token: SecretStr) -> str:
    return hashlib.sha256(token.get_secret_value().encode()).hexdigest()


class SharedBudget:
    """One credential's ledger in one row."""

    def __init__(self, db: Database, key: str, *, floor: int, max_wait: float = 0.0) -> None:
        self.db = db
        self.key = key
        self.floor = floor
        self.max_wait = max_wait

    def reserve(self, cost: int, now: datetime | None = None, *, optional: bool = False) -> bool:
        """Take ``cost`` points (True), or raise ``Deferred``; False before the
        credential's first response (nothing taken). ``now``: this machine's clock;
        ``optional``: see ``collect.budget.decide``."""
        local = now or datetime.now(UTC)
        with self.db.session() as session:
            row = session.execute(_LOCK, {"key": self.key}).first()
            if row is None:
                return False
            ledger, offset = Ledger(int(row[0]), int(row[1]), row[2]), float(row[3])
            github_now = local + timedelta(seconds=offset)
            verdict = decide(ledger, cost, floor=self.floor, now=github_now, max_wait=self.max_wait)
            if verdict.taken is not None:
                session.execute(_WRITE, self._values(verdict.taken, offset))
                return True
        if verdict.wait is not None:
            retry_at = local + timedelta(seconds=verdict.wait + 1)
            raise Deferred(
                f"rate limit low ({ledger.remaining} left): retried after"
                f" {retry_at:%Y-%m-%d %H:%M:%S} UTC",
                retry_at,
            )
        raise Deferred(verdict.deferred or "rate limit low: deferred to the next run")

    def settle(self, rate: RateLimitState | None, unspent: int) -> None:
        """Give back ``unspent`` reserved points and take in the newest headers."""
        with self.db.session() as session:
            row = session.execute(_LOCK, {"key": self.key}).first()
            ledger = None if row is None else Ledger(int(row[0]), int(row[1]), row[2])
            offset = float(row[3]) if row is not None else 0.0
            if rate is not None:
                offset = (rate.observed_at - datetime.now(UTC)).total_seconds()
            after = settled(ledger, rate, unspent)
            if after is not None:
                session.execute(_WRITE, self._values(after, offset))

    def state(self) -> tuple[int, int, datetime] | None:
        """``(remaining, limit, reset_at)`` as shared now, ``None`` before any response."""
        with self.db.read_session() as session:
            row = session.execute(
                text(
                    "SELECT remaining, lim, reset_at FROM ghtraffic_rate_budget"
                    " WHERE fingerprint = :key"
                ),
                {"key": self.key},
            ).first()
        return None if row is None else (int(row[0]), int(row[1]), row[2])

    def _values(self, ledger: Ledger, offset: float) -> dict[str, object]:
        return {
            "key": self.key,
            "remaining": ledger.remaining,
            "lim": ledger.limit,
            "reset_at": ledger.reset_at,
            "offset": offset,
        }


class CredentialBudgets:
    """The budget seam of workers: one :class:`SharedBudget` per credential, found by the
    name the client shows.

    ``keys`` maps the names of tokens to their fingerprints; any other name (a GitHub App
    installation) is keyed by a hash of its name. ``single`` names the budget of a plain
    one-token client, whose responses carry no credential name.
    """

    def __init__(
        self,
        db: Database,
        keys: dict[str, str],
        *,
        floor: int,
        max_wait: float = 0.0,
        single: str | None = None,
    ) -> None:
        self.db = db
        self.keys = dict(keys)
        self.floor = floor
        self.max_wait = max_wait
        self.single = single

    def key(self, name: str) -> str:
        found = self.keys.get(name)
        if found is not None:
            return found
        return "credential:" + hashlib.sha256(name.encode()).hexdigest()

    def key_of(self, name: str | None) -> str:
        """The key of credential ``name`` (``None``: the single token's)."""
        return self.key(name if name is not None else self.single or "")

    def budget(self, name: str | None) -> SharedBudget | None:
        """The shared budget of credential ``name`` (``None``: the single token's)."""
        if name is None and self.single is None:
            return None
        return SharedBudget(self.db, self.key_of(name), floor=self.floor, max_wait=self.max_wait)

    async def reserve(
        self, credential: str | None, points: int, *, optional: bool = False
    ) -> Reservation:
        budget = self.budget(credential)
        taken = budget is not None and await asyncio.to_thread(
            partial(budget.reserve, points, optional=optional)
        )
        return Reservation(credential, points if taken else 0)

    async def settle(self, reservation: Reservation, spent: Spent, rates: Rates) -> None:
        await asyncio.to_thread(self.settle_now, reservation, spent, rates)

    def settle_now(self, reservation: Reservation, spent: Spent, rates: Rates) -> None:
        """Settle each credential that answered with its newest headers, and give the
        points reserved and not spent back to the one reserved on."""
        for name, rate, unspent in settlements(reservation, spent, rates):
            budget = self.budget(name)
            if budget is not None:
                budget.settle(rate, unspent)
