"""What a run needs to know of each repository before reading it: the newest archived week,
the last day watchers were read, the last success, the newest window and the newest day it
covered, and its recent activity (GitHub's 14-day views, the newest spike, the newest
release): one query per figure for every repository at once."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ghtraffic.storage.records import RepoState
from ghtraffic.storage.tables import Repo, RepoSnapshot, TrafficWeekly, TrafficWindow
from ghtraffic.storage.tables_history import DownloadCount
from ghtraffic.storage.tables_processing import TrafficEvent

W = TrafficWindow


def repo_states(session: Session, ids: Collection[int] | None = None) -> dict[int, RepoState]:
    """Per repository id (of the repositories ``ids`` only, when given)."""

    def per_repo(query: Select[int, date], column: Any) -> dict[int, date]:
        if ids is not None:
            query = query.where(column.in_(list(ids)))
        return {repo_id: value for repo_id, value in session.execute(query.group_by(column))}

    weeks = per_repo(
        select(TrafficWeekly.repo_id, func.max(TrafficWeekly.week_start)), TrafficWeekly.repo_id
    )
    watchers = per_repo(
        select(RepoSnapshot.repo_id, func.max(RepoSnapshot.day)).where(
            RepoSnapshot.watchers.is_not(None)
        ),
        RepoSnapshot.repo_id,
    )
    windows = per_repo(select(W.repo_id, func.max(W.day)), W.repo_id)
    covered = per_repo(select(W.repo_id, func.max(W.last_day)), W.repo_id)
    spikes = per_repo(
        select(TrafficEvent.repo_id, func.max(TrafficEvent.day)).where(
            TrafficEvent.metric == "views"
        ),
        TrafficEvent.repo_id,
    )
    views = _views_of_newest_window(session, ids)
    releases = _newest_release_day(session, ids)
    listed = select(Repo.id, Repo.full_name, Repo.last_success_at)
    if ids is not None:
        listed = listed.where(Repo.id.in_(list(ids)))
    return {
        repo_id: RepoState(
            repo_id=repo_id,
            full_name=full_name,
            latest_week_start=weeks.get(repo_id),
            last_watchers_day=watchers.get(repo_id),
            last_success_at=last_success_at,
            last_window_day=windows.get(repo_id),
            last_covered_day=covered.get(repo_id),
            views_14d=views.get(repo_id),
            last_spike_day=spikes.get(repo_id),
            last_release_day=releases.get(repo_id),
        )
        for repo_id, full_name, last_success_at in session.execute(listed)
    }


def _views_of_newest_window(session: Session, ids: Collection[int] | None) -> dict[int, int]:
    """GitHub's 14-day views of each repository's newest window that has them."""
    newest = select(W.repo_id, func.max(W.day).label("day")).where(W.views.is_not(None))
    if ids is not None:
        newest = newest.where(W.repo_id.in_(list(ids)))
    latest = newest.group_by(W.repo_id).subquery()
    rows = session.execute(
        select(W.repo_id, W.views).join(
            latest, (W.repo_id == latest.c.repo_id) & (W.day == latest.c.day)
        )
    )
    return {repo_id: views for repo_id, views in rows if views is not None}


def _newest_release_day(session: Session, ids: Collection[int] | None) -> dict[int, date]:
    """The day each repository's newest release asset was first seen."""
    D = DownloadCount
    first_seen = select(D.repo_id, func.min(D.day).label("day")).where(D.source == "release-asset")
    if ids is not None:
        first_seen = first_seen.where(D.repo_id.in_(list(ids)))
    assets = first_seen.group_by(D.repo_id, D.name).subquery()
    rows = session.execute(
        select(assets.c.repo_id, func.max(assets.c.day)).group_by(assets.c.repo_id)
    )
    return {repo_id: day for repo_id, day in rows}
