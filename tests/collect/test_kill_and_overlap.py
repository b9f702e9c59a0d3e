"""A collection killed at any moment loses nothing it committed, and two collections
started together on one archive neither fail nor count anything twice."""

from __future__ import annotations

import os
import random
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.faults import parse_faults
from ghtraffic.fakegithub.server import FakeGitHub, running
from ghtraffic.storage.database import Database
from ghtraffic.storage.locks import CollectionLock
from tests.commands import collect_command, ghtraffic, isolated_env
from tests.connections import assert_sqlite_intact, connected
from tests.kills import kill_at_random_moments, timed_run

OWNERS = ("octo-demo", "acme-labs", "globex")
#: SIGKILLs per back end (SQLite, PostgreSQL): with the other command's test, 100 random
#: moments in all. ``GHTRAFFIC_CRASH_KILLS`` sets more.
KILLS = int(os.environ.get("GHTRAFFIC_CRASH_KILLS", "25"))


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    config = FakeGitHubConfig(repos=12, seed=21, faults=parse_faults("latency=15"))
    with running(config) as server:
        yield server


def _env(fake: FakeGitHub, url: str, home: Path) -> dict[str, str]:
    return isolated_env(fake.api_url, url, home)


def _command(*extra: str) -> list[str]:
    return collect_command(OWNERS, *extra)


def _export(env: dict[str, str]) -> str:
    return ghtraffic(env, "export", "--format", "csv", timeout=None, check=True).stdout


def _intact(url: str) -> None:
    with connected(url) as connection:
        assert_sqlite_intact(connection)
        if connection.dialect.name == "sqlite":
            assert connection.execute(text("PRAGMA foreign_key_check")).first() is None
        if "repos" not in inspect(connection).get_table_names():
            return  # killed before the first migration committed: nothing half-made
        # every repository marked collected has its whole window
        short = connection.execute(
            text(
                "SELECT r.full_name, count(d.day) FROM repos r "
                "LEFT JOIN traffic_daily d ON d.repo_id = r.id "
                "WHERE r.last_success_at IS NOT NULL GROUP BY r.full_name "
                "HAVING count(d.day) < 14"
            )
        ).all()
        assert short == []


@pytest.mark.slow
def test_killed_runs_leave_a_sound_archive_and_the_next_run_completes_it(
    fake: FakeGitHub, database_url: str, tmp_path: Path
) -> None:
    env = _env(fake, database_url, tmp_path)
    reference_url = f"sqlite:///{tmp_path / 'reference.sqlite'}"
    reference_env = _env(fake, reference_url, tmp_path)
    kills = kill_at_random_moments(
        _command(),
        env,
        runs=KILLS,
        run_seconds=timed_run(_command(), reference_env),
        rng=random.Random(1234),
        after_each=lambda: _intact(database_url),
    )
    assert kills >= KILLS // 4, f"only {kills} of {KILLS} runs were killed before they ended"

    final = subprocess.run(_command(), env=env, capture_output=True, text=True, check=False)
    assert final.returncode == 0, final.stderr
    _intact(database_url)

    assert _export(env) == _export(reference_env)

    status = ghtraffic(env, "status", "--json", timeout=None, check=True)
    assert '"days_lost": 0' in status.stdout


def test_two_runs_started_together_wait_for_each_other(
    fake: FakeGitHub, database_url: str, tmp_path: Path
) -> None:
    env = _env(fake, database_url, tmp_path)
    first = subprocess.Popen(
        _command(), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    second = subprocess.Popen(
        _command(), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    outputs = [p.communicate(timeout=120) for p in (first, second)]
    for process, (_, err) in zip((first, second), outputs, strict=True):
        assert process.returncode == 0, err
        assert "locked" not in err
    summaries = sorted(out.strip().splitlines()[-1] for out, _ in outputs)
    # one run found the data new, the other found nothing left to add
    assert any("0 days added" in line for line in summaries)
    assert any("0 days added" not in line for line in summaries)

    reference_url = f"sqlite:///{tmp_path / 'reference.sqlite'}"
    reference_env = _env(fake, reference_url, tmp_path)
    subprocess.run(_command(), env=reference_env, capture_output=True, check=True)
    assert _export(env) == _export(reference_env)


def test_a_run_that_cannot_get_the_archive_says_so_in_one_line(
    fake: FakeGitHub, database_url: str, tmp_path: Path
) -> None:
    env = _env(fake, database_url, tmp_path)
    db = Database(database_url)
    db.upgrade()
    with CollectionLock(db) as lock:
        lock.acquire(0)
        done = subprocess.run(
            _command("--lock-wait", "0.5"), env=env, capture_output=True, text=True, check=False
        )
    db.dispose()
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: another collection is running")
