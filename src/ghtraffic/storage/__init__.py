"""Storage: the archive schema (SQLAlchemy 2 + Alembic, SQLite or PostgreSQL), the
max-merge of overlapping windows, the run log, status and export queries."""

from ghtraffic.storage.archive import Archive
from ghtraffic.storage.batch import RepoBatch
from ghtraffic.storage.database import Database, sqlite_url
from ghtraffic.storage.errors import StorageError, UnknownRepoError
from ghtraffic.storage.records import (
    ExportRow,
    RepoRow,
    RepoState,
    RepoStatus,
    ResultRow,
    RunRow,
    StatusReport,
)

__all__ = [
    "Archive",
    "Database",
    "ExportRow",
    "RepoBatch",
    "RepoRow",
    "RepoState",
    "RepoStatus",
    "ResultRow",
    "RunRow",
    "StatusReport",
    "StorageError",
    "UnknownRepoError",
    "sqlite_url",
]
