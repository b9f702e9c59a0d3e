"""The request pace: at most N requests of a credential in any 60 seconds, a sliding
window. A run smaller than the window goes at full speed; however many workers ask, no
rolling minute gets more than N."""

from __future__ import annotations

import asyncio
import heapq
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from ghtraffic.collect.pace import SlidingWindow, wait_for
from ghtraffic.storage.database import Database
from ghtraffic.tasks.pace import SharedPace
from tests.threads import run_together

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(pg_url: str) -> Iterator[Database]:
    database = Database(pg_url)
    database.upgrade()
    yield database
    database.dispose()


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_the_window_arithmetic() -> None:
    assert wait_for([], 0.0, 800, 800) == 0, "a window's worth goes at once"
    assert wait_for([(0.0, 800)], 1.0, 1, 800) == pytest.approx(59.0)
    assert wait_for([(0.0, 500), (30.0, 300)], 31.0, 100, 800) == pytest.approx(29.0)
    assert wait_for([(0.0, 500), (30.0, 300)], 31.0, 600, 800) == pytest.approx(59.0)
    assert wait_for([], 0.0, 2000, 800) == 0, "more than a window fits in an empty one"


def test_a_full_window_then_what_left_it(db: Database) -> None:
    pace = SharedPace(db, "token-a", per_minute=60)
    assert pace.take(50, at(0))[0] == 0  # at once: no spacing
    assert pace.take(10, at(1))[0] == 0
    assert pace.take(1, at(2))[0] == pytest.approx(58.0)  # the first 50 leave at 60 s
    _, row = pace.take(20, at(60.5))
    assert row is not None
    # At 61 s only those 20 are in the window; requests taken but not made come back.
    assert pace.take(45, at(61))[0] == pytest.approx(59.5)
    pace.give_back(row, 15)
    assert pace.take(45, at(61))[0] == 0
    # Another credential has a window of its own.
    assert SharedPace(db, "token-b", per_minute=60).take(60, at(0))[0] == 0


def test_workers_together_never_pass_the_limit_in_any_minute(db: Database) -> None:
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
        wait, _ = pace.take(cost, at(now))
        if wait == 0:
            granted += [now] * cost
            wait = 0.3  # the repository's requests take a moment
        heapq.heappush(ready, (now + wait, worker))
    granted.sort()
    # Any 60 seconds (to the millisecond: PostgreSQL keeps microseconds, this loop floats).
    busiest = max(sum(1 for t in granted if start <= t < start + 59.999) for start in granted)
    assert busiest <= per_minute
    assert len(granted) >= per_minute * 3 - cost  # and the window is used, not starved


def test_concurrent_takers_share_one_window(db: Database) -> None:
    per_minute, cost = 600, 7
    pace = SharedPace(db, "busy", per_minute=per_minute)
    granted: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(40):
            if pace.take(cost)[0] == 0:
                with lock:
                    granted.append(cost)

    run_together(worker, 4)
    assert per_minute - cost < sum(granted) <= per_minute


def test_one_process_keeps_the_same_window() -> None:
    clock = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    async def scenario() -> None:
        pace = SlidingWindow(100, clock=lambda: clock[0], sleep=sleep)
        first = await pace.acquire("a", 60)
        await pace.acquire("a", 40)
        assert slept == [], "a window's worth at full speed"
        await pace.give_back(first, 30)
        await pace.acquire("a", 30)  # fits: 30 of the first were not used
        assert slept == []
        await pace.acquire("a", 10)
        assert slept == [pytest.approx(60.0)]
        await pace.acquire("b", 100)  # another credential: its own window
        assert len(slept) == 1

    asyncio.run(scenario())
