"""The migrations build exactly the models' schema, on both back ends; upgrade is cheap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from ghtraffic.domain import RepoFacts
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database
from ghtraffic.storage.migrate import head_revision
from ghtraffic.storage.schema import metadata as schema_metadata

from .helpers import migrated_to


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


def test_an_upgrade_keeps_every_row_of_an_older_archive(tmp_path: Path) -> None:
    # 0006 adds columns to collection_runs, which collection_results refers to with
    # ON DELETE CASCADE: rebuilding that table on SQLite would delete the run log.
    from sqlalchemy import text

    db = Database(f"sqlite:///{tmp_path / 'old.sqlite'}")
    with migrated_to(db, "0005") as connection:
        connection.execute(
            text(
                "INSERT INTO collection_runs (id, started_at, status, api_url, repos_ok,"
                " repos_failed, repos_deferred, requests, rate_points, days_added,"
                " days_raised) VALUES (1, '2026-01-01 00:00:00', 'ok', 'x', 1, 0, 0, 8, 8,"
                " 14, 0)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO collection_results (run_id, full_name, outcome, requests,"
                " days_added, days_raised) VALUES (1, 'o/r', 'ok', 8, 14, 0)"
            )
        )
    db.upgrade()
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM collection_results")).scalar() == 1
        assert connection.execute(text("SELECT count(*) FROM collection_runs")).scalar() == 1
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    db.dispose()


def test_a_migration_cut_short_leaves_nothing_half_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A process killed while it creates the tables: none of them stays behind, and the
    # next start migrates from the beginning.
    from alembic import command

    real = command.upgrade

    def cut_short(config: object, revision: str) -> None:
        real(config, "0003")  # type: ignore[arg-type]
        raise KeyboardInterrupt

    monkeypatch.setattr(command, "upgrade", cut_short)
    path = tmp_path / "new.sqlite"
    db = Database(f"sqlite:///{path}")
    with pytest.raises(KeyboardInterrupt):
        db.upgrade()
    assert inspect(db.engine).get_table_names() == []
    monkeypatch.setattr(command, "upgrade", real)
    db.upgrade()
    assert db.current_revision() == head_revision()
    db.dispose()
