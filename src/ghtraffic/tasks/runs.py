"""The run log of a distributed run: one ``collection_runs`` row opened by the
scheduling job; each repository's result is logged by its collection job (an ``ok``
result in the same transaction as the repository's data, so a retried job sees it and
does not collect twice); the result that completes the count closes the run."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import Session

from ghtraffic.domain import RepoOutcome
from ghtraffic.github.ratelimit import RateLimitState
from ghtraffic.storage.database import Database
from ghtraffic.storage.tables import CollectionResult, CollectionRun


def already_collected(db: Database, run_id: int, repo_id: int | None, name: str) -> bool:
    """Whether the run already holds an ``ok`` result for this repository."""
    match = func.lower(CollectionResult.full_name) == name.lower()
    if repo_id is not None:
        match = or_(match, CollectionResult.repo_id == repo_id)
    with db.read_session() as session:
        found = session.scalar(
            select(CollectionResult.id)
            .where(CollectionResult.run_id == run_id, CollectionResult.outcome == "ok", match)
            .limit(1)
        )
    return found is not None


def record(
    session: Session,
    run_id: int,
    total: int,
    outcome: RepoOutcome,
    *,
    points: int = 0,
    rate: RateLimitState | None = None,
    now: datetime | None = None,
) -> None:
    """Log ``outcome`` in the run inside ``session``; the last of ``total`` closes it.

    The run's row is updated first: concurrent results queue on its row lock."""
    R = CollectionRun
    values: dict[str, object] = {
        "repos_ok": R.repos_ok + int(outcome.outcome == "ok"),
        "repos_failed": R.repos_failed + int(outcome.outcome == "failed"),
        "repos_deferred": R.repos_deferred + int(outcome.outcome == "deferred"),
        "requests": R.requests + outcome.requests,
        "rate_points": R.rate_points + points,
        "days_added": R.days_added + outcome.days_added,
        "days_raised": R.days_raised + outcome.days_raised,
    }
    if rate is not None:
        values["rate_remaining"] = rate.remaining
        values["rate_limit"] = rate.limit
    session.execute(update(R).where(R.id == run_id).values(**values))
    session.add(
        CollectionResult(
            run_id=run_id,
            full_name=outcome.full_name,
            repo_id=outcome.repo_id,
            outcome=outcome.outcome,
            reason=outcome.reason,
            requests=outcome.requests,
            days_added=outcome.days_added,
            days_raised=outcome.days_raised,
            finished_at=outcome.finished_at,
        )
    )
    session.flush()
    close(session, run_id, total, now)


def close(session: Session, run_id: int, total: int, now: datetime | None = None) -> None:
    """Close the run once ``total`` results are logged (a no-op before, or when closed)."""
    R = CollectionRun
    status = case(
        (and_(R.repos_failed == 0, R.repos_deferred == 0), "ok"),
        (or_(R.repos_ok > 0, R.repos_deferred > 0), "partial"),
        else_="failed",
    )
    session.execute(
        update(R)
        .where(
            R.id == run_id,
            R.status == "running",
            R.repos_ok + R.repos_failed + R.repos_deferred >= total,
        )
        .values(status=status, finished_at=now or datetime.now(UTC))
    )
