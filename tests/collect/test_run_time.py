"""A daily run goes as fast as its requests allow: 100 repositories against a fake GitHub
answering every request 50 ms late, with the default settings (4 requests at once, the
sliding window of 800 requests a minute), finishes within 1.5 × the larger of requests ×
latency ÷ concurrency and the window's floor (a run of N requests cannot take less than
60 s × (⌈N ÷ 800⌉ − 1)). Uniform spacing (one request every 75 ms) took four times as long.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.faults import parse_faults
from ghtraffic.fakegithub.server import running
from ghtraffic.storage.archive import open_archive
from tests.commands import cli_env

LATENCY = 0.05
CONCURRENCY = 4
PER_MINUTE = 800


@pytest.mark.slow
def test_a_daily_run_of_100_repositories_is_bound_by_latency_not_by_pacing(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'archive.sqlite'}"
    # With seed 2, 134 repositories put exactly 100 in the organisation.
    config = FakeGitHubConfig(
        repos=134, seed=2, orgs=("big-org",), faults=parse_faults("latency=50")
    )
    with running(config) as fake:
        names = [
            r["full_name"] for r in fake.world()["repos"] if r["full_name"].startswith("big-org/")
        ]
        assert len(names) == 100
        env = cli_env(fake.api_url, url, tmp_path, ("big-org",))

        def collect() -> None:
            done = subprocess.run(
                [sys.executable, "-m", "ghtraffic", "collect", "--all", "--quiet"],
                env=env,
                capture_output=True,
                text=True,
                check=False,
                timeout=300,
            )
            assert done.returncode == 0, done.stderr

        collect()  # the first read of every repository
        fake.advance_days(1)
        collect()  # the daily run measured
    archive = open_archive(url)
    try:
        run = archive.runs(1)[0]
    finally:
        archive.db.dispose()
    assert run.finished_at is not None
    assert run.repos_ok == 100
    wall = (run.finished_at - run.started_at).total_seconds()
    ideal = run.requests * LATENCY / CONCURRENCY
    floor = 60.0 * (math.ceil(run.requests / PER_MINUTE) - 1)
    assert wall <= 1.5 * max(ideal, floor), (
        f"{run.requests} requests took {wall:.1f} s (ideal {ideal:.1f} s, floor {floor:.0f} s)"
    )
