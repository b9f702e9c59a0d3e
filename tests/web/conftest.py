"""Fixtures of the web tests: a seeded archive, the app, signed-in clients."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from ghtraffic.config import Settings
from ghtraffic.identity.accounts import add_user
from ghtraffic.identity.grants import grant
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database
from ghtraffic.web.app import create_app
from ghtraffic.web.config import WebConfig
from tests.browser import chromium
from tests.web.seed import seed

PASSWORD = "correct horse battery"
# benchmarks/ (its seeder of large archives is shared with the quality test)
sys.path.append(str(Path(__file__).resolve().parents[2] / "benchmarks"))
ARTIFACTS = Path(__file__).parent / "artifacts"
#: ``testserver`` is the host name of Starlette's test client; browsers use 127.0.0.1.
CONFIG = WebConfig(
    secure_cookies=False,
    public_view=True,
    live_poll_seconds=0.2,
    allowed_hosts=("testserver", "127.0.0.1"),
)


@pytest.fixture
def seeded(db: Database, archive: Archive) -> Database:
    seed(archive)
    add_user(db, "admin", PASSWORD, admin=True)
    add_user(db, "viewer", PASSWORD)
    grant(db, "viewer", "acme")
    return db


@pytest.fixture
def app(seeded: Database) -> Starlette:
    return create_app(seeded, Settings(), config=CONFIG)


@pytest.fixture
def anon(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as client:
        yield client


def csrf_from(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def login(client: TestClient, name: str, password: str = PASSWORD) -> TestClient:
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": csrf_from(page.text)},
    )
    assert response.status_code == 303, response.text
    return client


@pytest.fixture
def admin(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as client:
        yield login(client, "admin")


@pytest.fixture
def viewer(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as client:
        yield login(client, "viewer")


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium(ARTIFACTS) as launched:
        yield launched
