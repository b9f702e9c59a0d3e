"""Merge what an importer read into the archive, one transaction per repository.

Daily rows go through ``RepoBatch.merge_daily``: per day and metric the maximum ever seen
is kept, so an import never lowers a collected (or earlier imported) value, a missing
metric (``None``) never replaces one, and importing the same files twice changes
nothing. Referrer and path lists, counts and downloads keep the newest observation of a
key (a list or count read without a time counts as read at the start of its day, so a
collected one of the same day wins). The spans of the runs an importer read are recorded
as collections record theirs (``traffic_windows``), so status counts their days covered.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from ghtraffic.domain import WindowTotals
from ghtraffic.history.counts import record_counts, record_downloads, start_of
from ghtraffic.history.identity import adopt_imported, resolve
from ghtraffic.history.importers.base import ImportData, Rejected, RepoHistory, WindowValue
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.batch import RepoBatch
from ghtraffic.storage.merge import merge_all
from ghtraffic.storage.tables import TrafficWindow


@dataclass(frozen=True, slots=True)
class RepoReport:
    """What one repository's import changed."""

    name: str
    repo_id: int
    created: bool
    days: int
    added: int
    raised: int
    referrer_lists: int
    path_lists: int
    counts: int
    downloads: int

    @property
    def unchanged(self) -> int:
        return self.days - self.added - self.raised


@dataclass
class ImportReport:
    """The outcome of one import: rows read, days added/raised/unchanged, rows rejected."""

    format: str
    files: int
    rows_read: int
    rejected: list[Rejected]
    repos: list[RepoReport] = field(default_factory=list)
    skipped_files: list[Path] = field(default_factory=list)
    adopted: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(repo.added for repo in self.repos)

    @property
    def raised(self) -> int:
        return sum(repo.raised for repo in self.repos)

    @property
    def unchanged(self) -> int:
        return sum(repo.unchanged for repo in self.repos)


def apply_import(archive: Archive, data: ImportData, at: datetime) -> ImportReport:
    """Write ``data`` into ``archive`` (``at``: the import time, stored as first seen)."""
    report = ImportReport(data.format, data.files, data.rows_read, list(data.rejected))
    with archive.db.session() as session:
        report.adopted = adopt_imported(session, at)
    for key in sorted(data.repos):
        with archive.repo_batch() as batch:
            report.repos.append(_repo(batch, data.repos[key], at))
    return report


def _record_windows(batch: RepoBatch, repo_id: int, windows: list[WindowValue]) -> None:
    """Record the span each imported run covered, one window per UTC day as collections do.

    Runs of one day are merged (their spans overlap: both hold ``day-13 .. day-1``). A
    day that already has a window keeps its 14-day totals: the import only widens its
    span, so an import never replaces what a collection read."""
    by_day: dict[date, WindowValue] = {}
    for window in windows:
        kept = by_day.get(window.day)
        if kept is not None:
            window = replace(
                window if _observed(window) >= _observed(kept) else kept,
                first_day=min(kept.first_day, window.first_day),
                last_day=max(kept.last_day, window.last_day),
            )
        by_day[window.day] = window
    for day, window in sorted(by_day.items()):
        stored = batch.session.get(TrafficWindow, (repo_id, day))
        if stored is not None:
            stored.first_day = min(stored.first_day, window.first_day)
            stored.last_day = max(stored.last_day, window.last_day)
            continue
        totals = WindowTotals(
            day,
            window.first_day,
            window.last_day,
            window.views,
            window.views_unique,
            window.clones,
            window.clones_unique,
        )
        batch.record_window(repo_id, totals, _observed(window))
    batch.session.flush()


def _observed(window: WindowValue) -> datetime:
    return window.observed_at or start_of(window.day)


def _repo(batch: RepoBatch, history: RepoHistory, at: datetime) -> RepoReport:
    target = resolve(batch, history.name, at)
    repo_id = target.repo_id
    days = len(merge_all(history.days))
    stats = batch.merge_daily(repo_id, history.days, at)
    for item in sorted(history.popular, key=lambda p: (p.day, p.observed_at or start_of(p.day))):
        observed = item.observed_at or start_of(item.day)
        if item.referrers is not None:
            batch.replace_referrers(repo_id, item.day, item.referrers, observed)
        if item.paths is not None:
            batch.replace_paths(repo_id, item.day, item.paths, observed)
    _record_windows(batch, repo_id, history.windows)
    counts = record_counts(batch.session, repo_id, history.counts, at)
    downloads = record_downloads(batch.session, repo_id, history.downloads, at)
    return RepoReport(
        name=target.full_name,
        repo_id=repo_id,
        created=target.created,
        days=days,
        added=stats.added,
        raised=stats.raised,
        referrer_lists=len({p.day for p in history.popular if p.referrers is not None}),
        path_lists=len({p.day for p in history.popular if p.paths is not None}),
        counts=counts,
        downloads=downloads,
    )
