"""A repository's levels over time: stars, forks, watchers and open issues from its daily
snapshots, and GitHub's own unique visitors and cloners (14-day totals at each collection,
and weekly)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ghtraffic.storage.tables import RepoSnapshot, TrafficWeekly, TrafficWindow


@dataclass(frozen=True, slots=True)
class Level:
    day: date
    stars: int
    forks: int
    watchers: int | None
    open_issues: int


@dataclass(frozen=True, slots=True)
class Uniques:
    """Unique visitors and cloners as GitHub reported them for the period from ``day``."""

    day: date
    views_unique: int | None
    clones_unique: int | None


def levels(session: Session, repo_id: int, since: date, until: date) -> list[Level]:
    S = RepoSnapshot
    query = (
        select(S.day, S.stars, S.forks, S.watchers, S.open_issues)
        .where(S.repo_id == repo_id, S.day >= since, S.day <= until)
        .order_by(S.day)
    )
    return [Level(*row) for row in session.execute(query)]


def windows(session: Session, repo_id: int, since: date, until: date) -> list[Uniques]:
    """GitHub's 14-day uniques, dated by the window's last day, one per collection day."""
    W = TrafficWindow
    query = (
        select(W.last_day, W.views_unique, W.clones_unique)
        .where(W.repo_id == repo_id, W.last_day >= since, W.last_day <= until)
        .order_by(W.last_day, W.day)
    )
    by_day: dict[date, Uniques] = {}
    for day, views, clones in session.execute(query):
        by_day[day] = Uniques(day, views, clones)  # the newest collection of a day wins
    return list(by_day.values())


def weeks(session: Session, repo_id: int, since: date, until: date) -> list[Uniques]:
    """GitHub's weekly uniques, dated by the week's Monday."""
    W = TrafficWeekly
    query = (
        select(W.week_start, W.views_unique, W.clones_unique)
        .where(W.repo_id == repo_id, W.week_start >= since, W.week_start <= until)
        .order_by(W.week_start)
    )
    return [Uniques(*row) for row in session.execute(query)]
