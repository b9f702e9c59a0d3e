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
from ghtraffic.collect.reader import Reading
from ghtraffic.collect.repository import RepositoryRun
from ghtraffic.collect.seams import Seams, Unpaced
from ghtraffic.collect.targets import Target
from ghtraffic.collect.window import last_closed_week
from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.server import running
from ghtraffic.github.client import GitHubClient
from ghtraffic.github.parse import parse_repo
from ghtraffic.storage.archive import open_archive
from ghtraffic.storage.records import RepoState
from ghtraffic.storage.runlog import ArchiveRunLog

START = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)  # a Wednesday
#: Daily views and clones, referrers, paths, releases: due every day.
EVERY_DAY = 5


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


COMBINATIONS = [
    *(("listed", watchers, weekly) for watchers, weekly in product([False, True], repeat=2)),
    *(("named", renamed, weekly) for renamed, weekly in product([False, True], repeat=2)),
]


@pytest.mark.parametrize(("how", "flag", "weekly_due"), COMBINATIONS)
def test_reserved_points_are_the_most_the_plan_can_spend(
    tmp_path: Path, how: str, flag: bool, weekly_due: bool
) -> None:
    listed = how == "listed"
    # listed: flag = the single-repository call is due for watchers; named: it always is,
    # and flag = the repository was renamed (the call follows GitHub's redirect first).
    expected = EVERY_DAY + 2 * weekly_due + (1 if not listed or flag else 0) + (not listed)
    archive = open_archive(f"sqlite:///{tmp_path / 'archive.sqlite'}")
    with running(FakeGitHubConfig(repos=4, seed=9, start=START)) as fake:
        first = fake.world()["repos"][0]
        repo_id, name = int(first["id"]), str(first["full_name"])

        async def read_twice() -> tuple[RecordingBudget, set[Call]]:
            async with GitHubClient("demo-token", fake.api_url, requests_per_minute=None) as gh:
                facts = parse_repo((await gh.repo(*name.split("/"))).data)
            # A client of its own: no ETag of the call above makes a first answer a 304.
            async with GitHubClient("demo-token", fake.api_url, requests_per_minute=None) as gh:
                if not listed and flag:
                    fake.rename_repo(repo_id, name.split("/")[1] + "-renamed")
                known = state(repo_id, name, watchers_due=flag, weekly_due=weekly_due)
                target = Target(name, facts if listed else None)
                budget = RecordingBudget()
                log = ArchiveRunLog(archive.db, archive.start_run(fake.api_url, START))
                unit = RepositoryRun(
                    gh,
                    archive,
                    ArchiveEtagStore(),
                    Seams(budget, Unpaced(), log),
                    Reading(lambda _: known),
                    in_storage=asyncio.to_thread,
                    star_history=False,
                    clock_offset=fake.now() - datetime.now(UTC),  # GitHub's clock: the fake's
                )
                plan = plan_for(listed, known, START.date())
                for _ in range(2):  # the second read: every answer unchanged
                    outcome = await unit(target, known)
                    assert outcome is not None
                    assert outcome.outcome == "ok", outcome.reason
                    unit.reading.claimed.clear()
                return budget, set(plan.calls)

        budget, calls = asyncio.run(read_twice())
    archive.db.dispose()
    assert (Call.WEEKLY_VIEWS in calls) == weekly_due
    assert budget.reserved == [expected, expected]
    cold, warm = budget.spent
    if listed or flag:
        assert cold == expected, "every answer costing a point spends the whole reservation"
    else:
        assert cold == expected - 1, "a repository not renamed spends no redirect"
    assert warm < cold, "unchanged answers (304) cost nothing"
