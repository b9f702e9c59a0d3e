"""The queue's tables beside the archive: Procrastinate's schema, the shared rate budget
and the shared request pace, created once (concurrent callers wait for each other) in
the archive's schema."""

from __future__ import annotations

import psycopg
from procrastinate.schema import SchemaManager
from sqlalchemy import make_url

from ghtraffic.config import ConfigError

#: Advisory lock held while the queue's schema is created (an arbitrary, fixed number).
SCHEMA_LOCK = 4_717_201_902

BUDGET_TABLE = """
CREATE TABLE IF NOT EXISTS ghtraffic_rate_budget (
    fingerprint text PRIMARY KEY,
    remaining integer NOT NULL,
    lim integer NOT NULL,
    reset_at timestamptz NOT NULL,
    server_offset double precision NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
)
"""

PACE_TABLE = """
CREATE TABLE IF NOT EXISTS ghtraffic_request_pace (
    fingerprint text PRIMARY KEY,
    tokens double precision NOT NULL,
    updated_at timestamptz NOT NULL
)
"""


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


def apply_queue_schema(database_url: str) -> bool:
    """Create Procrastinate's schema and the budget table unless they exist; True when
    Procrastinate's schema was created now."""
    with psycopg.connect(conninfo(database_url)) as connection:
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        found = connection.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
        created = found is None or found[0] is None
        if created:
            connection.execute(SchemaManager.get_schema().encode())
        connection.execute(BUDGET_TABLE.encode())
        connection.execute(PACE_TABLE.encode())
        connection.commit()
    return created
