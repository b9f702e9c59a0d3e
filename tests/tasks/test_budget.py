"""The rate budget workers share in PostgreSQL: one count per credential that many
workers reserve from and settle against GitHub's headers, never overdrawn."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import create_engine, text

from ghtraffic.collect.budget import Deferred, Reservation
from ghtraffic.config import AppCredential, load_settings
from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.server import FakeGitHub, running
from ghtraffic.github.ratelimit import RateLimitState
from ghtraffic.storage.archive import Archive, open_archive
from ghtraffic.tasks.app import queue_run_now
from ghtraffic.tasks.budget import CredentialBudgets, SharedBudget
from ghtraffic.tasks.schema import apply_queue_schema
from ghtraffic.tasks.worker import run_worker
from tests.app_keys import new_app_keys
from tests.commands import cli_env
from tests.threads import run_together

#: Relative to this machine's clock: reservations compare with it (and GitHub's offset to it).
NOW = datetime.now(UTC).replace(microsecond=0)
APP_ID = "4242"


@pytest.fixture
def archive(pg_url: str) -> Iterator[Archive]:
    archive = open_archive(pg_url)
    apply_queue_schema(pg_url)
    try:
        yield archive
    finally:
        archive.db.dispose()


def headers(remaining: int, limit: int = 5000, reset: datetime | None = None) -> RateLimitState:
    return RateLimitState(
        limit=limit,
        remaining=remaining,
        used=limit - remaining,
        reset_at=reset or NOW + timedelta(minutes=30),
        observed_at=datetime.now(UTC),
    )


def left(budget: SharedBudget) -> int:
    state = budget.state()
    assert state is not None
    return state[0]


def test_nothing_is_reserved_before_githubs_first_answer_then_reserves_count_down(
    archive: Archive,
) -> None:
    budget = SharedBudget(archive.db, "token-a", floor=10)
    assert budget.reserve(7, now=NOW) is False
    assert budget.state() is None
    budget.settle(headers(100), unspent=0)
    assert budget.reserve(7, now=NOW) is True
    assert left(budget) == 93
    # Five of the seven were spent; GitHub's headers say 95 (another process's count is
    # not in them yet): the lower of the two counts stays.
    budget.settle(headers(95), unspent=2)
    assert left(budget) == 95
    budget.settle(headers(99), unspent=0)
    assert left(budget) == 95, "an older, higher count in the same window never raises it"


def test_a_spent_budget_defers_until_githubs_reset_then_a_new_window_starts(
    archive: Archive,
) -> None:
    budget = SharedBudget(archive.db, "token-a", floor=10)
    reset = NOW + timedelta(minutes=20)
    budget.settle(headers(20, reset=reset), unspent=0)
    assert budget.reserve(7, now=NOW)
    with pytest.raises(Deferred) as raised:
        budget.reserve(7, now=NOW)
    assert raised.value.retry_at is None, "a reset beyond max_wait: deferred to the next run"
    assert "rate limit low (13 of 5000 left" in str(raised.value)
    waiting = SharedBudget(archive.db, "token-a", floor=10, max_wait=3600)
    with pytest.raises(Deferred) as raised:
        waiting.reserve(7, now=NOW)
    # Retried at the reset, on this machine's clock (GitHub's Date header and this clock
    # agree here, within the test's own run time).
    assert raised.value.retry_at is not None
    assert abs((raised.value.retry_at - reset).total_seconds()) < 60
    assert "rate limit low (13 left)" in str(raised.value)
    assert budget.reserve(7, now=reset + timedelta(seconds=61))
    assert left(budget) == 5000 - 7


def test_workers_reserving_at_once_never_overdraw_the_budget(archive: Archive) -> None:
    budget = SharedBudget(archive.db, "token-a", floor=10)
    budget.settle(headers(100), unspent=0)
    results: list[bool] = []
    start = threading.Barrier(16)

    def reserve() -> None:
        start.wait()
        try:
            results.append(budget.reserve(7, now=NOW))
        except Deferred:
            results.append(False)

    run_together(reserve, 16)
    assert results.count(True) == (100 - 10) // 7 == 12
    assert left(budget) == 100 - 12 * 7


def test_each_credential_keeps_a_budget_of_its_own(archive: Archive) -> None:
    budgets = CredentialBudgets(archive.db, {"main": "fingerprint-main"}, floor=10)
    installation = "GitHub App 1 installation 7 (acme-labs)"

    def reserve(name: str) -> Reservation:
        return asyncio.run(budgets.reserve(name, 7))

    budgets.settle_now(Reservation(None, 0), {}, {"main": headers(20), installation: headers(4000)})
    assert reserve("main").points == 7
    with pytest.raises(Deferred):
        reserve("main")
    on_installation = reserve(installation)
    assert on_installation.points == 7, "another credential's budget is not touched"
    # A job that reserved on the installation and spent 3 gives 4 back to it only.
    budgets.settle_now(on_installation, {installation: 3}, {installation: headers(3997)})
    main, other = budgets.budget("main"), budgets.budget(installation)
    assert main is not None
    assert other is not None
    assert (left(main), left(other)) == (13, 3997)
    # No answer at all (the network failed): what was reserved comes back.
    budgets.settle_now(reserve(installation), {}, {})
    assert left(other) == 3997
    with create_engine(archive.db.url).connect() as connection:
        keys = connection.execute(
            text("SELECT fingerprint FROM ghtraffic_rate_budget ORDER BY fingerprint")
        ).scalars()
        assert all("acme" not in k for k in keys), "credentials are keyed by a hash"


@pytest.fixture
def app_keys() -> tuple[str, str]:
    return new_app_keys()


@pytest.fixture
def fake_with_app(app_keys: tuple[str, str]) -> Iterator[FakeGitHub]:
    with running(FakeGitHubConfig(repos=9, seed=3, apps={APP_ID: app_keys[1]})) as server:
        yield server


def test_a_worker_with_an_app_and_a_token_spends_each_installations_own_budget(
    fake_with_app: FakeGitHub, pg_url: str, tmp_path: Path, app_keys: tuple[str, str]
) -> None:
    """The token (without push access) comes first, yet every repository is collected
    with the installation that listed it, and charged to that installation's budget."""
    env = {**cli_env(fake_with_app.api_url, pg_url, tmp_path, ()), "GITHUB_TOKEN": "outsider-token"}
    settings = load_settings(env=env, need_token=True).with_changes(
        requests_per_minute=6000,
        credentials=(AppCredential("acme-app", APP_ID, SecretStr(app_keys[0])),),
    )
    apply_queue_schema(pg_url)
    asyncio.run(queue_run_now(pg_url))
    engine = create_engine(pg_url)
    try:
        for _ in range(5):  # until the queue is empty: the scheduling job queues the others
            asyncio.run(run_worker(settings, cron="0 0 1 1 *", concurrency=2, wait=False))
            with engine.connect() as connection:
                waiting = connection.execute(
                    text("SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo'")
                ).scalar_one()
            if not waiting:
                break
        with engine.connect() as connection:
            run = connection.execute(text("SELECT status, repos_ok FROM collection_runs")).one()
            budgets = connection.execute(
                text("SELECT remaining, lim FROM ghtraffic_rate_budget")
            ).all()
            paces = connection.execute(
                text("SELECT count(DISTINCT fingerprint) FROM ghtraffic_request_log")
            )
            pace_rows = paces.scalar_one()
    finally:
        engine.dispose()
    repos = fake_with_app.world()["repos"]
    assert tuple(run) == ("ok", len(repos))
    owners = {r["full_name"].split("/")[0] for r in repos}
    assert len(budgets) == len(owners), "one budget per installation, none for the token"
    assert pace_rows == len(owners), "and one request pace per installation"
    points = fake_with_app.stats()["points"]
    installations = sum(n for token, n in points.items() if token.startswith("ghs_"))
    assert all(0 < remaining < limit for remaining, limit in budgets)
    assert sum(limit - remaining for remaining, limit in budgets) == installations
    # Each worker process signs in once and keeps one token per installation for its jobs
    # (the first worker here only queued the run; the second collected).
    tokens = fake_with_app.stats()["by_kind"]["access_token"]
    assert tokens["201"] <= 2 * len(owners)
