"""Sign-in throttling, counted in the archive so every process serving it sees the same
failures (table ``web_login_failures``).

Each password check (a sign-in, or the current password of a password change) is first
written as a failure, then deleted when the password was right: guesses sent in parallel
count at once. Within the last ``window``:

* one account from one address: ``per_pair`` failures make that pair wait;
* one address: ``per_address`` failures (any accounts) make the address wait;
* one account: ``per_account`` failures (from any addresses) make it wait for every
  address that has failed itself;
* one password (its 16-bit bucket) failing for ``spray_accounts`` different accounts makes
  it wait for every address that has failed itself.

An address with no failure in the window is never held up by the last two rules, so
nobody can lock the owner of a known account out by guessing from elsewhere. A wait lasts
until enough of the failures that caused it are older than the window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ghtraffic.identity.digests import digest
from ghtraffic.storage.database import Database
from ghtraffic.storage.tables_throttle import LoginFailure

Clock = Callable[[], datetime]
T = TypeVar("T")
#: The sprayed-password rule reads this many newest failures of the password's bucket
#: per account it counts to: a spray across accounts shows among them.
SPRAY_ROWS = 20


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Limits:
    per_pair: int = 5
    per_address: int = 20
    per_account: int = 20
    spray_accounts: int = 5
    window: timedelta = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Wait:
    """A refused attempt: how long to wait (seconds) and which rule refused it."""

    seconds: float
    rule: str


def password_bucket(password: str) -> str:
    """The first four hex digits of the password's SHA-256: 65,536 buckets."""
    return digest(password)[:4]


def _wait_until(times: Sequence[datetime], limit: int, window: timedelta) -> datetime | None:
    """When fewer than ``limit`` of ``times`` (ascending) are inside the window, or
    ``None`` when that is already so."""
    if len(times) < limit:
        return None
    return times[len(times) - limit] + window


class LoginThrottle:
    """The throttle of one archive; cheap to create, holds no state of its own."""

    def __init__(self, db: Database, limits: Limits | None = None, clock: Clock = _now) -> None:
        self.db = db
        self.limits = limits or Limits()
        self._clock = clock

    def begin(self, name: str, address: str, password: str) -> int | Wait:
        """Check the limits for this attempt; when it may go ahead, record it as a failure
        and return its id (then call :meth:`passed` when the password was right)."""
        account = name.strip().lower()
        bucket = password_bucket(password)
        now = self._clock()
        since = now - self.limits.window
        with self.db.session() as session:
            until = self._refused_until(session, since, account, address, bucket)
            if until is not None:
                return Wait(max(1.0, (until[0] - now).total_seconds()), until[1])
            session.execute(delete(LoginFailure).where(LoginFailure.at <= since))
            row = LoginFailure(at=now, account=account, address=address, password_bucket=bucket)
            session.add(row)
            session.flush()
            return row.id

    def check(
        self, name: str, address: str, password: str, verify: Callable[[], T | None]
    ) -> T | Wait | None:
        """``verify()`` (the password check) when the limits allow it: what it found
        (``None``: the password was wrong, and that failure now counts), or the wait."""
        started = self.begin(name, address, password)
        if isinstance(started, Wait):
            return started
        found = verify()
        if found is not None:
            self.passed(name, address)
        return found

    def passed(self, name: str, address: str) -> None:
        """The password was right: the attempt and every failure of this account from this
        address are forgotten (failures of other accounts from the address are kept)."""
        account = name.strip().lower()
        with self.db.session() as session:
            session.execute(
                delete(LoginFailure).where(
                    LoginFailure.address == address, LoginFailure.account == account
                )
            )

    def _refused_until(
        self, session: Session, since: datetime, account: str, address: str, bucket: str
    ) -> tuple[datetime, str] | None:
        """When the latest-ending wait that applies ends, and its rule; ``None``: none.

        Each rule reads at most a few rows through its index: refused attempts are not
        recorded, so an address holds no more failures than its limit, and the account
        and password rules look only at the newest failures that could decide them.
        """
        limits, window = self.limits, self.limits.window
        recent = LoginFailure.at > since
        from_address = session.execute(
            select(LoginFailure.at, LoginFailure.account)
            .where(LoginFailure.address == address, recent)
            .order_by(LoginFailure.at)
        ).all()
        pair = [at for at, row_account in from_address if row_account == account]
        checks: list[tuple[str, datetime | None]] = [
            ("account and address", _wait_until(pair, limits.per_pair, window)),
            ("address", _wait_until([at for at, _ in from_address], limits.per_address, window)),
        ]
        if from_address:  # only an address that failed itself is held up by the others'
            of_account = session.scalars(
                select(LoginFailure.at)
                .where(LoginFailure.account == account, recent)
                .order_by(LoginFailure.at.desc())
                .limit(limits.per_account)
            ).all()
            checks.append(("account", _wait_until(of_account[::-1], limits.per_account, window)))
            sprayed = session.execute(
                select(LoginFailure.at, LoginFailure.account)
                .where(LoginFailure.password_bucket == bucket, recent)
                .order_by(LoginFailure.at.desc())
                .limit(SPRAY_ROWS * limits.spray_accounts)
            ).all()
            newest: dict[str, datetime] = {}
            for at, row_account in sprayed:  # newest first: keep each account's newest
                newest.setdefault(row_account, at)
            last_seen = sorted(newest.values())
            checks.append(("password", _wait_until(last_seen, limits.spray_accounts, window)))
        found = [(until, rule) for rule, until in checks if until is not None]
        return max(found) if found else None
