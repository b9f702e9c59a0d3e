"""The whole schema: importing this module registers every table module on ``Base``.

Migrations and the schema tests compare against ``metadata`` from here, so a table
module that is not imported here is a table the migrations do not know about.
"""

from __future__ import annotations

from ghtraffic.storage import (
    tables,
    tables_history,
    tables_processing,
    tables_secrets,
    tables_tasks,
    tables_throttle,
    tables_web,
)
from ghtraffic.storage.base import Base

metadata = Base.metadata

__all__ = [
    "metadata",
    "tables",
    "tables_history",
    "tables_processing",
    "tables_secrets",
    "tables_tasks",
    "tables_throttle",
    "tables_web",
]
