"""Reads: repository lookup, archive status, daily export and the run log."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from ghtraffic.storage.coverage import at_risk, gaps, leaves_window_at
from ghtraffic.storage.errors import UnknownRepoError
from ghtraffic.storage.records import (
    ExportRow,
    NeverArchived,
    RepoRow,
    RepoStatus,
    ResultRow,
    RunRow,
    StatusReport,
    copied,
)
from ghtraffic.storage.tables import (
    CollectionResult,
    CollectionRun,
    Repo,
    RepoAlias,
    TrafficDaily,
    TrafficWeekly,
    TrafficWindow,
)

#: A query of days (or weeks) and their four figures.
DatedFigures = Select[date, int | None, int | None, int | None, int | None]


def repo_row(repo: Repo) -> RepoRow:
    """The plain row of a repository, as storage hands it out."""
    return copied(RepoRow, repo)


def find_repo(session: Session, full_name: str) -> RepoRow | None:
    """The repository now or formerly called ``full_name`` (case-insensitive)."""
    name = full_name.strip().lower()
    repo = session.scalar(select(Repo).join(RepoAlias).where(RepoAlias.name == name))
    if repo is None:
        repo = session.scalar(
            select(Repo)
            .where(func.lower(Repo.full_name) == name)
            .order_by(Repo.last_seen_at.desc())
            .limit(1)
        )
    return None if repo is None else repo_row(repo)


def _run_row(run: CollectionRun) -> RunRow:
    return copied(RunRow, run)


def runs(session: Session, limit: int = 20) -> list[RunRow]:
    """The newest ``limit`` runs, newest first."""
    found = session.scalars(select(CollectionRun).order_by(CollectionRun.id.desc()).limit(limit))
    return [_run_row(run) for run in found]


def run_results(session: Session, run_id: int) -> list[ResultRow]:
    """The per-repository results of one run, in the order they were logged."""
    found = session.scalars(
        select(CollectionResult)
        .where(CollectionResult.run_id == run_id)
        .order_by(CollectionResult.id)
    )
    return [copied(ResultRow, row) for row in found]


def _sorted_repos(
    session: Session, repo_id: int | None = None
) -> list[tuple[int, str, datetime | None]]:
    query = select(Repo.id, Repo.full_name, Repo.last_success_at)
    if repo_id is not None:
        query = query.where(Repo.id == repo_id)
    repos = [(repo_id, name, success) for repo_id, name, success in session.execute(query)]
    return sorted(repos, key=lambda repo: (repo[1].casefold(), repo[1], repo[0]))


#: The reason shown for a configured repository that no run has tried yet.
NOT_TRIED = "no collection has tried it yet"


def never_archived(session: Session, configured: Iterable[str] = ()) -> list[NeverArchived]:
    """The repositories to collect that no collection ever read successfully, with the
    reason of their newest attempt, sorted by name.

    They are the ``configured`` names (``[collect] repos``) and every name in the run
    log (which holds the repositories listed from ``owners`` too); a name counts as read
    when a run read it, or when it (or a former name) belongs to a repository with a
    successful collection. For the dashboard, the status and the ``/metrics`` endpoint
    alike.
    """
    read = {
        name
        for (name,) in session.execute(
            select(RepoAlias.name).join(Repo).where(Repo.last_success_at.is_not(None))
        )
    }
    read.update(
        name.lower()
        for (name,) in session.execute(
            select(Repo.full_name).where(Repo.last_success_at.is_not(None))
        )
    )
    key = func.lower(CollectionResult.full_name)
    tried = session.execute(
        select(
            key,
            func.max(CollectionResult.id),
            func.count(CollectionResult.id),
            func.max(case((CollectionResult.outcome == "ok", 1), else_=0)),
        ).group_by(key)
    ).all()
    newest_ids = [newest for name, newest, _, ok in tried if not ok and name not in read]
    newest = {
        row.full_name.lower(): (row, started)
        for row, started in session.execute(
            select(CollectionResult, CollectionRun.started_at)
            .join(CollectionRun, CollectionRun.id == CollectionResult.run_id)
            .where(CollectionResult.id.in_(newest_ids))
        )
    }
    attempts = {name: count for name, _, count, _ in tried}
    found: dict[str, NeverArchived] = {}
    for name in configured:
        lowered = name.strip().strip("/").lower()
        if lowered and lowered not in read and lowered not in attempts:
            found[lowered] = NeverArchived(name.strip().strip("/"), NOT_TRIED, 0, None, None)
    for lowered, (row, started) in newest.items():
        reason = row.reason or f"the newest run {row.outcome} it without a reason"
        tried_at = row.finished_at or started
        found[lowered] = NeverArchived(
            row.full_name, reason, attempts[lowered], tried_at, row.outcome
        )
    return sorted(found.values(), key=lambda item: (item.full_name.casefold(), item.full_name))


def status(
    session: Session,
    as_of: datetime,
    repo_id: int | None = None,
    *,
    configured: Iterable[str] = (),
) -> StatusReport:
    """Per repository: archived span, lost and unexplained days and whether the newest day
    is at risk; for the whole archive (``repo_id`` ``None``) also the repositories never
    archived (``configured``: the names of ``[collect] repos``)."""
    days: defaultdict[int, list[date]] = defaultdict(list)
    dq = select(TrafficDaily.repo_id, TrafficDaily.day)
    if repo_id is not None:
        dq = dq.where(TrafficDaily.repo_id == repo_id)
    for rid, day in session.execute(dq):
        days[rid].append(day)
    spans: defaultdict[int, list[tuple[date, date]]] = defaultdict(list)
    windows = select(TrafficWindow.repo_id, TrafficWindow.first_day, TrafficWindow.last_day)
    if repo_id is not None:
        windows = windows.where(TrafficWindow.repo_id == repo_id)
    for rid, first, last in session.execute(windows):
        spans[rid].append((first, last))
    statuses: list[RepoStatus] = []
    for rid, full_name, last_success_at in _sorted_repos(session, repo_id):
        archived = days.get(rid, [])
        found = gaps(spans.get(rid, []), archived)
        newest = found.newest
        statuses.append(
            RepoStatus(
                repo_id=rid,
                full_name=full_name,
                first_day=min(archived) if archived else None,
                last_day=max(archived) if archived else None,
                days_archived=len(archived),
                last_success_at=last_success_at,
                newest_covered_day=newest,
                leaves_window_at=None if newest is None else leaves_window_at(newest),
                at_risk=newest is not None and at_risk(newest, as_of),
                lost_days=found.lost,
                unexplained_days=found.unexplained,
            )
        )
    last = session.scalar(select(CollectionRun).order_by(CollectionRun.id.desc()).limit(1))
    return StatusReport(
        as_of=as_of,
        repos=statuses,
        repos_archived=sum(1 for repo in statuses if repo.days_archived),
        total_days=sum(repo.days_archived for repo in statuses),
        last_run=None if last is None else _run_row(last),
        never_archived=never_archived(session, configured) if repo_id is None else [],
    )


def dated_figures(
    repo_id: int, since: date | None, until: date | None, *, weekly: bool = False
) -> DatedFigures:
    """The archived days (``weekly``: weeks, by their Monday) of a repository within the
    bounds (inclusive, ``None``: open), oldest first: each date and its four figures."""
    table = TrafficWeekly if weekly else TrafficDaily
    dated = TrafficWeekly.week_start if weekly else TrafficDaily.day
    query = select(dated, table.views, table.views_unique, table.clones, table.clones_unique).where(
        table.repo_id == repo_id
    )
    if since is not None:
        query = query.where(dated >= since)
    if until is not None:
        query = query.where(dated <= until)
    return query.order_by(dated)


def export_daily(
    session: Session, repo: str | None, since: date | None, until: date | None
) -> Iterator[ExportRow]:
    """Archived days ordered by current repository name, then day (bounds inclusive).

    ``repo`` may be a current name or an old one (an alias); an unknown name raises
    ``UnknownRepoError``.
    """
    if repo is None:
        targets = [(repo_id, full_name) for repo_id, full_name, _ in _sorted_repos(session)]
    else:
        found = find_repo(session, repo)
        if found is None:
            raise UnknownRepoError(f"no repository named {repo} in the archive")
        targets = [(found.id, found.full_name)]
    for repo_id, full_name in targets:
        for day, views, views_unique, clones, clones_unique in session.execute(
            dated_figures(repo_id, since, until)
        ):
            yield ExportRow(full_name, day, views, views_unique, clones, clones_unique)
