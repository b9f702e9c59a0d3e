"""What the archive must hold after collections at given times, computed from the fake
GitHub's traffic model without going through HTTP or the collector."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from ghtraffic.domain import METRICS, DayValues
from ghtraffic.fakegithub.model import TrafficModel, floor_hour

Expected = dict[date, dict[str, int | None]]


def expected_daily(model: TrafficModel, repo_id: int, times: Iterable[datetime]) -> Expected:
    """Per day and metric, the highest value GitHub served in any collected window.

    In the old window shape GitHub left out zero days; today's partial day, when left
    out, was not observed (every other day of the window is known to be zero).
    """
    expected: Expected = {}
    for at in times:
        now = floor_hour(at)
        today = now.date()
        old_shape = not model.new_shape(now)
        for values in model.daily_window(repo_id, now):
            row = expected.setdefault(values.day, dict.fromkeys(METRICS))
            for metric in METRICS:
                value = values.metric(metric)
                if value is None:
                    continue
                if old_shape and values.day == today:
                    pair = "views" if metric.startswith("views") else "clones"
                    if values.metric(pair) == 0:
                        continue
                current = row[metric]
                row[metric] = value if current is None else max(current, value)
    return expected


def as_rows(expected: Expected) -> list[DayValues]:
    return [DayValues(day, **expected[day]) for day in sorted(expected)]
