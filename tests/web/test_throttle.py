"""Sign-in throttling kept in the archive: per account and address, per address, per
account (sparing addresses that have not failed), per sprayed password; shared by every
process; password changes count too."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from httpx import Response
from starlette.applications import Starlette
from starlette.testclient import TestClient

from ghtraffic.storage.database import Database
from ghtraffic.web.throttle import Limits, LoginThrottle, Wait
from tests.web.conftest import PASSWORD, csrf_from

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
GUESS = "guess"
LIMITS = Limits(
    per_pair=3, per_address=6, per_account=6, spray_accounts=4, window=timedelta(minutes=5)
)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def throttle(db: Database, clock: Clock) -> LoginThrottle:
    return LoginThrottle(db, LIMITS, clock)


def fail(throttle: LoginThrottle, name: str, address: str, password: str = GUESS) -> None:
    assert isinstance(throttle.begin(name, address, password), int), (name, address)


def refused(throttle: LoginThrottle, name: str, address: str, password: str = GUESS) -> str:
    result = throttle.begin(name, address, password)
    assert isinstance(result, Wait), (name, address)
    return result.rule


def test_an_account_from_one_address_waits_until_its_failures_age(
    throttle: LoginThrottle, clock: Clock
) -> None:
    for n in range(3):
        fail(throttle, "alice", "198.51.100.1", f"guess-{n}")
        clock.now += timedelta(seconds=10)
    wait = throttle.begin("Alice", "198.51.100.1", "the right one")
    assert isinstance(wait, Wait)
    assert wait.rule == "account and address"
    assert wait.seconds == pytest.approx(300 - 30)
    fail(throttle, "alice", "198.51.100.2")  # another address is not held up
    clock.now = START + timedelta(seconds=301)  # the oldest failure left the window
    fail(throttle, "alice", "198.51.100.1")


def test_one_address_trying_many_accounts_waits(throttle: LoginThrottle) -> None:
    for n in range(6):
        fail(throttle, f"user{n}", "198.51.100.9", f"guess-{n}")
    assert refused(throttle, "someone-else", "198.51.100.9") == "address"


def test_a_stranger_cannot_lock_the_owner_out(throttle: LoginThrottle) -> None:
    for n in range(6):  # six addresses, one failure each: no pair or address limit
        fail(throttle, "alice", f"203.0.113.{n}", f"guess-{n}")
    assert refused(throttle, "alice", "203.0.113.0", "another") == "account"
    owner = throttle.begin("alice", "192.0.2.50", "right password")
    assert isinstance(owner, int), "an address without failures may still try"
    throttle.passed("alice", "192.0.2.50")
    assert isinstance(throttle.begin("alice", "192.0.2.50", "right password"), int)


def test_one_password_sprayed_across_accounts_is_refused_to_failing_addresses(
    throttle: LoginThrottle,
) -> None:
    for n in range(4):
        fail(throttle, f"user{n}", f"203.0.113.{n}", "Summer2026!")
    fail(throttle, "bob", "203.0.113.99", "a typo")  # this address has failed once
    assert refused(throttle, "carol", "203.0.113.99", "Summer2026!") == "password"
    fail(throttle, "carol", "203.0.113.99", "another password")
    assert isinstance(throttle.begin("dave", "192.0.2.7", "Summer2026!"), int)


def test_attempts_in_flight_count_at_once(throttle: LoginThrottle) -> None:
    started = [throttle.begin("alice", "198.51.100.1", "guess") for _ in range(3)]
    assert all(isinstance(s, int) for s in started)
    assert refused(throttle, "alice", "198.51.100.1") == "account and address"


def test_the_right_password_forgets_that_pairs_failures_only(throttle: LoginThrottle) -> None:
    fail(throttle, "mallory", "198.51.100.1")
    fail(throttle, "mallory", "198.51.100.1")
    fail(throttle, "alice", "198.51.100.1")
    fail(throttle, "alice", "198.51.100.1")
    attempt = throttle.begin("mallory", "198.51.100.1", "right")
    assert isinstance(attempt, int)
    throttle.passed("mallory", "198.51.100.1")
    fail(throttle, "alice", "198.51.100.1")
    assert refused(throttle, "alice", "198.51.100.1") == "account and address"


def test_every_process_serving_the_archive_counts_the_same_failures(
    db: Database, clock: Clock
) -> None:
    other = Database(db.url)  # another process's connection to the same archive
    try:
        first, second = LoginThrottle(db, LIMITS, clock), LoginThrottle(other, LIMITS, clock)
        fail(first, "alice", "198.51.100.1")
        fail(second, "alice", "198.51.100.1")
        fail(first, "alice", "198.51.100.1")
        assert refused(second, "alice", "198.51.100.1") == "account and address"
    finally:
        other.dispose()


@pytest.fixture
def stranger(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False, client=("203.0.113.66", 40000)) as client:
        yield client


@pytest.fixture
def owner(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False, client=("192.0.2.10", 40000)) as client:
        yield client


def _sign_in(client: TestClient, name: str, password: str) -> int:
    page = client.get("/login")
    response = client.post(
        "/login", data={"name": name, "password": password, "csrf_token": csrf_from(page.text)}
    )
    return int(response.status_code)


def test_the_owner_signs_in_while_a_stranger_is_locked_out(
    stranger: TestClient, owner: TestClient
) -> None:
    for n in range(5):
        assert _sign_in(stranger, "admin", f"guess-{n}") == 401
    assert _sign_in(stranger, "admin", PASSWORD) == 429, "even the right password waits"
    assert _sign_in(owner, "admin", PASSWORD) == 303


def test_password_changes_are_throttled(viewer: TestClient) -> None:
    def change(current: str) -> Response:
        page = viewer.get("/account")
        response: Response = viewer.post(
            "/account/password",
            data={
                "current": current,
                "new": "a new long password",
                "csrf_token": csrf_from(page.text),
            },
        )
        return response

    for n in range(5):
        assert change(f"guess-{n}").status_code == 400
    response = change(PASSWORD)
    assert response.status_code == 429
    assert "try again in" in response.text
    assert viewer.get("/account").status_code == 200, "the password did not change"
