"""`/metrics` scraped as Prometheus does, parsed with prometheus-client's own parser: the
figures are those of the run log and of `ghtraffic status`, and only a token that may
read the metrics gets them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from starlette.testclient import TestClient

from ghtraffic.collect.planner import archive_plan
from ghtraffic.collect.run import run_collection
from ghtraffic.config import Settings
from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.server import FakeGitHub, running
from ghtraffic.github.retry import RetryPolicy
from ghtraffic.identity.accounts import AccountError, add_user
from ghtraffic.identity.tokens import create_token
from ghtraffic.metrics.collector import QUEUES
from ghtraffic.metrics.config import MetricsConfig
from ghtraffic.metrics.process import fingerprint, process_registry
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database
from ghtraffic.tasks import budget, jobs
from ghtraffic.web.app import create_app
from tests.web.conftest import CONFIG, PASSWORD, login
from tests.web.seed import seed

START = datetime(2026, 1, 8, 22, 0, tzinfo=UTC)
FAST = RetryPolicy(attempts=3, initial=0.01, maximum=0.05, secondary_initial=0.01)
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(text: str) -> Samples:
    """Every sample of a scrape, by name and sorted labels."""
    found: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


def total(samples: Samples, name: str) -> float:
    return sum(v for (n, _), v in samples.items() if n == name)


def settings_for(fake: FakeGitHub, database_url: str, access: str = "token") -> Settings:
    return Settings(
        api_url=fake.api_url,
        database_url=database_url,
        token=SecretStr("demo-token"),
        owners=("acme-labs", "globex", "octo-demo"),
        concurrency=2,
        requests_per_minute=0,
        rate_floor=5,
        sections={"metrics": {"access": access, "cache_seconds": 0, "status_seconds": 0}},
    )


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with running(FakeGitHubConfig(repos=9, seed=11, start=START, rate_limit=50)) as server:
        yield server


def without_push_access(fake: FakeGitHub) -> None:
    """The token loses push access to the first acme-labs repository."""
    first = next(r["full_name"] for r in fake.world()["repos"] if r["full_name"] < "b")
    fake.set_faults(f"no-push={first}")


def two_runs_20_days_apart(fake: FakeGitHub, archive: Archive, settings: Settings) -> None:
    """Days between the runs are lost; the second run has repositories ok, one failed (no
    push access) and the rest deferred (the rate limit ran low). The fake's clock is moved
    once in between, through the same host as the API (one more answer counted)."""
    asyncio.run(run_collection(settings, archive=archive, retry=FAST))
    fake.advance_days(20)
    asyncio.run(run_collection(settings, archive=archive, retry=FAST))


def test_metrics_match_the_run_log_and_the_status(
    fake: FakeGitHub, db: Database, archive: Archive
) -> None:
    settings = settings_for(fake, str(db.engine.url))
    admin = add_user(db, "admin", PASSWORD, admin=True)
    token, _ = create_token(db, admin.id, "prometheus")
    without_push_access(fake)
    app = create_app(db, settings, config=CONFIG)
    with TestClient(app) as client:
        before = scrape(client.get("/metrics", headers=bearer(token)).text)
        two_runs_20_days_apart(fake, archive, settings)
        assert client.get("/healthz").status_code == 200
        response = client.get("/metrics", headers=bearer(token))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    samples = scrape(response.text)

    run = archive.runs(1)[0]
    assert (run.repos_ok > 0, run.repos_failed, run.repos_deferred > 0) == (True, 1, True)
    assert value(samples, "ghtraffic_archive_up") == 1
    assert value(samples, "ghtraffic_last_run_id") == run.id
    assert value(samples, "ghtraffic_last_run_repositories", outcome="ok") == run.repos_ok
    assert value(samples, "ghtraffic_last_run_repositories", outcome="failed") == 1
    assert value(samples, "ghtraffic_last_run_repositories", outcome="deferred") == (
        run.repos_deferred
    )
    assert value(samples, "ghtraffic_last_run_status", status=run.status) == 1
    assert value(samples, "ghtraffic_last_run_github_requests") == run.requests
    assert run.finished_at is not None
    assert value(samples, "ghtraffic_last_success_timestamp_seconds") == pytest.approx(
        run.finished_at.timestamp()
    )
    assert value(samples, "ghtraffic_last_run_finished_timestamp_seconds") == pytest.approx(
        run.finished_at.timestamp()
    )
    # The rate limit left after the last run, under the name of the one token.
    assert value(samples, "ghtraffic_rate_limit_remaining", credential="token") == (
        run.rate_remaining
    )
    assert value(samples, "ghtraffic_rate_limit", credential="token") == run.rate_limit == 50

    status = archive.status(datetime.now(UTC))
    lost = sum(repo.lost_count for repo in status.repos)
    assert lost > 0
    assert value(samples, "ghtraffic_days_lost") == lost
    assert value(samples, "ghtraffic_repositories") == len(status.repos)
    assert value(samples, "ghtraffic_repositories_at_risk") == len(status.at_risk)
    assert value(samples, "ghtraffic_repositories_with_lost_days") == sum(
        1 for repo in status.repos if repo.lost_count
    )

    # The rate budget as `ghtraffic status` plans it: a limit of 50 an hour less the floor
    # of 5, in the one hour of the last day that had runs; the archive's repositories by kind.
    planned = archive_plan(archive, settings, datetime.now(UTC))
    assert value(samples, "ghtraffic_plan_points_available_per_day") == 45
    assert value(samples, "ghtraffic_plan_points_needed_per_day") == pytest.approx(
        planned.need_per_day
    )
    by_kind = {
        dict(labels)["kind"]: v
        for (name, labels), v in samples.items()
        if name == "ghtraffic_plan_repositories"
    }
    assert by_kind == {k: f.repositories for k, f in planned.kinds.items()}
    assert sum(by_kind.values()) == len(status.repos)

    # Every answer GitHub gave the two runs, by status class: 304s and a 403 among them.
    requests = sum(r.requests for r in archive.runs(2))
    counted = total(samples, "ghtraffic_github_requests_total") - total(
        before, "ghtraffic_github_requests_total"
    )
    assert counted == requests + 1  # and the fake's clock moved once
    grew = {
        cls: value(samples, "ghtraffic_github_requests_total", status_class=cls)
        - before.get(("ghtraffic_github_requests_total", (("status_class", cls),)), 0.0)
        for cls in ("2xx", "4xx")
    }
    assert grew["2xx"] > 0
    assert grew["4xx"] >= 1  # the repository without push access

    served = ("method", "GET"), ("handler", "healthz"), ("status_class", "2xx")
    key = ("ghtraffic_http_request_duration_seconds_count", tuple(sorted(served)))
    assert samples[key] - before.get(key, 0.0) == 1
    assert not any(name == "ghtraffic_queue_jobs" for name, _ in samples)


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def test_only_an_admins_token_reads_the_metrics(fake: FakeGitHub, db: Database) -> None:
    admin = add_user(db, "admin", PASSWORD, admin=True)
    viewer = add_user(db, "viewer", PASSWORD)
    admin_token, _ = create_token(db, admin.id, "prometheus")
    viewer_token, _ = create_token(db, viewer.id, "scripts")
    app = create_app(db, settings_for(fake, str(db.engine.url)), config=CONFIG)
    with TestClient(app, follow_redirects=False) as client:
        assert client.get("/metrics").status_code == 303  # to the login page
        assert client.get("/metrics", headers=bearer(viewer_token)).status_code == 403
        assert client.get("/metrics", headers=bearer("ght_wrong")).status_code == 401
        assert client.get("/metrics", headers=bearer(admin_token)).status_code == 200
        login(client, "admin")  # a browser session is not a scraper
        assert client.get("/metrics").status_code == 403
    closed = create_app(db, settings_for(fake, str(db.engine.url), "off"), config=CONFIG)
    with TestClient(closed, follow_redirects=False) as client:
        assert client.get("/metrics", headers=bearer(admin_token)).status_code == 404


def test_a_token_for_the_metrics_reads_them_and_nothing_else(
    fake: FakeGitHub, db: Database
) -> None:
    viewer = add_user(db, "prometheus", PASSWORD)
    scraper, _ = create_token(db, viewer.id, "prometheus", metrics_only=True)
    app = create_app(db, settings_for(fake, str(db.engine.url)), config=CONFIG)
    with TestClient(app, follow_redirects=False) as client:
        assert client.get("/metrics", headers=bearer(scraper)).status_code == 200
        for path in ("/", "/api/repos", "/account", "/collection", "/events"):
            refused = client.get(path, headers=bearer(scraper))
            assert refused.status_code == 403, path
            assert "reads only /metrics" in refused.json()["error"]
        posted = client.post("/api/collect", headers=bearer(scraper))
        assert posted.status_code == 403
    with pytest.raises(AccountError):
        create_token(db, viewer.id, "both", write=True, metrics_only=True)


def test_the_metrics_name_the_queues_and_credentials_as_the_workers_do() -> None:
    assert set(QUEUES) == {jobs.SCHEDULE_QUEUE, jobs.COLLECT_QUEUE, jobs.PROCESS_QUEUE}
    token = SecretStr("ghp_example")
    assert fingerprint(token) == budget.fingerprint(token)


def test_the_coverage_is_counted_in_the_background_without_making_a_scrape_wait(
    db: Database, archive: Archive
) -> None:
    seed(archive)
    registry = process_registry(db, Settings(), MetricsConfig(status_seconds=3600))
    first = scrape(generate_latest(registry).decode())
    assert value(first, "ghtraffic_archive_up") == 1
    assert ("ghtraffic_repositories_at_risk", ()) not in first  # being counted meanwhile
    deadline = time.monotonic() + 30
    while ("ghtraffic_repositories_at_risk", ()) not in (
        later := scrape(generate_latest(registry).decode())
    ):
        assert time.monotonic() < deadline, "the coverage was never counted"
        time.sleep(0.05)
    status = archive.status(
        datetime.fromtimestamp(value(later, "ghtraffic_coverage_timestamp_seconds"), UTC)
    )
    assert value(later, "ghtraffic_repositories") == len(status.repos) > 0
    assert value(later, "ghtraffic_repositories_at_risk") == len(status.at_risk)
