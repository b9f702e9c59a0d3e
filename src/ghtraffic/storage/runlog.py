"""The run log: a row per collection run (``collection_runs``), a row per repository and
run (``collection_results``), written here only.

A run is opened (by ``collect`` and ``serve``, or by the workers' scheduling job, keyed by
that job's id so that the job run again continues its run), each repository's result is
recorded, its figures added to the run's (an ``ok`` result inside the transaction that
commits the repository's data: the result and the data exist together), and the run is
closed with one status rule: by the process that ran it, when it ends, or, on workers,
by the result that completes the count. A run may be stopped for every repository not
yet started (an unreachable API, a rejected token): ``stopped_because`` says why. A
closed run's ``message`` is that reason, else the first reason a repository was deferred.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ghtraffic.domain import RepoOutcome
from ghtraffic.github.ratelimit import RateLimitState
from ghtraffic.storage.batch import RepoBatch
from ghtraffic.storage.database import Database
from ghtraffic.storage.tables import OUTCOMES, CollectionResult, CollectionRun
from ghtraffic.storage.tables_tasks import RateBudgetRow

R = CollectionRun
INTERRUPTED = "interrupted: the run ended without finishing (killed or stopped)"


def status_rule() -> ColumnElement[str]:
    """A closed run's status from its counts and message: ``ok`` when every repository
    was read and nothing stopped the run, ``failed`` when none was read and none merely
    waits for the next run, else ``partial``."""
    stopped_run = R.stopped_because.is_not(None)
    return case(
        (and_(R.repos_failed == 0, R.repos_deferred == 0, ~stopped_run), "ok"),
        (and_(R.repos_ok == 0, or_(R.repos_deferred == 0, stopped_run)), "failed"),
        else_="partial",
    )


def message_rule() -> ColumnElement[str | None]:
    """A closed run's message: why it stopped, else why its first repository deferred."""
    first_deferral = (
        select(CollectionResult.reason)
        .where(CollectionResult.run_id == R.id, CollectionResult.outcome == "deferred")
        .order_by(CollectionResult.id)
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(R.message, R.stopped_because, first_deferral)


def open_run(
    session: Session,
    api_url: str,
    started_at: datetime,
    *,
    job_id: int | None = None,
    total: int | None = None,
) -> int:
    """Open a run (status ``running``); returns its id."""
    run = R(
        started_at=started_at,
        status="running",
        api_url=api_url,
        job_id=job_id,
        repos_total=total,
    )
    session.add(run)
    session.flush()
    return run.id


def open_job_run(
    session: Session, api_url: str, started_at: datetime, job_id: int, total: int
) -> tuple[int, int]:
    """The run of queued job ``job_id``: opened now with ``total`` repositories, or, when
    the job runs again (its worker died), the one it opened before. Returns the run's id
    and its total."""
    try:
        with session.begin_nested():
            return open_run(session, api_url, started_at, job_id=job_id, total=total), total
    except IntegrityError:
        pass  # opened by an earlier attempt of the same job
    found = session.execute(select(R.id, R.repos_total).where(R.job_id == job_id)).one()
    return found.id, found.repos_total if found.repos_total is not None else total


def record(
    session: Session,
    run_id: int,
    outcome: RepoOutcome,
    *,
    rate: RateLimitState | None = None,
) -> None:
    """Log ``outcome`` in the run and add its figures to the run's.

    The run's row is updated first: concurrent results queue on its row lock."""
    if outcome.outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}, not {outcome.outcome!r}")
    values: dict[str, object] = {
        "repos_ok": R.repos_ok + int(outcome.outcome == "ok"),
        "repos_failed": R.repos_failed + int(outcome.outcome == "failed"),
        "repos_deferred": R.repos_deferred + int(outcome.outcome == "deferred"),
        "requests": R.requests + outcome.requests,
        "rate_points": R.rate_points + outcome.points,
        "days_added": R.days_added + outcome.days_added,
        "days_raised": R.days_raised + outcome.days_raised,
        **_rate_values(rate),
    }
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


def add_requests(
    session: Session,
    run_id: int,
    requests: int,
    points: int,
    rate: RateLimitState | None = None,
) -> None:
    """Add requests of no one repository (listings, star lists) to the run's figures."""
    session.execute(
        update(R)
        .where(R.id == run_id)
        .values(
            requests=R.requests + requests,
            rate_points=R.rate_points + points,
            **_rate_values(rate),
        )
    )


def set_total(session: Session, run_id: int, total: int, at: datetime) -> None:
    """How many results close the run (workers: known once the scheduling job listed the
    repositories); closes it at once when they are all logged already."""
    session.execute(update(R).where(R.id == run_id).values(repos_total=total))
    close(session, run_id, at, total=total)


def stop(session: Session, run_id: int, reason: str) -> None:
    """No more repositories start in this run (the first reason is kept)."""
    session.execute(
        update(R).where(R.id == run_id, R.stopped_because.is_(None)).values(stopped_because=reason)
    )


def stopped(session: Session, run_id: int) -> str | None:
    """Why the run starts no more repositories, or ``None``."""
    return session.scalar(select(R.stopped_because).where(R.id == run_id))


def close(session: Session, run_id: int, at: datetime, *, total: int | None = None) -> None:
    """Close a running run with the status rule; with ``total`` only once that many
    results are logged (a no-op before, or when already closed)."""
    query = update(R).where(R.id == run_id, R.status == "running")
    if total is not None:
        query = query.where(R.repos_ok + R.repos_failed + R.repos_deferred >= total)
    session.execute(query.values(status=status_rule(), message=message_rule(), finished_at=at))


