"""The robust baseline of a day: median and scaled MAD of the days before it (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

#: Scales the median absolute deviation to a standard deviation for normal data.
MAD_SCALE = 1.4826


@dataclass(frozen=True, slots=True)
class Baseline:
    median: float
    #: The scaled median absolute deviation (``1.4826 × median(|x - median|)``).
    mad: float

    def threshold(self, k: float) -> float:
        return self.median + k * self.mad


def baseline(values: Sequence[int | float]) -> Baseline:
    """Median and scaled MAD of ``values`` (which must not be empty)."""
    if not values:
        raise ValueError("a baseline needs at least one value")
    middle = float(median(values))
    spread = float(median(abs(v - middle) for v in values))
    return Baseline(middle, MAD_SCALE * spread)


def is_spike(value: int, base: Baseline, *, k: float, minimum: int) -> bool:
    """Whether ``value`` is far above the baseline and not a tiny count."""
    return value >= minimum and value > base.threshold(k)
