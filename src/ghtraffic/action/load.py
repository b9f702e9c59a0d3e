"""Merge a text form (``textform.py``) into an archive, empty or not.

The archive's own rules decide, as for a collection or an import: daily and weekly
figures keep per metric the maximum ever seen (``RepoBatch.merge_daily``); a day's window,
referrer or path list, repository snapshot, count or download count keeps the newest
observation; an event and a star history keep the newest update; a repository keeps its
earliest first sighting, its newest read and success, and the names and flags of its
newest read. Loading the same text twice changes nothing, and loading two text forms in
either order gives the same archive. One transaction per repository.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ghtraffic import domain
from ghtraffic.action import textform as tf
from ghtraffic.action.dump import table_lines
from ghtraffic.domain import MergeStats
from ghtraffic.history.counts import record_counts, record_downloads
from ghtraffic.history.identity import adopt_imported
from ghtraffic.history.importers.base import CountValue, DownloadValue
from ghtraffic.storage import queries
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.batch import RepoBatch
from ghtraffic.storage.tables import Repo, RepoAlias
from ghtraffic.storage.tables_history import StarHistory
from ghtraffic.storage.tables_processing import EVENT_METRICS, TrafficEvent

Rows = list[dict[str, Any]]
FIGURES = ("views", "views_unique", "clones", "clones_unique")
#: The tables of a list's items, by the kind its header names.
LIST_ITEMS = {"referrers": "referrer_items", "paths": "path_items"}


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What a load read: repositories, and the days of daily figures it added or raised."""

    repos: int
    days: MergeStats


def load(archive: Archive, root: Path, at: datetime) -> LoadReport:
    """Merge the text form under ``root`` into ``archive`` (``at``: when, for the rows'
    first-seen times). A folder without a text form loads nothing."""
    if not tf.check_format(root):
        return LoadReport(0, MergeStats())
    repos = added = raised = 0
    for folder in tf.repo_folders(root):
        document = tf.read_repo_document(folder)
        tables = {spec.table: tf.decode_rows(folder / spec.name, spec) for spec in tf.TABLE_FILES}
        seen = tf.read_seen(folder)
        aliases = tf.read_csv(folder / tf.ALIASES_FILE, tf.ALIAS_COLUMNS)
        with archive.repo_batch() as batch:
            repo_id = _merge_repo(batch.session, document, seen)
            _merge_aliases(batch.session, repo_id, aliases, folder)
            stats = batch.merge_daily(repo_id, [_day(r) for r in tables["traffic_daily"]], at)
            batch.merge_weekly(repo_id, [_week(r) for r in tables["traffic_weekly"]], at)
            _merge_tables(batch, repo_id, document, tables, at)
        repos, added, raised = repos + 1, added + stats.added, raised + stats.raised
    with archive.db.session() as session:
        adopt_imported(session, at)
    return LoadReport(repos, MergeStats(added, raised))


def _day(row: dict[str, Any]) -> domain.DayValues:
    return domain.DayValues(row["day"], *(row[name] for name in FIGURES))


def _week(row: dict[str, Any]) -> domain.WeekValues:
    return domain.WeekValues(row["week_start"], *(row[name] for name in FIGURES))


def _time(text: Any) -> datetime:
    value = tf.decode(str(text), "datetime", False)
    assert isinstance(value, datetime)
    return value


def _newest(seen: tf.Seen, slot: int) -> datetime | None:
    times = [pair[slot] for pair in seen.values() if pair[slot] is not None]
    return max(times) if times else None  # type: ignore[type-var]


def _merge_repo(session: Session, document: dict[str, Any], seen: tf.Seen) -> int:
    """The repository of ``repo.json``, inserted or merged; returns its id in the archive.

    A repository known only by name (an import's negative id) goes to the archive's
    repository of that name when there is one."""
    first_seen = _time(document["first_seen_at"])
    last_seen = _newest(seen, 0) or first_seen
    last_success = _newest(seen, 1)
    repo_id = int(document["id"])
    repo = session.get(Repo, repo_id)
    if repo is None and repo_id < 0:
        found = queries.find_repo(session, str(document["full_name"]))
        repo = None if found is None else session.get(Repo, found.id)
    facts = {key: document[key] for key in ("owner", "name", "full_name")}
    facts |= {key: document[key] for key in ("private", "fork", "archived", "description")}
    if repo is None:
        repo = Repo(id=repo_id, first_seen_at=first_seen, last_seen_at=last_seen, **facts)
        session.add(repo)
    else:
        if last_seen > repo.last_seen_at:
            for key, value in facts.items():
                setattr(repo, key, value)
            repo.last_seen_at = last_seen
        repo.first_seen_at = min(repo.first_seen_at, first_seen)
    if last_success is not None and (
        repo.last_success_at is None or last_success > repo.last_success_at
    ):
        repo.last_success_at = last_success
    session.flush()
    _merge_star_history(session, repo.id, document.get("star_history"))
    return repo.id


def _merge_star_history(session: Session, repo_id: int, kept: Any) -> None:
    if not isinstance(kept, dict):
        return
    checked = _time(kept["checked_at"])
    row = session.get(StarHistory, repo_id)
    if row is None:
        row = StarHistory(repo_id=repo_id)
        session.add(row)
    elif row.checked_at >= checked:
        return
    row.source, row.stars_listed = str(kept["source"]), int(kept["stars_listed"])
    row.checked_at, row.reason = checked, kept.get("reason")
    session.flush()


