"""Sign-in throttle benchmark: the cost of one check while an attack fills the table.

Fills ``web_login_failures`` of a fresh archive with the failures of a spray inside the
window (``--failures`` rows: one password across many accounts from many addresses),
then times ``--checks`` throttle checks that go ahead (a fresh address, each recorded as
a failure, as a wrong password is) and as many that are refused (the sprayed password
from an address that has failed). Prints the median and 99th percentile per check, on
SQLite and, when ``--postgres URL`` is given, on PostgreSQL. Run:

    .venv/bin/python benchmarks/throttle.py [--failures 20000] [--checks 300]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, make_url, text

from ghtraffic.storage.database import Database, sqlite_url
from ghtraffic.storage.tables_throttle import LoginFailure
from ghtraffic.web.throttle import Limits, LoginThrottle, Wait, password_bucket

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SPRAYED = "Summer2026!"


def fill(db: Database, failures: int) -> None:
    """``failures`` rows within the last five minutes: the sprayed password, 50 accounts
    per address, each address's guesses spread over the window."""
    rows = [
        {
            "at": NOW - timedelta(seconds=(n * 7) % 290 + 1),
            "account": f"user{n % 5000}",
            "address": f"10.{n // 50 // 256 % 256}.{n // 50 % 256}.1",
            "password_bucket": password_bucket(SPRAYED),
        }
        for n in range(failures)
    ]
    with db.session() as session:
        for start in range(0, len(rows), 5000):
            session.execute(insert(LoginFailure), rows[start : start + 5000])


def timed(db: Database, checks: int) -> tuple[list[float], list[float]]:
    throttle = LoginThrottle(db, Limits(), lambda: NOW)
    allowed, refused = [], []
    for n in range(checks):
        started = time.perf_counter()
        outcome = throttle.begin(f"someone{n}", f"192.0.2.{n % 250}-{n}", f"guess {n}")
        allowed.append(time.perf_counter() - started)
        assert isinstance(outcome, int)
    for n in range(checks):
        started = time.perf_counter()
        outcome = throttle.begin(f"victim{n}", "10.0.0.1", SPRAYED)
        refused.append(time.perf_counter() - started)
        assert isinstance(outcome, Wait)
    return allowed, refused


def report(where: str, db: Database, failures: int, checks: int) -> None:
    db.upgrade()
    started = time.perf_counter()
    fill(db, failures)
    filled = time.perf_counter() - started
    allowed, refused = timed(db, checks)
    for label, values in (("goes ahead", allowed), ("refused", refused)):
        ms = sorted(v * 1000 for v in values)
        p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
        print(
            f"{where:10} {failures:>7,} failures in the window ({filled:.1f} s to write): "
            f"check that {label}: median {statistics.median(ms):.2f} ms, p99 {p99:.2f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--failures", type=int, default=20_000)
    parser.add_argument("--checks", type=int, default=300)
    parser.add_argument("--postgres", help="a PostgreSQL URL (a schema of its own is used)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Database(sqlite_url(Path(folder) / "archive.sqlite"))
        report("SQLite", db, args.failures, args.checks)
        db.dispose()
    if args.postgres:
        admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            url = make_url(args.postgres).update_query_dict({"options": f"-csearch_path={schema}"})
            db = Database(url)
            report("PostgreSQL", db, args.failures, args.checks)
            db.dispose()
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    main()
