"""The queue's tables beside the archive: Procrastinate's schema, created once
(concurrent callers wait for each other) in the archive's schema. The workers' own
tables (the shared rate budget and request pace) are the archive's migrations'."""

from __future__ import annotations

import psycopg
from procrastinate.schema import SchemaManager

from ghtraffic.storage.urls import conninfo

#: Advisory lock held while the queue's schema is created (an arbitrary, fixed number).
SCHEMA_LOCK = 4_717_201_902


def apply_queue_schema(database_url: str) -> bool:
    """Create Procrastinate's schema unless it exists; True when it was created now."""
    with psycopg.connect(conninfo(database_url)) as connection:
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        found = connection.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
        created = found is None or found[0] is None
        if created:
            connection.execute(SchemaManager.get_schema().encode())
        connection.commit()
    return created
