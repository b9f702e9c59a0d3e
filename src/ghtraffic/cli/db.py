"""``ghtraffic db upgrade`` and ``ghtraffic db copy``: prepare and move archives."""

from __future__ import annotations

import click

from ghtraffic.cli.common import config_options, one_line_errors
from ghtraffic.config import ConfigError, check_database_url, load_settings
from ghtraffic.storage.database import Database


@click.group("db")
def db_group() -> None:
    """Prepare an archive's database, or move an archive to another database."""


@db_group.command("upgrade")
@config_options
@one_line_errors
def upgrade_command(config_path: str | None, database_url: str | None, api_url: str | None) -> None:
    """Bring the archive to the newest schema; on PostgreSQL also create the job queue."""
    settings = load_settings(config=config_path, database_url=database_url, api_url=api_url)
    db = Database(settings.database_url)
    try:
        db.upgrade()
        revision = db.current_revision()
        queue = ""
        if not db.is_sqlite:
            from ghtraffic.tasks.schema import apply_queue_schema

            created = apply_queue_schema(settings.database_url)
            queue = "; job queue created" if created else "; job queue present"
        click.echo(f"{db.describe()} at schema {revision}{queue}")
    finally:
        db.dispose()


@db_group.command("copy")
@click.option("--from", "source_url", required=True, metavar="URL", help="The archive to copy.")
@click.option("--to", "target_url", required=True, metavar="URL", help="Where to copy it.")
@click.option("--force", is_flag=True, help="Replace everything in a non-empty target.")
@one_line_errors
def copy_command(source_url: str, target_url: str, force: bool) -> None:
    """Copy a whole archive (e.g. SQLite to PostgreSQL), verified table by table.

    Both ends are brought to the newest schema; every table's row count and checksum
    must match after the copy. A non-empty target is refused unless --force.
    """
    from ghtraffic.history.backup import BackupError, copy_archive

    source = Database(check_database_url(source_url))
    target = Database(check_database_url(target_url))
    try:
        summaries = copy_archive(source, target, force=force)
    except BackupError as exc:
        raise ConfigError(str(exc)) from None
    finally:
        source.dispose()
        target.dispose()
    rows = sum(summary.rows for summary in summaries)
    click.echo(
        f"copied {rows} rows of {len(summaries)} tables from {source.describe()} to "
        f"{target.describe()}; row counts and checksums match"
    )
