"""Pure rules about which days an archive covers and when GitHub forgets a day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

#: A day ``d`` stays in GitHub's window until the end of UTC day ``d + 14``.
WINDOW_DAYS = 14
#: How far ahead a day about to leave the window counts as at risk.
RISK_HORIZON = timedelta(hours=48)


def covered_days(spans: Iterable[tuple[date, date]], days: Iterable[date]) -> set[date]:
    """The union of window spans (inclusive) and of days that hold a stored row.

    Daily collections give windows that overlap by 13 days: the spans are merged first,
    so each covered day is added once."""
    covered = set(days)
    merged: list[list[date]] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1] + timedelta(days=1):
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    for first, last in merged:
        covered.update(first + timedelta(days=n) for n in range((last - first).days + 1))
    return covered


def lost_days(covered: set[date]) -> tuple[date, ...]:
    """The days between the first and the last covered day that are not covered."""
    if not covered:
        return ()
    first, last = min(covered), max(covered)
    span = (last - first).days + 1
    every = (first + timedelta(days=offset) for offset in range(span))
    return tuple(day for day in every if day not in covered)


def leaves_window_at(day: date) -> datetime:
    """When GitHub stops serving ``day``: ``day + 15`` at 00:00 UTC."""
    return datetime.combine(day + timedelta(days=WINDOW_DAYS + 1), time(), tzinfo=UTC)


def at_risk(day: date, as_of: datetime) -> bool:
    """Whether ``day`` leaves GitHub's window within 48 hours of ``as_of`` (or has left)."""
    return leaves_window_at(day) - as_of <= RISK_HORIZON
