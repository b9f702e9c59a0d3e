"""The rate budget every worker of one credential shares, kept in PostgreSQL.

One row per credential in ``ghtraffic_rate_budget``, keyed by the SHA-256 of the token
(never the token): GitHub's ``remaining``, ``limit`` and ``reset`` as last seen. Before a
repository a worker reserves the most points it may spend with ``SELECT … FOR UPDATE``
and a decrement in one transaction; when ``remaining - cost`` would fall under the floor
the job raises ``BudgetExhausted`` and is retried after the reset. After the repository
the worker settles: in the same window the row keeps the lower of its own count (plus
the points reserved but not spent) and the response headers' count; a newer window
replaces it. Until a first response is seen nothing is reserved. Times are compared on
GitHub's clock (the offset of its ``Date`` header to this machine's is kept too).

With several credentials (tokens, GitHub App installations) :class:`CredentialBudgets`
keeps one such row per credential: a job reserves on the credential its repository's
first request will use and settles every credential that answered it.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from pydantic import SecretStr
from sqlalchemy import text

from ghtraffic.github.ratelimit import RateLimitState
from ghtraffic.storage.database import Database

#: GitHub's primary rate limit window.
WINDOW = timedelta(hours=1)


class BudgetExhausted(Exception):
    """No points left for another repository before ``reset_at`` (this machine's clock)."""

    def __init__(self, reset_at: datetime, remaining: int) -> None:
        super().__init__(
            f"rate limit low ({remaining} left): retried after {reset_at:%Y-%m-%d %H:%M:%S} UTC"
        )
        self.reset_at = reset_at
        self.remaining = remaining


def fingerprint(token: SecretStr) -> str:
    return hashlib.sha256(token.get_secret_value().encode()).hexdigest()


class SharedBudget:
    def __init__(self, db: Database, key: str, *, floor: int) -> None:
        self.db = db
        self.key = key
        self.floor = floor

    def reserve(self, cost: int, now: datetime | None = None) -> bool:
        """Take ``cost`` points from the shared count (True), or raise ``BudgetExhausted``;
        False before the credential's first response (nothing taken)."""
        now = now or datetime.now(UTC)
        with self.db.session() as session:
            row = session.execute(
                text(
                    "SELECT remaining, lim, reset_at, server_offset FROM ghtraffic_rate_budget"
                    " WHERE fingerprint = :key FOR UPDATE"
                ),
                {"key": self.key},
            ).first()
            if row is None:
                return False
            remaining, limit, reset_at = int(row[0]), int(row[1]), row[2]
            offset = timedelta(seconds=float(row[3]))
            now = now + offset
            if reset_at <= now:
                # The window reset: assume a full one until a response says otherwise.
                remaining, reset_at = limit, now + WINDOW
            if remaining - cost < self.floor:
                raise BudgetExhausted(reset_at - offset, remaining)
            session.execute(
                text(
                    "UPDATE ghtraffic_rate_budget SET remaining = :remaining,"
                    " reset_at = :reset_at, updated_at = now() WHERE fingerprint = :key"
                ),
                {"remaining": remaining - cost, "reset_at": reset_at, "key": self.key},
            )
        return True

    def settle(self, rate: RateLimitState | None, unspent: int) -> None:
        """Bring the shared count in line with the newest headers; give back ``unspent``
        (without headers, only give it back)."""
        if rate is None:
            if unspent > 0:
                with self.db.session() as session:
                    session.execute(
                        text(
                            "UPDATE ghtraffic_rate_budget SET"
                            " remaining = LEAST(lim, remaining + :unspent), updated_at = now()"
                            " WHERE fingerprint = :key"
                        ),
                        {"key": self.key, "unspent": unspent},
                    )
            return
        with self.db.session() as session:
            session.execute(
                text(
                    "INSERT INTO ghtraffic_rate_budget AS b"
                    " (fingerprint, remaining, lim, reset_at, server_offset)"
                    " VALUES (:key, :remaining, :lim, :reset_at, :offset)"
                    " ON CONFLICT (fingerprint) DO UPDATE SET"
                    " remaining = CASE WHEN excluded.reset_at > b.reset_at"
                    "   THEN excluded.remaining"
                    "   ELSE LEAST(b.remaining + :unspent, excluded.remaining) END,"
                    " reset_at = GREATEST(b.reset_at, excluded.reset_at),"
                    " lim = excluded.lim, server_offset = excluded.server_offset,"
                    " updated_at = now()"
                ),
                {
                    "key": self.key,
                    "remaining": rate.remaining,
                    "lim": rate.limit,
                    "reset_at": rate.reset_at,
                    "unspent": max(0, unspent),
                    "offset": (rate.observed_at - datetime.now(UTC)).total_seconds(),
                },
            )

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


class CredentialBudgets:
    """One :class:`SharedBudget` per credential, found by the name the client shows.

    ``keys`` maps the names of tokens to their fingerprints; any other name (a GitHub App
    installation) is keyed by a hash of its name. ``single`` names the budget of a plain
    one-token client, whose responses carry no credential name.
    """

    def __init__(
        self, db: Database, keys: dict[str, str], *, floor: int, single: str | None = None
    ) -> None:
        self.db = db
        self.keys = dict(keys)
        self.floor = floor
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
        return SharedBudget(self.db, self.key_of(name), floor=self.floor)

    def reserve(self, name: str | None, cost: int) -> bool:
        """Reserve ``cost`` points of ``name``'s budget (see ``SharedBudget.reserve``);
        False when nothing was reserved (no such budget, or no response seen yet)."""
        budget = self.budget(name)
        return budget is not None and budget.reserve(cost)

    def settle(
        self,
        reserved: str | None,
        unspent: int,
        rates: dict[str | None, RateLimitState],
    ) -> None:
        """Settle each credential that answered with its newest headers, and give the
        ``unspent`` points back to the one reserved on (``reserved``)."""
        for name in {reserved, *rates}:
            budget = self.budget(name)
            if budget is not None:
                budget.settle(rates.get(name), unspent if name == reserved else 0)
