"""A repository's request plan is the whole truth about its cost: for every combination of
due calls, the points its read reserves are exactly the most it can spend, and reading it
with every answer costing a point (no ETag yet, a renamed repository followed) spends all
of them: never more."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from itertools import product
from pathlib import Path

import pytest

from ghtraffic.collect.budget import Rates, Reservation, Spent
from ghtraffic.collect.etags import ArchiveEtagStore
from ghtraffic.collect.plan import Call, plan_for
from ghtraffic.collect.repository import RepositoryRun
from ghtraffic.collect.seams import Seams, Unpaced
from ghtraffic.collect.targets import Target
from ghtraffic.collect.window import last_closed_week
from ghtraffic.domain import RepoFacts
from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.server import running
from ghtraffic.github.client import GitHubClient
from ghtraffic.github.graphql import repository_facts
from ghtraffic.github.parse import parse_repo
from ghtraffic.storage.archive import open_archive
from ghtraffic.storage.records import RepoState
from ghtraffic.storage.runlog import ArchiveRunLog

START = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)  # a Wednesday
#: Daily views and clones, referrers and paths: due on every read.
EVERY_READ = 4


class RecordingBudget:
    """Reserves whatever is asked and remembers it, and what each read spent."""

    def __init__(self) -> None:
        self.reserved: list[int] = []
        self.spent: list[int] = []

    async def reserve(
        self, credential: str | None, points: int, *, optional: bool = False
    ) -> Reservation:
        self.reserved.append(points)
        return Reservation(credential, points)

    async def settle(self, reservation: Reservation, spent: Spent, rates: Rates) -> None:
        self.spent.append(sum(spent.values()))


def state(repo_id: int, name: str, *, watchers_due: bool, weekly_due: bool) -> RepoState:
    today = START.date()
    return RepoState(
        repo_id=repo_id,
        full_name=name,
        latest_week_start=None if weekly_due else last_closed_week(today),
        last_watchers_day=None if watchers_due else today - timedelta(days=1),
        last_success_at=START - timedelta(days=1),
        last_window_day=today - timedelta(days=1),
    )


#: Where the repository's facts come from: a listing (no watchers: the single-repository
#: call reads them once a week), GraphQL (every fact, and the newest releases' downloads),
#: or nowhere (named: the single-repository call resolves it, following a rename's
#: redirect when it was renamed).
SOURCES = ("listing", "graphql", "named", "renamed")
COMBINATIONS = [
    (source, watchers, weekly, releases)
    for source, watchers, weekly, releases in product(SOURCES, *[[False, True]] * 3)
    # watchers matter for a listing only; GraphQL alone may give every release
    if (watchers is False or source == "listing") and (releases is False or source == "graphql")
]


def expected_points(source: str, watchers: bool, weekly: bool, releases_given: bool) -> int:
    """The plan's rule, written out: what each call costs at most."""
    facts = source in ("named", "renamed") or (source == "listing" and watchers)
    redirect = source in ("named", "renamed")
    return EVERY_READ + (not releases_given) + 2 * weekly + facts + redirect


@pytest.mark.parametrize(("source", "watchers_due", "weekly_due", "releases_given"), COMBINATIONS)
def test_reserved_points_are_the_most_the_plan_can_spend(
    tmp_path: Path, source: str, watchers_due: bool, weekly_due: bool, releases_given: bool
) -> None:
    expected = expected_points(source, watchers_due, weekly_due, releases_given)
    archive = open_archive(f"sqlite:///{tmp_path / 'archive.sqlite'}")
    with running(FakeGitHubConfig(repos=4, seed=9, start=START)) as fake:
        first = fake.world()["repos"][0]
        repo_id, name = int(first["id"]), str(first["full_name"])

        async def read_twice() -> tuple[RecordingBudget, set[Call]]:
            async with GitHubClient("demo-token", fake.api_url, requests_per_minute=None) as gh:
                owner, short = name.split("/")
                listed = parse_repo((await gh.repo(owner, short)).data)
                graph = (await repository_facts(gh, [(owner, short)]))[
                    (owner.lower(), short.lower())
                ]
            # A client of its own: no ETag of the calls above makes a first answer a 304.
            async with GitHubClient("demo-token", fake.api_url, requests_per_minute=None) as gh:
                if source == "renamed":
                    fake.rename_repo(repo_id, name.split("/")[1] + "-renamed")
                target = {
                    "listing": Target(name, listed),
                    "graphql": Target(name, graph.facts, True, graph.downloads, releases_given),
                }.get(source, Target(name))
                known = state(repo_id, name, watchers_due=watchers_due, weekly_due=weekly_due)
                budget = RecordingBudget()
                log = ArchiveRunLog(archive.db, archive.start_run(fake.api_url, START))
                unit = RepositoryRun(
                    gh,
                    archive,
                    ArchiveEtagStore(),
                    Seams(budget, Unpaced(), log),
                    in_storage=asyncio.to_thread,
                    star_history=False,
                    clock_offset=fake.now() - datetime.now(UTC),  # GitHub's clock: the fake's
                )
                plan = plan_for(target, known, START.date())
                for _ in range(2):  # the second read: every answer unchanged
                    outcome = await unit(target, known)
                    assert outcome is not None
                    assert outcome.outcome == "ok", outcome.reason
                    unit.claimed.clear()
                return budget, set(plan.calls)

        budget, calls = asyncio.run(read_twice())
    archive.db.dispose()
    assert (Call.WEEKLY_VIEWS in calls) == weekly_due
    assert (Call.RELEASES in calls) != releases_given
    assert budget.reserved == [expected, expected]
    cold, warm = budget.spent
    if source == "named":
        assert cold == expected - 1, "a repository not renamed spends no redirect"
    else:
        assert cold == expected, "every answer costing a point spends the whole reservation"
    assert warm < cold, "unchanged answers (304) cost nothing"


def test_a_first_read_keeps_to_the_dated_figures_and_a_second_the_same_day_too() -> None:
    target = Target("o/r", RepoFacts(1, "o", "r"), True, {}, True)
    today = START.date()
    first = plan_for(target, None, today)
    again = plan_for(
        target,
        RepoState(1, "o/r", None, today, START - timedelta(hours=2), today),
        today,
    )
    later = plan_for(
        target,
        RepoState(1, "o/r", None, today, START - timedelta(days=1), today),
        today,
    )
    assert first.points == again.points == EVERY_READ
    assert later.points == EVERY_READ + 2
