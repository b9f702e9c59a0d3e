"""The pure merge rule: order-independent, idempotent, loses no day, lowers no value."""

from __future__ import annotations

import random
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ghtraffic.domain import METRICS, DayValues, WeekValues
from ghtraffic.storage.merge import merge_all, merge_day, merge_values, merge_week

from .strategies import expected_max, windows

D = date(2025, 8, 20)


def _fold(observed: list[list[DayValues]]) -> dict[date, DayValues]:
    stored: dict[date, DayValues] = {}
    for rows in observed:
        for row in rows:
            stored[row.day], _ = merge_day(stored.get(row.day), row)
    return stored


def _as_dicts(stored: dict[date, DayValues]) -> dict[date, dict[str, int | None]]:
    return {day: {name: row.metric(name) for name in METRICS} for day, row in stored.items()}


def test_lower_value_is_ignored() -> None:
    merged, raised = merge_day(DayValues(D, 68, 18, 10, 2), DayValues(D, 5, 4, None, 3))
    assert merged == DayValues(D, 68, 18, 10, 3)
    assert raised == {"clones_unique"}


def test_none_never_overwrites() -> None:
    merged, raised = merge_day(DayValues(D, 1, 1, 0, 0), DayValues(D))
    assert merged == DayValues(D, 1, 1, 0, 0)
    assert raised == set()


def test_new_day_reports_observed_metrics() -> None:
    merged, raised = merge_day(None, DayValues(D, 3, None, 0, None))
    assert merged == DayValues(D, 3, None, 0, None)
    assert raised == {"views", "clones"}


def test_zero_is_an_observation() -> None:
    merged, raised = merge_day(DayValues(D), DayValues(D, 0, 0, 0, 0))
    assert merged == DayValues(D, 0, 0, 0, 0)
    assert raised == set(METRICS)


def test_week_merge() -> None:
    merged, raised = merge_week(WeekValues(D, 10, 5), WeekValues(D, 9, 6, 1, 1))
    assert merged == WeekValues(D, 10, 6, 1, 1)
    assert raised == {"views_unique", "clones", "clones_unique"}


def test_different_days_refused() -> None:
    with pytest.raises(ValueError, match="cannot merge"):
        merge_values(DayValues(D), DayValues(date(2025, 8, 21)))


@given(windows, st.randoms(use_true_random=False))
def test_order_independent(observed: list[list[DayValues]], rnd: random.Random) -> None:
    shuffled = list(observed)
    rnd.shuffle(shuffled)
    assert _fold(observed) == _fold(shuffled)


@given(windows)
def test_every_day_kept_and_each_metric_is_the_max(observed: list[list[DayValues]]) -> None:
    assert _as_dicts(_fold(observed)) == expected_max(observed)


@given(windows, st.data())
def test_remerging_any_window_changes_nothing(
    observed: list[list[DayValues]], data: st.DataObject
) -> None:
    stored = _fold(observed)
    again = data.draw(st.sampled_from(observed))
    for row in again:
        merged, raised = merge_day(stored[row.day], row)
        assert raised == set()
        assert merged == stored[row.day]


@given(windows)
def test_merge_all_equals_fold(observed: list[list[DayValues]]) -> None:
    flat = [row for rows in observed for row in rows]
    assert merge_all(flat) == _fold(observed)
