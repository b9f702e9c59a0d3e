"""Pure rules about which days an archive covers and when GitHub forgets a day.

A day is *covered* when a window covered it (a collection's, or an imported run's) or a
stored row holds it. A day between the first and the last covered day that is not
covered is a gap, of one of two kinds:

* *lost*: windows end right before the gap and begin right after it, so runs were being
  recorded and none reached these days;
* *unexplained*: a side of the gap is a row imported from a merged file that does not
  say when its runs were (before late 2025 GitHub left out days without traffic, so such
  a gap is quiet days or a stop of that tool: its files cannot tell).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

#: A day ``d`` stays in GitHub's window until the end of UTC day ``d + 14``.
WINDOW_DAYS = 14
#: How far ahead a day about to leave the window counts as at risk.
RISK_HORIZON = timedelta(hours=48)
ONE_DAY = timedelta(days=1)


def merged_spans(spans: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    """Inclusive spans merged where they overlap or touch, in order.

    Daily collections give windows that overlap by 13 days: merging first expands each
    covered day once."""
    merged: list[list[date]] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1] + timedelta(days=1):
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return [(first, last) for first, last in merged]


def _expand(spans: list[tuple[date, date]]) -> set[date]:
    days: set[date] = set()
    for first, last in spans:
        days.update(first + timedelta(days=n) for n in range((last - first).days + 1))
    return days


def covered_days(spans: Iterable[tuple[date, date]], days: Iterable[date]) -> set[date]:
    """The union of window spans (inclusive) and of days that hold a stored row."""
    return set(days) | _expand(merged_spans(spans))


@dataclass(frozen=True, slots=True)
class Gaps:
    """The gaps between a repository's first and last covered day, by kind."""

    lost: tuple[date, ...] = ()
    unexplained: tuple[date, ...] = ()
    #: The newest covered day (``None``: nothing covered).
    newest: date | None = None


def gaps(spans: Iterable[tuple[date, date]], days: Iterable[date]) -> Gaps:
    """Lost and unexplained days of one repository (see the module's docstring)."""
    windowed = _expand(merged_spans(spans))
    covered = windowed | set(days)
    if not covered:
        return Gaps()
    lost: list[date] = []
    unexplained: list[date] = []
    for first, last in _holes(covered):
        kind = lost if first - ONE_DAY in windowed and last + ONE_DAY in windowed else unexplained
        kind.extend(first + timedelta(days=n) for n in range((last - first).days + 1))
    return Gaps(tuple(lost), tuple(unexplained), max(covered))


def _holes(covered: set[date]) -> list[tuple[date, date]]:
    """The stretches of days missing between the first and the last covered day."""
    ordered = sorted(covered)
    return [
        (before + ONE_DAY, after - ONE_DAY)
        for before, after in pairwise(ordered)
        if after - before > ONE_DAY
    ]


def leaves_window_at(day: date) -> datetime:
    """When GitHub stops serving ``day``: ``day + 15`` at 00:00 UTC."""
    return datetime.combine(day + timedelta(days=WINDOW_DAYS + 1), time(), tzinfo=UTC)


def at_risk(day: date, as_of: datetime) -> bool:
    """Whether GitHub still serves ``day`` at ``as_of`` and stops within 48 hours.

    A day already past the window is not at risk: it is archived or lost."""
    return timedelta(0) < leaves_window_at(day) - as_of <= RISK_HORIZON
