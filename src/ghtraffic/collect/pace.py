"""The request pace under GitHub's secondary limit (900 REST points a minute): at most
``requests_per_minute`` requests of one credential in any 60 seconds, as a sliding window.
Within it requests go at full concurrency: a run smaller than the window never waits.

Before a repository its plan's requests are taken (an entry of the window's log); what it
did not use is given back to that entry afterwards. The arithmetic is here once
(:func:`wait_for`); the log lives in memory for a run in one process
(:class:`SlidingWindow`) and in PostgreSQL for workers (``tasks/pace.py``).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

#: The secondary limit's window, in seconds.
WINDOW = 60.0
Sleep = Callable[[float], Awaitable[None]]


def wait_for(entries: Sequence[tuple[float, int]], now: float, requests: int, limit: int) -> float:
    """Seconds until ``requests`` more fit in the window (0: now). ``entries``: the
    ``(time, requests)`` taken within the last ``WINDOW`` seconds, oldest first. More than
    the window holds fits only when it is empty."""
    used = sum(n for _, n in entries)
    excess = used + requests - limit
    if excess <= 0 or used == 0:
        return 0.0
    freed = 0
    for at, taken in entries:
        freed += taken
        if freed >= excess:
            return max(0.0, at + WINDOW - now)
    return max(0.0, entries[-1][0] + WINDOW - now)


@dataclass
class Ticket:
    """Requests taken from one credential's window."""

    credential: str | None
    requests: int
    at: float = 0.0
    #: Where the pace keeps it (the shared pace: its row's id).
    ref: object = field(default=None, compare=False)


class SlidingWindow:
    """The pace of a run in one process: one log per credential, in memory."""

    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.limit = per_minute
        self._clock = clock
        self._sleep = sleep
        self._logs: dict[str | None, deque[Ticket]] = {}
        self._lock = asyncio.Lock()

    async def acquire(self, credential: str | None, requests: int) -> Ticket:
        while True:
            async with self._lock:
                now = self._clock()
                log = self._logs.setdefault(credential, deque())
                while log and log[0].at <= now - WINDOW:
                    log.popleft()
                wait = wait_for([(t.at, t.requests) for t in log], now, requests, self.limit)
                if wait <= 0:
                    ticket = Ticket(credential, requests, now)
                    log.append(ticket)
                    return ticket
            await self._sleep(wait)

    async def give_back(self, ticket: Ticket, unused: int) -> None:
        async with self._lock:
            ticket.requests = max(0, ticket.requests - unused)
