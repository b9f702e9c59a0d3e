"""``ghtraffic report``: the archive as a static HTML site (and PDFs), for any static host."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from ghtraffic.cli.common import EXIT_FAILED, config_options, fail, one_line_errors
from ghtraffic.config import ConfigError, load_settings
from ghtraffic.storage.archive import open_archive

DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.command("report")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the report into (created when missing).",
)
@click.option(
    "--repo",
    "repos",
    multiple=True,
    metavar="OWNER/NAME",
    help="Only these repositories (repeatable; an old name works too). Default: all.",
)
@click.option("--since", type=DATE, help="First UTC day shown, YYYY-MM-DD. Default: all days.")
@click.option(
    "--pdf",
    is_flag=True,
    help="Also print every page to PDF under OUT/pdf/ with the system Chromium"
    " (/usr/bin/chromium, or $GHTRAFFIC_CHROMIUM) through Playwright (pip install"
    " 'ghtraffic[pdf]'); exit code 1 when either is missing.",
)
@config_options
@one_line_errors
def report_command(
    out: Path,
    repos: tuple[str, ...],
    since: datetime | None,
    pdf: bool,
    config_path: str | None,
    database_url: str | None,
    api_url: str | None,
) -> None:
    """Write the archive as a static report: OUT/index.html and one page per repository.

    The pages carry their data and need no server and no network: open OUT/index.html
    from disk or publish the folder on any static host (GitHub Pages, S3, ...).
    """
    from ghtraffic.report import ReportError, load_report, write_site
    from ghtraffic.report import pdf as printing
    from ghtraffic.storage.errors import UnknownRepoError
    from ghtraffic.web.assets import require_vendor

    require_vendor()  # charts or nothing: before the archive is read
    settings = load_settings(config=config_path, database_url=database_url, api_url=api_url)
    why = printing.unavailable() if pdf else None
    if why is not None:  # before anything is written
        fail(why, EXIT_FAILED)
    archive = open_archive(settings.database_url)
    try:
        data = load_report(archive, repos, since.date() if since else None)
    except UnknownRepoError as exc:
        raise ConfigError(str(exc)) from None
    try:
        pages = write_site(data, out)
    except ReportError as exc:
        raise ConfigError(str(exc)) from None
    count = len(data.pages)
    plural = "repository" if count == 1 else "repositories"
    click.echo(f"report written: {pages[0]} ({count} {plural})")
    if pdf:
        try:
            printed = printing.print_pages(out, pages)
        except ReportError as exc:
            fail(str(exc), EXIT_FAILED)
        click.echo(f"PDF written: {len(printed)} file(s) in {out / 'pdf'}")
