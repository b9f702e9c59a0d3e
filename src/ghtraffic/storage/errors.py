"""Storage failures as one-line messages that say what happened and what to do."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL

from ghtraffic.storage.urls import sqlite_path


class StorageError(Exception):
    """A storage failure with a one-line, human message (safe to show: no password)."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))

    @property
    def message(self) -> str:
        return str(self.args[0])


class UnknownRepoError(StorageError):
    """A repository name that is neither a current name nor an alias in the archive."""


def describe_url(url: URL) -> str:
    """The URL as shown to people: the password hidden, a SQLite archive as its path."""
    if url.get_backend_name() == "sqlite":
        return sqlite_path(url) or ":memory:"
    return url.render_as_string(hide_password=True)


def _first_line(error: BaseException) -> str:
    orig = getattr(error, "orig", None) or error
    text = str(orig).strip()
    return text.splitlines()[0] if text else type(orig).__name__


def _sqlite_message(text: str, where: str) -> str | None:
    lowered = text.lower()
    if "readonly" in lowered or "read-only" in lowered:
        return f"the archive {where} is read-only: give this user write access to it and its folder"
    if "database or disk is full" in lowered:
        return (
            f"the archive {where} cannot grow: the disk (or the database size limit) is full;"
            " free some space and run again"
        )
    if "unable to open database file" in lowered:
        return (
            f"cannot open the archive {where}: check that its folder exists and that this user"
            " may read and write both"
        )
    if "database is locked" in lowered or "database table is locked" in lowered:
        return (
            f"the archive {where} stayed locked by another process for too long:"
            " let the other ghtraffic process finish (or stop it) and run again"
        )
    if "file is not a database" in lowered or "malformed" in lowered:
        return f"{where} is not a usable SQLite archive (damaged or another kind of file)"
    if "disk i/o error" in lowered:
        return f"disk I/O error on the archive {where}: check the disk and its file system"
    return None


def _postgres_message(error: BaseException, text: str, where: str) -> str | None:
    lowered = text.lower()
    sqlstate = getattr(getattr(error, "orig", None), "sqlstate", None)
    if sqlstate == "53100" or "no space left" in lowered or "could not extend file" in lowered:
        return (
            f"the PostgreSQL archive {where} is out of disk space:"
            " free space on the database server and run again"
        )
    if sqlstate == "25006" or "read-only transaction" in lowered:
        return f"the PostgreSQL archive {where} is read-only: connect as a user that may write"
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return f"PostgreSQL refused the login for {where}: check the user name and password"
    if "does not exist" in lowered and "database" in lowered:
        return f"the PostgreSQL database of {where} does not exist: create it first ({text})"
    if (
        "could not connect" in lowered
        or "connection refused" in lowered
        or "connection failed" in lowered
        or "connection timeout" in lowered
        or "server closed the connection" in lowered
        or "consuming input failed" in lowered
    ):
        return (
            f"cannot connect to PostgreSQL at {where} ({text}):"
            " check that the server is running and the URL is right"
        )
    return None


def translate(error: sa_exc.DBAPIError, url: URL) -> StorageError | None:
    """A ``StorageError`` for an operational database failure, or ``None`` for a bug."""
    text = _first_line(error)
    where = describe_url(url)
    if url.get_backend_name() == "sqlite":
        message = _sqlite_message(text, where)
    else:
        message = _postgres_message(error, text, where)
    if message is None and isinstance(error, sa_exc.OperationalError):
        message = f"database failure on {where}: {text}"
    return StorageError(message) if message is not None else None


@contextmanager
def storage_errors(url: URL) -> Iterator[None]:
    """Re-raise operational database failures inside the block as ``StorageError``."""
    try:
        yield
    except sa_exc.DBAPIError as error:
        if isinstance(error, sa_exc.IntegrityError | sa_exc.ProgrammingError):
            raise
        translated = translate(error, url)
        if translated is None:
            raise
        raise translated from error
