"""Shared fixtures: a fresh archive database on every supported back end.

Every test that uses one of the database fixtures runs once per back end:

``backend`` (session scope)
    ``"sqlite"`` or ``"postgresql"``. The PostgreSQL variant carries the ``postgres``
    marker (leave it out with ``-m "not postgres"``). When the server cannot be reached
    the PostgreSQL variant is SKIPPED with the reason shown in the summary, except when
    ``CI=true``: then it FAILS. The server defaults to
    ``postgresql+psycopg://postgres@127.0.0.1:5432/test``; set
    ``GHTRAFFIC_TEST_POSTGRES_URL`` to use another one.
``make_database_url`` (session scope)
    A factory: ``with make_database_url() as url:`` gives the URL of a new, empty database
    (a SQLite file, or a PostgreSQL schema of its own reached through ``search_path``)
    that is dropped on exit. Use it (or ``make_db``) inside hypothesis tests, which refuse
    function-scoped fixtures.
``make_db`` (session scope)
    A factory: ``with make_db() as db:`` gives a ``Database`` on a new database, already
    upgraded to the newest migration, disposed and dropped on exit.
``database_url``
    The URL of a new, empty database for this test (no tables yet).
``db``
    A ``Database`` on a new database for this test, upgraded to the newest migration.
``archive``
    An ``Archive`` over ``db``.

Databases are never shared between tests, so tests may run in any order and in parallel
(pytest-xdist).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import cache

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine

from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database, sqlite_url

pytest_plugins = ["tests.notifications.receivers"]

POSTGRES_URL = os.environ.get(
    "GHTRAFFIC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

UrlFactory = Callable[[], AbstractContextManager[str]]
DbFactory = Callable[[], AbstractContextManager[Database]]


@cache
def _postgres_admin() -> Engine | str:
    """An engine on the test server, or why it cannot be reached."""
    engine = create_engine(
        POSTGRES_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        engine.dispose()
        shown = make_url(POSTGRES_URL).render_as_string(hide_password=True)
        first = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        return f"PostgreSQL not reachable at {shown} ({first})"
    return engine


@contextmanager
def postgres_schema_url() -> Iterator[str]:
    """The URL of a new schema of its own on the (reachable) test server, reached through
    ``search_path``; the schema is dropped on exit."""
    admin = _postgres_admin()
    assert isinstance(admin, Engine)
    schema = f"test_{uuid.uuid4().hex}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    if name == "postgresql":
        admin = _postgres_admin()
        if isinstance(admin, str):
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(f"{admin}; CI=true requires the PostgreSQL tests to run")
            pytest.skip(f"{admin}; start PostgreSQL or set GHTRAFFIC_TEST_POSTGRES_URL")
    return name


@pytest.fixture(scope="session")
def make_database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> UrlFactory:
    @contextmanager
    def fresh_sqlite() -> Iterator[str]:
        yield sqlite_url(tmp_path_factory.mktemp("archive") / "archive.sqlite")

    return fresh_sqlite if backend == "sqlite" else postgres_schema_url


@pytest.fixture(scope="session")
def make_db(make_database_url: UrlFactory) -> DbFactory:
    @contextmanager
    def fresh() -> Iterator[Database]:
        with make_database_url() as url:
            database = Database(url)
            try:
                database.upgrade()
                yield database
            finally:
                database.dispose()

    return fresh


@pytest.fixture
def database_url(make_database_url: UrlFactory) -> Iterator[str]:
    with make_database_url() as url:
        yield url


@pytest.fixture
def db(make_db: DbFactory) -> Iterator[Database]:
    with make_db() as database:
        yield database


@pytest.fixture
def archive(db: Database) -> Archive:
    return Archive(db)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow tests first (in their order), the quick ones after them: the workers of
    pytest-xdist take tests in this order as they become free, so the quick ones fill the
    gaps at the end instead of one long test running alone."""
    items.sort(key=_order)


#: The longest tests (minutes each), started first so that they run side by side.
LONGEST = (
    "tests/tasks/test_no_repository_starves.py",
    "tests/collect/test_no_repository_starves.py",
    "tests/collect/test_ninety_days.py",
    "tests/tasks/test_one_way.py",
    "tests/web/test_quality.py",
    "tests/packaging/test_install.py",
)


def _order(item: pytest.Item) -> tuple[bool, int]:
    path = item.nodeid.split("::", 1)[0]
    rank = LONGEST.index(path) if path in LONGEST else len(LONGEST)
    return item.get_closest_marker("slow") is None, rank
