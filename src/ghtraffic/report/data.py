"""What the report shows, read from the archive in one read transaction."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ghtraffic.readmodels import chartdata, popular, series
from ghtraffic.storage import queries
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.errors import UnknownRepoError
from ghtraffic.storage.records import RepoRow, RepoStatus
from ghtraffic.storage.tables import Repo

METRICS = ("views", "views_unique", "clones", "clones_unique")
#: At most this many points in an index sparkline (longer ranges are summed per bucket).
SPARK_POINTS = 90
_SAFE = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")


@dataclass(frozen=True, slots=True)
class ListRow:
    """One row of GitHub's top referrers or popular paths (``title`` only for paths)."""

    key: str
    title: str | None
    count: int
    uniques: int


@dataclass(frozen=True, slots=True)
class LostSpan:
    """Consecutive days that no collection covered."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True, slots=True)
class RepoPage:
    """One repository's page: ``path`` is relative to the report's folder."""

    repo: RepoRow
    path: str
    first_day: date | None
    last_day: date | None
    days_archived: int
    views: int
    clones: int
    window: series.Window | None
    stars: int | None
    forks: int | None
    watchers: int | None
    spark: str
    spark_days: int
    lost: tuple[LostSpan, ...]
    referrers_day: date | None
    referrers: list[ListRow]
    paths_day: date | None
    paths: list[ListRow]
    last_success_at: datetime | None
    chart: dict[str, Any]

    @property
    def lost_count(self) -> int:
        return sum(span.days for span in self.lost)


@dataclass(frozen=True, slots=True)
class ReportData:
    """The whole report: one page per repository (most viewed first) and the totals."""

    generated_at: datetime
    since: date | None
    until: date | None
    pages: list[RepoPage] = field(default_factory=list)
    chart: dict[str, Any] = field(default_factory=dict)

    @property
    def views(self) -> int:
        return sum(page.views for page in self.pages)

    @property
    def clones(self) -> int:
        return sum(page.clones for page in self.pages)

    @property
    def stars(self) -> int:
        return sum(page.stars or 0 for page in self.pages)

    @property
    def lost_count(self) -> int:
        return sum(page.lost_count for page in self.pages)


def load_report(
    archive: Archive,
    repos: Sequence[str] = (),
    since: date | None = None,
    now: datetime | None = None,
) -> ReportData:
    """Read the report of ``repos`` (every archived repository when empty) from ``since``.

    A name may be a current or a former one; an unknown name raises ``UnknownRepoError``.
    The report ends on the newest archived day of the chosen repositories.
    """
    now = now or datetime.now(UTC)
    with archive.db.read_session() as session:
        chosen = _choose(session, repos)
        ids = {repo.id for repo in chosen}
        oldest, newest = series.bounds(session, ids)
        first = since if since is not None else oldest
        statuses = {s.repo_id: s for s in queries.status(session, now).repos if s.repo_id in ids}
        windows = series.newest_windows(session, ids)
        paths = _paths(chosen)
        pages = [
            _page(session, repo, paths[repo.id], first, newest, windows, statuses.get(repo.id))
            for repo in chosen
        ]
        chart = _combined(session, ids, first, newest)
    pages.sort(key=lambda page: (-page.views, page.repo.full_name.casefold()))
    return ReportData(generated_at=now, since=first, until=newest, pages=pages, chart=chart)


def _choose(session: Session, names: Sequence[str]) -> list[RepoRow]:
    if not names:
        found = session.scalars(select(Repo)).all()
        return sorted(
            (queries.repo_row(repo) for repo in found),
            key=lambda repo: (repo.full_name.casefold(), repo.id),
        )
    chosen: dict[int, RepoRow] = {}
    for name in names:
        repo = queries.find_repo(session, name)
        if repo is None:
            raise UnknownRepoError(f"no repository named {name} in the archive")
        chosen[repo.id] = repo
    return list(chosen.values())


def _segment(text: str) -> str:
    """A file name that is safe on every file system and in a URL."""
    if _SAFE.fullmatch(text) and text not in {".", ".."}:
        return text
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", text).lstrip(".") or "_"
    return f"{cleaned}-{hashlib.sha256(text.encode()).hexdigest()[:8]}"


def _paths(repos: Sequence[RepoRow]) -> dict[int, str]:
    """``repos/OWNER/NAME.html`` per repository, unique even on case-insensitive disks."""
    taken: set[str] = set()
    found: dict[int, str] = {}
    for repo in repos:
        path = f"repos/{_segment(repo.owner)}/{_segment(repo.name)}"
        if path.casefold() in taken:
            path = f"{path}-{repo.id}"
        taken.add(path.casefold())
        found[repo.id] = f"{path}.html"
    return found


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _page(
    session: Session,
    repo: RepoRow,
    path: str,
    since: date | None,
    until: date | None,
    windows: dict[int, series.Window],
    status: RepoStatus | None,
) -> RepoPage:
    daily = series.daily(session, repo.id, since, until)
    by_day = {point.day: point for point in daily}
    days = _days(daily[0].day, until) if daily and until is not None else []
    weeks = series.weekly(
        session, repo.id, None if since is None else since - timedelta(days=6), until
    )
    # Facts and lists are snapshots of collection days: the newest may be a day past
    # the newest traffic day, and belongs in the report.
    by_week = {week.day: week for week in weeks}
    # every week from the first to the newest: a week never collected is a gap, not a line
    mondays = _days(weeks[0].day, weeks[-1].day)[::7] if weeks else []
    snaps = series.snapshots(session, repo.id, since, None)
    newest_snap = snaps[-1:] or series.snapshots(session, repo.id)[-1:]
    lists: dict[str, tuple[date | None, list[ListRow]]] = {}
    for kind in ("referrers", "paths"):
        day = popular.newest_day(session, repo.id, kind, None)
        items = [] if day is None else popular.items_on(session, repo.id, kind, day)
        lists[kind] = (day, [ListRow(i.key, i.title, i.count, i.uniques) for i in items])
    lost = tuple(
        _spans([d for d in status.lost_days if since is None or d >= since]) if status else ()
    )
    spark_values, spark_days = _spark_values([by_day.get(d) for d in days])
    clones = ("clones", "clones_unique")
    chart = {
        "daily": chartdata.block(
            days,
            {m: [getattr(by_day[d], m) if d in by_day else None for d in days] for m in METRICS},
            right=clones,
        ),
        "weekly": chartdata.block(
            mondays,
            {
                m: [getattr(by_week[d], m) if d in by_week else None for d in mondays]
                for m in METRICS
            },
            grain="week",
            right=clones,
        ),
        "stars": chartdata.block(
            [s.day for s in snaps],
            {"stars": [s.stars for s in snaps], "forks": [s.forks for s in snaps]},
            summary="last",
            right=["forks"],
        ),
    }
    snapshot = newest_snap[0] if newest_snap else None
    return RepoPage(
        repo=repo,
        path=path,
        first_day=daily[0].day if daily else None,
        last_day=daily[-1].day if daily else None,
        days_archived=len(daily),
        views=series.total(daily, "views"),
        clones=series.total(daily, "clones"),
        window=windows.get(repo.id),
        stars=None if snapshot is None else snapshot.stars,
        forks=None if snapshot is None else snapshot.forks,
        watchers=None if snapshot is None else snapshot.watchers,
        spark=sparkline(spark_values),
        spark_days=spark_days,
        lost=lost,
        referrers_day=lists["referrers"][0],
        referrers=lists["referrers"][1],
        paths_day=lists["paths"][0],
        paths=lists["paths"][1],
        last_success_at=repo.last_success_at,
        chart=chart,
    )


def _spark_values(points: Sequence[series.Point | None]) -> tuple[list[int], int]:
    """Views per bucket of days (at most ``SPARK_POINTS`` buckets) and the bucket's days."""
    values = [(p.views or 0) if p is not None else 0 for p in points]
    size = max(1, math.ceil(len(values) / SPARK_POINTS))
    return [sum(values[i : i + size]) for i in range(0, len(values), size)], size


