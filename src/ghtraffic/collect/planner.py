"""The budget planner: the rate points the archive's repositories need a day at their
cadence against what the credentials give, the read interval of each kind of repository,
and, when the need is larger, one line saying so and what to do (the repositories at risk
are the status's, ``storage/coverage.py``).

What the credentials give: each credential's hourly limit (as GitHub last reported it),
less the floor a run leaves, once for every hour of the day in which a run reads. One run
a day uses one hour's worth; runs every hour (the scheduler of ``serve``, workers, or
``collect`` from an hourly cron) use all of it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ghtraffic.collect.schedule import (
    Choice,
    Interval,
    choose,
    interval_of,
    is_due,
    stretch,
)
from ghtraffic.collect.targets import Target
from ghtraffic.config import Settings
from ghtraffic.storage import runlog
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.records import RepoState

SHORTFALL_ADVICE = (
    "add a GitHub App installation or a token of another account ([[credentials]]),"
    ' keep [collect] cadence = "auto", and run collect every hour'
)


def available_per_day(limits: Iterable[int], floor: int, hours_with_runs: int) -> float:
    """Points a day: each credential's hourly limit less the floor, for every hour with a
    run (1 to 24)."""
    hours = max(1, min(24, hours_with_runs))
    return float(sum(max(0, limit - floor) for limit in limits) * hours)


@dataclass(frozen=True)
class KindFigures:
    repositories: int
    #: The shortest and the longest interval among them, in days.
    shortest: int
    longest: int


@dataclass(frozen=True)
class Plan:
    need_per_day: float
    #: ``None`` before GitHub reported any limit.
    available_per_day: float | None
    hours_with_runs: int
    kinds: dict[str, KindFigures] = field(default_factory=dict)
    intervals: dict[int, Interval] = field(default_factory=dict)

    @property
    def shortfall(self) -> str | None:
        """One line when the credentials cannot cover the reads, else ``None``."""
        if self.available_per_day is None or self.need_per_day <= self.available_per_day:
            return None
        return (
            f"the repositories need {self.need_per_day:,.0f} rate points a day and the"
            f" credentials give {self.available_per_day:,.0f} (runs in"
            f" {self.hours_with_runs} hour(s) a day): {SHORTFALL_ADVICE}"
        )


def plan(
    states: Mapping[int, RepoState],
    today: date,
    *,
    cadence: str,
    max_interval: int,
    limits: Iterable[int],
    floor: int,
    hours_with_runs: int,
    pending: int = 0,
) -> Plan:
    """The plan of the archive's repositories (``pending``: configured ones it does not
    hold yet, each needing a first read)."""
    given = list(limits)
    available = available_per_day(given, floor, hours_with_runs) if given else None
    intervals = {
        repo_id: interval_of(state, today, cadence=cadence, max_interval=max_interval)
        for repo_id, state in states.items()
    }
    if available is not None and cadence == "auto":
        intervals = stretch(intervals, states, available, max_interval)
    new = Interval(1, "new", "not archived yet")
    need = sum(i.points_per_day() for i in intervals.values()) + pending * new.points_per_day()
    counts = Counter(i.kind for i in intervals.values())
    counts["new"] += pending
    kinds = {
        kind: KindFigures(
            count,
            min((i.days for i in intervals.values() if i.kind == kind), default=1),
            max((i.days for i in intervals.values() if i.kind == kind), default=1),
        )
        for kind, count in sorted(counts.items())
        if count
    }
    return Plan(need, available, hours_with_runs, kinds, intervals)


def choose_for_run(
    archive: Archive,
    settings: Settings,
    listed: list[Target],
    states: Mapping[int, RepoState],
    now: datetime,
    limits: Iterable[int],
    *,
    everything: bool = False,
) -> Choice:
    """A run's repositories (``schedule.choose``), the intervals stretched to what the
    credentials of ``limits`` give a day at the hours this archive has runs in."""
    given = list(limits)
    with archive.db.read_session() as session:
        hours = runlog.hours_with_runs(session, now - timedelta(days=1))
    return choose(
        listed,
        states,
        now.date(),
        cadence=settings.cadence,
        max_interval=settings.max_interval,
        available_per_day=(available_per_day(given, settings.rate_floor, hours) if given else None),
        everything=everything,
    )


def anything_due(archive: Archive, settings: Settings, now: datetime) -> bool:
    """Whether a top-up run would read something: the newest run left repositories
    deferred or failed, or a repository this archive collects is due at its cadence."""
    with archive.db.read_session() as session:
        if runlog.newest_left_work(session):
            return True
    owners = {owner.lower() for owner in settings.owners}
    named = {name.lower() for name in settings.repos}

    def collected_here(state: RepoState) -> bool:
        name = state.full_name.lower()
        if state.last_success_at is None or not settings.selects(name):
            return False
        if settings.apps or not (owners or named):
            return True
        return name in named or name.split("/")[0] in owners

    today = now.date()
    for state in archive.repo_states().values():
        if collected_here(state):
            interval = interval_of(
                state, today, cadence=settings.cadence, max_interval=settings.max_interval
            )
            if is_due(state, interval, today):
                return True
    return False


def archive_plan(archive: Archive, settings: Settings, now: datetime, *, pending: int = 0) -> Plan:
    """The plan of the archive's repositories as of ``now``, with the limits GitHub last
    reported and the hours of the last day that had runs (``pending``: configured
    repositories not archived yet)."""
    with archive.db.read_session() as session:
        limits = runlog.known_limits(session)
        hours = runlog.hours_with_runs(session, now - timedelta(days=1))
    return plan(
        archive.repo_states(),
        now.date(),
        cadence=settings.cadence,
        max_interval=settings.max_interval,
        limits=limits,
        floor=settings.rate_floor,
        hours_with_runs=hours,
        pending=pending,
    )


def plan_lines(figures: Plan) -> list[str]:
    """The plan for people: need against budget, the intervals, and the shortfall."""
    kinds = ", ".join(
        f"{k.repositories} {kind} "
        + (
            "daily"
            if k.longest == 1
            else f"every {k.shortest}–{k.longest} days"
            if k.shortest != k.longest
            else f"every {k.longest} days"
        )
        for kind, k in figures.kinds.items()
    )
    given = (
        f"{figures.available_per_day:,.0f} available (runs in {figures.hours_with_runs}"
        " hour(s) of the last day)"
        if figures.available_per_day is not None
        else "the limit is not known yet"
    )
    lines = [
        f"rate budget: {figures.need_per_day:,.0f} rate points a day needed at this cadence,"
        f" {given}" + (f"; {kinds}" if kinds else "")
    ]
    if figures.shortfall:
        lines.append(f"short: {figures.shortfall}")
    return lines


def plan_document(figures: Plan) -> dict[str, object]:
    """The plan as JSON."""
    return {
        "need_per_day": round(figures.need_per_day, 1),
        "available_per_day": figures.available_per_day,
        "hours_with_runs": figures.hours_with_runs,
        "shortfall": figures.shortfall,
        "kinds": {
            kind: {"repos": k.repositories, "shortest_days": k.shortest, "longest_days": k.longest}
            for kind, k in figures.kinds.items()
        },
    }
