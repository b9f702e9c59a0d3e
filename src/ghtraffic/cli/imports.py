"""``ghtraffic import FORMAT PATH``: merge another tool's traffic archive into this one."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from ghtraffic.cli.common import EXIT_FAILED, config_options, fail, one_line_errors
from ghtraffic.config import ConfigError, load_settings
from ghtraffic.history.importers import ALIASES, FORMATS, ImportFailure, Target, read_path
from ghtraffic.history.importers.base import valid_repo
from ghtraffic.history.load import ImportReport, apply_import
from ghtraffic.storage.archive import open_archive

#: Per-repository lines are printed up to this many repositories (the totals always).
REPO_LINES = 50


@click.command("import")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(FORMATS + tuple(ALIASES)))
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--repo",
    metavar="OWNER/NAME",
    help="The repository, for formats that do not record it (replaces a recorded name"
    " when PATH holds one repository).",
)
@click.option(
    "--owner",
    metavar="LOGIN",
    help="The owner, for formats that record bare repository names.",
)
@click.option(
    "--strict", is_flag=True, help="Exit with 1 when any row was rejected (the rest is imported)."
)
@config_options
@one_line_errors
def import_command(
    fmt: str,
    path: Path,
    repo: str | None,
    owner: str | None,
    strict: bool,
    config_path: str | None,
    database_url: str | None,
    api_url: str | None,
) -> None:
    """Import PATH (a file or a folder) written by another traffic collector.

    FORMAT is auto (detected from each file's name and header) or the tool that wrote the
    files: generic (what `ghtraffic export` writes), github-repo-stats,
    repository-traffic-action, github-traffic-stats, github-traffic-archive, ncar-metrics
    or github-stats. Values merge by the archive's rule (per day and metric the maximum),
    so an import never lowers a value and importing twice changes nothing. Every rejected
    row is listed on stderr with its reason; with --strict any rejected row makes the exit
    code 1.
    """
    try:
        target = Target(valid_repo(repo) if repo else None, owner.strip() if owner else None)
        data, skipped = read_path(path, fmt, target)
    except ImportFailure as exc:
        raise ConfigError(str(exc)) from None
    settings = load_settings(config=config_path, database_url=database_url, api_url=api_url)
    archive = open_archive(settings.database_url)
    report = apply_import(archive, data, datetime.now(UTC))
    report.skipped_files = skipped
    _print(report)
    if strict and report.rejected:
        count = len(report.rejected)
        fail(
            f"{count} {'row was' if count == 1 else 'rows were'} rejected (--strict): their"
            " reasons are above; what was read is imported",
            EXIT_FAILED,
        )


def _print(report: ImportReport) -> None:
    echo = click.echo
    files = "file" if report.files == 1 else "files"
    echo(
        f"imported {report.format}: {report.files} {files}, {report.rows_read} rows read;"
        f" days {report.added} added, {report.raised} raised, {report.unchanged} unchanged;"
        f" {len(report.rejected)} rows rejected"
    )
    for name, old, new in report.adopted:
        echo(f"  {name}: imported history (id {old}) adopted by the collected repository {new}")
    for repo in report.repos[:REPO_LINES]:
        created = " (new, no GitHub id yet)" if repo.created else ""
        extras = [
            f"{amount} {label}"
            for amount, label in (
                (repo.referrer_lists, "referrer lists"),
                (repo.path_lists, "path lists"),
                (repo.counts, "counts"),
                (repo.downloads, "download counts"),
            )
            if amount
        ]
        tail = f"; {', '.join(extras)}" if extras else ""
        echo(
            f"  {repo.name}{created}: {repo.days} days: {repo.added} added, {repo.raised} raised,"
            f" {repo.unchanged} unchanged{tail}"
        )
    if len(report.repos) > REPO_LINES:
        echo(f"  ... and {len(report.repos) - REPO_LINES} more repositories")
    for rejected in report.rejected:  # diagnostics: on stderr, apart from the summary
        echo(f"rejected {rejected.where}: {rejected.reason}", err=True)
    for skipped in report.skipped_files:
        echo(f"skipped {skipped}: no known format")
