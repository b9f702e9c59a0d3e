"""Star, fork, watcher and open-issue counts, and download counts: the write functions.

Call them inside one repository's transaction, e.g. from the collector::

    with archive.repo_batch() as batch:
        batch.upsert_repo(facts, now)
        record_repo_counts(batch, facts.github_id, today, now, stars=facts.stars, forks=facts.forks)
        record_release_downloads(batch, facts.github_id, today, now, {"v1.0/tool.zip": 31})

A key seen again keeps the value observed last (counts go down as well as up).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from ghtraffic.history.importers.base import CountValue, DownloadValue
from ghtraffic.storage.batch import RepoBatch
from ghtraffic.storage.tables_history import (
    COUNT_METRICS,
    COUNT_SOURCES,
    DOWNLOAD_SOURCES,
    DownloadCount,
    RepoCount,
)
from ghtraffic.storage.upsert import insert_for


def start_of(day: date) -> datetime:
    """00:00 UTC of ``day``: the observation time given to values read without one."""
    return datetime.combine(day, time(), tzinfo=UTC)


def _newest_upsert(
    session: Session, table: Table, keys: tuple[str, ...], rows: list[dict[str, Any]]
) -> int:
    """Insert ``rows``; a stored row is replaced only by one observed at the same time or
    later. Returns the number of distinct keys written (none for no rows)."""
    if not rows:
        return 0
    session.flush()
    newest: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        key = tuple(row[name] for name in keys)
        kept = newest.get(key)
        if kept is None or row["observed_at"] >= kept["observed_at"]:
            newest[key] = row
    ordered = [newest[key] for key in sorted(newest)]
    stmt = insert_for(session, table)
    updates = {name: stmt.excluded[name] for name in ordered[0] if name not in keys}
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys),
        set_=updates,
        where=table.c.observed_at <= stmt.excluded.observed_at,
    )
    # One compiled statement, executed for many rows (the driver batches them).
    session.execute(stmt, ordered)
    return len(newest)


def record_counts(
    session: Session, repo_id: int, rows: Sequence[CountValue], observed_at: datetime
) -> int:
    """Store counts; a row without a time counts as observed at ``observed_at`` (events) or
    at the start of its day (snapshots). Returns the number of distinct keys written."""
    values = []
    for row in rows:
        if row.metric not in COUNT_METRICS or row.source not in COUNT_SOURCES:
            raise ValueError(f"unknown count {row.metric}/{row.source}")
        at = row.observed_at or (observed_at if row.source == "events" else start_of(row.day))
        values.append(
            {
                "repo_id": repo_id,
                "day": row.day,
                "metric": row.metric,
                "source": row.source,
                "value": row.value,
                "observed_at": at,
            }
        )
    keys = ("repo_id", "day", "metric", "source")
    return _newest_upsert(session, cast(Table, RepoCount.__table__), keys, values)


def record_downloads(
    session: Session, repo_id: int, rows: Sequence[DownloadValue], observed_at: datetime
) -> int:
    """Store download counts (a row without a time: the start of its day)."""
    values = []
    for row in rows:
        if row.source not in DOWNLOAD_SOURCES:
            raise ValueError(f"unknown download source {row.source!r}")
        values.append(
            {
                "repo_id": repo_id,
                "day": row.day,
                "source": row.source,
                "name": row.name,
                "count": row.count,
                "observed_at": row.observed_at or start_of(row.day),
            }
        )
    keys = ("repo_id", "day", "source", "name")
    return _newest_upsert(session, cast(Table, DownloadCount.__table__), keys, values)


def record_repo_counts(
    batch: RepoBatch,
    repo_id: int,
    day: date,
    observed_at: datetime,
    *,
    stars: int | None = None,
    forks: int | None = None,
    watchers: int | None = None,
    open_issues: int | None = None,
) -> int:
    """The collector's reading of a repository's counts on ``day`` (source ``snapshot``)."""
    given = {"stars": stars, "forks": forks, "watchers": watchers, "open_issues": open_issues}
    rows = [
        CountValue(day, metric, "snapshot", value, observed_at)
        for metric, value in given.items()
        if value is not None
    ]
    return record_counts(batch.session, repo_id, rows, observed_at)


def record_release_downloads(
    batch: RepoBatch,
    repo_id: int,
    day: date,
    observed_at: datetime,
    assets: Mapping[str, int],
) -> int:
    """Release assets' ``download_count`` on ``day``, keyed ``TAG/ASSET_NAME``."""
    rows = [
        DownloadValue(day, "release-asset", name, count, observed_at)
        for name, count in sorted(assets.items())
    ]
    return record_downloads(batch.session, repo_id, rows, observed_at)
