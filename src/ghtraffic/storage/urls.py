"""What the archive's URL says: a SQLite file's path, the libpq form of a PostgreSQL URL,
and the one-line refusal of a back end a feature does not support."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import make_url
from sqlalchemy.engine import URL

from ghtraffic.config import ConfigError

#: How long a SQLite writer waits for another writer before giving up, in seconds.
SQLITE_BUSY_TIMEOUT = 30.0


def sqlite_url(path: str | Path) -> str:
    """The SQLAlchemy URL of a SQLite archive file."""
    return f"sqlite:///{Path(path).expanduser()}"


def sqlite_path(url: URL) -> str | None:
    """The file path of a SQLite URL (also for the ``file:...?mode=ro`` URI form)."""
    database = url.database
    if not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        database = database[len("file:") :].split("?", 1)[0]
    return database


def require_postgres(database_url: str) -> None:
    """A one-line ``ConfigError`` unless the archive is on PostgreSQL."""
    if make_url(database_url).get_backend_name() != "postgresql":
        raise ConfigError(
            "workers need the archive on PostgreSQL: set GHTRAFFIC_DATABASE_URL="
            "postgresql+psycopg://USER@HOST/DB (move a SQLite archive with `ghtraffic db copy`)"
        )


def conninfo(database_url: str) -> str:
    """The libpq URI of a SQLAlchemy PostgreSQL URL (its query, e.g. ``options``, kept)."""
    require_postgres(database_url)
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)
