"""The run log of a distributed run: one ``collection_runs`` row opened by the
scheduling job (keyed by that job's id, so the job run again continues its run instead
of opening another); each repository's result is logged by its collection job (an
``ok`` result in the same transaction as the repository's data, so a retried job sees it
and does not collect twice); the result that completes the count closes the run."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ghtraffic.domain import RepoOutcome
from ghtraffic.github.ratelimit import RateLimitState
from ghtraffic.storage.database import Database
from ghtraffic.storage.tables import CollectionResult, CollectionRun


def open_run(
    db: Database, api_url: str, started_at: datetime, job_id: int, total: int
) -> tuple[int, int]:
    """The run of scheduling job ``job_id``: opened now with ``total`` repositories, or,
    when the job runs again (its worker died), the one it opened before. Returns the
    run's id and its total."""
    R = CollectionRun
    try:
        with db.session() as session:
            run = R(
                started_at=started_at,
                status="running",
                api_url=api_url,
                job_id=job_id,
                repos_total=total,
            )
            session.add(run)
            session.flush()
            return run.id, total
    except IntegrityError:
        pass  # opened by an earlier attempt of the same job
    with db.read_session() as session:
        found = session.execute(select(R.id, R.repos_total).where(R.job_id == job_id)).one()
    return found.id, found.repos_total if found.repos_total is not None else total


def logged_names(db: Database, run_id: int) -> tuple[set[str], set[int]]:
    """The names (lower case) and repository ids the run holds a result for."""
    with db.read_session() as session:
        rows = session.execute(
            select(CollectionResult.full_name, CollectionResult.repo_id).where(
                CollectionResult.run_id == run_id
            )
        ).all()
    return {name.lower() for name, _ in rows}, {rid for _, rid in rows if rid is not None}


def has_result(db: Database, run_id: int, repo_id: int | None, name: str) -> bool:
    """Whether the run already holds this repository's result (one per repository: an
    ``ok`` comes with the data, a failure only after the last attempt)."""
    match = func.lower(CollectionResult.full_name) == name.lower()
    if repo_id is not None:
        match = or_(match, CollectionResult.repo_id == repo_id)
    with db.read_session() as session:
        found = session.scalar(
            select(CollectionResult.id).where(CollectionResult.run_id == run_id, match).limit(1)
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
