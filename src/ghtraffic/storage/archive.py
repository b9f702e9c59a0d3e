"""The archive as the collector and the CLI use it: repository batches, runs, reads."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from ghtraffic.domain import RepoOutcome
from ghtraffic.github.ratelimit import RateLimitState
from ghtraffic.storage import queries, runlog, states
from ghtraffic.storage.batch import RepoBatch
from ghtraffic.storage.database import Database
from ghtraffic.storage.records import ExportRow, RepoRow, RepoState, ResultRow, RunRow, StatusReport
from ghtraffic.storage.tables import (
    HttpCache,
)

__all__ = ["Archive", "ExportRow", "RepoBatch", "RepoRow", "RepoState", "RunRow", "StatusReport"]


def _latest(session: Session, query: Select[int, date]) -> dict[int, date]:
    return {repo_id: latest for repo_id, latest in session.execute(query)}


def open_archive(database_url: str) -> Archive:
    """The archive at ``database_url``, migrated to the current schema."""
    db = Database(database_url)
    db.upgrade()
    return Archive(db)


class Archive:
    """Reads and writes of the traffic archive in one ``Database`` (already upgraded)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @contextmanager
    def repo_batch(self) -> Iterator[RepoBatch]:
        """One transaction for one repository: committed on exit, rolled back on error."""
        with self.db.session() as session:
            yield RepoBatch(session)

    def load_etags(self, prefixes: Sequence[str] | None = None) -> dict[str, tuple[str, str]]:
        """Every cached response: URL -> (ETag, body); with ``prefixes``, only the URLs
        equal to one of them or below it (``PREFIX/...``, ``PREFIX?...``)."""
        query = select(HttpCache.url, HttpCache.etag, HttpCache.body)
        if prefixes is not None:
            if not prefixes:
                return {}
            query = query.where(
                or_(
                    *(
                        or_(
                            HttpCache.url == prefix,
                            HttpCache.url.startswith(prefix + "/", autoescape=True),
                            HttpCache.url.startswith(prefix + "?", autoescape=True),
                        )
                        for prefix in prefixes
                    )
                )
            )
        with self.db.read_session() as session:
            rows = session.execute(query)
            return {url: (etag, body) for url, etag, body in rows}

    def find_repo(self, full_name: str) -> RepoRow | None:
        """The repository now or formerly called ``full_name`` (case-insensitive)."""
        with self.db.read_session() as session:
            return queries.find_repo(session, full_name)

    def repo_states(self, ids: Collection[int] | None = None) -> dict[int, RepoState]:
        """Per repository id: what a run needs to know before reading it (``states.py``)."""
        with self.db.read_session() as session:
            return states.repo_states(session, ids)

    def start_run(self, api_url: str, started_at: datetime) -> int:
        """Open a run in the run log (status ``running``); returns its id."""
        with self.db.session() as session:
            return runlog.open_run(session, api_url, started_at)

    def interrupt_stale_runs(self, at: datetime) -> int:
        """Close runs still marked ``running``: called by a run holding the collection
        lock, so their processes ended without finishing (killed, or the machine stopped)."""
        with self.db.session() as session:
            return runlog.interrupt_stale(session, at)

    def record_result(self, run_id: int, outcome: RepoOutcome) -> None:
        """Log how one repository fared in the run (its figures join the run's)."""
        with self.db.session() as session:
            runlog.record(session, run_id, outcome)

    def finish_run(
        self,
        run_id: int,
        at: datetime,
        *,
        message: str | None = None,
        rate: RateLimitState | None = None,
    ) -> None:
        """Close the run: its status follows from its results (``runlog.status_rule``)."""
        with self.db.session() as session:
            runlog.finish(session, run_id, at, message=message, rate=rate)

    def status(self, as_of: datetime) -> StatusReport:
        """Per repository: archived span, lost days and whether the newest day is at risk."""
        with self.db.read_session() as session:
            return queries.status(session, as_of)

    def export_daily(
        self, repo: str | None = None, since: date | None = None, until: date | None = None
    ) -> Iterator[ExportRow]:
        """Archived days ordered by current repository name, then day (bounds inclusive)."""
        with self.db.read_session() as session:
            yield from queries.export_daily(session, repo, since, until)

    def runs(self, limit: int = 20) -> list[RunRow]:
        """The newest ``limit`` runs, newest first."""
        with self.db.read_session() as session:
            return queries.runs(session, limit)

    def run_results(self, run_id: int) -> list[ResultRow]:
        """The per-repository results of one run, in the order they were logged."""
        with self.db.read_session() as session:
            return queries.run_results(session, run_id)
