"""Alembic driven from code: the configuration, the head revision and ``upgrade head``."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from ghtraffic.storage.errors import StorageError
from ghtraffic.storage.urls import SQLITE_BUSY_TIMEOUT, sqlite_path

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: PostgreSQL advisory lock held while migrating (an arbitrary, fixed number).
LOCK_KEY = 4_717_201_901


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for the packaged migrations (no ini file needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def head_revision() -> str:
    """The newest migration shipped with this version."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("no migrations found in " + str(MIGRATIONS))
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision stamped in the database, ``None`` when it has none yet."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(engine: Engine) -> None:
    """Run ``alembic upgrade head``, skipping Alembic entirely when already at head."""
    if current_revision(engine) == head_revision():
        return
    with _sqlite_migration_lock(engine):
        if current_revision(engine) == head_revision():
            return  # another process migrated while this one waited
        _upgrade(engine)


@contextmanager
def _sqlite_migration_lock(engine: Engine) -> Iterator[None]:
    """Two processes opening a new SQLite archive at once: the second waits for the first
    to finish the migrations (``flock`` on a file beside the archive; PostgreSQL uses an
    advisory lock inside the migration transaction instead)."""
    path = sqlite_path(engine.url) if engine.dialect.name == "sqlite" else None
    if path is None:
        yield
        return
    try:
        handle = Path(f"{path}.migrate-lock").open("a+b")  # noqa: SIM115
    except OSError:
        yield  # a folder we cannot write to: the migration itself will say so
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _upgrade(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        _upgrade_sqlite(engine)
        return
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Two processes starting at once: the second waits, then finds the schema done.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
            if MigrationContext.configure(connection).get_current_revision() == head_revision():
                return
        command.upgrade(alembic_config(connection), "head")


def _upgrade_sqlite(engine: Engine) -> None:
    """Every pending migration in one SQLite transaction, foreign keys off meanwhile.

    pysqlite commits each ``CREATE TABLE`` at once (it opens transactions only for
    inserts and updates): a process killed half-way through left tables without the
    revision that made them, and the next start failed on "table already exists". And
    with foreign keys on, dropping a table that a migration rebuilds deletes the rows
    that refer to it. This is SQLite's own procedure for schema changes: foreign keys
    off, one transaction, ``PRAGMA foreign_key_check`` before the commit."""
    migrating = create_engine(
        engine.url, poolclass=NullPool, connect_args={"timeout": SQLITE_BUSY_TIMEOUT}
    )

    @event.listens_for(migrating, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # no implicit transactions: only ours
        dbapi_connection.execute("PRAGMA foreign_keys = OFF")

    @event.listens_for(migrating, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    try:
        with migrating.begin() as connection:
            if MigrationContext.configure(connection).get_current_revision() == head_revision():
                return
            command.upgrade(alembic_config(connection), "head")
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
            if broken is not None:
                raise StorageError(
                    f"upgrading {engine.url.database} would leave a row of {broken[0]}"
                    f" without its {broken[2]} row: nothing was changed; report this"
                )
    finally:
        migrating.dispose()
