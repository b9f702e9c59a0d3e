"""Weekly and monthly roll-ups always equal the sums of the archived days: per repository,
per owner and for all repositories, after every merge, on both back ends."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from ghtraffic.domain import DayValues, RepoFacts
from ghtraffic.processing.rollups import month_start, week_start
from ghtraffic.readmodels.rollups import RollupPoint, rollup_series
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database
from ghtraffic.storage.tables import Repo, TrafficDaily
from tests.processing.helpers import at, collect, day, new_repo, processor

DbFactory = Callable[[], AbstractContextManager[Database]]

SUMS = (
    ("views", "views"),
    ("views_unique_day_sum", "views_unique"),
    ("clones", "clones"),
    ("clones_unique_day_sum", "clones_unique"),
)


def expected(db: Database) -> dict[tuple[str, str, str], list[RollupPoint]]:
    """Every series computed straight from traffic_daily: (scope, key, period) -> points."""
    with db.read_session() as session:
        owners = {i: o.lower() for i, o in session.execute(select(Repo.id, Repo.owner))}
        rows = session.scalars(select(TrafficDaily)).all()
    acc: dict[tuple[str, str, str, date], dict[str, Any]] = {}
    for row in rows:
        for period, start in (("week", week_start(row.day)), ("month", month_start(row.day))):
            for scope, key in (
                ("repo", str(row.repo_id)),
                ("owner", owners[row.repo_id]),
                ("all", ""),
            ):
                a = acc.setdefault(
                    (scope, key, period, start),
                    {name: None for name, _ in SUMS} | {"days": 0, "repos": set()},
                )
                a["days"] += 1
                a["repos"].add(row.repo_id)
                for name, metric in SUMS:
                    value = getattr(row, metric)
                    if value is not None:
                        a[name] = (a[name] or 0) + value
    series: dict[tuple[str, str, str], list[RollupPoint]] = defaultdict(list)
    for (scope, key, period, start), a in sorted(acc.items()):
        series[(scope, key, period)].append(
            RollupPoint(
                start,
                a["views"],
                a["views_unique_day_sum"],
                a["clones"],
                a["clones_unique_day_sum"],
                a["days"],
                len(a["repos"]),
            )
        )
    return series


def assert_consistent(db: Database, repo_ids: list[int], owners: list[str]) -> None:
    want = expected(db)
    keys: list[tuple[str, Any, str]] = [("repo", r, p) for r in repo_ids for p in ("week", "month")]
    keys += [("owner", o, p) for o in owners for p in ("week", "month")]
    keys += [("all", None, p) for p in ("week", "month")]
    for scope, key, period in keys:
        got = rollup_series(db, scope, key, period)  # type: ignore[arg-type]
        wanted = want.get((scope, "" if key is None else str(key).lower(), period), [])
        assert got == wanted, (scope, key, period)


def test_rollups_equal_daily_sums_after_merges_and_a_raised_day(
    archive: Archive, db: Database
) -> None:
    rng = random.Random(7)
    a, b = new_repo(archive, "acme"), new_repo(archive, "acme")
    c = new_repo(archive, "Globex")
    proc = processor(db)
    # Windows of 14 days sliding over a month boundary, with gaps between collections.
    for step, collected in enumerate((day(20), day(24), day(31), day(33), day(45))):
        for repo_id in (a, b, c):
            if repo_id == c and step == 1:
                continue
            days = {
                collected - timedelta(days=i): DayValues(
                    collected - timedelta(days=i),
                    rng.randint(0, 300),
                    rng.randint(0, 100),
                    None if i == 3 else rng.randint(0, 40),
                    None if i == 3 else rng.randint(0, 20),
                )
                for i in range(1, 15)
            }
            proc.process_repo(repo_id, collect(archive, repo_id, collected, days))
        assert_consistent(db, [a, b, c], ["acme", "globex"])

    # GitHub revises one day of b upward: every roll-up covering it follows.
    raised = day(44)
    now = collect(
        archive, b, day(45), {raised: DayValues(raised, 5000, 900, 400, 90)}, when=at(day(45), 23)
    )
    result = proc.process_repo(b, now)
    assert result.days_changed >= 1
    assert_consistent(db, [a, b, c], ["acme", "globex"])
    weeks = rollup_series(db, "repo", b, "week", since=raised, until=raised)
    assert [w.period_start for w in weeks] == [week_start(raised)]
    assert weeks[0].views is not None
    assert weeks[0].views >= 5000
    assert rollup_series(db, "owner", "GLOBEX", "month") == rollup_series(
        db, "owner", "globex", "month"
    )


def test_a_transferred_repository_moves_to_its_new_owners_sums(
    archive: Archive, db: Database
) -> None:
    moved, stays = new_repo(archive, "old-org"), new_repo(archive, "old-org")
    proc = processor(db)
    for repo_id in (moved, stays):
        proc.process_repo(
            repo_id, collect(archive, repo_id, day(15), {day(i): 10 for i in range(1, 15)})
        )
    assert rollup_series(db, "owner", "old-org", "month")[0].views == 280
    with archive.repo_batch() as batch:
        batch.upsert_repo(RepoFacts(moved, "new-org", "moved"), at(day(16)))
    proc.process_repo(moved, at(day(16)))
    assert [p.views for p in rollup_series(db, "owner", "old-org", "month")] == [140]
    assert [p.views for p in rollup_series(db, "owner", "new-org", "month")] == [140]
    assert_consistent(db, [moved, stays], ["old-org", "new-org"])


def test_a_full_rebuild_gives_the_same_rollups(archive: Archive, db: Database) -> None:
    repo_id = new_repo(archive)
    proc = processor(db)
    for collected in (day(15), day(22), day(29)):
        values = {collected - timedelta(days=i): 50 + i for i in range(1, 15)}
        proc.process_repo(repo_id, collect(archive, repo_id, collected, values))
    before = rollup_series(db, "repo", repo_id, "week"), rollup_series(db, "all", None, "month")
    proc.process_repo(repo_id, at(day(29)), full=True)
    after = rollup_series(db, "repo", repo_id, "week"), rollup_series(db, "all", None, "month")
    assert before == after
    assert [p.days for p in after[0]] == [6, 7, 7, 7, 1]


OWNERS = ("acme", "acme", "Globex", "initech")
#: One collection: (repository, day collected, [(days back, views, clones)]).
collections = st.lists(
    st.tuples(
        st.integers(0, len(OWNERS) - 1),
        st.integers(15, 75),
        st.lists(
            st.tuples(
                st.integers(1, 14),
                st.none() | st.integers(0, 500),
                st.none() | st.integers(0, 60),
            ),
            min_size=1,
            max_size=14,
        ),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(steps=collections, transfer=st.none() | st.integers(0, 11))
def test_owner_and_all_sums_follow_every_repository_in_any_history(
    make_db: DbFactory, steps: list[tuple[int, int, list[tuple[int, Any, Any]]]], transfer: Any
) -> None:
    """The owner and all-repository roll-ups move by each repository's difference: after
    any sequence of collections (days seen late, raised, metrics missing) and an owner
    change, they equal the sums of the archived days."""
    with make_db() as db:
        archive = Archive(db)
        repos = [new_repo(archive, owner) for owner in OWNERS]
        proc = processor(db)
        clock = at(day(0))
        for step, (which, collected, values) in enumerate(steps):
            clock += timedelta(hours=5)
            if step == transfer:
                with archive.repo_batch() as batch:
                    batch.upsert_repo(RepoFacts(repos[which], "umbrella", f"r{which}"), clock)
            days = {
                day(collected - back): DayValues(
                    day(collected - back),
                    views,
                    None if views is None else views // 3,
                    clones,
                    None if clones is None else clones // 2,
                )
                for back, views, clones in values
            }
            proc.process_repo(
                repos[which], collect(archive, repos[which], day(collected), days, when=clock)
            )
        assert_consistent(db, repos, ["acme", "globex", "initech", "umbrella"])


def test_a_sum_left_without_values_is_summed_again(archive: Archive, db: Database) -> None:
    """A repository whose clones of a period are no longer known takes them out of the
    owner's sum; the sum of the other repository stays."""
    a, b = new_repo(archive, "acme"), new_repo(archive, "acme")
    proc = processor(db)
    for repo_id in (a, b):
        proc.process_repo(
            repo_id, collect(archive, repo_id, day(7), {day(i): 10 for i in range(7)})
        )
    assert [p.clones for p in rollup_series(db, "owner", "acme", "week")] == [42]
    later = at(day(8))
    with db.session() as session:
        session.execute(
            update(TrafficDaily)
            .where(TrafficDaily.repo_id == a)
            .values(clones=None, clones_unique=None, first_seen_at=later)
        )
    proc.process_repo(a, later)
    assert [p.clones for p in rollup_series(db, "owner", "acme", "week")] == [21]
    assert [p.clones for p in rollup_series(db, "repo", a, "week")] == [None]
    assert_consistent(db, [a, b], ["acme"])
