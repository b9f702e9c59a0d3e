"""Everything the collector writes for one repository, inside one transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from ghtraffic.domain import (
    METRICS,
    DayValues,
    MergeStats,
    PopularPath,
    Referrer,
    RepoFacts,
    WeekValues,
    WindowTotals,
)
from ghtraffic.storage.merge import merge_all, metrics_of, raised_metrics
from ghtraffic.storage.tables import (
    HttpCache,
    PathItem,
    PopularSnapshot,
    ReferrerItem,
    Repo,
    RepoAlias,
    RepoSnapshot,
    TrafficDaily,
    TrafficWeekly,
    TrafficWindow,
)
from ghtraffic.storage.upsert import max_merge_upsert, replace_upsert


def _observation(
    key: str, value: date, row: DayValues | WeekValues, repo_id: int, at: datetime
) -> dict[str, Any]:
    values: dict[str, Any] = {"repo_id": repo_id, key: value, "first_seen_at": at}
    for name in METRICS:
        metric = row.metric(name)
        values[name] = metric
        values[f"{name}_raised_at"] = None if metric is None else at
    return values


class RepoBatch:
    """Writes for one repository; all of them commit together or not at all.

    Get one from ``Archive.repo_batch()``. Call ``upsert_repo`` before anything else that
    names the repository (the other tables refer to ``repos.id``).
    """

    def __init__(self, session: Session) -> None:
        self.session = session

    def upsert_repo(
        self, facts: RepoFacts, seen_at: datetime, *, requested_name: str | None = None
    ) -> None:
        """Insert or update the repository by id; remember its names as aliases."""
        session = self.session
        repo = session.get(Repo, facts.github_id)
        if repo is None:
            repo = Repo(id=facts.github_id, first_seen_at=seen_at, last_seen_at=seen_at)
            session.add(repo)
        elif seen_at < repo.last_seen_at:
            repo.first_seen_at = min(repo.first_seen_at, seen_at)
            self._aliases(facts, seen_at, requested_name)
            return
        repo.owner, repo.name, repo.full_name = facts.owner, facts.name, facts.full_name
        repo.private, repo.fork, repo.archived = facts.private, facts.fork, facts.archived
        repo.description = facts.description
        repo.last_seen_at = seen_at
        session.flush()
        self._aliases(facts, seen_at, requested_name)

    def _aliases(self, facts: RepoFacts, seen_at: datetime, requested: str | None) -> None:
        names = {facts.full_name.lower()}
        if requested:
            names.add(requested.lower())
        for name in sorted(names):
            alias = self.session.get(RepoAlias, name)
            if alias is None:
                self.session.add(
                    RepoAlias(
                        name=name,
                        repo_id=facts.github_id,
                        first_seen_at=seen_at,
                        last_seen_at=seen_at,
                    )
                )
            elif seen_at >= alias.last_seen_at:
                alias.repo_id = facts.github_id
                alias.last_seen_at = seen_at
        self.session.flush()

    def merge_daily(
        self, repo_id: int, rows: Sequence[DayValues], observed_at: datetime
    ) -> MergeStats:
        """Merge a window of days: per metric the maximum ever observed is kept."""
        merged = sorted(merge_all(rows).items(), key=lambda pair: pair[1].day)
        return self._merge(TrafficDaily, "day", repo_id, merged, observed_at)

    def merge_weekly(
        self, repo_id: int, rows: Sequence[WeekValues], observed_at: datetime
    ) -> MergeStats:
        """Merge weekly rows with the same rule as ``merge_daily``."""
        merged = sorted(merge_all(rows).items(), key=lambda pair: pair[1].week_start)
        return self._merge(TrafficWeekly, "week_start", repo_id, merged, observed_at)

    def _merge(
        self,
        model: type[TrafficDaily] | type[TrafficWeekly],
        key: str,
        repo_id: int,
        rows: Sequence[tuple[date, DayValues | WeekValues]],
        observed_at: datetime,
    ) -> MergeStats:
        # ``rows`` are sorted by day: concurrent upserts then lock rows in one order.
        if not rows:
            return MergeStats()
        table = cast(Table, model.__table__)
        key_column = table.c[key]
        days = [day for day, _ in rows]
        found = self.session.execute(
            select(key_column, *(table.c[name] for name in METRICS)).where(
                table.c.repo_id == repo_id, key_column.between(min(days), max(days))
            )
        )
        stored = {row[0]: dict(zip(METRICS, row[1:], strict=True)) for row in found}
        added = raised = 0
        changed: list[dict[str, Any]] = []
        for day, row in rows:
            old = stored.get(day)
            if old is None:
                added += 1
            else:
                if not raised_metrics(old, metrics_of(row)):
                    continue
                raised += 1
            changed.append(_observation(key, day, row, repo_id, observed_at))
        max_merge_upsert(self.session, table, ("repo_id", key), changed)
        return MergeStats(added=added, raised=raised)

    def record_window(self, repo_id: int, totals: WindowTotals, observed_at: datetime) -> None:
        """Keep the window's 14-day totals and span; a later run the same day replaces it."""
        row = self.session.get(TrafficWindow, (repo_id, totals.day))
        if row is None:
            row = TrafficWindow(repo_id=repo_id, day=totals.day)
            self.session.add(row)
        elif observed_at < row.observed_at:
            return
        row.first_day, row.last_day = totals.first_day, totals.last_day
        for name in METRICS:
            setattr(row, name, getattr(totals, name))
        row.observed_at = observed_at
        self.session.flush()

    def _replace_popular(self, repo_id: int, day: date, kind: str, at: datetime) -> bool:
        header = self.session.get(PopularSnapshot, (repo_id, day, kind))
        if header is None:
            self.session.add(PopularSnapshot(repo_id=repo_id, day=day, kind=kind, observed_at=at))
        elif at < header.observed_at:
            return False
        else:
            header.observed_at = at
        item = ReferrerItem if kind == "referrers" else PathItem
        self.session.execute(delete(item).where(item.repo_id == repo_id, item.day == day))
        return True

    def replace_referrers(
        self, repo_id: int, day: date, rows: Sequence[Referrer], observed_at: datetime
    ) -> None:
        """Store the day's top-referrers list (an empty list is a real, empty snapshot)."""
        if self._replace_popular(repo_id, day, "referrers", observed_at):
            self._add_ranked(ReferrerItem, repo_id, day, rows)

    def replace_paths(
        self, repo_id: int, day: date, rows: Sequence[PopularPath], observed_at: datetime
    ) -> None:
        """Store the day's top-paths list (an empty list is a real, empty snapshot)."""
        if self._replace_popular(repo_id, day, "paths", observed_at):
            self._add_ranked(PathItem, repo_id, day, rows)

    def _add_ranked(
        self,
        table: type[ReferrerItem | PathItem],
        repo_id: int,
        day: date,
        rows: Sequence[Referrer | PopularPath],
    ) -> None:
        """The items of a list in their order (rank 1 first); their fields are the
        columns of the same names."""
        self.session.add_all(
            table(repo_id=repo_id, day=day, rank=rank, **asdict(row))
            for rank, row in enumerate(rows, start=1)
        )
        self.session.flush()

    def record_repo_snapshot(
        self, repo_id: int, day: date, facts: RepoFacts, observed_at: datetime
    ) -> None:
        """Keep the day's stars, forks and flags; an unknown watchers count keeps the known."""
        row = self.session.get(RepoSnapshot, (repo_id, day))
        if row is None:
            row = RepoSnapshot(repo_id=repo_id, day=day)
            self.session.add(row)
        elif observed_at < row.observed_at:
            if row.watchers is None and facts.watchers is not None:
                row.watchers = facts.watchers
            self.session.flush()
            return
        row.stars, row.forks, row.open_issues = facts.stars, facts.forks, facts.open_issues
        row.size_kb = facts.size_kb
        row.private, row.fork, row.archived = facts.private, facts.fork, facts.archived
        if facts.watchers is not None:
            row.watchers = facts.watchers
        row.observed_at = observed_at
        self.session.flush()

    def put_etag(self, url: str, etag: str, body: str, stored_at: datetime) -> None:
        """Remember the ETag and body served for ``url`` (no credentials belong here)."""
        self.put_etags({url: (etag, body)}, stored_at)

    def put_etags(self, served: Mapping[str, tuple[str, str]], stored_at: datetime) -> None:
        """Remember the ETag and body served for each URL, in one statement."""
        if not served:
            return
        self.session.flush()
        replace_upsert(
            self.session,
            cast(Table, HttpCache.__table__),
            ("url",),
            [
                {"url": url, "etag": etag, "body": body, "stored_at": stored_at}
                for url, (etag, body) in served.items()
            ],
        )

    def mark_success(self, repo_id: int, at: datetime) -> None:
        """Record that the repository was collected completely at ``at``."""
        repo = self.session.get(Repo, repo_id)
        if repo is None:
            raise KeyError(f"repository id {repo_id} is not in the archive")
        if repo.last_success_at is None or at > repo.last_success_at:
            repo.last_success_at = at
        self.session.flush()
