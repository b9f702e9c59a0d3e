"""``ghtraffic collect``: one collection run, the command a scheduler calls."""

from __future__ import annotations

import asyncio

import click

from ghtraffic.cli.common import (
    app_key_file_option,
    collecting_settings,
    config_options,
    err,
    fail,
    one_line_errors,
    pace_option,
    seconds_option,
)
from ghtraffic.cli.progress import RunDisplay
from ghtraffic.collect.run import run_collection
from ghtraffic.config import ConfigError, parse_repo_name
from ghtraffic.domain import RepoOutcome
from ghtraffic.processing.processor import Processor
from ghtraffic.storage.archive import open_archive
from ghtraffic.storage.credentials import collection_credentials


@click.command("collect")
@click.option(
    "--repo", "repos", multiple=True, metavar="OWNER/NAME", help="A repository (repeatable)."
)
@click.option(
    "--owner",
    "owners",
    multiple=True,
    metavar="LOGIN",
    help="Every repository of a user or org (repeatable).",
)
@click.option(
    "--token",
    envvar=None,
    help="GitHub token (prefer GITHUB_TOKEN: flags show up in process lists).",
)
@click.option(
    "--concurrency", type=click.IntRange(1, 32), help="Requests in flight at once (default 4)."
)
@pace_option("Pacing for GitHub's secondary limit (default 800; 0 = off).")
@seconds_option(
    "--max-wait", "Seconds to wait for a rate-limit reset before deferring the rest (default 0)."
)
@seconds_option(
    "--lock-wait",
    "Seconds to wait for another collection on the same archive to end (default 600).",
)
@click.option(
    "--app-id",
    metavar="ID",
    help="A GitHub App's id or client id: collect every repository of its installations.",
)
@app_key_file_option("--app-key-file")
@click.option(
    "--all",
    "read_all",
    is_flag=True,
    help="Read every repository now, due or not (by default each is read at its cadence).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only failures and the summary.")
@config_options
@one_line_errors
def collect_command(
    repos: tuple[str, ...],
    owners: tuple[str, ...],
    token: str | None,
    concurrency: int | None,
    requests_per_minute: int | None,
    max_wait: float | None,
    lock_wait: float | None,
    app_id: str | None,
    app_key_file: str | None,
    read_all: bool,
    quiet: bool,
    config_path: str | None,
    database_url: str | None,
    api_url: str | None,
) -> None:
    """Collect traffic for the configured repositories into the archive.

    Exit codes: 0 all collected (or deferred by the rate limit), 1 some repositories
    failed (the others are kept), 2 usage or configuration error.
    """
    for name in repos:
        parse_repo_name(name)
    settings = collecting_settings(
        config_path, database_url, api_url, token=token, app_id=app_id, app_key_file=app_key_file
    )
    changes: dict[str, object] = {
        "repos": settings.repos + repos,
        "owners": settings.owners + owners,
        "read_all": read_all,
    }
    if concurrency is not None:
        changes["concurrency"] = concurrency
    if requests_per_minute is not None:
        changes["requests_per_minute"] = requests_per_minute
    if max_wait is not None:
        changes["max_wait"] = max_wait
    if lock_wait is not None:
        changes["lock_wait"] = lock_wait
    settings = settings.with_changes(**changes)
    archive = open_archive(settings.database_url)
    # Tokens and Apps stored in the archive (encrypted) count as much as configured ones.
    settings = collection_credentials(settings, archive.db)
    if not settings.repos and not settings.owners and not settings.apps:
        raise ConfigError(
            "nothing to collect: give --repo OWNER/NAME or --owner LOGIN, "
            "or list repos/owners under [collect] in ghtraffic.toml"
        )
    # The processing trigger: roll-ups, spike events and notifications after each commit.
    processor = Processor(archive.db, settings)
    with RunDisplay(err, quiet=quiet) as display:

        def on_result(outcome: RepoOutcome) -> None:
            display.result(outcome)
            processor.on_result(outcome)

        try:
            summary = asyncio.run(
                run_collection(
                    settings,
                    archive=archive,
                    on_total=display.total,
                    on_result=on_result,
                    on_notice=display.notice,
                    on_committed=processor.on_committed,
                )
            )
        finally:
            processor.close()
    if summary.fatal:
        fail(summary.fatal, summary.fatal_code)
    click.echo(summary.line())
    if summary.waiting and not summary.outcomes:
        err.print(
            f"nothing was due: each of the {summary.waiting} repositories was read within its"
            " interval (see `ghtraffic status`); `ghtraffic collect --all` reads them now"
        )
    if summary.exit_code:
        raise SystemExit(summary.exit_code)
