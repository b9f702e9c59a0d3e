"""The merge rule, as pure functions: keep per metric the maximum ever observed.

``None`` means *not observed*: it never replaces a value. A value is only ever raised, so a
window that comes back lowered (GitHub's rolling window truncates its oldest day) changes
nothing, and merging the same observations in any order gives the same result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from typing import Any, TypeVar

from ghtraffic.domain import METRICS, DayValues, WeekValues

Values = TypeVar("Values", DayValues, WeekValues)


def max_metric(old: int | None, new: int | None) -> int | None:
    """The larger of two observations of one metric; ``None`` only if neither was observed."""
    if old is None:
        return new
    if new is None:
        return old
    return max(old, new)


def raised_metrics(old: Mapping[str, int | None] | None, new: Mapping[str, int | None]) -> set[str]:
    """The metrics ``new`` raises above ``old`` (or sets where ``old`` had none)."""
    raised: set[str] = set()
    for name in METRICS:
        value = new.get(name)
        if value is None:
            continue
        before = None if old is None else old.get(name)
        if before is None or value > before:
            raised.add(name)
    return raised


def metrics_of(values: DayValues | WeekValues) -> dict[str, int | None]:
    """The four metrics of a row, by name."""
    return {name: values.metric(name) for name in METRICS}


def _key(values: DayValues | WeekValues) -> date:
    return values.day if isinstance(values, DayValues) else values.week_start


def merge_values(old: Values | None, new: Values) -> tuple[Values, set[str]]:
    """Merge one new observation of a day (or week) into what is stored.

    Returns the merged row and the metrics that were raised or newly set; an empty set
    means the observation changed nothing.
    """
    if old is None:
        return new, {name for name in METRICS if new.metric(name) is not None}
    if _key(old) != _key(new):
        raise ValueError(f"cannot merge {_key(new)} into {_key(old)}")
    raised = raised_metrics(metrics_of(old), metrics_of(new))
    if not raised:
        return old, raised
    changes: dict[str, Any] = {
        name: max_metric(old.metric(name), new.metric(name)) for name in raised
    }
    return replace(old, **changes), raised


def merge_day(old: DayValues | None, new: DayValues) -> tuple[DayValues, set[str]]:
    """Merge one observation of a day into the stored day (see ``merge_values``)."""
    return merge_values(old, new)


def merge_week(old: WeekValues | None, new: WeekValues) -> tuple[WeekValues, set[str]]:
    """Merge one observation of a week into the stored week (see ``merge_values``)."""
    return merge_values(old, new)


def merge_all(rows: Iterable[Values]) -> dict[date, Values]:
    """Fold many observations into one merged row per day (or week)."""
    merged: dict[date, Values] = {}
    for row in rows:
        key = _key(row)
        merged[key], _ = merge_values(merged.get(key), row)
    return merged
