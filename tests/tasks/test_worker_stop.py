"""A worker told to stop mid-job (SIGTERM: systemctl stop, docker stop, a rolling update)
exits within its stop timeout and hands its jobs back: none stays `doing`, the next worker
does them, and every repository is collected and processed exactly once. That worker
writes one line for the run and one for the repository that failed, and serves its
metrics on a port of its own."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.faults import parse_faults
from ghtraffic.fakegithub.server import FakeGitHub, free_port, running
from tests.commands import upgraded_env
from tests.connections import connected
from tests.tasks.test_workers import ghtraffic

OWNERS = ("acme-labs", "globex")
STOP_TIMEOUT = 1.0
#: What a stopping worker needs beyond its stop timeout: hand the jobs back, unregister,
#: close its connections and end the interpreter (about 0.5 s on an idle machine, a few
#: seconds on a busy one). Without the hand-back the jobs here would hold it 30 s and more.
STOP_MARGIN = 5.0

pytestmark = pytest.mark.slow


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with running(FakeGitHubConfig(repos=6, seed=7, faults=parse_faults("latency=300"))) as server:
        yield server


def worker(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "ghtraffic", "worker", "--concurrency", "2"]
    command += ["--requests-per-minute", "0", "--heartbeat", "1", *args]
    command += ["--cron", "0 0 1 1 *"]  # only the run queued here, whatever the time
    return subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


def scalar(url: str, query: str) -> int:
    with connected(url) as connection:
        return int(connection.execute(text(query)).scalar_one())


def wait_for(url: str, query: str, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while scalar(url, query) < 1:
        assert time.monotonic() < deadline, f"timed out waiting for {query}"
        time.sleep(0.2)


DOING = "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'"
COLLECTING = DOING + " AND task_name = 'ghtraffic.collect_repo'"


def test_a_worker_stopped_mid_job_hands_it_back_and_it_is_done_once(
    fake: FakeGitHub, pg_url: str, tmp_path: Path
) -> None:
    env = upgraded_env(fake.api_url, pg_url, tmp_path, OWNERS)
    first = worker(env, "--stop-timeout", str(STOP_TIMEOUT))
    try:
        assert ghtraffic(env, "worker", "--run-now").returncode == 0
        wait_for(pg_url, COLLECTING)
        fake.set_faults("latency=30000")  # the jobs under way cannot end in time now
        time.sleep(0.5)
        assert scalar(pg_url, COLLECTING) >= 1
        signalled = time.monotonic()
        first.send_signal(signal.SIGTERM)
        code = first.wait(timeout=30)
        took = time.monotonic() - signalled
        _, stderr = first.communicate()
    finally:
        if first.poll() is None:
            first.kill()
    assert took < STOP_TIMEOUT + STOP_MARGIN, f"the worker took {took:.1f} s to stop"
    assert code == 0, stderr
    assert "stopping on SIGTERM" in stderr
    released = [line for line in stderr.splitlines() if "queued again" in line]
    assert any("ghtraffic.collect_repo" in line for line in released), stderr
    assert stderr.rstrip().endswith("worker stopped on SIGTERM")
    assert "Traceback" not in stderr
    assert scalar(pg_url, DOING) == 0, "no job is left doing for the stalled-job sweep"

    # The next worker does what was handed back; one repository it has still to read has
    # lost push access.
    world = fake.world()["repos"]
    with connected(pg_url) as connection:
        done = set(connection.execute(text("SELECT full_name FROM collection_results")).scalars())
    broken = sorted(r["full_name"] for r in world if r["full_name"] not in done)[0]
    fake.set_faults(f"no-push={broken}")
    port = free_port()
    second = worker(env, "--metrics-port", str(port))
    try:
        wait_for(pg_url, "SELECT count(*) FROM collection_runs WHERE status <> 'running'", 180)
        wait_for(
            pg_url,
            "SELECT CASE WHEN count(*) = 0 THEN 1 ELSE 0 END FROM procrastinate_jobs"
            " WHERE task_name = 'ghtraffic.process_repo' AND status IN ('todo', 'doing')",
        )
        time.sleep(6)  # the worker reads the run log for ended runs every 5 s
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10).text == "ok\n"
    finally:
        second.send_signal(signal.SIGTERM)
        _, stderr = second.communicate(timeout=30)

    with connected(pg_url) as connection:
        run = connection.execute(
            text("SELECT id, status, repos_ok, repos_failed FROM collection_runs")
        ).one()
        per_repo = connection.execute(
            text("SELECT full_name, count(*) FROM collection_results GROUP BY full_name")
        ).all()
        processed = connection.execute(
            text(
                "SELECT repo_id, count(*) FROM data_changes WHERE kind = 'traffic' GROUP BY repo_id"
            )
        ).all()
        remaining = connection.execute(
            text("SELECT remaining FROM ghtraffic_rate_budget")
        ).scalar_one()
    assert len(per_repo) == len(world)
    assert {count for _, count in per_repo} == {1}
    assert (run.status, run.repos_ok, run.repos_failed) == ("partial", len(world) - 1, 1)
    assert len(processed) == len(world) - 1
    assert {count for _, count in processed} == {1}

    lines = stderr.splitlines()
    run_lines = [line for line in lines if line.startswith(f"run {run.id} ")]
    assert run_lines == [
        next(line for line in lines if line.startswith(f"run {run.id} partial: 5 ok, 1 failed"))
    ]
    failures = [line for line in lines if line.startswith("failed: ")]
    assert len(failures) == 1
    assert failures[0].startswith(f"failed: {broken} (run {run.id}): ")
    assert "push access" in failures[0]

    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(metrics)
        for s in family.samples
    }
    assert samples[("ghtraffic_last_run_repositories", (("outcome", "failed"),))] == 1
    assert samples[("ghtraffic_last_run_id", ())] == run.id
    assert samples[("ghtraffic_rate_limit_remaining", (("credential", "GITHUB_TOKEN"),))] == (
        remaining
    )
    for queue in ("schedule", "collect", "process"):
        assert (("ghtraffic_queue_jobs", (("queue", queue), ("state", "doing")))) in samples
