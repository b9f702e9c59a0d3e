"""Command line: ``ghtraffic fetch|collect|status|export|import|backup|restore|serve|user|
public|fake-github|demo``.

Each command lives in its own module; this one only assembles the group.
"""

from __future__ import annotations

import logging
import os

import click

from ghtraffic import __version__
from ghtraffic.cli.backup import backup_command, restore_command
from ghtraffic.cli.collect import collect_command
from ghtraffic.cli.demo import demo_command
from ghtraffic.cli.export import export_command
from ghtraffic.cli.fetch import fetch_command
from ghtraffic.cli.imports import import_command
from ghtraffic.cli.serve import serve_command
from ghtraffic.cli.status import status_command
from ghtraffic.cli.users import public_command, user_group
from ghtraffic.fakegithub.cli import fake_github_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ghtraffic")
def cli() -> None:
    """Archive GitHub traffic (views, clones, referrers, paths) beyond GitHub's 14 days."""


cli.add_command(fetch_command)
cli.add_command(collect_command)
cli.add_command(status_command)
cli.add_command(export_command)
cli.add_command(import_command)
cli.add_command(backup_command)
cli.add_command(restore_command)
cli.add_command(serve_command)
cli.add_command(user_group)
cli.add_command(public_command)
cli.add_command(fake_github_command)
cli.add_command(demo_command)


def _configure_logging() -> None:
    """Library log records (retries, debug notes) show only with ``GHTRAFFIC_DEBUG=1``.

    Without a handler Python would print warnings raw on stderr, past ``--quiet`` and
    through the progress bar; what a person must know reaches them as the commands' lines.
    """
    if os.environ.get("GHTRAFFIC_DEBUG"):
        logging.basicConfig(format="%(levelname)s %(name)s: %(message)s")
        logging.getLogger("ghtraffic").setLevel(logging.DEBUG)
    else:
        logging.getLogger("ghtraffic").addHandler(logging.NullHandler())


def main() -> None:
    _configure_logging()
    try:
        result = cli.main(prog_name="ghtraffic", standalone_mode=False)
    except click.UsageError as exc:
        hint = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx else ""
        click.echo(f"error: {exc.format_message()}{hint}", err=True)
        raise SystemExit(2) from None
    except click.Abort:
        click.echo("error: aborted", err=True)
        raise SystemExit(1) from None
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        raise SystemExit(exc.exit_code) from None
    if isinstance(result, int):
        raise SystemExit(result)