def finish(
    session: Session,
    run_id: int,
    at: datetime,
    *,
    message: str | None = None,
    rate: RateLimitState | None = None,
) -> None:
    """Close the run that this process ran, now that it ended."""
    if message is not None:
        stop(session, run_id, message)
    if rate is not None:
        session.execute(update(R).where(R.id == run_id).values(**_rate_values(rate)))
    close(session, run_id, at)


def interrupt_stale(session: Session, at: datetime) -> int:
    """Close runs still marked ``running`` of processes that ended without finishing."""
    result = session.execute(
        update(R)
        .where(R.status == "running", R.job_id.is_(None))
        .values(status="failed", finished_at=at, message=INTERRUPTED)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def hours_with_runs(session: Session, since: datetime) -> int:
    """In how many distinct hours runs started since ``since``."""
    started = session.scalars(select(R.started_at).where(R.started_at >= since))
    return len({at.replace(minute=0, second=0, microsecond=0) for at in started})


def known_limits(session: Session) -> list[int]:
    """Each credential's hourly limit as GitHub last reported it: the workers' shared
    budgets when there are any, else the newest run's."""
    shared = list(session.scalars(select(RateBudgetRow.lim)))
    if shared:
        return shared
    newest = session.scalar(
        select(R.rate_limit)
        .where(R.rate_limit.is_not(None))
        .order_by(R.started_at.desc(), R.id.desc())
        .limit(1)
    )
    return [newest] if newest is not None else []


def newest_left_work(session: Session) -> bool:
    """Whether the newest closed run left repositories deferred or failed."""
    newest = session.execute(
        select(R.repos_failed, R.repos_deferred)
        .where(R.status != "running")
        .order_by(R.started_at.desc(), R.id.desc())
        .limit(1)
    ).first()
    return newest is not None and (newest[0] > 0 or newest[1] > 0)


def logged(session: Session, run_id: int) -> tuple[set[str], set[int]]:
    """The names (lower case) and repository ids the run holds a result for."""
    rows = session.execute(
        select(CollectionResult.full_name, CollectionResult.repo_id).where(
            CollectionResult.run_id == run_id
        )
    ).all()
    return {name.lower() for name, _ in rows}, {rid for _, rid in rows if rid is not None}


def results_besides(session: Session, run_id: int, names: set[str], ids: set[int]) -> int:
    """How many of the run's results are of none of ``names`` (lower case) and ``ids``."""
    rows = session.execute(
        select(CollectionResult.full_name, CollectionResult.repo_id).where(
            CollectionResult.run_id == run_id
        )
    ).all()
    return sum(1 for name, rid in rows if name.lower() not in names and rid not in ids)


def has_result(session: Session, run_id: int, repo_id: int | None, name: str) -> bool:
    """Whether the run already holds this repository's result."""
    match = func.lower(CollectionResult.full_name) == name.lower()
    if repo_id is not None:
        match = or_(match, CollectionResult.repo_id == repo_id)
    found = session.scalar(
        select(CollectionResult.id).where(CollectionResult.run_id == run_id, match).limit(1)
    )
    return found is not None


def read_days(session: Session) -> dict[str, set[date]]:
    """The days each repository (by name) was read successfully, on GitHub's clock: the
    ``finished_at`` of its ``ok`` results."""
    days: dict[str, set[date]] = defaultdict(set)
    rows = session.execute(
        select(CollectionResult.full_name, CollectionResult.finished_at).where(
            CollectionResult.outcome == "ok"
        )
    )
    for name, at in rows:
        if at is not None:
            days[name].add(at.date())
    return dict(days)


def _rate_values(rate: RateLimitState | None) -> dict[str, object]:
    if rate is None:
        return {}
    return {"rate_remaining": rate.remaining, "rate_limit": rate.limit}


@dataclass(eq=False)
class ArchiveRunLog:
    """One run's log as a collection writes it, repository by repository (the run log
    seam of ``collect.seams``, the same in one process and on workers).

    ``total``: on workers, how many results close the run (the result that completes the
    count closes it); in one process the run is closed by :func:`finish` when it ends.
    ``rate``: the newest rate-limit headers, kept in the run's row with each result.
    A stop is remembered once seen: a stopped run stays stopped. ``watch``: whether other
    processes may stop the run (workers), so the archive is asked; a run in one process
    knows its own stops.
    """

    db: Database
    run_id: int
    _: KW_ONLY
    total: int | None = None
    rate: Callable[[], RateLimitState | None] = lambda: None
    watch: bool = True
    _stopped: str | None = field(default=None, init=False)

    def stopped(self) -> str | None:
        if self._stopped is None and self.watch:
            with self.db.read_session() as session:
                self._stopped = stopped(session, self.run_id)
        return self._stopped

    def stop(self, reason: str) -> None:
        self._stopped = self._stopped or reason
        with self.db.session() as session:
            stop(session, self.run_id, reason)

    def in_commit(self, batch: RepoBatch, outcome: RepoOutcome) -> None:
        self._log(batch.session, outcome)

    def record(self, outcome: RepoOutcome) -> None:
        with self.db.session() as session:
            self._log(session, outcome)

    def add_requests(self, requests: int, points: int) -> None:
        with self.db.session() as session:
            add_requests(session, self.run_id, requests, points)

    def _log(self, session: Session, outcome: RepoOutcome) -> None:
        record(session, self.run_id, outcome, rate=self.rate())
        if self.total is not None:
            close(session, self.run_id, datetime.now(UTC), total=self.total)
