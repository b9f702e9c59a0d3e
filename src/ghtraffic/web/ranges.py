"""Date ranges of the dashboard: presets (7 d … all), custom bounds, the previous period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

PRESETS: dict[str, tuple[str, int | None]] = {
    "7d": ("7 days", 7),
    "30d": ("30 days", 30),
    "90d": ("90 days", 90),
    "12m": ("12 months", 365),
    "all": ("All time", None),
}
DEFAULT = "30d"


@dataclass(frozen=True, slots=True)
class DateRange:
    key: str
    since: date
    until: date
    #: Why the asked-for range could not be used (the default is shown instead).
    error: str | None = None

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    @property
    def label(self) -> str:
        if self.key in PRESETS:
            return PRESETS[self.key][0]
        return f"{self.since} – {self.until}"

    def previous(self) -> DateRange:
        """The period of the same length just before this one."""
        until = self.since - timedelta(days=1)
        return DateRange("previous", until - timedelta(days=self.days - 1), until)

    def starting(self, since: date) -> DateRange:
        """A period of the same length starting on ``since`` (a chosen earlier period)."""
        return DateRange("previous", since, since + timedelta(days=self.days - 1))

    def query(self) -> str:
        if self.key == "custom":
            return f"range=custom&since={self.since}&until={self.until}"
        return f"range={self.key}"


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_range(
    key: str | None,
    since: str | None,
    until: str | None,
    *,
    newest: date,
    oldest: date | None,
) -> DateRange:
    """The range a request asks for; ``newest``/``oldest`` are the archive's bounds."""
    error = None
    if key == "custom":
        start, end = _day(since), _day(until)
        if start is not None and end is not None:
            if start > end:
                start, end = end, start
            return DateRange("custom", start, end)
        wrong = [text or "(empty)" for text, day in ((since, start), (until, end)) if day is None]
        error = (
            f"{' and '.join(wrong)}: not a date; give dates as YYYY-MM-DD. "
            f"Showing the last {PRESETS[DEFAULT][0]} instead."
        )
        key = DEFAULT
    elif key is not None and key not in PRESETS:
        error = (
            f"{key!r} is not a range ({', '.join(PRESETS)}). "
            f"Showing the last {PRESETS[DEFAULT][0]} instead."
        )
    if key not in PRESETS:
        key = DEFAULT
    days = PRESETS[key][1]
    if days is None:
        return DateRange("all", min(oldest or newest, newest), newest, error)
    return DateRange(key, newest - timedelta(days=days - 1), newest, error)
