"""``ghtraffic serve``: the dashboard, the API and the scheduled collections in one process."""

from __future__ import annotations

import click

from ghtraffic.cli import loop
from ghtraffic.cli.common import collecting_settings, config_options, err, one_line_errors
from ghtraffic.storage.archive import open_archive
from ghtraffic.storage.credentials import collection_credentials
from ghtraffic.web.assets import require_vendor
from ghtraffic.web.config import web_config
from ghtraffic.web.server import serve


@click.command("serve")
@click.option("--host", help="Address to listen on (default [web] host or 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (default [web] port or 8000).")
@click.option("--no-scheduler", is_flag=True, help="Serve only; collect with `ghtraffic collect`.")
@config_options
@one_line_errors
def serve_command(
    host: str | None,
    port: int | None,
    no_scheduler: bool,
    config_path: str | None,
    database_url: str | None,
    api_url: str | None,
) -> None:
    """Serve the dashboard and API; collect on the [schedule] cron (default 03:17 UTC daily)."""
    require_vendor()
    settings = collecting_settings(config_path, database_url, api_url, collects=not no_scheduler)
    web = web_config(settings)
    archive = open_archive(settings.database_url)
    if not no_scheduler:  # a credential configured or stored, else one line now
        collection_credentials(settings, archive.db)
    loop.run(
        serve(
            settings,
            archive,
            web,
            host=host,
            port=port,
            scheduler=not no_scheduler,
            say=err.print,
        )
    )
