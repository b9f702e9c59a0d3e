"""Where each repository's archive starts: what a comparison with an earlier period or a
change of stars can rest on."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ghtraffic.storage.tables import Repo, RepoSnapshot, TrafficDaily


def first_days(session: Session, ids: Collection[int]) -> dict[int, date]:
    """Per repository: its oldest archived day of traffic (one index lookup each)."""
    if not ids:
        return {}
    D = TrafficDaily
    first = select(D.day).where(D.repo_id == Repo.id).order_by(D.day).limit(1).scalar_subquery()
    query = select(Repo.id, first).where(Repo.id.in_(sorted(ids)))
    return {repo_id: day for repo_id, day in session.execute(query) if day is not None}


def first_stars(
    session: Session, ids: Collection[int], since: date, until: date
) -> dict[int, tuple[date, int]]:
    """Per repository: the day and stars of its oldest snapshot within ``since..until``."""
    if not ids:
        return {}
    S = RepoSnapshot
    oldest = (
        select(S.day)
        .where(S.repo_id == Repo.id, S.day >= since, S.day <= until)
        .order_by(S.day)
        .limit(1)
        .scalar_subquery()
    )
    days = {
        repo_id: day
        for repo_id, day in session.execute(select(Repo.id, oldest).where(Repo.id.in_(sorted(ids))))
        if day is not None
    }
    if not days:
        return {}
    query = select(S.repo_id, S.day, S.stars).where(
        S.repo_id.in_(sorted(days)), S.day.in_(sorted(set(days.values())))
    )
    return {
        repo_id: (day, stars)
        for repo_id, day, stars in session.execute(query)
        if days.get(repo_id) == day
    }
