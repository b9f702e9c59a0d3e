"""Plain values that cross the parts: what the collector observed and what storage keeps.

Every part speaks in these types; none of them knows about HTTP or SQL.
A metric that is ``None`` was *not observed*; ``0`` is an observed zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

#: The four daily metrics, in export order.
METRICS: tuple[str, ...] = ("views", "views_unique", "clones", "clones_unique")


class Figures:
    """Reading the four figures (``METRICS``) of a day's or week's values by name."""

    __slots__ = ()

    def metric(self, name: str) -> int | None:
        value: int | None = getattr(self, name)
        return value


@dataclass(frozen=True, slots=True)
class DayValues(Figures):
    """Traffic of one repository on one UTC day."""

    day: date
    views: int | None = None
    views_unique: int | None = None
    clones: int | None = None
    clones_unique: int | None = None


@dataclass(frozen=True, slots=True)
class WeekValues(Figures):
    """Traffic of one repository in one week (Monday to Sunday), counted by GitHub.

    Weekly uniques are de-duplicated by GitHub and are *not* a sum of daily uniques.
    """

    week_start: date
    views: int | None = None
    views_unique: int | None = None
    clones: int | None = None
    clones_unique: int | None = None


@dataclass(frozen=True, slots=True)
class WindowTotals:
    """The top-level ``count``/``uniques`` of one collection's 14-day window.

    ``day`` is the UTC day of the collection; ``first_day``..``last_day`` is the span of
    days the window covered (every day in it is archived as observed).
    """

    day: date
    first_day: date
    last_day: date
    views: int | None = None
    views_unique: int | None = None
    clones: int | None = None
    clones_unique: int | None = None


@dataclass(frozen=True, slots=True)
class Referrer:
    referrer: str
    count: int
    uniques: int


@dataclass(frozen=True, slots=True)
class PopularPath:
    path: str
    title: str
    count: int
    uniques: int


@dataclass(frozen=True, slots=True)
class RepoFacts:
    """A repository as GitHub describes it at one moment. ``github_id`` is the stable key."""

    github_id: int
    owner: str
    name: str
    private: bool = False
    fork: bool = False
    archived: bool = False
    stars: int = 0
    forks: int = 0
    open_issues: int = 0
    size_kb: int = 0
    #: ``subscribers_count``: only the single-repository call returns it.
    watchers: int | None = None
    description: str | None = None

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass(frozen=True, slots=True)
class MergeStats:
    """What a merge changed: rows that did not exist, rows with a metric raised."""

    added: int = 0
    raised: int = 0

    def __add__(self, other: MergeStats) -> MergeStats:
        return MergeStats(self.added + other.added, self.raised + other.raised)


@dataclass(frozen=True, slots=True)
class RepoOutcome:
    """How one repository fared in one collection run."""

    full_name: str
    outcome: str  # "ok" | "failed" | "deferred"
    repo_id: int | None = None
    reason: str | None = None
    requests: int = 0
    days_added: int = 0
    days_raised: int = 0
    finished_at: datetime | None = None
    #: Rate points its requests spent (a 304 spends none).
    points: int = 0
