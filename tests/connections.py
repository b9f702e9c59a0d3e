"""A connection to a test database by its URL, for checks made from outside the process
that wrote it (a killed command's archive, the workers' PostgreSQL queue)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection


@contextmanager
def connected(url: str) -> Iterator[Connection]:
    """A connection to the database at ``url``; its engine is disposed on exit."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def assert_sqlite_intact(connection: Connection) -> None:
    """On SQLite, the file passes ``PRAGMA integrity_check`` (a no-op on other back ends)."""
    if connection.dialect.name == "sqlite":
        assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
