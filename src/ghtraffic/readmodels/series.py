"""Traffic reads for pages and the API: daily, weekly and monthly series, windows, stars.

Callers pass repository ids already filtered by ``permissions``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.orm import Session

from ghtraffic.storage.queries import dated_figures
from ghtraffic.storage.tables import Repo, RepoSnapshot, TrafficDaily, TrafficWindow
from ghtraffic.storage.tables_history import RepoCount


@dataclass(frozen=True, slots=True)
class Point:
    """One day (or week, or month: ``day`` is its first day) of traffic."""

    day: date
    views: int | None
    views_unique: int | None
    clones: int | None
    clones_unique: int | None

    def as_dict(self) -> dict[str, object]:
        return _dated_document(self)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Stars, forks (``None`` until known) and watchers on one day."""

    day: date
    stars: int
    forks: int | None
    watchers: int | None

    def as_dict(self) -> dict[str, object]:
        return _dated_document(self)


def _dated_document(row: Point | Snapshot) -> dict[str, object]:
    """The row as the API gives it: its day as ``date`` (ISO 8601), then every other field
    under its own name, in the order the class declares them."""
    values = {name: getattr(row, name) for name in row.__dataclass_fields__}
    return {"date": values.pop("day").isoformat(), **values}


@dataclass(frozen=True, slots=True)
class Window:
    """GitHub's own 14-day totals of the newest collection of a repository."""

    day: date
    views: int | None
    views_unique: int | None
    clones: int | None
    clones_unique: int | None


def bounds(session: Session, ids: Collection[int]) -> tuple[date | None, date | None]:
    """Oldest and newest archived day of these repositories."""
    if not ids:
        return None, None
    D = TrafficDaily
    first = select(func.min(D.day)).where(D.repo_id == Repo.id).scalar_subquery()
    last = select(func.max(D.day)).where(D.repo_id == Repo.id).scalar_subquery()
    inner = select(first.label("f"), last.label("l")).where(Repo.id.in_(ids)).subquery()
    row = session.execute(select(func.min(inner.c.f), func.max(inner.c.l))).one()
    return row[0], row[1]


def daily(
    session: Session, repo_id: int, since: date | None = None, until: date | None = None
) -> list[Point]:
    return [Point(*row) for row in session.execute(dated_figures(repo_id, since, until))]


def totals_daily(session: Session, ids: Collection[int], since: date, until: date) -> list[Point]:
    """Views and clones summed across repositories per day (uniques cannot be summed)."""
    if not ids:
        return []
    query = (
        select(TrafficDaily.day, func.sum(TrafficDaily.views), func.sum(TrafficDaily.clones))
        .where(TrafficDaily.repo_id.in_(ids), TrafficDaily.day >= since, TrafficDaily.day <= until)
        .group_by(TrafficDaily.day)
        .order_by(TrafficDaily.day)
    )
    return [
        Point(day, _int(views), None, _int(clones), None)
        for day, views, clones in session.execute(query)
    ]


def _int(value: object) -> int | None:
    return None if value is None else int(str(value))


def weekly(
    session: Session, repo_id: int, since: date | None = None, until: date | None = None
) -> list[Point]:
    figures = dated_figures(repo_id, since, until, weekly=True)
    return [Point(*row) for row in session.execute(figures)]


def monthly(points: list[Point]) -> list[Point]:
    """Daily points summed per calendar month (views and clones; uniques stay unknown)."""
    views: dict[date, int] = defaultdict(int)
    clones: dict[date, int] = defaultdict(int)
    for point in points:
        month = point.day.replace(day=1)
        views[month] += point.views or 0
        clones[month] += point.clones or 0
    return [Point(month, views[month], None, clones[month], None) for month in sorted(views)]


def snapshots(
    session: Session, repo_id: int, since: date | None = None, until: date | None = None
) -> list[Snapshot]:
    """Stars and forks over time: the daily snapshots ghtraffic read and the counts it
    imported or rebuilt from the stargazer list (``repo_counts``), one point per day
    that has either.

    Where a day has several, a snapshot of the repository wins over an imported
    reading, which wins over a count rebuilt from events. A metric a day does not have
    keeps its last known value (a count rebuilt from events starts at 0: it counts
    from the first event); days before ``since`` only give the starting values."""
    kept: dict[date, dict[str, tuple[int, int]]] = defaultdict(dict)
    watchers: dict[date, int | None] = {}

    def keep(day: date, metric: str, rank: int, value: int) -> None:
        if metric not in kept[day] or rank < kept[day][metric][0]:
            kept[day][metric] = (rank, value)

    S = RepoSnapshot
    query = select(S.day, S.stars, S.forks, S.watchers).where(S.repo_id == repo_id)
    if until is not None:
        query = query.where(S.day <= until)
    for day, stars, forks, seen in session.execute(query):
        keep(day, "stars", 0, stars)
        keep(day, "forks", 0, forks)
        watchers[day] = seen
    C = RepoCount
    counts = select(C.day, C.metric, C.source, C.value).where(
        C.repo_id == repo_id, C.metric.in_(("stars", "forks"))
    )
    if until is not None:
        counts = counts.where(C.day <= until)
    events_first: set[str] = set()
    first_day: dict[str, date] = {}
    for day, metric, source, value in session.execute(counts):
        keep(day, metric, 1 if source == "snapshot" else 2, value)
        if metric not in first_day or day < first_day[metric]:
            first_day[metric] = day
            events_first.discard(metric)
            if source == "events":
                events_first.add(metric)
    known: dict[str, int | None] = {
        metric: 0 if metric in events_first else None for metric in ("stars", "forks")
    }
    points: list[Snapshot] = []
    for day in sorted(kept):
        for metric, (_, value) in kept[day].items():
            known[metric] = value
        star_count = known["stars"]
        if (since is not None and day < since) or star_count is None:
            continue
        points.append(Snapshot(day, star_count, known["forks"], watchers.get(day)))
    return points


