"""The dashboard as an ASGI application factory, for ASGI servers run on their own:

    uvicorn --factory ghtraffic.web.asgi:from_env --workers 2 --host 127.0.0.1 --port 8000

Each worker process reads the settings (environment and ``ghtraffic.toml``, as every
command does) and serves the archive; none of them collects. Schedule collections with
one ``ghtraffic serve`` elsewhere, workers, or cron and ``ghtraffic collect``.
"""

from __future__ import annotations

from starlette.applications import Starlette

from ghtraffic.config import load_settings
from ghtraffic.storage.database import Database
from ghtraffic.web.app import create_app
from ghtraffic.web.config import web_config


def from_env() -> Starlette:
    """The web application over the configured archive (migrated first)."""
    settings = load_settings()
    db = Database(settings.database_url)
    db.upgrade()
    return create_app(db, settings, config=web_config(settings))
