"""After a few simulated days of collection: the export's rows and formats, its filters,
the status report, and what ``collect`` prints when its output is not a terminal."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.server import FakeGitHub, running

from .helpers import HEADER, TOKEN, Result, clean_env, repos_of, run_cli, served_traffic

DAYS = 3
OWNER = "acme-labs"
SUMMARY = re.compile(
    r"^(?P<repos>\d+) repos: (?P<ok>\d+) ok, (?P<failed>\d+) failed, (?P<deferred>\d+) deferred; "
    r"\d+ requests \(\d+ rate points\), rate limit \d+/\d+ left; "
    r"(?P<added>\d+) days added, \d+ raised$"
)
REPO_LINE = re.compile(r"^ok {7}(?P<repo>\S+): \+(?P<added>\d+) days, \d+ raised$")

Row = dict[str, str]


@dataclass(frozen=True)
class Archive:
    home: Path
    cwd: Path
    repos: list[str]
    runs: list[Result]
    now: datetime
    api_url: str

    def run(self, *args: str) -> Result:
        return run_cli(args, env=clean_env(self.home), cwd=self.cwd)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeGitHub]:
    with running(FakeGitHubConfig(repos=8, seed=1)) as server:
        yield server


@pytest.fixture(scope="module")
def archive(fake: FakeGitHub, tmp_path_factory: pytest.TempPathFactory) -> Archive:
    """Daily collections of one owner on three simulated days (tests only read it)."""
    home = tmp_path_factory.mktemp("home")
    cwd = tmp_path_factory.mktemp("work")
    env = clean_env(home, GHTRAFFIC_API_URL=fake.api_url, GITHUB_TOKEN=TOKEN)
    runs = []
    for day in range(DAYS):
        if day:
            fake.advance_days(1)
        # Every repository every day (the daily cadence: these tests read the archive).
        runs.append(run_cli(["collect", "--all", "--owner", OWNER], env=env, cwd=cwd))
    repos = repos_of(fake.world(), OWNER)
    assert len(repos) >= 2, f"the fake needs two {OWNER} repositories, has {repos}"
    return Archive(home, cwd, repos, runs, fake.now(), fake.api_url)


@pytest.fixture(scope="module")
def csv_text(archive: Archive) -> str:
    result = archive.run("export", "--format", "csv")
    assert result.code == 0, result
    assert result.stderr == ""
    return result.stdout


def _rows(text: str) -> list[Row]:
    return list(csv.DictReader(io.StringIO(text)))


def _by_repo(rows: list[Row]) -> dict[str, list[date]]:
    days: dict[str, list[date]] = defaultdict(list)
    for row in rows:
        days[row["repo"]].append(date.fromisoformat(row["date"]))
    return days


def test_collect_prints_plain_lines_and_a_summary(archive: Archive) -> None:
    for run in archive.runs:
        assert run.code == 0, run
        assert "\x1b" not in run.stdout + run.stderr, "no terminal escapes when piped"
        lines = run.stdout.splitlines()
        assert len(lines) == 1, run
        summary = SUMMARY.match(lines[0])
        assert summary is not None, lines[0]
        assert int(summary["repos"]) == int(summary["ok"]) == len(archive.repos)
        assert summary["failed"] == summary["deferred"] == "0"
        per_repo = [REPO_LINE.match(line) for line in run.stderr_lines]
        assert all(per_repo), run.stderr
        assert sorted(m["repo"] for m in per_repo if m) == archive.repos
        assert sum(int(m["added"]) for m in per_repo if m) == int(summary["added"])
    first = SUMMARY.match(archive.runs[0].stdout.strip())
    assert first is not None
    assert int(first["added"]) == 14 * len(archive.repos), "a first run keeps GitHub's 14 days"


def test_csv_has_one_sorted_row_per_repo_and_day(archive: Archive, csv_text: str) -> None:
    lines = csv_text.splitlines()
    assert lines[0] == HEADER
    rows = _rows(csv_text)
    keys = [(row["repo"], row["date"]) for row in rows]
    assert keys == sorted(set(keys)), "sorted by repo then day, no duplicates"
    days = _by_repo(rows)
    assert sorted(days) == archive.repos
    for repo, repo_days in days.items():
        first, last = repo_days[0], repo_days[-1]
        expected = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        assert repo_days == expected, f"{repo} has gaps"
        assert len(repo_days) == 14 + DAYS - 1
    added = 0
    for run in archive.runs:
        summary = SUMMARY.match(run.stdout.strip())
        assert summary is not None
        added += int(summary["added"])
    assert len(rows) == added, "every day the runs reported as added is exported"
    for row in rows:
        for column in HEADER.split(",")[2:]:
            assert row[column] == "" or int(row[column]) >= 0


def test_csv_never_shows_less_than_github_reports(archive: Archive, csv_text: str) -> None:
    rows = {(row["repo"], row["date"]): row for row in _rows(csv_text)}
    for repo in archive.repos:
        served = served_traffic(archive.api_url, repo)
        for metric in ("views", "clones"):
            body = served[metric]
            assert isinstance(body, dict)
            for point in body[metric]:
                day = point["timestamp"][:10]
                if (repo, day) not in rows:
                    assert day == archive.now.date().isoformat(), "only today may be missing"
                    continue
                row = rows[(repo, day)]
                assert int(row[metric]) >= point["count"]
                assert int(row[f"{metric}_unique"]) >= point["uniques"]


def test_json_matches_csv(archive: Archive, csv_text: str) -> None:
    result = archive.run("export", "--format", "json")
    assert result.code == 0, result
    document = json.loads(result.stdout)
    assert isinstance(document, list)
    columns = HEADER.split(",")
    expected = [
        {
            key: (row[key] if key in ("repo", "date") else int(row[key]) if row[key] else None)
            for key in columns
        }
        for row in _rows(csv_text)
    ]
    assert all(list(item) == columns for item in document)
    assert document == expected


def test_filters(archive: Archive, csv_text: str) -> None:
    repo = archive.repos[1]
    repo_days = _by_repo(_rows(csv_text))[repo]
    since, until = repo_days[2], repo_days[5]
    expected = [
        row
        for row in _rows(csv_text)
        if row["repo"] == repo and since.isoformat() <= row["date"] <= until.isoformat()
    ]
    assert len(expected) == 4
    result = archive.run(
        "export", "--repo", repo, "--since", since.isoformat(), "--until", until.isoformat()
    )
    assert result.code == 0, result
    assert _rows(result.stdout) == expected

    only_since = archive.run("export", "--since", repo_days[-1].isoformat())
    assert only_since.code == 0, only_since
    assert {row["date"] for row in _rows(only_since.stdout)} == {repo_days[-1].isoformat()}
    assert {row["repo"] for row in _rows(only_since.stdout)} == set(archive.repos)


def test_export_to_a_file(archive: Archive, csv_text: str, tmp_path: Path) -> None:
    target = tmp_path / "traffic.csv"
    result = archive.run("export", "--format", "csv", "--output", str(target))
    assert result.code == 0, result
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8") == csv_text


def test_export_into_a_closed_pipe_is_quiet(archive: Archive) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written: `export | head -0`
    try:
        done = subprocess.run(
            [sys.executable, "-m", "ghtraffic", "export", "--format", "json"],
            env=clean_env(archive.home),
            cwd=archive.cwd,
            stdin=subprocess.DEVNULL,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert done.returncode != 0
    assert done.stderr == ""


def test_status_json(archive: Archive, csv_text: str) -> None:
    as_of = archive.now.strftime("%Y-%m-%dT%H:%M:%S")
    result = archive.run("status", "--json", "--as-of", as_of)
    assert result.code == 0, result
    report = json.loads(result.stdout)
    rows = _rows(csv_text)
    days = _by_repo(rows)
    assert report["repos_archived"] == len(archive.repos)
    assert report["total_days"] == len(rows)
    assert report["days_lost"] == 0
    assert report["last_run"]["status"] == "ok"
    assert report["last_run"]["repos_ok"] == len(archive.repos)
    assert report["last_run"]["repos_failed"] == 0
    assert sorted(r["repo"] for r in report["repos"]) == archive.repos
    for entry in report["repos"]:
        repo_days = days[entry["repo"]]
        assert entry["first_day"] == repo_days[0].isoformat()
        assert entry["last_day"] == repo_days[-1].isoformat()
        assert entry["days_archived"] == len(repo_days)
        assert entry["days_lost"] == 0
        assert entry["lost_days"] == []
        assert entry["at_risk"] is False, "collected today: nothing leaves GitHub's window soon"


def test_status_table(archive: Archive, csv_text: str) -> None:
    as_of = archive.now.strftime("%Y-%m-%dT%H:%M:%S")
    result = archive.run("status", "--as-of", as_of)
    assert result.code == 0, result
    assert result.stderr == ""
    assert "\x1b" not in result.stdout
    lines = result.stdout.splitlines()
    total = len(_rows(csv_text))
    assert lines[0] == (
        f"{len(archive.repos)} repos archived, {total:,} repo-days, "
        "0 days lost to gaps, 0 repos at risk"
    )
    assert lines[1].startswith("last run #")
    assert f"{len(archive.repos)} ok, 0 failed, 0 deferred" in lines[1]
    for repo in archive.repos:
        assert any(repo in line for line in lines[2:]), result.stdout
