"""Which repositories a run reads, and in which order: each repository's cadence, and the
urgency of reading it. The same choice serves ``collect``, the scheduler of ``serve`` and
the workers' scheduling job.

**Urgency.** First the repositories whose oldest day not yet archived leaves GitHub's
window soonest (one never read is the most urgent: its oldest day leaves after today),
then the longest since their last successful read, then by name. A run that runs out of
budget defers from the tail of this order, so a deferred repository is never deferred
behind one that was read more recently, and it comes first in the next run.

**Cadence** (``[collect] cadence = "auto"``, the default): busy repositories (100 or more
views a day over GitHub's 14 days, a spike of views or a new release in the last 7 days;
a spike of clones is most often continuous integration, not news) are read
every day, so their alerts come within a day; modest ones (2 or more views a day) every
4 days; quiet ones every ``max_interval`` days (7 by default, 12 at the most: GitHub keeps
14 days, so nothing is lost even when one run fails). ``cadence = "daily"`` reads every
repository every day. A repository is due once its interval has passed since its last
successful read; one never read, or whose oldest day not yet archived is about to leave,
is always due. When the credentials cannot cover a day's reads at these intervals, the
quietest repositories are stretched first (:func:`stretch`), never beyond ``max_interval``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from ghtraffic.collect.targets import Target
from ghtraffic.storage.records import RepoState

#: GitHub's window: a day can be read until 14 days after it.
WINDOW_DAYS = 14
#: Views a day (GitHub's 14-day views ÷ 14) from which a repository is busy, or modest.
BUSY_VIEWS = 100.0
MODEST_VIEWS = 2.0
MODEST_INTERVAL = 4
#: How recent a spike or a release makes a repository busy.
RECENT = timedelta(days=7)
#: Read at once, whatever the cadence, when the oldest day not yet archived has this many
#: days or fewer left in GitHub's window.
LAST_CHANCE = 2
#: Rate points one read spends, by kind of repository (the lists of a busy one change
#: every day; a quiet one's answer 304), and the weekly figures' two points a week.
POINTS_PER_READ = {"busy": 4.0, "new": 4.0, "daily": 3.0, "modest": 3.0, "quiet": 2.5}
WEEKLY_POINTS = 2.0


@dataclass(frozen=True, slots=True)
class Interval:
    """Days between two reads of a repository, and why."""

    days: int
    #: ``busy``, ``modest``, ``quiet``, ``new`` (not read yet) or ``daily`` (the setting).
    kind: str
    why: str

    def points_per_day(self) -> float:
        """The rate points its reads need a day, on average."""
        return POINTS_PER_READ[self.kind] / self.days + WEEKLY_POINTS / max(7, self.days)


def interval_of(
    state: RepoState | None, today: date, *, cadence: str, max_interval: int
) -> Interval:
    """The read interval of a repository, from what the archive knows of its activity."""
    if cadence == "daily":
        return Interval(1, "daily", "cadence = daily")
    if state is None or state.views_14d is None:
        return Interval(1, "new", "not archived yet")
    if state.last_spike_day is not None and today - state.last_spike_day <= RECENT:
        return Interval(1, "busy", f"a spike on {state.last_spike_day}")
    if state.last_release_day is not None and today - state.last_release_day <= RECENT:
        return Interval(1, "busy", f"a new release on {state.last_release_day}")
    per_day = state.views_14d / WINDOW_DAYS
    views = f"{per_day:.1f} views a day"
    if per_day >= BUSY_VIEWS:
        return Interval(1, "busy", views)
    if per_day >= MODEST_VIEWS:
        return Interval(min(MODEST_INTERVAL, max_interval), "modest", views)
    return Interval(max_interval, "quiet", views)


def days_left(state: RepoState | None, today: date) -> int:
    """Days until the oldest day not yet archived leaves GitHub's window (0: it can be
    read today and never again)."""
    if state is None or state.last_covered_day is None:
        return 0
    return max(0, (state.last_covered_day - today).days + WINDOW_DAYS + 1)


def days_since_read(state: RepoState | None, today: date) -> int | None:
    if state is None or state.last_success_at is None:
        return None
    return (today - state.last_success_at.date()).days


def is_due(state: RepoState | None, interval: Interval, today: date) -> bool:
    """Whether the repository should be read today."""
    since = days_since_read(state, today)
    return since is None or since >= interval.days or days_left(state, today) <= LAST_CHANCE


def urgency(target: Target, state: RepoState | None, today: date) -> tuple[int, datetime, str]:
    """The sort key of the urgency order (smallest first)."""
    read = state.last_success_at if state is not None else None
    never = datetime.min.replace(tzinfo=UTC)
    return (days_left(state, today), read or never, target.requested.lower())


def stretch(
    intervals: Mapping[int, Interval],
    states: Mapping[int, RepoState],
    available_per_day: float,
    max_interval: int,
) -> dict[int, Interval]:
    """The intervals lengthened, quietest repository first, until their reads fit in
    ``available_per_day`` points (or every one is at ``max_interval``)."""
    stretched = dict(intervals)
    need = sum(i.points_per_day() for i in stretched.values())
    quietest_first = sorted(stretched, key=lambda rid: (_views(states.get(rid)), rid))
    for repo_id in quietest_first:
        if need <= available_per_day:
            break
        current = stretched[repo_id]
        if current.kind == "new" or current.days >= max_interval:
            continue
        longer = replace(
            current,
            days=max_interval,
            why=f"{current.why}; stretched: the rate limit cannot cover every daily read",
        )
        need += longer.points_per_day() - current.points_per_day()
        stretched[repo_id] = longer
    return stretched


@dataclass(frozen=True)
class Choice:
    """What a run reads: the due repositories in urgency order; the others wait."""

    due: list[Target]
    waiting: list[Target]
    #: Each repository's interval, by id (named repositories the archive does not know
    #: have none).
    intervals: dict[int, Interval]


def state_of(target: Target, states: Mapping[int, RepoState]) -> RepoState | None:
    """The archive's state of ``target``: by id, else (a named repository) by name."""
    if target.facts is not None:
        return states.get(target.facts.github_id)
    wanted = target.requested.lower()
    return next((s for s in states.values() if s.full_name.lower() == wanted), None)


def choose(
    targets: Sequence[Target],
    states: Mapping[int, RepoState],
    today: date,
    *,
    cadence: str,
    max_interval: int,
    available_per_day: float | None = None,
    everything: bool = False,
) -> Choice:
    """The run's repositories: the due ones (``everything``: all of them) in urgency
    order, with the intervals stretched to ``available_per_day`` points when it is known."""
    by_id = {
        state.repo_id: state
        for target in targets
        if (state := state_of(target, states)) is not None
    }
    intervals = {
        repo_id: interval_of(state, today, cadence=cadence, max_interval=max_interval)
        for repo_id, state in by_id.items()
    }
    if available_per_day is not None and cadence == "auto":
        intervals = stretch(intervals, by_id, available_per_day, max_interval)
    due: list[tuple[tuple[int, datetime, str], Target]] = []
    waiting = []
    for target in targets:
        state = state_of(target, states)
        interval = intervals.get(state.repo_id) if state is not None else None
        if everything or interval is None or is_due(state, interval, today):
            due.append((urgency(target, state, today), target))
        else:
            waiting.append(target)
    return Choice([t for _, t in sorted(due, key=lambda pair: pair[0])], waiting, intervals)


def _views(state: RepoState | None) -> int:
    return state.views_14d or 0 if state is not None else 0
