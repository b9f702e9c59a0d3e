"""Must-show: `ghtraffic collect` run as cron would, once a day for 90 simulated days
against the fake GitHub (a child process), with a 20-day gap, across GitHub's late-2025
change of window shape. The export must equal what GitHub served on every day that was
ever inside a collected window, and `status` must report exactly the days lost."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from ghtraffic.fakegithub.model import TrafficModel
from tests.collect.oracle import expected_daily
from tests.commands import ghtraffic, isolated_env

SEED = 5
START = datetime(2025, 11, 20, 10, 40, tzinfo=UTC)  # old window shape until 2025-12-24
DAYS = 90
GAP = range(35, 55)  # 20 days without a run


class Fake:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def control(self, method: str, path: str, body: object = None) -> object:
        response = httpx.request(method, f"{self.base_url}/_fake/{path}", json=body, timeout=10)
        response.raise_for_status()
        return response.json()


@pytest.fixture
def fake() -> Iterator[Fake]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ghtraffic.fakegithub",
            "--port",
            "0",
            "--repos",
            "5",
            "--seed",
            str(SEED),
            "--start",
            START.isoformat(),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "listening on" in line, line
        yield Fake(line.split()[-1])
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.slow
def test_ninety_daily_runs_with_a_gap_lose_only_the_gap(fake: Fake, tmp_path: Path) -> None:
    env = isolated_env(fake.base_url, f"sqlite:///{tmp_path / 'archive.sqlite'}", tmp_path)
    times: list[datetime] = []
    for day in range(DAYS):
        if day not in GAP:
            now = datetime.fromisoformat(str(fake.control("GET", "clock")["now"]))  # type: ignore[index]
            done = ghtraffic(
                env,
                "collect",
                "--owner",
                "octo-demo",
                "--owner",
                "acme-labs",
                "--owner",
                "globex",
                "--requests-per-minute",
                "0",
                "--all",  # every repository each day: the archive must equal the windows read
            )
            assert done.returncode == 0, done.stderr
            assert "Traceback" not in done.stderr
            times.append(now)
        fake.control("POST", "clock", {"advance_days": 1})

    world = fake.control("GET", "world")
    repos = {r["full_name"]: r["id"] for r in world["repos"]}  # type: ignore[index]
    exported = ghtraffic(env, "export", "--format", "json")
    assert exported.returncode == 0, exported.stderr
    rows = json.loads(exported.stdout)
    assert rows, "the archive holds the series"

    model = TrafficModel(seed=SEED)
    for name, repo_id in repos.items():
        expected = expected_daily(model, repo_id, times)
        got = {
            date.fromisoformat(r["date"]): {
                k: r[k] for k in ("views", "views_unique", "clones", "clones_unique")
            }
            for r in rows
            if r["repo"] == name
        }
        assert got == expected, name

    # Days between the first and the last collected window that no window covered.
    covered: set[date] = set()
    for at in times:
        first, last = model.window_days(at)
        covered |= {first + timedelta(days=i) for i in range((last - first).days + 1)}
    span = [min(covered) + timedelta(days=i) for i in range((max(covered) - min(covered)).days + 1)]
    lost = [d.isoformat() for d in span if d not in covered]
    assert len(lost) == 7  # a 20-day gap against a 14-day window, in the new shape

    status = ghtraffic(env, "status", "--json", "--as-of", times[-1].strftime("%Y-%m-%dT%H:%M:%S"))
    assert status.returncode == 0, status.stderr
    report = json.loads(status.stdout)
    assert report["repos_archived"] == len(repos)
    assert report["days_lost"] == 7 * len(repos)
    for repo in report["repos"]:
        assert repo["lost_days"] == lost, repo["repo"]
        assert repo["at_risk"] is False
