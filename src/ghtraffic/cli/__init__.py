"""Command line: ``ghtraffic fetch|collect|status|export|import|backup|restore|serve|user|
public|credential|fake-github|demo|worker|db|report|action``.

Each command lives in its own module; this one only assembles the group.
"""

from __future__ import annotations

import importlib
import logging
import os

import click

from ghtraffic import __version__

#: Each command's module, imported only when that command runs (a cron job that calls
#: ``collect`` does not pay for the web, the importers or Parquet).
COMMANDS: dict[str, str] = {
    "fetch": "ghtraffic.cli.fetch:fetch_command",
    "collect": "ghtraffic.cli.collect:collect_command",
    "status": "ghtraffic.cli.status:status_command",
    "export": "ghtraffic.cli.export:export_command",
    "import": "ghtraffic.cli.imports:import_command",
    "backup": "ghtraffic.cli.backup:backup_command",
    "restore": "ghtraffic.cli.backup:restore_command",
    "serve": "ghtraffic.cli.serve:serve_command",
    "user": "ghtraffic.cli.users:user_group",
    "public": "ghtraffic.cli.users:public_command",
    "credential": "ghtraffic.cli.credentials:credential_group",
    "fake-github": "ghtraffic.fakegithub.cli:fake_github_command",
    "demo": "ghtraffic.cli.demo:demo_command",
    "worker": "ghtraffic.cli.worker:worker_command",
    "db": "ghtraffic.cli.db:db_group",
    "report": "ghtraffic.cli.report:report_command",
    "action": "ghtraffic.cli.action:action_group",
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ghtraffic")
def cli() -> None:
    """Archive GitHub traffic (views, clones, referrers, paths) beyond GitHub's 14 days."""


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
