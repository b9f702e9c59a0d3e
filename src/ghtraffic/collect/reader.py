"""Carry out one repository's request plan and turn the answers into observed values.

The single-repository call goes first when it is due (it resolves a name to an id and
follows a rename); the traffic calls then go together, and the weekly figures last, only
for a metric whose weeks the daily figures do not give. Whatever arrives is kept even when
some calls fail: the failures are reported ("what: why") and read again next run. A
repository fails only when neither of its daily series arrived.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from ghtraffic.collect.plan import DAILY, WEEKLY, Call, RequestPlan
from ghtraffic.collect.targets import Target
from ghtraffic.collect.window import (
    Series,
    complete_span,
    derived_weeks,
    observe_daily,
    observe_weekly,
)
from ghtraffic.domain import DayValues, PopularPath, Referrer, RepoFacts, WeekValues
from ghtraffic.github import errors as gh
from ghtraffic.github.client import GitHubClient, Response
from ghtraffic.github.parse import (
    parse_downloads,
    parse_paths,
    parse_referrers,
    parse_repo,
    parse_series,
)

Fetch = Callable[[GitHubClient, str, str], Awaitable[Response]]

#: The request of each traffic call (the single-repository call is ``client.repo``).
FETCH: dict[Call, Fetch] = {
    Call.VIEWS: lambda c, o, n: c.traffic_views(o, n, per="day"),
    Call.CLONES: lambda c, o, n: c.traffic_clones(o, n, per="day"),
    Call.REFERRERS: lambda c, o, n: c.referrers(o, n),
    Call.PATHS: lambda c, o, n: c.paths(o, n),
    Call.RELEASES: lambda c, o, n: c.releases(o, n),
    Call.WEEKLY_VIEWS: lambda c, o, n: c.traffic_views(o, n, per="week"),
    Call.WEEKLY_CLONES: lambda c, o, n: c.traffic_clones(o, n, per="week"),
}
#: The daily series whose days can give a weekly call's figures.
DAILY_OF = {Call.WEEKLY_VIEWS: Call.VIEWS, Call.WEEKLY_CLONES: Call.CLONES}


@dataclass
class Observed:
    """Everything one repository's requests brought back, ready for one transaction."""

    facts: RepoFacts
    requested: str
    today: date
    at: datetime
    daily: list[DayValues] | None = None
    weekly: list[WeekValues] | None = None
    totals: tuple[tuple[int, int] | None, tuple[int, int] | None] = (None, None)
    referrers: list[Referrer] | None = None
    paths: list[PopularPath] | None = None
    #: Release assets' cumulative downloads, ``TAG/ASSET`` -> count.
    downloads: dict[str, int] | None = None
    #: Requests of this repository that failed while others succeeded ("what: why").
    problems: list[str] = field(default_factory=list)
    rate_limited: bool = False
    #: The server has no traffic API (GitHub Enterprise Server): only facts were read.
    no_traffic_api: str | None = None
    #: What the read spent: requests made and rate points (a 304 spends none).
    requests: int = 0
    points: int = 0


async def read(
    client: GitHubClient, target: Target, plan: RequestPlan, claimed: set[int]
) -> Observed | None:
    """Carry out ``plan``; ``None`` when the repository is in ``claimed`` (already read in
    this run: named twice, or named and listed), else it is added to it."""
    owner, name = target.owner_name
    facts = target.facts
    if Call.FACTS in plan:
        facts = parse_repo((await client.repo(owner, name)).data)
        owner, name = facts.owner, facts.name
    assert facts is not None, "a plan without the single-repository call has the facts"
    if facts.github_id in claimed:
        return None
    claimed.add(facts.github_id)
    now = client.server_now() or datetime.now(UTC)
    observed = Observed(facts, target.requested, now.date(), now)
    calls = [call for call in Call if call in plan and call in FETCH]
    if not calls:
        return observed
    got, errors = await _fetch(client, owner, name, [c for c in calls if c not in WEEKLY])
    for _, error in errors:
        if isinstance(error, gh.NoTrafficApi):
            observed.no_traffic_api = str(error)
            return observed
    if not DAILY & got.keys():
        raise errors[0][1]  # nothing of the window arrived: the repository failed
    at = _moment(got, now)
    daily = {call: _series(got, call) for call in DAILY}
    span = complete_span(set(daily[Call.VIEWS] or ()) | set(daily[Call.CLONES] or ()), at.date())
    derived: dict[Call, Series] = {}
    weekly = [call for call in calls if call in WEEKLY]
    if weekly and got.keys() >= DAILY:
        # The weekly figures go with both daily series; a week whose visits fell on one
        # day needs no weekly request.
        for call in weekly:
            found = derived_weeks(daily[DAILY_OF[call]] or {}, span)
            if found is not None:
                derived[call] = found
        more, failed = await _fetch(client, owner, name, [c for c in weekly if c not in derived])
        got |= more
        errors += failed
    observed.problems = [f"{call}: {error}" for call, error in errors]
    observed.rate_limited = any(isinstance(e, gh.RateLimitExhausted) for _, e in errors)
    observed.at, observed.today = at, at.date()
    _apply(observed, target, got, daily, span, derived)
    return observed


