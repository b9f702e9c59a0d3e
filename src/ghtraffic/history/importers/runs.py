"""The window one run of another tool covered, from the run's time, as collections record it.

GitHub's traffic window had two shapes (see ``ghtraffic.collect.window``): before late
2025 it ended with today's partial day and left out days without traffic; since, it
holds 14 whole days ending yesterday. Both cover ``today-13 .. today-1`` whole, so a day
a run's files leave out *there* is an observed zero, exactly as for a collection.

A tool that names its files by local time (without a zone) leaves the run's UTC day
uncertain: the importer gives the earliest and the latest UTC day the run may have
happened on, and only the days every one of them covers count as the zero span.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ghtraffic.domain import DayValues
from ghtraffic.history.importers.base import RepoHistory, WindowValue

#: A day GitHub leaves out of a window is a zero only this many days back from today.
ZERO_DAYS = 13
ONE_DAY = timedelta(days=1)
#: UTC offsets of the world's time zones, for a time written without one.
EARLIEST_ZONE = timedelta(hours=-12)
LATEST_ZONE = timedelta(hours=14)


@dataclass(frozen=True, slots=True)
class Run:
    """One run of a tool: when it read GitHub (UTC days) and which series it read."""

    earliest_day: date
    latest_day: date
    observed_at: datetime | None
    views: bool = True
    clones: bool = True

    @classmethod
    def at(cls, moment: datetime, *, views: bool = True, clones: bool = True) -> Run:
        """A run at a known UTC time."""
        return cls(moment.date(), moment.date(), moment, views, clones)

    @property
    def zero_span(self) -> tuple[date, date]:
        """The days every possible window of this run covered whole."""
        return self.latest_day - timedelta(days=ZERO_DAYS), self.earliest_day - ONE_DAY


def local_run(local: datetime, latest_offset: timedelta, **read: bool) -> Run:
    """A run whose file name holds a local time without zone (``local`` is naive).

    ``latest_offset`` bounds the runner's UTC offset from above (``LATEST_ZONE`` when
    nothing else is known)."""
    offset = min(latest_offset, LATEST_ZONE)
    earliest = (local - offset).date()
    latest = (local - EARLIEST_ZONE).date()
    return Run(earliest, latest, None, **read)


def latest_offset(runs: Sequence[tuple[datetime, date]]) -> timedelta:
    """The largest UTC offset a runner's clock can have had, from (local run time, newest
    day its window returned) pairs: GitHub never returns a day before it has begun in UTC.

    The runner's clock is taken to keep one zone for all its runs."""
    bound = LATEST_ZONE
    for local, newest in runs:
        bound = min(bound, local - datetime.combine(newest, time()))
    return bound


def observe_run(rows: Sequence[DayValues], run: Run) -> tuple[list[DayValues], WindowValue | None]:
    """The days the run left out of its zero span, as observed zeros, and the span it
    covered (``None`` when it covered nothing).

    ``rows`` are the days the run returned. A series the run did not read stays
    unobserved. The span is the zero span widened to every day the run returned: the
    window is one stretch of days that holds both."""
    first, last = run.zero_span
    seen_views = {row.day for row in rows if row.views is not None}
    seen_clones = {row.day for row in rows if row.clones is not None}
    zeros: list[DayValues] = []
    day = first
    while day <= last:
        views = 0 if run.views and day not in seen_views else None
        clones = 0 if run.clones and day not in seen_clones else None
        if views is not None or clones is not None:
            zeros.append(DayValues(day, views, views, clones, clones))
        day += ONE_DAY
    days = [row.day for row in rows]
    if first <= last:
        days += [first, last]
    if not days:
        return zeros, None
    window = WindowValue(
        day=run.latest_day,
        first_day=min(days),
        last_day=max(days),
        observed_at=run.observed_at,
    )
    return zeros, window


def add_run(history: RepoHistory, rows: Sequence[DayValues], run: Run) -> list[DayValues]:
    """Add the zeros and the span of one run to what was read for a repository; returns
    the zeros."""
    zeros, window = observe_run(rows, run)
    history.days.extend(zeros)
    if window is not None:
        history.windows.append(window)
    return zeros
