"""Hypothesis strategies and oracles for overlapping traffic windows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from hypothesis import strategies as st

from ghtraffic.domain import METRICS, DayValues

START = date(2025, 12, 1)

metric = st.one_of(st.none(), st.integers(min_value=0, max_value=50))


@st.composite
def day_values(draw: st.DrawFn, day: date) -> DayValues:
    return DayValues(day, *(draw(metric) for _ in METRICS))


@st.composite
def window(draw: st.DrawFn) -> list[DayValues]:
    """One window: up to 14 consecutive days from a random start, some days omitted."""
    first = START + timedelta(days=draw(st.integers(min_value=0, max_value=20)))
    length = draw(st.integers(min_value=1, max_value=14))
    days = [first + timedelta(days=offset) for offset in range(length)]
    kept = [day for day in days if draw(st.booleans()) or day == first]
    return [draw(day_values(day)) for day in kept]


windows = st.lists(window(), min_size=1, max_size=6)


def expected_max(observed: Iterable[Iterable[DayValues]]) -> dict[date, dict[str, int | None]]:
    """Per day and metric the maximum over all observations (``None`` if never observed)."""
    result: dict[date, dict[str, int | None]] = {}
    for rows in observed:
        for row in rows:
            stored = result.setdefault(row.day, dict.fromkeys(METRICS))
            for name in METRICS:
                value = row.metric(name)
                if value is not None:
                    before = stored[name]
                    stored[name] = value if before is None else max(before, value)
    return result
