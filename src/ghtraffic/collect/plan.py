"""Which requests one repository needs now, as data, and the most they can cost.

A plan is a set of calls. Each call is one GET of the REST API and costs at most one
rate point (a 304 costs none); the single-repository call asked by name may answer with
a rename's redirect first, which costs one more. The most a plan can spend is therefore
derived from the plan itself: the rate budget reserves it, the request pace takes it.

What is due, per repository and day:

* the daily views and clones, the referrers and paths, and the releases (their assets'
  download counts): always;
* the weekly views and clones: when the newest archived week is not the last whole one;
* the single-repository call: when the repository was named rather than listed (its id,
  a rename), or once a week (watchers are only in that answer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

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

    def without(self, calls: frozenset[Call]) -> RequestPlan:
        return RequestPlan(self.calls - calls, self.by_name)


def plan_for(
    listed: bool, state: RepoState | None, today: date, *, traffic_api: bool = True
) -> RequestPlan:
    """The calls due today for a repository (``listed``: it came from an owner's listing,
    with its facts; else it was named). ``state`` is what the archive knows of it."""
    calls: set[Call] = set()
    if not listed or watchers_due(state, today):
        calls.add(Call.FACTS)
    if traffic_api:
        calls |= TRAFFIC - WEEKLY
        if state is None or weekly_due(state.latest_week_start, today):
            calls |= WEEKLY
    return RequestPlan(frozenset(calls), by_name=not listed)


def refine(plan: RequestPlan, state: RepoState | None, today: date) -> RequestPlan:
    """The plan once the repository's id is known (a named one: its state may say that
    the weekly figures are not due after all)."""
    if state is not None and not weekly_due(state.latest_week_start, today):
        return plan.without(WEEKLY)
    return plan


def watchers_due(state: RepoState | None, today: date) -> bool:
    if state is None or state.last_watchers_day is None:
        return True
    return today - state.last_watchers_day >= WATCHERS_EVERY
