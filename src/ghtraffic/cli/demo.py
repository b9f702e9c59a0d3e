"""``ghtraffic demo``: the built-in fake GitHub, months of simulated daily collections into a
fresh SQLite archive (processed as they land), then the dashboard on http://127.0.0.1:8000
(or the next free port when 8000 is in use and no ``--port`` was given)."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from click.core import ParameterSource
from pydantic import SecretStr
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from ghtraffic.cli.common import err, one_line_errors, out
from ghtraffic.cli.status import print_status
from ghtraffic.collect.run import run_collection
from ghtraffic.config import Settings, data_dir
from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.server import FakeGitHub, running
from ghtraffic.identity.accounts import add_user
from ghtraffic.processing.processor import Processor
from ghtraffic.sockets import bind, bind_from
from ghtraffic.storage.archive import Archive, open_archive
from ghtraffic.web.assets import require_vendor
from ghtraffic.web.config import web_config
from ghtraffic.web.server import serve

DEMO_TOKEN = "demo-token"  # noqa: S105 (the fake GitHub's public demo token)
DEMO_OWNERS = ("octo-demo", "acme-labs", "globex")
DEMO_USER = "demo"
#: The last days of the demo are collected daily; earlier ones weekly.
DAILY_TAIL = 30
DEMO_PASSWORD = "demo-password"  # noqa: S105 (a throwaway account on a loopback-only demo)


@click.command("demo")
@click.option("--repos", default=30, show_default=True, help="Repositories the fake GitHub serves.")
@click.option("--days", default=180, show_default=True, help="Simulated days of daily collection.")
@click.option("--seed", default=7, show_default=True, help="Seed of the simulated traffic.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    help="Port of the dashboard (default: 8000, or the next free one when it is in use).",
)
@click.option("--no-serve", is_flag=True, help="Collect and print the status, then stop.")
@click.option(
    "--database",
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite file to create (default: demo.sqlite in the data dir).",
)
@click.pass_context
@one_line_errors
def demo_command(
    context: click.Context,
    repos: int,
    days: int,
    seed: int,
    port: int,
    no_serve: bool,
    database: Path | None,
) -> None:
    """Collect simulated traffic from the built-in fake GitHub and show the dashboard.

    No token needed: everything runs on this machine, on 127.0.0.1 only.
    """
    listener = None
    if not no_serve:  # the port first: a port in use is known before minutes of collecting
        require_vendor()
        if context.get_parameter_source("port") == ParameterSource.DEFAULT:
            listener = bind_from("127.0.0.1", port)
            if listener.getsockname()[1] != port:
                err.print(f"port {port} is in use: the dashboard takes {listener.getsockname()[1]}")
        else:
            listener = bind("127.0.0.1", port, option="--port")
    path = database or data_dir() / "demo.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=days)
    archive = open_archive(url)
    with running(FakeGitHubConfig(repos=repos, seed=seed, start=start)) as fake:
        settings = Settings(
            api_url=fake.api_url,
            database_url=url,
            token=SecretStr(DEMO_TOKEN),
            owners=DEMO_OWNERS,
            concurrency=8,
            requests_per_minute=0,
            sections={"web": {"secure_cookies": False}},
        )
        processor = Processor(archive.db, settings)
        _collect_days(fake, archive, settings, processor, days)
        as_of = fake.now()
        out.print(
            f"[bold]Demo archive[/bold]: {path}  ({days} simulated days from the fake GitHub)\n"
        )
        print_status(archive, as_of, brief=True)
        _print_top(archive, as_of)
        if no_serve:
            out.print(f"\nExplore it: GHTRAFFIC_DATABASE_URL={url} ghtraffic status")
            return
        add_user(archive.db, DEMO_USER, DEMO_PASSWORD, admin=True)

        async def ready(where: str) -> None:
            out.print(
                f"\n[bold]Dashboard[/bold]: {where}  (log in as [bold]{DEMO_USER}[/bold] / "
                f"[bold]{DEMO_PASSWORD}[/bold]; Ctrl-C stops)\n"
                '"Collect now" on the Collection page moves the fake GitHub one day ahead '
                "and collects it: the open pages update live."
            )

        asyncio.run(
            serve(
                settings,
                archive,
                web_config(settings),
                host="127.0.0.1",
                port=port,
                on_committed=processor.on_committed,
                on_ready=ready,
                before_collect=lambda: _advance(fake),
                say=err.print,
                listener=listener,
            )
        )


def _advance(fake: FakeGitHub) -> None:
    fake.advance_days(1)


def _collect_days(
    fake: FakeGitHub, archive: Archive, settings: Settings, processor: Processor, days: int
) -> None:
    """Weekly runs first (GitHub's 14-day window makes a weekly run lose nothing), daily
    runs for the last month (so the daily referrer, path and star snapshots are there too)."""
    steps = [7] * max(0, (days - DAILY_TAIL) // 7)
    steps += [1] * (days - sum(steps))
    with Progress(
        TextColumn("[bold]collecting simulated days"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("days", total=days)
        for step in steps:
            summary = asyncio.run(
                run_collection(settings, archive=archive, on_committed=processor.on_committed)
            )
            if summary.fatal:
                raise click.ClickException(summary.fatal)
            fake.advance_days(step)
            progress.advance(task, step)


def _print_top(archive: Archive, as_of: datetime, top: int = 10) -> None:
    since = (as_of - timedelta(days=30)).date()
    views: dict[str, int] = defaultdict(int)
    clones: dict[str, int] = defaultdict(int)
    for row in archive.export_daily(None, since, None):
        views[row.repo] += row.views or 0
        clones[row.repo] += row.clones or 0
    table = Table(title=f"Busiest repositories since {since}", title_justify="left")
    table.add_column("repository")
    table.add_column("views", justify="right")
    table.add_column("clones", justify="right")
    for repo in sorted(views, key=lambda r: (-views[r], r))[:top]:
        table.add_row(repo, f"{views[repo]:,}", f"{clones[repo]:,}")
    out.print(table)
