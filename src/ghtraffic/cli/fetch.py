"""``ghtraffic fetch``: the simplest path. Ask for a token and a repository, print its
traffic as one JSON document, store nothing."""

from __future__ import annotations

import asyncio
import json
import os

import click
from pydantic import SecretStr

from ghtraffic.cli.common import EXIT_USAGE, fail, one_line_errors
from ghtraffic.config import DEFAULT_API_URL, ConfigError, parse_repo_name
from ghtraffic.github.client import GitHubClient
from ghtraffic.github.fetch import fetch_traffic


@click.command("fetch")
@click.argument("repo", required=False, metavar="[OWNER/REPO]")
@click.option("--api-url", envvar="GHTRAFFIC_API_URL", default=DEFAULT_API_URL, show_default=True)
@one_line_errors
def fetch_command(repo: str | None, api_url: str) -> None:
    """Print one repository's views, clones, referrers and paths as JSON.

    The token comes from GITHUB_TOKEN or GH_TOKEN, else it is asked for with hidden
    input. Nothing is stored.
    """
    token = os.environ.get("GITHUB_TOKEN") or os.environ.get("GH_TOKEN")
    if not token:
        token = click.prompt("GitHub token", hide_input=True, err=True)
    if not token or not token.strip():
        fail("no token given", EXIT_USAGE)
    if not repo:
        repo = click.prompt("Repository (owner/repo)", err=True)
    try:
        owner, name = parse_repo_name(repo or "")
    except ConfigError as exc:
        fail(str(exc), EXIT_USAGE)
    secret = SecretStr(token.strip())

    async def run() -> dict[str, object]:
        async with GitHubClient(secret, api_url.rstrip("/"), requests_per_minute=None) as client:
            return await fetch_traffic(client, owner, name)

    document = asyncio.run(run())
    click.echo(json.dumps(document, indent=2))