def _merge_aliases(session: Session, repo_id: int, lines: list[list[str]], folder: Path) -> None:
    repo = session.get(Repo, repo_id)
    assert repo is not None
    for name, first_text, last_text in lines:
        try:
            first = _time(first_text)
            last = _time(last_text) if last_text else repo.last_seen_at
        except ValueError as exc:
            raise tf.TextFormError(f"{folder / tf.ALIASES_FILE}: {exc}") from None
        alias = session.get(RepoAlias, name)
        if alias is None:
            session.add(
                RepoAlias(name=name, repo_id=repo_id, first_seen_at=first, last_seen_at=last)
            )
            continue
        alias.first_seen_at = min(alias.first_seen_at, first)
        if last >= alias.last_seen_at:
            alias.repo_id, alias.last_seen_at = repo_id, last
    session.flush()


def _merge_tables(
    batch: RepoBatch, repo_id: int, document: dict[str, Any], tables: dict[str, Rows], at: datetime
) -> None:
    owner, name = str(document["owner"]), str(document["name"])

    def window(row: dict[str, Any]) -> None:
        figures = (row[metric] for metric in FIGURES)
        totals = domain.WindowTotals(row["day"], row["first_day"], row["last_day"], *figures)
        batch.record_window(repo_id, totals, row["observed_at"])

    def snapshot(row: dict[str, Any]) -> None:
        facts = domain.RepoFacts(
            repo_id, owner, name, row["private"], row["fork"], row["archived"], row["stars"],
            row["forks"], row["open_issues"], row["size_kb"], row["watchers"],
        )  # fmt: skip
        batch.record_repo_snapshot(repo_id, row["day"], facts, row["observed_at"])

    _merge_rows(batch.session, repo_id, "traffic_windows", tables, window)
    _merge_rows(batch.session, repo_id, "repo_snapshots", tables, snapshot)
    _merge_lists(batch, repo_id, tables)
    session = batch.session
    record_counts(session, repo_id, [_count(row) for row in tables["repo_counts"]], at)
    record_downloads(session, repo_id, [_download(row) for row in tables["download_counts"]], at)
    # In the order spike detection creates events (a pass: views, then clones, by day), so
    # that their ids, and the export's order, are those of the archive they come from.
    tables["traffic_events"].sort(
        key=lambda r: (r["created_at"], _metric_order(r["metric"]), r["day"])
    )
    _merge_rows(
        session, repo_id, "traffic_events", tables, lambda row: _event(session, repo_id, row)
    )


def _merge_rows(
    session: Session,
    repo_id: int,
    table: str,
    tables: dict[str, Rows],
    rule: Callable[[dict[str, Any]], None],
) -> bool:
    """Merge one file's rows: those the archive holds as they are change nothing; into a
    repository with none of the table's rows yet the others are inserted in one
    statement; otherwise each goes through ``rule``. Returns whether the rows went in as
    they are (that one statement)."""
    spec = tf.FILES_BY_TABLE[table]
    held = {tuple(line) for line in table_lines(session, spec, repo_id)}
    new = [row for row in tables[table] if tuple(map(tf.encode, row.values())) not in held]
    as_they_are = bool(new) and not held
    if as_they_are:
        session.flush()
        session.execute(spec.sql_table.insert(), [{"repo_id": repo_id, **row} for row in new])
    else:
        for row in new:
            rule(row)
    session.flush()
    return as_they_are


def _count(row: dict[str, Any]) -> CountValue:
    return CountValue(row["day"], row["metric"], row["source"], row["value"], row["observed_at"])


def _download(row: dict[str, Any]) -> DownloadValue:
    return DownloadValue(row["day"], row["source"], row["name"], row["count"], row["observed_at"])


def _merge_lists(batch: RepoBatch, repo_id: int, tables: dict[str, Rows]) -> None:
    """Each day's referrer and path list, the newest observation of a day winning."""
    items: dict[tuple[str, Any], Rows] = defaultdict(list)
    for kind, table in LIST_ITEMS.items():
        for row in sorted(tables[table], key=lambda r: (r["day"], r["rank"])):
            items[kind, row["day"]].append(row)

    def replace(header: dict[str, Any]) -> None:
        kind, day, observed = header["kind"], header["day"], header["observed_at"]
        rows = items[kind, day]
        if kind == "referrers":
            referrers = [domain.Referrer(r["referrer"], r["count"], r["uniques"]) for r in rows]
            batch.replace_referrers(repo_id, day, referrers, observed)
        else:
            paths = [
                domain.PopularPath(r["path"], r["title"], r["count"], r["uniques"]) for r in rows
            ]
            batch.replace_paths(repo_id, day, paths, observed)

    session = batch.session
    if _merge_rows(session, repo_id, "popular_snapshots", tables, replace):
        # the headers went in as they are: their items too
        for table in LIST_ITEMS.values():
            rows = [{"repo_id": repo_id, **row} for row in tables[table]]
            if rows:
                session.execute(tf.FILES_BY_TABLE[table].sql_table.insert(), rows)


def _event(session: Session, repo_id: int, row: dict[str, Any]) -> None:
    """An event the archive may hold already: the newer update wins."""
    event = session.scalars(
        select(TrafficEvent).where(
            TrafficEvent.repo_id == repo_id,
            TrafficEvent.day == row["day"],
            TrafficEvent.metric == row["metric"],
        )
    ).first()
    if event is None:
        session.add(TrafficEvent(repo_id=repo_id, **row))
    elif row["updated_at"] > event.updated_at:
        for key, value in row.items():
            setattr(event, key, value)


def _metric_order(metric: str) -> int:
    return EVENT_METRICS.index(metric) if metric in EVENT_METRICS else len(EVENT_METRICS)
