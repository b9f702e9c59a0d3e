"""``ghtraffic db upgrade`` prepares PostgreSQL; ``ghtraffic db copy`` moves an archive
between databases without losing or changing a row."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.server import FakeGitHub, running
from tests.commands import cli_env, ghtraffic
from tests.storage.helpers import migrated_to

OWNERS = ("octo-demo", "acme-labs", "globex")


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with running(FakeGitHubConfig(repos=8, seed=5)) as server:
        yield server


def test_upgrade_creates_the_archive_and_the_job_queue_once(
    pg_url: str, tmp_path: Path, fake: FakeGitHub
) -> None:
    env = cli_env(fake.api_url, pg_url, tmp_path, OWNERS)
    first = ghtraffic(env, "db", "upgrade")
    assert first.returncode == 0, first.stderr
    assert "job queue created" in first.stdout
    again = ghtraffic(env, "db", "upgrade")
    assert again.returncode == 0, again.stderr
    assert "job queue present" in again.stdout


def test_sqlite_archive_copied_to_postgresql_exports_the_same(
    pg_url: str, tmp_path: Path, fake: FakeGitHub
) -> None:
    sqlite = f"sqlite:///{tmp_path / 'archive.sqlite'}"
    env = cli_env(fake.api_url, sqlite, tmp_path, OWNERS)
    for day in range(2):  # a second day's read adds the weekly figures
        if day:
            fake.advance_days(1)
        collected = ghtraffic(env, "collect", "--all", "--quiet", "--requests-per-minute", "0")
        assert collected.returncode == 0, collected.stderr

    copied = ghtraffic(env, "db", "copy", "--from", sqlite, "--to", pg_url)
    assert copied.returncode == 0, copied.stderr
    assert "row counts and checksums match" in copied.stdout

    pg_env = {**env, "GHTRAFFIC_DATABASE_URL": pg_url}
    for kind in ("daily", "weekly", "referrers", "paths", "repos"):
        args = ("export", "--kind", kind, "--format", "json")
        source, target = ghtraffic(env, *args), ghtraffic(pg_env, *args)
        assert source.returncode == 0, source.stderr
        assert target.stdout == source.stdout, kind
        assert source.stdout.strip() not in ("", "[]"), kind

    refused = ghtraffic(env, "db", "copy", "--from", sqlite, "--to", pg_url)
    assert refused.returncode == 2
    assert refused.stderr.startswith("error: the archive")
    assert "--force" in refused.stderr
    forced = ghtraffic(env, "db", "copy", "--from", sqlite, "--to", pg_url, "--force")
    assert forced.returncode == 0, forced.stderr


def test_worker_on_sqlite_says_what_to_do_in_one_line(tmp_path: Path, fake: FakeGitHub) -> None:
    env = cli_env(fake.api_url, f"sqlite:///{tmp_path / 'a.sqlite'}", tmp_path, OWNERS)
    done = ghtraffic(env, "worker")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "PostgreSQL" in lines[0]
    assert "ghtraffic db copy" in lines[0]


def test_an_archive_whose_workers_made_their_own_tables_upgrades_keeping_them(
    pg_url: str,
) -> None:
    """Workers of earlier releases created their budget and pace tables themselves; the
    migration that now owns them keeps those tables and their rows."""
    from sqlalchemy import text

    from ghtraffic.storage.database import Database
    from ghtraffic.storage.migrate import head_revision

    db = Database(pg_url)
    with migrated_to(db, "0007") as connection:
        connection.execute(
            text(
                "CREATE TABLE ghtraffic_rate_budget (fingerprint text PRIMARY KEY,"
                " remaining integer NOT NULL, lim integer NOT NULL, reset_at timestamptz"
                " NOT NULL, server_offset double precision NOT NULL DEFAULT 0,"
                " updated_at timestamptz NOT NULL DEFAULT now())"
            )
        )
        connection.execute(
            text(
                "CREATE TABLE ghtraffic_request_pace (fingerprint text PRIMARY KEY,"
                " tokens double precision NOT NULL, updated_at timestamptz NOT NULL)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO ghtraffic_rate_budget (fingerprint, remaining, lim, reset_at)"
                " VALUES ('abc', 4000, 5000, now())"
            )
        )
    try:
        db.upgrade()
        with db.engine.connect() as connection:
            kept = connection.execute(text("SELECT remaining FROM ghtraffic_rate_budget")).all()
        assert kept == [(4000,)]
        assert db.current_revision() == head_revision()
    finally:
        db.dispose()
