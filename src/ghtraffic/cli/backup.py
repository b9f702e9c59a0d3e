"""``ghtraffic backup FILE`` and ``ghtraffic restore FILE``: the whole archive in one file."""

from __future__ import annotations

from pathlib import Path

import click

from ghtraffic.cli.common import config_options, one_line_errors
from ghtraffic.config import ConfigError, load_settings
from ghtraffic.history.backup import BackupError, backup, restore
from ghtraffic.storage.database import Database


def _database(config_path: str | None, database_url: str | None, api_url: str | None) -> Database:
    settings = load_settings(config=config_path, database_url=database_url, api_url=api_url)
    db = Database(settings.database_url)
    db.upgrade()
    return db


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@config_options
@one_line_errors
def backup_command(
    file: Path, config_path: str | None, database_url: str | None, api_url: str | None
) -> None:
    """Write every table of the archive to FILE (gzip'd JSON lines with checksums).

    The file restores on SQLite or PostgreSQL with `ghtraffic restore FILE`.
    """
    db = _database(config_path, database_url, api_url)
    try:
        summaries = backup(db, file)
    except BackupError as exc:
        raise ConfigError(str(exc)) from None
    rows = sum(summary.rows for summary in summaries)
    click.echo(f"backed up {rows} rows of {len(summaries)} tables from {db.describe()} to {file}")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace everything in a non-empty archive.")
@config_options
@one_line_errors
def restore_command(
    file: Path,
    force: bool,
    config_path: str | None,
    database_url: str | None,
    api_url: str | None,
) -> None:
    """Restore FILE (made by `ghtraffic backup`) into the archive.

    Every checksum is verified before anything is written. A non-empty archive is
    refused unless --force, which replaces all of it.
    """
    db = _database(config_path, database_url, api_url)
    try:
        summaries = restore(db, file, force=force)
    except BackupError as exc:
        raise ConfigError(str(exc)) from None
    rows = sum(summary.rows for summary in summaries.values())
    click.echo(f"restored {rows} rows of {len(summaries)} tables into {db.describe()}")
