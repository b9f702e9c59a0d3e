"""Three workers share one run of 300 repositories: each repository is collected once
and processed once, a worker killed mid-run loses nothing, and the archive equals what
one `ghtraffic collect` makes of the same fake GitHub at the same fake time."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.faults import parse_faults
from ghtraffic.fakegithub.server import FakeGitHub, running
from tests.commands import ghtraffic as run_ghtraffic
from tests.commands import upgraded_env
from tests.connections import connected

OWNERS = ("octo-demo", "acme-labs", "globex")
REPOS = 300
DEADLINE = 240.0


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    config = FakeGitHubConfig(repos=REPOS, seed=7, faults=parse_faults("latency=5"))
    with running(config) as server:
        yield server


ghtraffic = partial(run_ghtraffic, timeout=240)


def worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ghtraffic",
            "worker",
            "--concurrency",
            "4",
            "--requests-per-minute",
            "0",
            "--heartbeat",
            "1",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(condition: str, url: str, want: int) -> None:
    engine = create_engine(url)
    deadline = time.monotonic() + DEADLINE
    try:
        while True:
            with engine.connect() as connection:
                if connection.execute(text(condition)).scalar_one() >= want:
                    return
            assert time.monotonic() < deadline, f"timed out waiting for {condition}"
            time.sleep(0.2)
    finally:
        engine.dispose()


@pytest.mark.slow
def test_three_workers_one_killed_collect_every_repository_once(
    fake: FakeGitHub, pg_url: str, tmp_path: Path
) -> None:
    env = upgraded_env(fake.api_url, pg_url, tmp_path, OWNERS)
    workers = [worker(env) for _ in range(3)]
    try:
        queued = ghtraffic(env, "worker", "--run-now")
        assert queued.returncode == 0, queued.stderr
        wait_for("SELECT count(*) FROM collection_results", pg_url, REPOS // 4)
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(timeout=10)
        with connected(pg_url) as connection:
            done = connection.execute(text("SELECT count(*) FROM collection_results")).scalar_one()
        assert done < REPOS, "the run ended before the kill"
        wait_for("SELECT count(*) FROM collection_runs WHERE status <> 'running'", pg_url, 1)
        wait_for(
            "SELECT CASE WHEN count(*) = 0 THEN 1 ELSE 0 END FROM procrastinate_jobs"
            " WHERE task_name = 'ghtraffic.process_repo' AND status IN ('todo', 'doing')",
            pg_url,
            1,
        )
    finally:
        for process in workers[1:]:
            process.send_signal(signal.SIGTERM)
        for process in workers:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    with connected(pg_url) as connection:
        run = connection.execute(
            text("SELECT status, repos_ok, repos_failed, repos_deferred FROM collection_runs")
        ).one()
        assert tuple(run) == ("ok", REPOS, 0, 0)
        per_repo = connection.execute(
            text("SELECT repo_id, count(*) FROM collection_results GROUP BY repo_id")
        ).all()
        assert len(per_repo) == REPOS
        assert {count for _, count in per_repo} == {1}
        processed = connection.execute(
            text(
                "SELECT repo_id, count(*) FROM data_changes WHERE kind = 'traffic' GROUP BY repo_id"
            )
        ).all()
        assert len(processed) == REPOS
        assert {count for _, count in processed} == {1}
        budget = connection.execute(text("SELECT remaining, lim FROM ghtraffic_rate_budget")).one()
        assert 0 < budget[0] < budget[1]

    reference = {**env, "GHTRAFFIC_DATABASE_URL": f"sqlite:///{tmp_path / 'reference.sqlite'}"}
    single = ghtraffic(reference, "collect", "--quiet", "--requests-per-minute", "0")
    assert single.returncode == 0, single.stderr
    for kind in ("daily", "weekly", "windows", "referrers", "paths", "repos"):
        args = ("export", "--kind", kind, "--format", "csv")
        mine, theirs = ghtraffic(env, *args), ghtraffic(reference, *args)
        assert mine.returncode == 0, mine.stderr
        assert mine.stdout == theirs.stdout, kind


@pytest.mark.slow
def test_three_workers_together_keep_the_secondary_limit(pg_url: str, tmp_path: Path) -> None:
    # The fake enforces 200 requests per token in any 10 s; the workers share a pace of
    # 600 a minute (at most 150 in any 10 s). Alone, each of the three would do more than
    # 200 in 10 s on this fake.
    faults = parse_faults("latency=5,per-minute=200,secondary-window=10")
    with running(FakeGitHubConfig(repos=30, seed=3, faults=faults)) as fake:
        env = upgraded_env(fake.api_url, pg_url, tmp_path, OWNERS)
        command = [sys.executable, "-m", "ghtraffic", "worker", "--concurrency", "4"]
        command += ["--requests-per-minute", "600", "--heartbeat", "1"]
        workers = [
            subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(3)
        ]
        try:
            assert ghtraffic(env, "worker", "--run-now").returncode == 0
            wait_for("SELECT count(*) FROM collection_runs WHERE status <> 'running'", pg_url, 1)
        finally:
            for process in workers:
                process.send_signal(signal.SIGTERM)
            for process in workers:
                process.wait(timeout=30)
        stats = fake.stats()
    with connected(pg_url) as connection:
        run = connection.execute(text("SELECT status, repos_ok FROM collection_runs")).one()
    assert tuple(run) == ("ok", 30)
    assert "secondary-limit" not in stats["faults"]
    assert 0 < stats["secondary_peaks"]["demo-token"] <= 200
