"""Chart data as the dashboard and the static report draw it (``static/charts.js``).

A block is a plain dict: the first day of each point, what a point covers (``grain``),
the series in drawing order, what the legend shows at rest (``summary``: the range's sum,
or the newest value of a level such as stars), which series go on the right axis, and
whether the first or last point covers only part of its week or month.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

Values = list[int | None]

#: Ranges longer than this are drawn as weekly sums: 365 daily points make a sawtooth.
LONG_RANGE_DAYS = 120


def days_between(since: date, until: date) -> list[date]:
    return [since + timedelta(days=i) for i in range((until - since).days + 1)]


def block(
    days: Sequence[date],
    series: Mapping[str, Sequence[int | None]],
    *,
    grain: str = "day",
    summary: str = "sum",
    right: Iterable[str] = (),
    partial_first: bool = False,
    partial_last: bool = False,
    labels: Mapping[str, str] | None = None,
    stacked: bool = False,
    events: Sequence[Mapping[str, object]] = (),
    dashed: Iterable[str] = (),
    colour_of: Mapping[str, str] | None = None,
    span: tuple[date, date] | None = None,
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "days": [d.isoformat() for d in days],
        "grain": grain,
        "series": {name: list(values) for name, values in series.items()},
        # JSON objects lose their order (Jinja's ``tojson`` sorts keys): drawing order
        "order": list(series),
        "summary": summary,
    }
    if span is not None:
        found["span"] = [span[0].isoformat(), span[1].isoformat()]
    if right := list(right):
        found["right"] = right
    if partial_first:
        found["partial_first"] = True
    if partial_last:
        found["partial_last"] = True
    if labels:
        found["labels"] = dict(labels)
    if stacked:
        found["stacked"] = True
    if events:
        found["events"] = [dict(e) for e in events]
    if dashed := list(dashed):
        found["dashed"] = dashed
    if colour_of:
        found["colour_of"] = dict(colour_of)
    return found


def _sum(values: Iterable[int | None]) -> int | None:
    seen = [v for v in values if v is not None]
    return sum(seen) if seen else None


def _grouped(
    days: Sequence[date], series: Mapping[str, Sequence[int | None]], start_of: Any
) -> tuple[list[date], dict[str, Values], dict[date, int]]:
    starts: list[date] = []
    members: dict[date, list[int]] = {}
    for index, day in enumerate(days):
        start = start_of(day)
        if start not in members:
            starts.append(start)
            members[start] = []
        members[start].append(index)
    summed = {
        name: [_sum(values[i] for i in members[start]) for start in starts]
        for name, values in series.items()
    }
    return starts, summed, {start: len(members[start]) for start in starts}


def weekly_sums(
    days: Sequence[date], series: Mapping[str, Sequence[int | None]], **options: Any
) -> dict[str, Any]:
    """Daily values summed per week from Monday; a week the range cuts is partial."""
    starts, summed, counts = _grouped(days, series, lambda d: d - timedelta(days=d.weekday()))
    options.setdefault("span", (days[0], days[-1]) if days else None)
    return block(
        starts,
        summed,
        grain="week",
        partial_first=bool(starts) and counts[starts[0]] < 7,
        partial_last=bool(starts) and counts[starts[-1]] < 7,
        **options,
    )


def _month_length(start: date) -> int:
    following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return (following - start).days


def monthly_sums(
    days: Sequence[date], series: Mapping[str, Sequence[int | None]], **options: Any
) -> dict[str, Any]:
    """Daily values summed per calendar month; a month the range cuts is partial."""
    starts, summed, counts = _grouped(days, series, lambda d: d.replace(day=1))
    options.setdefault("span", (days[0], days[-1]) if days else None)
    return block(
        starts,
        summed,
        grain="month",
        partial_first=bool(starts) and counts[starts[0]] < _month_length(starts[0]),
        partial_last=bool(starts) and counts[starts[-1]] < _month_length(starts[-1]),
        **options,
    )


def daily_or_weekly(
    days: Sequence[date], series: Mapping[str, Sequence[int | None]], **options: Any
) -> dict[str, Any]:
    """Daily points, or weekly sums over a long range."""
    if len(days) > LONG_RANGE_DAYS:
        return weekly_sums(days, series, **options)
    return block(days, series, **options)
