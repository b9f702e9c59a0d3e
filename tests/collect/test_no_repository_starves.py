"""No repository starves: 400 repositories of one organisation, one token whose hourly
limit (600 points, following the fake GitHub's clock) cannot read them all in a day, and
`ghtraffic collect --owner ORG` once a simulated day for 45 days. From the day after the
first run every day of every repository is archived (none lost), every repository is read
at least every 12 days, and `status` says that the need is larger than the budget while
it is.

``GHTRAFFIC_STARVE_DAYS`` sets the number of days.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import select

from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.server import FakeGitHub, running
from ghtraffic.storage.archive import Archive, open_archive
from ghtraffic.storage.runlog import read_days
from ghtraffic.storage.tables import Repo, TrafficDaily
from tests.commands import ghtraffic as run_ghtraffic
from tests.commands import isolated_env

DAYS = int(os.environ.get("GHTRAFFIC_STARVE_DAYS", "45"))
ORG = "big-org"
#: With seed 2, 567 repositories put exactly 400 in the organisation.
WORLD = FakeGitHubConfig(
    repos=567, seed=2, orgs=(ORG,), rate_limit=600, start=datetime(2026, 3, 2, 3, 17, tzinfo=UTC)
)
LONGEST_GAP = 12


def org_repositories(fake: FakeGitHub) -> set[str]:
    return {r["full_name"] for r in fake.world()["repos"] if r["full_name"].startswith(ORG + "/")}


ghtraffic = partial(run_ghtraffic, timeout=600)


def environment(fake: FakeGitHub, database_url: str, home: Path) -> dict[str, str]:
    home.mkdir(parents=True, exist_ok=True)
    config = home / "ghtraffic.toml"
    config.write_text("requests_per_minute = 0\n")
    return isolated_env(fake.api_url, database_url, home, config=config)


def assert_nothing_starved(
    archive: Archive, names: set[str], first_run: date, last_run: date
) -> None:
    """Every day from the day after the first run is archived for every repository, up to
    the days GitHub still holds; and no repository waited more than 12 days for a read."""
    with archive.db.read_session() as session:
        days: dict[str, set[date]] = defaultdict(set)
        rows = session.execute(
            select(Repo.full_name, TrafficDaily.day).join(Repo, Repo.id == TrafficDaily.repo_id)
        )
        for name, day in rows:
            days[name].add(day)
        reads = read_days(session)  # on GitHub's (the fake's) clock
    assert set(reads) == names, f"never read: {sorted(names - set(reads))[:5]}"
    # Days that left GitHub's window before the last run can only be in the archive now.
    gone = last_run - timedelta(days=14)
    wanted = {first_run + timedelta(days=n) for n in range(1, (gone - first_run).days + 1)}
    for name in sorted(names):
        missing = wanted - days[name]
        assert not missing, f"{name} lost {len(missing)} days, from {min(missing)}"
        every = sorted(reads[name])
        gaps = [(b - a).days for a, b in zip([first_run, *every], every, strict=False)]
        assert max(gaps) <= LONGEST_GAP, f"{name} waited {max(gaps)} days for a read"


@pytest.mark.slow
def test_one_collect_a_day_archives_every_day_of_every_repository(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'archive.sqlite'}"
    with running(WORLD) as fake:
        names = org_repositories(fake)
        assert len(names) == 400
        env = environment(fake, database_url, tmp_path / "home")
        first_run = fake.now().date()
        shortfall_said = []
        for day in range(DAYS):
            done = ghtraffic(env, "collect", "--owner", ORG, "--quiet")
            assert done.returncode == 0, done.stderr
            if day < 2:
                status = ghtraffic(env, "status")
                shortfall_said.append("the credentials give" in status.stdout)
            fake.advance_days(1)
        last_run = fake.now().date() - timedelta(days=1)
        final = json.loads(ghtraffic(env, "status", "--json").stdout)
    assert shortfall_said == [True, True], "status says the budget cannot cover the reads"
    assert all(repo["days_lost"] == 0 for repo in final["repos"] if repo["repo"] in names)
    assert final["plan"]["shortfall"] is None, "the reads fit once every repository is known"
    archive = open_archive(database_url)
    try:
        assert_nothing_starved(archive, names, first_run, last_run)
    finally:
        archive.db.dispose()
