"""Star history: from the dated stargazer list where the credential may read it, else from
the daily star counts ghtraffic reads itself (``repo_snapshots``); ``star_history`` says which."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ghtraffic.history.counts import record_counts
from ghtraffic.history.importers.base import CountValue
from ghtraffic.storage.tables_history import StarHistory
from ghtraffic.storage.upsert import replace_upsert

#: A repository whose list was refused is asked again after this long.
RETRY_REFUSED = timedelta(days=30)


def backfill_due(session: Session, repo_ids: Iterable[int], now: datetime) -> list[int]:
    """The repositories whose star history has not been read (or was refused long ago)."""
    wanted = list(repo_ids)
    known = {
        row.repo_id: row
        for row in session.scalars(select(StarHistory).where(StarHistory.repo_id.in_(wanted)))
    }
    due = []
    for repo_id in wanted:
        row = known.get(repo_id)
        if row is None or (row.source == "snapshots" and now - row.checked_at >= RETRY_REFUSED):
            due.append(repo_id)
    return due


def cumulative_by_day(starred_at: Sequence[datetime]) -> list[tuple[date, int]]:
    """Stars at the end of each UTC day on which someone starred (current stargazers only)."""
    per_day = Counter(at.date() for at in starred_at)
    total = 0
    rows = []
    for day in sorted(per_day):
        total += per_day[day]
        rows.append((day, total))
    return rows


def record_stargazers(
    session: Session, repo_id: int, starred_at: Sequence[datetime], now: datetime
) -> int:
    """Store the star history rebuilt from the list; returns the days written."""
    rows = [
        CountValue(day, "stars", "events", value, now)
        for day, value in cumulative_by_day(starred_at)
    ]
    written = record_counts(session, repo_id, rows, now)
    _mark(session, repo_id, "stargazers", len(starred_at), now, None)
    return written


def record_refusal(session: Session, repo_id: int, reason: str, now: datetime) -> None:
    """The list may not be read with this credential: the daily snapshots are the history."""
    _mark(session, repo_id, "snapshots", 0, now, reason)


def _mark(
    session: Session, repo_id: int, source: str, listed: int, now: datetime, reason: str | None
) -> None:
    replace_upsert(
        session,
        StarHistory.__table__,  # type: ignore[arg-type]
        ("repo_id",),
        {
            "repo_id": repo_id,
            "source": source,
            "stars_listed": listed,
            "checked_at": now,
            "reason": reason,
        },
    )