def sparkline(values: Sequence[int], width: int = 120, height: int = 28) -> str:
    """The ``points`` of an SVG polyline drawing ``values`` (empty for fewer than two)."""
    if len(values) < 2:
        return ""
    top = max(values) or 1
    step = width / (len(values) - 1)
    return " ".join(
        f"{i * step:.1f},{height - 2 - v * (height - 4) / top:.1f}" for i, v in enumerate(values)
    )


def _spans(days: Sequence[date]) -> list[LostSpan]:
    spans: list[LostSpan] = []
    for day in sorted(days):
        if spans and spans[-1].last + timedelta(days=1) == day:
            spans[-1] = LostSpan(spans[-1].first, day)
        else:
            spans.append(LostSpan(day, day))
    return spans


def _combined(
    session: Session, ids: set[int], since: date | None, until: date | None
) -> dict[str, Any]:
    """Views and clones of every chosen repository summed per day."""
    if since is None or until is None:
        return chartdata.block([], {"views": [], "clones": []})
    totals = {p.day: p for p in series.totals_daily(session, ids, since, until)}
    days = _days(since, until)
    return chartdata.daily_or_weekly(
        days,
        {
            m: [getattr(totals[d], m) if d in totals else None for d in days]
            for m in ("views", "clones")
        },
        right=["clones"],
    )