async def _fetch(
    client: GitHubClient, owner: str, name: str, calls: list[Call]
) -> tuple[dict[Call, Response], list[tuple[Call, BaseException]]]:
    """Make ``calls`` together: the answers, and the calls that failed with a GitHub
    error; anything else (a bug, a bad token) is not this repository's problem: raised."""
    results = await asyncio.gather(
        *(FETCH[call](client, owner, name) for call in calls), return_exceptions=True
    )
    got: dict[Call, Response] = {}
    errors: list[tuple[Call, BaseException]] = []
    for call, result in zip(calls, results, strict=True):
        if isinstance(result, Response):
            got[call] = result
        else:
            errors.append((call, result))
    for _, error in errors:
        if not isinstance(error, gh.GitHubError) or isinstance(error, gh.BadCredentials):
            raise error
    return got, errors


def _moment(got: dict[Call, Response], now: datetime) -> datetime:
    """When the window was read: the Date of GitHub's answer ("today" is its UTC day)."""
    first = got.get(Call.VIEWS) or got[Call.CLONES]
    return first.date or now


def _series(got: dict[Call, Response], call: Call) -> Series | None:
    metric = "views" if call in (Call.VIEWS, Call.WEEKLY_VIEWS) else "clones"
    return parse_series(got[call].data, metric) if call in got else None


def _apply(
    observed: Observed,
    target: Target,
    got: dict[Call, Response],
    daily: dict[Call, Series | None],
    span: tuple[date, date],
    derived: dict[Call, Series],
) -> None:
    """Parse the answers into ``observed``: the daily series are parsed already, the
    weekly figures the daily ones gave are in ``derived``; ``span`` is the window's
    complete days."""
    views, clones = daily[Call.VIEWS], daily[Call.CLONES]
    observed.daily = observe_daily(views, clones, observed.today)
    observed.totals = (_total(got, Call.VIEWS), _total(got, Call.CLONES))
    if Call.REFERRERS in got:
        observed.referrers = parse_referrers(got[Call.REFERRERS].data)
    if Call.PATHS in got:
        observed.paths = parse_paths(got[Call.PATHS].data)
    if Call.RELEASES in got:
        observed.downloads = parse_downloads(got[Call.RELEASES].data)
    elif target.downloads_complete:
        observed.downloads = target.downloads
    weekly_views = derived.get(Call.WEEKLY_VIEWS, _series(got, Call.WEEKLY_VIEWS))
    weekly_clones = derived.get(Call.WEEKLY_CLONES, _series(got, Call.WEEKLY_CLONES))
    if (
        views is not None
        and clones is not None
        and weekly_views is not None
        and weekly_clones is not None
    ):
        observed.weekly = observe_weekly(weekly_views, weekly_clones, span)


def _total(got: dict[Call, Response], call: Call) -> tuple[int, int] | None:
    body: Any = got[call].data if call in got else None
    if isinstance(body, dict) and isinstance(body.get("count"), int):
        uniques = body.get("uniques")
        return body["count"], uniques if isinstance(uniques, int) else 0
    return None