def newest_windows(session: Session, ids: Collection[int]) -> dict[int, Window]:
    """Per repository: the 14-day totals of its newest collection."""
    if not ids:
        return {}
    W = TrafficWindow
    # an imported run's window records its span only, without GitHub's totals
    has_totals = W.views.is_not(None) | W.views_unique.is_not(None)
    has_totals |= W.clones.is_not(None) | W.clones_unique.is_not(None)
    newest = (
        select(TrafficWindow.repo_id, func.max(TrafficWindow.day).label("day"))
        .where(TrafficWindow.repo_id.in_(ids), has_totals)
        .group_by(TrafficWindow.repo_id)
        .subquery()
    )
    query = select(
        TrafficWindow.repo_id,
        TrafficWindow.day,
        TrafficWindow.views,
        TrafficWindow.views_unique,
        TrafficWindow.clones,
        TrafficWindow.clones_unique,
    ).join(
        newest,
        (TrafficWindow.repo_id == newest.c.repo_id) & (TrafficWindow.day == newest.c.day),
    )
    return {
        repo_id: Window(day, views, views_unique, clones, clones_unique)
        for repo_id, day, views, views_unique, clones, clones_unique in session.execute(query)
    }


def stars_on(session: Session, ids: Collection[int], day: date) -> dict[int, int]:
    """Per repository: stars on ``day``, from its newest snapshot or imported (or
    rebuilt) star count on or before it; a snapshot wins on the same day."""
    if not ids:
        return {}
    S, C = RepoSnapshot, RepoCount

    def newest(model: type[RepoSnapshot] | type[RepoCount], column: Any, *where: Any) -> Any:
        return (
            select(column)
            .where(model.repo_id == Repo.id, model.day <= day, *where)
            .order_by(model.day.desc(), *([C.source.desc()] if model is C else []))
            .limit(1)
            .scalar_subquery()
        )

    star_counts = (C.metric == "stars",)
    query = select(
        Repo.id,
        newest(S, S.day),
        newest(S, S.stars),
        newest(C, C.day, *star_counts),
        newest(C, C.value, *star_counts),
    ).where(Repo.id.in_(ids))
    found: dict[int, int] = {}
    for repo_id, snap_day, snap_stars, count_day, count_stars in session.execute(query):
        if snap_day is not None and (count_day is None or snap_day >= count_day):
            found[repo_id] = snap_stars
        elif count_day is not None:
            found[repo_id] = count_stars
    return found


def total(points: list[Point], metric: str) -> int:
    return sum(getattr(point, metric) or 0 for point in points)


def views_by_repo(
    session: Session, ids: Collection[int], since: date, until: date
) -> dict[int, int]:
    """Per repository: views summed over ``since..until``."""
    if not ids:
        return {}
    D = TrafficDaily
    query = (
        select(D.repo_id, func.sum(D.views))
        .where(D.repo_id.in_(ids), D.day >= since, D.day <= until)
        .group_by(D.repo_id)
    )
    return {repo_id: int(views or 0) for repo_id, views in session.execute(query)}


@dataclass(frozen=True, slots=True)
class Bucket:
    """Views and clones summed over ``size`` consecutive days (``None``: none observed)."""

    views: int | None
    clones: int | None


def buckets_by_repo(
    session: Session, ids: Collection[int], since: date, until: date, size: int
) -> dict[int, dict[int, Bucket]]:
    """Per repository: views and clones summed per ``size`` days of ``since..until``,
    computed by the database (bucket ``i`` holds ``since + i*size`` onwards). A bucket
    without an archived day is absent.

    The overview reads its figures and sparklines this way: a year of 1,000 repositories
    is 365,000 days but fewer than 60,000 buckets."""
    found: dict[int, dict[int, Bucket]] = defaultdict(dict)
    if not ids:
        return found
    D = TrafficDaily
    offset: Any
    if session.get_bind().dialect.name == "sqlite":
        # days are ISO text in SQLite: whole days between them through julianday()
        offset = cast(func.julianday(D.day) - func.julianday(since.isoformat()), Integer)
    else:
        offset = D.day - since  # PostgreSQL: date - date is a whole number of days
    within = (D.repo_id.in_(ids), D.day >= since, D.day <= until)
    if size == 1:  # a bucket is a day: no grouping (it would sort every row)
        query = select(D.repo_id, offset, D.views, D.clones).where(*within)
    else:
        bucket = cast(offset // size, Integer)
        query = (
            select(D.repo_id, bucket, func.sum(D.views), func.sum(D.clones))
            .where(*within)
            .group_by(D.repo_id, bucket)
        )
    for repo_id, index, views, clones in session.execute(query):
        found[repo_id][int(index)] = Bucket(_int(views), _int(clones))
    return found


def totals_sum(session: Session, ids: Collection[int], since: date, until: date) -> tuple[int, int]:
    """Views and clones of these repositories summed over ``since..until``."""
    if not ids:
        return 0, 0
    D = TrafficDaily
    query = select(func.sum(D.views), func.sum(D.clones)).where(
        D.repo_id.in_(ids), D.day >= since, D.day <= until
    )
    views, clones = session.execute(query).one()
    return _int(views) or 0, _int(clones) or 0
