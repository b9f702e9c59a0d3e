"""Plain rows that storage hands out: repositories, states, status, export and run log."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


RowT = TypeVar("RowT", bound="DataclassInstance")


def copied(kind: type[RowT], source: object, **given: Any) -> RowT:
    """A plain row of ``kind``: each field is the one ``given`` or else the attribute of
    ``source`` (a table's row) of the same name."""
    values = {
        name: given[name] if name in given else getattr(source, name)
        for name in (entry.name for entry in fields(kind))
    }
    return kind(**values)


@dataclass(frozen=True, slots=True)
class RepoRow:
    """A repository as stored (``id`` is GitHub's numeric id)."""

    id: int
    owner: str
    name: str
    full_name: str
    private: bool
    fork: bool
    archived: bool
    description: str | None
    first_seen_at: datetime
    last_seen_at: datetime
    last_success_at: datetime | None


@dataclass(frozen=True, slots=True)
class RepoState:
    """What the collector needs to know about a repository before collecting it."""

    repo_id: int
    full_name: str
    latest_week_start: date | None
    last_watchers_day: date | None
    last_success_at: datetime | None
    last_window_day: date | None
    #: The newest day any window of the repository covered.
    last_covered_day: date | None = None
    #: GitHub's 14-day views of its newest window that has them.
    views_14d: int | None = None
    #: The day of its newest spike of views, and the day its newest release asset was first
    #: seen.
    last_spike_day: date | None = None
    last_release_day: date | None = None


@dataclass(frozen=True, slots=True)
class RepoStatus:
    """How complete one repository's archive is, as of a moment.

    A day is covered when a window covered it (a collection's or an imported run's) or
    a stored row holds it. ``lost_days`` are the days between the first and the newest
    covered day that no window covered although windows end right before and begin
    right after them; ``unexplained_days`` are the other uncovered days there: gaps next
    to rows imported from a merged file that does not say when its runs were (days
    without traffic, or a stop of that tool). The newest covered day leaves GitHub's
    window at ``leaves_window_at`` (day + 15, 00:00 UTC); ``at_risk`` is true while GitHub
    still serves it and stops within 48 hours of the moment asked about.
    """

    repo_id: int
    full_name: str
    first_day: date | None
    last_day: date | None
    days_archived: int
    last_success_at: datetime | None
    newest_covered_day: date | None
    leaves_window_at: datetime | None
    at_risk: bool
    lost_days: tuple[date, ...] = ()
    unexplained_days: tuple[date, ...] = ()

    @property
    def lost_count(self) -> int:
        return len(self.lost_days)

    @property
    def unexplained_count(self) -> int:
        return len(self.unexplained_days)


@dataclass(frozen=True, slots=True)
class RunRow:
    """One collection run from the run log."""

    id: int
    started_at: datetime
    finished_at: datetime | None
    status: str
    api_url: str
    repos_ok: int
    repos_failed: int
    repos_deferred: int
    requests: int
    rate_points: int
    rate_remaining: int | None
    rate_limit: int | None
    days_added: int
    days_raised: int
    message: str | None


@dataclass(frozen=True, slots=True)
class ResultRow:
    """How one repository fared in one run."""

    id: int
    run_id: int
    full_name: str
    repo_id: int | None
    outcome: str
    reason: str | None
    requests: int
    days_added: int
    days_raised: int
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class NeverArchived:
    """A repository to collect that no collection has read successfully yet.

    ``reason`` is why its newest attempt failed or was deferred (or that no run tried
    it yet); ``attempts`` counts the runs that tried it."""

    full_name: str
    reason: str
    attempts: int
    last_tried_at: datetime | None
    last_outcome: str | None


@dataclass(frozen=True, slots=True)
class StatusReport:
    """The archive at a glance: one ``RepoStatus`` per repository and the totals."""

    as_of: datetime
    repos: list[RepoStatus] = field(default_factory=list)
    repos_archived: int = 0
    total_days: int = 0
    last_run: RunRow | None = None
    never_archived: list[NeverArchived] = field(default_factory=list)

    @property
    def at_risk(self) -> list[RepoStatus]:
        return [repo for repo in self.repos if repo.at_risk]


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One archived day of one repository (``repo`` is its current ``owner/name``).

    A metric that is ``None`` was never observed.
    """

    repo: str
    day: date
    views: int | None
    views_unique: int | None
    clones: int | None
    clones_unique: int | None
