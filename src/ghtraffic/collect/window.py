"""Turn one collection's traffic responses into archive rows.

GitHub answers with a 14-day window whose shape changed in late 2025: before, the
window ended with today's partial day, its oldest day came back truncated and days
without traffic were left out; since, it holds 14 whole days ending yesterday with
explicit zeros. Both shapes always cover ``today-13 .. today-1`` whole, so a day GitHub
leaves out *there* is an observed zero. Anywhere else a missing day stays "not observed".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from ghtraffic.domain import DayValues, WeekValues, WindowTotals

Series = Mapping[date, tuple[int, int]]

ONE_DAY = timedelta(days=1)


def zero_span(today: date) -> tuple[date, date]:
    """The days every window shape covers whole: an omitted day there is a zero."""
    return today - timedelta(days=13), today - ONE_DAY


def observe_daily(views: Series | None, clones: Series | None, today: date) -> list[DayValues]:
    """One row per day the window covered, each metric observed or ``None``.

    A series that did not arrive (``None``) leaves its two metrics unobserved.
    """
    first, last = zero_span(today)
    days = set(views or ()) | set(clones or ())
    day = first
    while day <= last and (views is not None or clones is not None):
        days.add(day)
        day += ONE_DAY
    rows: list[DayValues] = []
    for day in sorted(days):
        zero = (0, 0) if first <= day <= last else None
        v = views.get(day, zero) if views is not None else None
        c = clones.get(day, zero) if clones is not None else None
        rows.append(
            DayValues(
                day=day,
                views=v[0] if v else None,
                views_unique=v[1] if v else None,
                clones=c[0] if c else None,
                clones_unique=c[1] if c else None,
            )
        )
    return rows


def window_totals(
    today: date,
    rows: list[DayValues],
    views_total: tuple[int, int] | None,
    clones_total: tuple[int, int] | None,
) -> WindowTotals:
    """The 14-day figures of one collection and the span of days its window covered."""
    covered = [r.day for r in rows]
    return WindowTotals(
        day=today,
        first_day=min(covered),
        last_day=max(covered),
        views=views_total[0] if views_total else None,
        views_unique=views_total[1] if views_total else None,
        clones=clones_total[0] if clones_total else None,
        clones_unique=clones_total[1] if clones_total else None,
    )


def complete_span(days: set[date], today: date) -> tuple[date, date]:
    """The days of a window known to be whole: the oldest day of an old-shape window
    was truncated, and today's day is never whole."""
    new_shape = (today - timedelta(days=14)) in days
    first = today - timedelta(days=14 if new_shape else 12)
    return first, today - ONE_DAY


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def last_closed_week(today: date) -> date:
    """The Monday of the newest week that has ended before ``today``."""
    return week_start(today) - timedelta(days=7)


def weekly_due(latest_stored: date | None, today: date) -> bool:
    """Weekly figures are read once a week, after a week has closed."""
    return latest_stored is None or latest_stored < last_closed_week(today)


def whole_weeks(span: tuple[date, date]) -> list[date]:
    """The Mondays of the weeks that lie wholly inside ``span``."""
    first, last = span
    monday = week_start(first)
    if monday < first:
        monday += timedelta(days=7)
    weeks = []
    while monday + timedelta(days=6) <= last:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def derived_weeks(daily: Series, span: tuple[date, date]) -> Series | None:
    """The weekly figures of the whole weeks in ``span`` when the daily series alone gives
    them, else ``None``.

    A week's count is the sum of its days; its unique visitors are one day's when every
    visit of the week fell on that day (a week without visits has none). A week with
    visits on two days or more has unique visitors that only GitHub's weekly figure tells.
    """
    weeks: dict[date, tuple[int, int]] = {}
    for monday in whole_weeks(span):
        days = [daily.get(monday + timedelta(days=i), (0, 0)) for i in range(7)]
        visited = [(count, uniques) for count, uniques in days if count or uniques]
        if len(visited) > 1:
            return None
        weeks[monday] = visited[0] if visited else (0, 0)
    return weeks


def observe_weekly(views: Series, clones: Series, span: tuple[date, date]) -> list[WeekValues]:
    """Weeks that lie wholly inside the window's complete span; the others are partial."""
    rows: list[WeekValues] = []
    for start in whole_weeks(span):
        v = views.get(start, (0, 0))
        c = clones.get(start, (0, 0))
        rows.append(WeekValues(start, v[0], v[1], c[0], c[1]))
    return rows
