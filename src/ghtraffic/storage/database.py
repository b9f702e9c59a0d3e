"""The connection to the archive: an Engine, sessions, SQLite tuning and migrations."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, make_url
from sqlalchemy.engine import URL, Engine
from sqlalchemy.orm import Session, sessionmaker

from ghtraffic.storage.errors import StorageError, describe_url, storage_errors
from ghtraffic.storage.migrate import current_revision, upgrade_to_head
from ghtraffic.storage.urls import SQLITE_BUSY_TIMEOUT, sqlite_path, sqlite_url

__all__ = ["SQLITE_BUSY_TIMEOUT", "Database", "sqlite_url"]


def _sqlite_tuner(busy_timeout: float) -> Callable[[Any, Any], None]:
    def tune(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    return tune


class Database:
    """An archive database (SQLite file or PostgreSQL) reached through one SQLAlchemy URL."""

    def __init__(
        self, url: str | URL, *, echo: bool = False, busy_timeout: float = SQLITE_BUSY_TIMEOUT
    ) -> None:
        """Connect lazily to ``url``; ``busy_timeout`` (seconds) only matters for SQLite."""
        self.url: URL = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        # Connections are kept for as many threads as the web server reads with at once:
        # one beyond the pool is opened and closed for each use, and on SQLite starts
        # with an empty page cache.
        kwargs: dict[str, Any] = {"echo": echo, "pool_size": 20, "max_overflow": 20}
        if self.is_sqlite:
            self._make_folder()
            kwargs["connect_args"] = {"timeout": busy_timeout}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(self.url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_tuner(busy_timeout))
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._at_head = False

    def _make_folder(self) -> None:
        path = sqlite_path(self.url)
        if path is None or "mode=ro" in str(self.url):
            return
        folder = Path(path).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StorageError(
                f"cannot create the folder {folder} for the archive {path}"
                f" ({error.strerror or error}): choose another path or fix its permissions"
            ) from error

    def __repr__(self) -> str:
        return f"Database({self.describe()!r})"

    def describe(self) -> str:
        """Where the archive is, for people: a path or a URL without its password."""
        return describe_url(self.url)

    @contextmanager
    def errors(self) -> Iterator[None]:
        """Turn operational database failures inside the block into ``StorageError``."""
        with storage_errors(self.url):
            yield

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed on exit, rolled back on an exception."""
        with self.errors(), self._sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A session for reading only (rolled back on exit)."""
        with self.errors(), self._sessions() as session:
            yield session

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (cheap when it is already there)."""
        if self._at_head:
            return
        with self.errors():
            upgrade_to_head(self.engine)
        self._at_head = True

    def current_revision(self) -> str | None:
        """The migration the database is at (``None`` for an empty database)."""
        with self.errors():
            return current_revision(self.engine)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
