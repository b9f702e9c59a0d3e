"""The migrations build exactly the models' schema, on both back ends; upgrade is cheap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from ghtraffic.domain import RepoFacts
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database
from ghtraffic.storage.migrate import head_revision
from ghtraffic.storage.schema import metadata as schema_metadata


def test_migration_matches_models(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, schema_metadata)
    assert diff == []


def test_every_table_created(db: Database) -> None:
    tables = set(inspect(db.engine).get_table_names())
    assert set(schema_metadata.tables) <= tables
    assert "alembic_version" in tables


def test_upgrade_twice_and_on_a_new_handle(database_url: str) -> None:
    first = Database(database_url)
    assert first.current_revision() is None
    first.upgrade()
    first.upgrade()
    assert first.current_revision() == head_revision()
    first.dispose()
    second = Database(database_url)
    second.upgrade()
    assert second.current_revision() == head_revision()
    second.dispose()


def test_timestamps_come_back_utc_aware(archive: Archive) -> None:
    seen = datetime(2026, 3, 1, 12, 30, tzinfo=timezone(timedelta(hours=2)))
    with archive.repo_batch() as batch:
        batch.upsert_repo(RepoFacts(7, "o", "r"), seen)
    repo = archive.find_repo("o/r")
    assert repo is not None
    assert repo.first_seen_at == seen
    assert repo.first_seen_at.tzinfo is not None
    assert repo.first_seen_at.utcoffset() == timedelta(0)
    assert repo.first_seen_at == datetime(2026, 3, 1, 10, 30, tzinfo=UTC)


def test_sqlite_folder_created_and_tuned(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "archive.sqlite"
    database = Database(f"sqlite:///{path}")
    database.upgrade()
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1
    database.dispose()
    assert path.exists()
