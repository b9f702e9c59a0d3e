"""``ghtraffic export``: the daily series (and the other kinds) as CSV, JSON or Parquet."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

import click

from ghtraffic.cli.common import config_options, one_line_errors
from ghtraffic.config import ConfigError, load_settings
from ghtraffic.history import exports
from ghtraffic.storage.archive import Archive, open_archive
from ghtraffic.storage.errors import UnknownRepoError

HEADER = ("repo", "date", "views", "views_unique", "clones", "clones_unique")

DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(exports.FORMATS), default="csv", show_default=True
)
@click.option(
    "--kind",
    type=click.Choice(exports.KINDS),
    default="daily",
    show_default=True,
    help="What to export: the daily series, weeks, 14-day windows, referrers, paths,"
    " repositories or events.",
)
@click.option("--repo", metavar="OWNER/NAME", help="Only this repository (an old name works too).")
@click.option("--since", type=DATE, help="First UTC day, YYYY-MM-DD.")
@click.option("--until", type=DATE, help="Last UTC day, YYYY-MM-DD.")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here instead of stdout.",
)
@config_options
@one_line_errors
def export_command(
    fmt: str,
    kind: str,
    repo: str | None,
    since: datetime | None,
    until: datetime | None,
    output: Path | None,
    config_path: str | None,
    database_url: str | None,
    api_url: str | None,
) -> None:
    """The daily series, one row per repository and UTC day (or another --kind).

    A day no collection or import covered has no row; an empty cell (null in JSON and
    Parquet) is a value not observed that day; 0 is an observed zero. Parquet needs
    --output.
    """
    if fmt == "parquet" and output is None:
        raise ConfigError("Parquet is a binary file: give it with --output FILE.parquet")
    settings = load_settings(config=config_path, database_url=database_url, api_url=api_url)
    archive = open_archive(settings.database_url)
    first = since.date() if since else None
    last = until.date() if until else None
    if kind != "daily" or fmt == "parquet":
        _export_kind(archive, kind, fmt, repo, first, last, output)
        return
    try:
        rows = list(archive.export_daily(repo, first, last))
    except UnknownRepoError as exc:
        raise ConfigError(str(exc)) from None
    with _open(output) as stream:
        if fmt == "csv":
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(HEADER)
            for r in rows:
                writer.writerow(
                    (
                        r.repo,
                        r.day.isoformat(),
                        *(_cell(v) for v in (r.views, r.views_unique, r.clones, r.clones_unique)),
                    )
                )
        else:
            document = [
                {
                    "repo": r.repo,
                    "date": r.day.isoformat(),
                    "views": r.views,
                    "views_unique": r.views_unique,
                    "clones": r.clones,
                    "clones_unique": r.clones_unique,
                }
                for r in rows
            ]
            json.dump(document, stream, indent=1)
            stream.write("\n")


def _export_kind(
    archive: Archive,
    kind: str,
    fmt: str,
    repo: str | None,
    first: date | None,
    last: date | None,
    output: Path | None,
) -> None:
    try:
        table = exports.build(archive, kind, repo, first, last)
    except UnknownRepoError as exc:
        raise ConfigError(str(exc)) from None
    except exports.ExportError as exc:
        raise ConfigError(str(exc)) from None
    if fmt == "parquet":
        assert output is not None
        try:
            exports.write_parquet(table, output)
        except exports.ExportError as exc:
            raise ConfigError(str(exc)) from None
        except OSError as exc:
            raise ConfigError(f"cannot write {output}: {exc.strerror}") from None
        return
    with _open(output) as stream:
        if fmt == "csv":
            exports.write_csv(table, stream)
        else:
            exports.write_json(table, stream)


def _cell(value: int | None) -> str:
    return "" if value is None else str(value)


@contextmanager
def _open(path: Path | None) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        return
    try:
        with path.open("w", encoding="utf-8", newline="") as stream:
            yield stream
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror}") from None
