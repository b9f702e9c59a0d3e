"""Running the history commands in-process, and reading what an archive holds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import click
from click.testing import CliRunner, Result

from ghtraffic.cli.backup import backup_command, restore_command
from ghtraffic.cli.export import export_command
from ghtraffic.cli.imports import import_command
from ghtraffic.storage.archive import Archive

from ..storage.test_realdata import FRAGMENTS

REALDATA = FRAGMENTS.parent.parent
METRIC_NAMES = ("views", "views_unique", "clones", "clones_unique")

Days = dict[str, dict[date, dict[str, int | None]]]


@click.group()
def cli() -> None:
    """The commands under test."""


for command in (import_command, export_command, backup_command, restore_command):
    cli.add_command(command)


def run(args: Sequence[str], database_url: str, *, code: int = 0) -> Result:
    """``ghtraffic ARGS --database-url URL`` in-process; checks the exit code."""
    result = CliRunner().invoke(cli, [*args, "--database-url", database_url])
    assert result.exit_code == code, (result.output, result.exception)
    return result


def stored(archive: Archive) -> Days:
    """Every archived day of every repository, by lower-cased name."""
    days: Days = {}
    for row in archive.export_daily():
        days.setdefault(row.repo.lower(), {})[row.day] = {
            "views": row.views,
            "views_unique": row.views_unique,
            "clones": row.clones,
            "clones_unique": row.clones_unique,
        }
    return days
