"""Backups restore exactly, across back ends, and refuse to overwrite by accident."""

from __future__ import annotations

import gzip
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ghtraffic.domain import DayValues, Referrer, RepoFacts, RepoOutcome
from ghtraffic.history.backup import BackupError, backup, restore
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database, sqlite_url

from .helpers import REALDATA, run

AT = datetime(2026, 9, 1, 12, 30, 15, 123456, tzinfo=UTC)


def _fill(archive: Archive) -> None:
    url = archive.db.url.render_as_string(hide_password=False)
    run(["import", "auto", str(REALDATA / "custom_NCAR_i-wrf"), "--repo", "NCAR/i-wrf"], url)
    run(["import", "auto", str(REALDATA / "text_HafidIdrissi_github-traffic-archive"),
         "--repo", "HafidIdrissi/github-traffic-archive"], url)  # fmt: skip
    with archive.repo_batch() as batch:
        batch.upsert_repo(RepoFacts(9, "me", "Ünïcode", description='a, "quoted"\nline'), AT)
        batch.merge_daily(9, [DayValues(date(2026, 1, 1), 1, None, 0, None)], AT)
        batch.replace_referrers(9, date(2026, 1, 1), [Referrer("Google", 3, 2)], AT)
        batch.put_etag("https://api.example/x", 'W/"abc"', '{"a": 1}', AT)
    run_id = archive.start_run("https://api.github.com", AT)
    archive.record_result(run_id, RepoOutcome("me/Ünïcode", "ok", repo_id=9, finished_at=AT))


def _sqlite(tmp_path: Path, name: str) -> Database:
    db = Database(sqlite_url(tmp_path / f"{name}.sqlite"))
    db.upgrade()
    return db


def test_sqlite_to_backend_and_back_is_identical(db: Database, tmp_path: Path) -> None:
    source = _sqlite(tmp_path, "source")
    _fill(Archive(source))
    first, second, third = (tmp_path / f"{n}.ghtraffic.gz" for n in ("1", "2", "3"))
    backup(source, first)
    restore(db, first)
    backup(db, second)
    assert second.read_bytes() == first.read_bytes()
    back = _sqlite(tmp_path, "back")
    restore(back, second)
    backup(back, third)
    assert third.read_bytes() == first.read_bytes()
    # Ids keep counting after a restore (PostgreSQL sequences moved past restored ids).
    assert Archive(db).start_run("https://api.github.com", AT) == 2


def test_backend_to_sqlite_and_back_is_identical(db: Database, tmp_path: Path) -> None:
    _fill(Archive(db))
    first, second = tmp_path / "1.gz", tmp_path / "2.gz"
    url = db.url.render_as_string(hide_password=False)
    result = run(["backup", str(first)], url)
    assert result.output.startswith("backed up ")
    target = _sqlite(tmp_path, "target")
    target_url = target.url.render_as_string(hide_password=False)
    run(["restore", str(first)], target_url)
    run(["backup", str(second)], target_url)
    assert second.read_bytes() == first.read_bytes()
    assert run(["export"], target_url).output == run(["export"], url).output


def test_restore_refuses_a_non_empty_archive_unless_forced(db: Database, tmp_path: Path) -> None:
    _fill(Archive(db))
    file = tmp_path / "b.gz"
    url = db.url.render_as_string(hide_password=False)
    run(["backup", str(file)], url)
    refused = run(["restore", str(file)], url, code=2)
    assert "is not empty" in refused.output
    assert "--force" in refused.output
    before = run(["export"], url).output
    run(["restore", str(file), "--force"], url)
    assert run(["export"], url).output == before


def test_a_damaged_backup_is_refused_before_anything_is_written(
    db: Database, tmp_path: Path
) -> None:
    source = _sqlite(tmp_path, "source")
    _fill(Archive(source))
    file = tmp_path / "b.gz"
    backup(source, file)
    lines = gzip.decompress(file.read_bytes()).decode().splitlines(keepends=True)
    damaged = [line.replace("i-wrf.org", "evil.example") for line in lines]
    bad = tmp_path / "bad.gz"
    bad.write_bytes(gzip.compress("".join(damaged).encode()))
    with pytest.raises(BackupError, match="referrer_items does not match its checksum"):
        restore(db, bad)
    assert run(["export"], db.url.render_as_string(hide_password=False)).output.count("\n") == 1
