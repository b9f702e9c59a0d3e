"""The ``fake-github`` command: run the fake GitHub in the foreground."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.ratelimit import DEFAULT_LIMIT
from ghtraffic.fakegithub.server import serve


@click.command("fake-github")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=0, help="Port to listen on (default: a free one).")
@click.option("--repos", type=int, default=25, show_default=True, help="Synthetic repositories.")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the world.")
@click.option("--start", default=None, help="Start of the fake clock (ISO 8601, UTC).")
@click.option("--realtime", is_flag=True, help="Let the fake clock advance with wall time.")
@click.option("--switch-date", default=None, help="Day GitHub's window shape changes (ISO).")
@click.option("--latency-ms", type=float, default=None, help="Delay of every API response.")
@click.option("--faults", default=None, help='Faults, e.g. "5xx=0.05,reset=0.02,no-push=o/r".')
@click.option(
    "--replay",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Serve a github-repo-stats archive (OWNER/REPO/ghrs-data/) instead.",
)
@click.option("--ghes", is_flag=True, help="Behave like GitHub Enterprise Server (/api/v3).")
@click.option("--rate-limit", type=int, default=DEFAULT_LIMIT, show_default=True)
@click.option("--token", default=None, help="Token of the main user (default: demo-token).")
@click.option("--app-id", default=None, help="Id of a GitHub App installed on every owner.")
@click.option(
    "--app-key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The GitHub App's PUBLIC key (PEM file), with --app-id.",
)
def fake_github_command(
    host: str,
    port: int,
    repos: int,
    seed: int,
    start: str | None,
    realtime: bool,
    switch_date: str | None,
    latency_ms: float | None,
    faults: str | None,
    replay: Path | None,
    ghes: bool,
    rate_limit: int,
    token: str | None,
    app_id: str | None,
    app_key: Path | None,
) -> None:
    """Run a fake GitHub API with simulated traffic (control routes under /_fake/)."""
    try:
        config = FakeGitHubConfig.from_options(
            host=host,
            port=port,
            repos=repos,
            seed=seed,
            start=start,
            realtime=realtime,
            switch_date=switch_date,
            latency_ms=latency_ms,
            faults=faults,
            replay=replay,
            ghes=ghes,
            rate_limit=rate_limit,
            token=token,
            app_id=app_id,
            app_key=app_key,
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc

    def ready(base_url: str) -> None:
        click.echo(f"fake GitHub listening on {base_url}")
        sys.stdout.flush()  # a parent process waits for this line

    serve(config, on_ready=ready)
