"""Operational failures become one-line ``StorageError`` messages and lose nothing stored."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from ghtraffic.domain import DayValues, RepoFacts
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database, sqlite_url
from ghtraffic.storage.errors import StorageError

from .helpers import T0, at, new_repo, stored_days

START = date(2024, 1, 1)


def _one_line(error: StorageError) -> str:
    message = str(error)
    assert "\n" not in message
    assert message == error.message
    return message


def _archive_with_data(path: Path) -> tuple[int, dict[date, dict[str, int | None]]]:
    database = Database(sqlite_url(path))
    database.upgrade()
    archive = Archive(database)
    repo = new_repo(archive)
    with archive.repo_batch() as batch:
        batch.merge_daily(repo, [DayValues(START, 1, 1, 2, 2)], T0)
    before = stored_days(archive, repo)
    database.dispose()
    return repo, before


def _lots_of_days(count: int) -> list[DayValues]:
    return [DayValues(START + timedelta(days=i), i, i, i, i) for i in range(1, count)]


def test_read_only_archive(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite"
    repo, before = _archive_with_data(path)
    read_only = Archive(Database(f"sqlite:///file:{path}?mode=ro&uri=true"))
    with pytest.raises(StorageError) as caught, read_only.repo_batch() as batch:
        batch.merge_daily(repo, [DayValues(START, 100, 100, 100, 100)], at(1))
    message = _one_line(caught.value)
    assert f"the archive {path} is read-only" in message
    assert "write access" in message
    read_only.db.dispose()
    again = Archive(Database(sqlite_url(path)))
    assert stored_days(again, repo) == before
    again.db.dispose()


def test_full_archive_rolls_back_the_whole_batch(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite"
    repo, before = _archive_with_data(path)
    database = Database(sqlite_url(path))
    with database.engine.connect() as connection:
        pages = int(connection.exec_driver_sql("PRAGMA page_count").scalar_one())

    from sqlalchemy import event

    @event.listens_for(database.engine, "connect")
    def _limit(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 2}")

    database.dispose()
    archive = Archive(database)

    def overfill() -> None:
        with archive.repo_batch() as batch:
            batch.upsert_repo(RepoFacts(424242, "new", "repo"), at(1))
            batch.merge_daily(repo, [DayValues(START, 9, 9, 9, 9), *_lots_of_days(3000)], at(1))

    with pytest.raises(StorageError) as caught:
        overfill()
    message = _one_line(caught.value)
    assert "is full" in message
    assert str(path) in message
    database.dispose()
    again = Archive(Database(sqlite_url(path)))
    assert stored_days(again, repo) == before
    assert again.find_repo("new/repo") is None
    again.db.dispose()


def test_locked_archive(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite"
    repo, before = _archive_with_data(path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    archive = Archive(Database(sqlite_url(path), busy_timeout=0.2))
    try:
        with pytest.raises(StorageError) as caught, archive.repo_batch() as batch:
            batch.merge_daily(repo, [DayValues(START, 5, 5, 5, 5)], at(1))
    finally:
        holder.rollback()
        holder.close()
    assert "locked" in _one_line(caught.value)
    assert stored_days(archive, repo) == before
    archive.db.dispose()


def test_unopenable_archive(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StorageError) as caught:
        Database(sqlite_url(blocker / "archive.sqlite")).upgrade()
    assert "cannot create the folder" in _one_line(caught.value)


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite"
    path.write_bytes(b"this is certainly not SQLite" * 200)
    with pytest.raises(StorageError) as caught:
        Database(sqlite_url(path)).upgrade()
    assert "not a usable SQLite archive" in _one_line(caught.value)


def test_unreachable_postgres_hides_the_password() -> None:
    database = Database("postgresql+psycopg://ghuser:s3cret-pw@127.0.0.1:1/archive")
    with pytest.raises(StorageError) as caught:
        database.upgrade()
    message = _one_line(caught.value)
    assert "cannot connect to PostgreSQL" in message
    assert "s3cret-pw" not in message
    assert "***" in message
    assert "s3cret-pw" not in repr(database)
    database.dispose()
