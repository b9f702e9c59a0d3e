"""The request pace shared by every worker of a credential: however many workers ask, no
rolling minute gets more requests than GitHub's secondary limit allows."""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from ghtraffic.storage.database import Database
from ghtraffic.tasks.pace import SharedPace

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(pg_url: str) -> Iterator[Database]:
    database = Database(pg_url)
    database.upgrade()
    yield database
    database.dispose()


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_a_full_bucket_then_the_refill_rate(db: Database) -> None:
    pace = SharedPace(db, "token-a", per_minute=60)  # one a second, five in the bucket
    assert pace.take(7, at(0)) == 0  # more than the bucket holds: taken, the rest owed
    assert pace.take(1, at(0)) == pytest.approx(3.0)
    assert pace.take(1, at(2.9)) == pytest.approx(0.1)
    assert pace.take(1, at(3.0)) == 0
    # Requests taken but not made come back; a long pause fills the bucket, never more.
    pace.give_back(1)
    assert pace.take(1, at(3.0)) == 0
    assert pace.take(5, at(600)) == 0
    assert pace.take(1, at(600)) == pytest.approx(1.0)
    # Another credential has a bucket of its own.
    assert SharedPace(db, "token-b", per_minute=60).take(5, at(0)) == 0


def test_workers_together_stay_under_the_limit_in_every_minute(db: Database) -> None:
    per_minute, cost = 800, 7
    pace = SharedPace(db, "shared", per_minute=per_minute)
    # Four workers, each starting a repository whenever the pace lets it, for three
    # minutes of server time.
    ready = [(0.0, worker) for worker in range(4)]
    granted: list[float] = []
    while ready:
        now, worker = heapq.heappop(ready)
        if now > 180:
            continue
        wait = pace.take(cost, at(now))
        if wait == 0:
            granted += [now] * cost
            wait = 0.3  # the repository's requests take a moment
        heapq.heappush(ready, (now + wait, worker))
    granted.sort()
    busiest = max(sum(1 for t in granted if start <= t < start + 60) for start in granted[::cost])
    assert busiest <= per_minute * 13 / 12 + cost
    assert busiest < 900  # GitHub's secondary limit for REST
    assert len(granted) >= per_minute * 2.9  # and the pace is used, not starved


def test_concurrent_takers_share_one_count(db: Database) -> None:
    per_minute, cost = 600, 7  # ten a second, fifty in the bucket
    pace = SharedPace(db, "busy", per_minute=per_minute)
    granted: list[int] = []
    lock = threading.Lock()
    stop = time.monotonic() + 2.0

    def worker() -> None:
        while time.monotonic() < stop:
            if pace.take(cost) == 0:
                with lock:
                    granted.append(cost)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    assert sum(granted) <= pace.capacity + pace.rate * elapsed + cost
    assert sum(granted) >= pace.capacity
