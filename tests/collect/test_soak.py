"""Fault soak: many simulated daily runs against a fake GitHub that misbehaves in every way
it knows (5xx, resets, timeouts, truncated JSON, unknown and missing fields, secondary and
primary rate limits, lost access, a deleted and a renamed repository). Afterwards the
archive must equal what GitHub served, for every day that reached the collector in a whole
window: no day doubled, lowered or lost, no crash, every failure logged with its reason.

``GHTRAFFIC_SOAK_DAYS`` sets the number of days (default 500), run as ``SEGMENTS``
consecutive stretches of the calendar, each against a fake GitHub of its own, so that the
test workers share them (about a minute each on two cores). The first stretch spans
GitHub's change of window shape in late 2025.
"""

from __future__ import annotations

import asyncio
import os
import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from ghtraffic.collect.run import run_collection
from ghtraffic.config import Settings
from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.faults import parse_faults
from ghtraffic.fakegithub.model import TrafficModel
from ghtraffic.fakegithub.server import running
from ghtraffic.github.retry import RetryPolicy
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database
from ghtraffic.storage.tables import CollectionResult, TrafficDaily

DAYS = int(os.environ.get("GHTRAFFIC_SOAK_DAYS", "500"))
SEGMENTS = 4
SEED = 77
START = datetime(2025, 11, 1, 9, 30, tzinfo=UTC)  # old window shape, then the new one
RETRY = RetryPolicy(attempts=6, initial=0.01, maximum=0.05, secondary_initial=0.01)
BASE = (
    "5xx=0.04,reset=0.03,timeout=0.02,timeout-s=1,truncate=0.03,secondary=0.03,"
    "retry-after=0,drift=0.1"
)

Pair = tuple[int | None, int | None]


def _expected(
    model: TrafficModel, served: list[dict[str, object]]
) -> dict[int, dict[date, dict[str, Pair]]]:
    """Per repo, day and kind: the highest (count, uniques) of every whole window served."""
    result: dict[int, dict[date, dict[str, Pair]]] = defaultdict(lambda: defaultdict(dict))
    for entry in served:
        repo_id, kind = int(str(entry["repo_id"])), str(entry["kind"])
        at = datetime.fromisoformat(str(entry["at"]).replace("Z", "+00:00"))
        old_shape = not model.new_shape(at)
        for values in model.daily_window(repo_id, at):
            count = values.metric(kind)
            uniques = values.metric(f"{kind}_unique")
            if old_shape and values.day == at.date() and count == 0:
                continue  # today left out: not observed
            stored = result[repo_id][values.day].get(kind, (None, None))
            result[repo_id][values.day][kind] = (
                max(count or 0, stored[0] or 0) if count is not None else stored[0],
                max(uniques or 0, stored[1] or 0) if uniques is not None else stored[1],
            )
    return result


@pytest.mark.slow
@pytest.mark.parametrize("segment", range(SEGMENTS))
def test_a_long_run_of_faulty_days_loses_and_doubles_nothing(tmp_path: Path, segment: int) -> None:
    stretch = DAYS // SEGMENTS + (segment < DAYS % SEGMENTS)
    start = START + timedelta(days=segment * (DAYS // SEGMENTS))
    seed = SEED + segment
    db = Database(f"sqlite:///{tmp_path / 'soak.sqlite'}")
    db.upgrade()
    archive = Archive(db)
    rng = random.Random(seed)
    with running(FakeGitHubConfig(repos=8, seed=seed, start=start)) as fake:
        repos = {r["full_name"]: r["id"] for r in fake.world()["repos"]}
        names = sorted(repos)
        renamed, lost_access, deleted = names[1], names[2], names[3]
        settings = Settings(
            api_url=fake.api_url,
            token=SecretStr("demo-token"),
            owners=("octo-demo", "acme-labs", "globex"),
            repos=(deleted,),
            concurrency=4,
            requests_per_minute=0,
            rate_floor=0,
        )
        failures_seen = 0
        for day in range(stretch):
            spec = f"{BASE},seed={seed * 1000 + day}"
            if rng.random() < 0.08:
                spec += ",limit=30"  # the primary limit runs out mid-run
            if stretch // 3 <= day < stretch // 3 + 6:
                spec += f",no-push={lost_access}"
            fake.set_faults(parse_faults(spec))
            if day == stretch // 4:
                fake.rename_repo(repos[renamed], renamed.split("/")[1] + "-next")
            if day == stretch // 2:
                fake.delete_repo(repos[deleted])
            summary = asyncio.run(
                run_collection(settings, archive=archive, retry=RETRY, timeout=0.25)
            )
            assert summary.fatal is None, (day, summary.fatal)
            failures_seen += summary.failed
            fake.advance_days(1)
        served = fake.served()
        stats = fake.stats()

    assert failures_seen > 0, "the soak provoked failures"
    assert set(stats["faults"]) >= {"5xx", "reset", "timeout", "truncate", "secondary", "drift"}

    expected = _expected(TrafficModel(seed=seed), served)
    with db.session() as session:
        rows = session.execute(select(TrafficDaily)).scalars().all()
        results = session.execute(select(CollectionResult)).scalars().all()
    got: dict[int, dict[date, dict[str, Pair]]] = defaultdict(dict)
    for row in rows:
        got[row.repo_id][row.day] = {
            "views": (row.views, row.views_unique),
            "clones": (row.clones, row.clones_unique),
        }
    for repo_id, days in expected.items():
        for when, kinds in days.items():
            for kind, pair in kinds.items():
                assert got[repo_id][when][kind] == pair, (repo_id, when, kind)
    # nothing in the archive that GitHub never served
    for repo_id, days_got in got.items():
        for when, kinds in days_got.items():
            for kind, pair in kinds.items():
                if pair != (None, None):
                    assert kind in expected[repo_id].get(when, {}), (repo_id, when, kind, pair)

    reasons = [r.reason for r in results if r.outcome != "ok"]
    assert reasons
    assert all(reason and reason.strip() for reason in reasons)
    assert any("push access" in (r or "") for r in reasons)
    assert any("not found" in (r or "") for r in reasons)
    assert any(
        r.full_name == renamed.split("/")[0] + "/" + renamed.split("/")[1] + "-next"
        for r in results
        if r.outcome == "ok"
    )
