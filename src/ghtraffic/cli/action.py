"""``ghtraffic action run|dump|load``: ghtraffic as a GitHub Action, and its text form.

``run`` is what ``action.yml`` calls, its settings in ``GHTRAFFIC_ACTION_*`` variables;
``dump DIR`` and ``load DIR`` write the archive as the data branch's text form and merge
one (a checkout of the data branch) into the archive, e.g. to serve it elsewhere.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import click

from ghtraffic.cli.common import EXIT_FAILED, archive_options, fail, one_line_errors
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database


@click.group("action")
def action_group() -> None:
    """Run ghtraffic as a GitHub Action, keeping the archive as text in a git branch."""


@action_group.command("run")
@one_line_errors
def run_command() -> None:
    """One run of the action: restore the data branch, collect, commit and push.

    Settings come from GHTRAFFIC_ACTION_* variables (see docs/ACTION.md), which
    action.yml sets from its inputs. Exit codes as for `ghtraffic collect`: with 1 (some
    repositories failed) what was read is committed and pushed all the same; with 2 (a
    usage error or a rejected token) nothing is.
    """
    from ghtraffic.action.git import GitError
    from ghtraffic.action.run import ActionError, run_action
    from ghtraffic.action.settings import action_settings
    from ghtraffic.action.textform import TextFormError

    settings = action_settings(os.environ)
    try:
        code = run_action(settings, os.environ, click.echo)
    except (ActionError, GitError, TextFormError) as exc:
        fail(str(exc), EXIT_FAILED)
    if code:
        raise SystemExit(code)


@action_group.command("dump")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@archive_options
@one_line_errors
def dump_command(folder: Path, db: Database) -> None:
    """Write the archive into FOLDER as the action's text form (changed files only)."""
    from ghtraffic.action.dump import dump

    report = dump(Archive(db), folder)
    click.echo(
        f"wrote {report.repos} repositories to {folder}: {len(report.written)} files changed,"
        f" {len(report.removed)} removed"
    )


@action_group.command("load")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@archive_options
@one_line_errors
def load_command(folder: Path, db: Database) -> None:
    """Merge the text form in FOLDER (a checkout of the data branch) into the archive.

    Values merge by the archive's rules (per day and metric the maximum, the newest
    list of a day), so loading into an archive that holds data loses nothing.
    """
    from ghtraffic.action.load import load
    from ghtraffic.action.textform import TextFormError, check_format

    try:
        if not check_format(folder):
            fail(f"{folder} holds no ghtraffic text form (no ghtraffic-text.json)", EXIT_FAILED)
        report = load(Archive(db), folder, datetime.now(UTC))
    except TextFormError as exc:
        fail(str(exc), EXIT_FAILED)
    click.echo(
        f"loaded {report.repos} repositories from {folder}: days {report.days.added}"
        f" added, {report.days.raised} raised"
    )
