"""One collection at a time per archive, released even when the process is killed.

SQLite: an exclusive ``flock`` on ``<archive>.lock`` beside the file. PostgreSQL: a
session-level advisory lock on a connection of its own. The operating system or the
server drops either when the holder dies, so a killed run never blocks the next one.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from typing import IO

from sqlalchemy import text
from sqlalchemy.engine import Connection

from ghtraffic.storage.database import Database
from ghtraffic.storage.errors import StorageError
from ghtraffic.storage.urls import sqlite_path

#: The advisory lock class of collection runs (an arbitrary, fixed number); the second
#: key is the archive's schema, so archives in different schemas do not block each other.
RUN_LOCK_CLASS = 471_720_190
POLL_SECONDS = 0.2


class RunLocked(StorageError):
    """Another collection holds the archive for longer than this run would wait."""


class CollectionLock:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._file: IO[bytes] | None = None
        self._connection: Connection | None = None

    def acquire(self, wait: float) -> None:
        """Take the lock, waiting up to ``wait`` seconds; ``RunLocked`` when it stays taken."""
        deadline = time.monotonic() + wait
        while not self._try():
            if time.monotonic() >= deadline:
                raise RunLocked(
                    f"another collection is running on {self.db.describe()} and did not end "
                    f"within {wait:.0f} s: this run did nothing; try again when it has ended"
                )
            time.sleep(POLL_SECONDS)

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._connection is not None:
            connection, self._connection = self._connection, None
            # The pool keeps the session open after close(): unlock explicitly, and if that
            # fails drop the connection, which ends the session and with it the lock.
            try:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:cls, hashtext(current_schema()))"),
                    {"cls": RUN_LOCK_CLASS},
                )
                connection.commit()
            except Exception:
                connection.invalidate()
            finally:
                connection.close()

    def __enter__(self) -> CollectionLock:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()

    def _try(self) -> bool:
        if self.db.is_sqlite:
            return self._try_file()
        return self._try_advisory()

    def _try_file(self) -> bool:
        path = sqlite_path(self.db.url)
        if path is None:
            return True  # an in-memory archive belongs to one process
        if self._file is None:
            try:
                self._file = Path(f"{path}.lock").open("a+b")  # noqa: SIM115
            except OSError:
                return True  # a folder we cannot write to: the archive itself will say so
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        self._file.truncate(0)
        self._file.write(f"{os.getpid()}\n".encode())
        self._file.flush()
        return True

    def _try_advisory(self) -> bool:
        with self.db.errors():
            if self._connection is None:
                self._connection = self.db.engine.connect()
            taken = self._connection.execute(
                text("SELECT pg_try_advisory_lock(:cls, hashtext(current_schema()))"),
                {"cls": RUN_LOCK_CLASS},
            ).scalar()
            self._connection.commit()
        return bool(taken)
