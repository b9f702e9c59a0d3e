"""Which requests one repository needs now, as data, and the most they can cost.

A plan is a set of calls. Each call is one GET of the REST API and costs at most one
rate point (a 304 costs none); the single-repository call asked by name may answer with
a rename's redirect first, which costs one more. The most a plan can spend is therefore
derived from the plan itself: the rate budget reserves it, the request pace takes it.

What is due, per repository and day:

* the daily views and clones, the referrers and paths: always;
* the releases (their assets' download counts): unless GraphQL gave them all;
* the weekly views and clones: when the newest archived week is not the last whole one,
  on a read of a later day than the repository's last (a first read, or a second the same
  day, keeps to the daily figures); the reader asks for them after the daily figures, and
  not at all for a metric whose whole weeks had visits on one day at most (the days give
  the week: ``window.derived_weeks``);
* the single-repository call: when neither a listing nor GraphQL gave the repository's
  facts (a named repository: its id, a rename), or once a week when only a listing gave
  them (watchers are only in that answer or in GraphQL's).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from ghtraffic.collect.targets import Target
from ghtraffic.collect.window import weekly_due
from ghtraffic.storage.records import RepoState

#: How often the single-repository call reads watchers of a listed repository.
WATCHERS_EVERY = timedelta(days=7)


class Call(StrEnum):
    """One request of a repository's read; the value names it in messages."""

    FACTS = "facts"
    VIEWS = "views"
    CLONES = "clones"
    REFERRERS = "referrers"
    PATHS = "paths"
    RELEASES = "releases"
    WEEKLY_VIEWS = "weekly views"
    WEEKLY_CLONES = "weekly clones"


#: Calls that read the traffic API (which GitHub Enterprise Server does not have).
TRAFFIC = frozenset(Call) - {Call.FACTS}
WEEKLY = frozenset({Call.WEEKLY_VIEWS, Call.WEEKLY_CLONES})
DAILY = frozenset({Call.VIEWS, Call.CLONES})


@dataclass(frozen=True)
class RequestPlan:
    calls: frozenset[Call]
    #: The single-repository call goes by name (it may follow a rename's redirect).
    by_name: bool = False

    @property
    def points(self) -> int:
        """The most rate points this plan can spend (and the most requests it makes)."""
        return len(self.calls) + int(self.by_name and Call.FACTS in self.calls)

    def __contains__(self, call: object) -> bool:
        return call in self.calls


def plan_for(
    target: Target, state: RepoState | None, today: date, *, traffic_api: bool = True
) -> RequestPlan:
    """The calls due today for ``target``; ``state`` is what the archive knows of it."""
    calls: set[Call] = set()
    named = target.facts is None
    if named or (not target.full_facts and watchers_due(state, today)):
        calls.add(Call.FACTS)
    if traffic_api:
        calls |= TRAFFIC - WEEKLY
        if target.downloads_complete:
            calls.discard(Call.RELEASES)
        later_day = state is not None and read_before(state, today)
        if later_day and weekly_due(state.latest_week_start if state else None, today):
            calls |= WEEKLY
    return RequestPlan(frozenset(calls), by_name=named)


def read_before(state: RepoState, today: date) -> bool:
    """Whether the repository was last read successfully on a day before ``today``."""
    return state.last_success_at is not None and state.last_success_at.date() < today


def watchers_due(state: RepoState | None, today: date) -> bool:
    if state is None or state.last_watchers_day is None:
        return True
    return today - state.last_watchers_day >= WATCHERS_EVERY
