"""How one window's responses become archive rows, in both of GitHub's window shapes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ghtraffic.collect.window import (
    complete_span,
    derived_weeks,
    last_closed_week,
    observe_daily,
    observe_weekly,
    weekly_due,
    whole_weeks,
    window_totals,
)
from ghtraffic.fakegithub.model import TrafficModel
from ghtraffic.github.parse import parse_series

TODAY = date(2025, 11, 20)  # a Thursday, before GitHub's late-2025 change of window shape


def d(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def test_old_shape_omitted_day_inside_the_window_is_zero_but_today_is_not_observed() -> None:
    # Old shape: today-13 .. today, zero days left out, one endpoint can miss a day.
    views = {d(-13): (3, 2), d(-5): (40, 9), d(0): (7, 4)}
    clones = {d(-5): (12, 3)}
    rows = {r.day: r for r in observe_daily(views, clones, TODAY)}

    assert min(rows) == d(-13)
    assert max(rows) == d(0)
    assert rows[d(-5)].views == 40
    assert rows[d(-5)].clones == 12
    # a day left out inside today-13..today-1 was a zero day
    assert rows[d(-7)].views == 0
    assert rows[d(-7)].clones_unique == 0
    assert rows[d(-13)].clones == 0
    # today's clones were not in the response: today is partial, so not observed
    assert rows[d(0)].views == 7
    assert rows[d(0)].clones is None


def test_new_shape_covers_fourteen_whole_days_ending_yesterday() -> None:
    today = date(2026, 1, 10)
    views = {today - timedelta(days=k): (k, 1) for k in range(1, 15)}
    clones = {today - timedelta(days=k): (0, 0) for k in range(1, 15)}
    rows = observe_daily(views, clones, today)
    assert [r.day for r in rows] == sorted(views)
    assert all(r.clones == 0 for r in rows)
    totals = window_totals(today, rows, (105, 20), (0, 0))
    assert (totals.first_day, totals.last_day) == (
        today - timedelta(days=14),
        today - timedelta(days=1),
    )
    assert (totals.views, totals.views_unique) == (105, 20)


def test_a_missing_day_outside_the_always_covered_span_stays_unobserved() -> None:
    today = date(2026, 1, 10)
    rows = {r.day: r for r in observe_daily({}, {}, today)}
    assert today - timedelta(days=14) not in rows
    assert today not in rows
    assert len(rows) == 13
    assert all(r.views == 0 for r in rows.values())


def test_complete_span_excludes_the_truncated_oldest_day_of_an_old_window() -> None:
    old_days = {d(k) for k in range(-13, 1)}
    assert complete_span(old_days, TODAY) == (d(-12), d(-1))
    today = date(2026, 1, 12)
    new_days = {today - timedelta(days=k) for k in range(1, 15)}
    assert complete_span(new_days, today) == (today - timedelta(days=14), today - timedelta(days=1))


def test_weekly_rows_keep_only_whole_weeks() -> None:
    today = date(2026, 1, 12)  # Monday: the new-shape window is exactly two whole weeks
    span = (today - timedelta(days=14), today - timedelta(days=1))
    views = {date(2025, 12, 29): (70, 30), date(2026, 1, 5): (90, 41)}
    rows = observe_weekly(views, {}, span)
    assert [r.week_start for r in rows] == [date(2025, 12, 29), date(2026, 1, 5)]
    assert rows[1].views_unique == 41
    assert rows[1].clones == 0

    # Old shape on a Monday: only the week that ended yesterday is whole.
    monday = date(2025, 11, 24)
    old_days = {monday - timedelta(days=k) for k in range(14)}
    old_span = complete_span(old_days, monday)
    rows = observe_weekly({date(2025, 11, 17): (5, 5), date(2025, 11, 10): (9, 9)}, {}, old_span)
    assert [r.week_start for r in rows] == [date(2025, 11, 17)]


def test_weekly_figures_are_read_once_a_week() -> None:
    monday = date(2026, 1, 12)
    assert last_closed_week(monday) == date(2026, 1, 5)
    assert last_closed_week(monday + timedelta(days=6)) == date(2026, 1, 5)
    assert weekly_due(None, monday)
    assert weekly_due(date(2025, 12, 29), monday)
    assert not weekly_due(date(2026, 1, 5), monday + timedelta(days=3))


def test_weeks_whose_visits_fell_on_one_day_are_derived_from_the_days() -> None:
    monday = date(2026, 1, 5)
    span = (monday - timedelta(days=3), monday + timedelta(days=10))  # one whole week
    one_day = {monday + timedelta(days=2): (7, 3), monday + timedelta(days=9): (4, 4)}
    assert whole_weeks(span) == [monday]
    assert derived_weeks(one_day, span) == {monday: (7, 3)}
    assert derived_weeks({}, span) == {monday: (0, 0)}
    two_days = {monday: (1, 1), monday + timedelta(days=6): (2, 1)}
    assert derived_weeks(two_days, span) is None, "two days' visitors may overlap"
    # Days outside the whole weeks do not matter.
    outside = {monday - timedelta(days=1): (9, 9), monday - timedelta(days=2): (9, 9)}
    assert derived_weeks(outside, span) == {monday: (0, 0)}


@pytest.mark.parametrize(
    "now", [datetime(2025, 11, 20, 15, tzinfo=UTC), datetime(2026, 2, 12, 9, tzinfo=UTC)]
)
def test_a_derived_week_is_what_githubs_weekly_figure_says(now: datetime) -> None:
    """Over the fake's mix, in both window shapes: wherever the days give a week, it is
    GitHub's weekly figure to the visitor."""
    model = TrafficModel(seed=3)
    derived = 0
    for repo_id in range(1, 401):
        for metric, body in (("views", model.views_body), ("clones", model.clones_body)):
            daily = parse_series(body(repo_id, now, "day"), metric)
            span = complete_span(set(daily), now.date())
            found = derived_weeks(daily, span)
            if found is None:
                continue
            weekly = parse_series(body(repo_id, now, "week"), metric)
            assert found == {monday: weekly.get(monday, (0, 0)) for monday in found}
            derived += bool(found)
    assert derived > 100, "the mix has quiet weeks to derive"
