"""Exports of every kind as rows with typed columns, and their CSV, JSON and Parquet forms.

Kinds: ``daily`` (the max-merged day series), ``weekly`` (GitHub's weeks), ``windows``
(each collection's 14-day totals and span), ``referrers`` and ``paths`` (the daily
top-10 lists), ``repos`` (repositories with their archived span), ``events`` (the
processing part's events table, when this archive has one). Rows come ordered by
current repository name, then date. ``None`` is *not observed*: an empty CSV cell, JSON
``null``, Parquet null; a day no collection or import covered has no row at all. A JSON
column (an event's ``referrers``) is JSON text in CSV and Parquet, a list in JSON.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import JSON, Table, func, select
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from ghtraffic.storage import queries
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.errors import UnknownRepoError
from ghtraffic.storage.schema import metadata
from ghtraffic.storage.tables import (
    PathItem,
    ReferrerItem,
    Repo,
    TrafficDaily,
    TrafficWeekly,
    TrafficWindow,
)

KINDS = ("daily", "weekly", "windows", "referrers", "paths", "repos", "events")
FORMATS = ("csv", "json", "parquet")
Columns = tuple[tuple[str, str], ...]
METRIC_COLUMNS: Columns = (
    ("views", "int"),
    ("views_unique", "int"),
    ("clones", "int"),
    ("clones_unique", "int"),
)


class ExportError(Exception):
    """An export that cannot be made (no events table, Parquet without a file...)."""


@dataclass(frozen=True, slots=True)
class ExportTable:
    """Rows of one export: ``columns`` are (name, type), type one of int, str, date,
    datetime, bool, float or json."""

    columns: Columns
    rows: list[tuple[Any, ...]]


def _targets(session: Session, repo: str | None) -> list[tuple[int, str]]:
    if repo is None:
        found = session.execute(select(Repo.id, Repo.full_name)).all()
        return sorted(((i, n) for i, n in found), key=lambda r: (r[1].casefold(), r[1], r[0]))
    row = queries.find_repo(session, repo)
    if row is None:
        raise UnknownRepoError(f"no repository named {repo} in the archive")
    return [(row.id, row.full_name)]


def _dated(
    session: Session,
    targets: list[tuple[int, str]],
    query: Any,
    repo_column: Any,
    day_column: Any,
    order: Sequence[Any],
    since: date | None,
    until: date | None,
) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for repo_id, name in targets:
        q = query.where(repo_column == repo_id)
        if since is not None:
            q = q.where(day_column >= since)
        if until is not None:
            q = q.where(day_column <= until)
        rows.extend((name, *row) for row in session.execute(q.order_by(*order)))
    return rows


@dataclass(frozen=True, slots=True)
class DatedKind:
    """An export kind of rows per repository and day (or week): its table, the column
    that dates a row (``since``/``until`` filter on it), the order within a repository,
    and the exported columns after ``repo``: (attribute, name, type)."""

    table: Any
    dated_by: str
    order: tuple[str, ...]
    columns: tuple[tuple[str, str, str], ...]

    def export(
        self,
        session: Session,
        targets: list[tuple[int, str]],
        since: date | None,
        until: date | None,
    ) -> ExportTable:
        table = self.table
        rows = _dated(
            session,
            targets,
            select(*(getattr(table, attribute) for attribute, _, _ in self.columns)),
            table.repo_id,
            getattr(table, self.dated_by),
            [getattr(table, attribute) for attribute in self.order],
            since,
            until,
        )
        columns = (("repo", "str"), *((name, kind) for _, name, kind in self.columns))
        return ExportTable(columns, rows)


_METRICS = tuple((name, name, kind) for name, kind in METRIC_COLUMNS)
_DAY = ("day", "date", "date")
_RANKED = (_DAY, ("rank", "rank", "int"))
_COUNTS = (("count", "count", "int"), ("uniques", "uniques", "int"))
DATED_KINDS = {
    "daily": DatedKind(TrafficDaily, "day", ("day",), (_DAY, *_METRICS)),
    "weekly": DatedKind(
        TrafficWeekly,
        "week_start",
        ("week_start",),
        (("week_start", "week_start", "date"), *_METRICS),
    ),
    "windows": DatedKind(
        TrafficWindow,
        "day",
        ("day",),
        (
            _DAY,
            ("first_day", "first_day", "date"),
            ("last_day", "last_day", "date"),
            *_METRICS,
            ("observed_at", "observed_at", "datetime"),
        ),
    ),
    "referrers": DatedKind(
        ReferrerItem,
        "day",
        ("day", "rank"),
        (*_RANKED, ("referrer", "referrer", "str"), *_COUNTS),
    ),
    "paths": DatedKind(
        PathItem,
        "day",
        ("day", "rank"),
        (*_RANKED, ("path", "path", "str"), ("title", "title", "str"), *_COUNTS),
    ),
}


def build(
    archive: Archive,
    kind: str,
    repo: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> ExportTable:
    """The rows of one export kind (dates filter inclusively where the kind has a day)."""
    if kind not in KINDS:
        raise ExportError(f"unknown export kind {kind!r}: use one of {', '.join(KINDS)}")
    with archive.db.read_session() as session:
        targets = _targets(session, repo)
        if kind in DATED_KINDS:
            return DATED_KINDS[kind].export(session, targets, since, until)
        if kind == "repos":
            return _repos(session, targets)
        return _events(session, targets, since, until)


def _repos(session: Session, targets: list[tuple[int, str]]) -> ExportTable:
    spans = {
        repo_id: (first, last, days)
        for repo_id, first, last, days in session.execute(
            select(
                TrafficDaily.repo_id,
                func.min(TrafficDaily.day),
                func.max(TrafficDaily.day),
                func.count(),
            ).group_by(TrafficDaily.repo_id)
        )
    }
    rows = []
    for repo_id, _ in targets:
        repo = session.get(Repo, repo_id)
        assert repo is not None
        first, last, days = spans.get(repo_id, (None, None, 0))
        rows.append(
            (
                repo.full_name, repo.id, repo.owner, repo.name, repo.private, repo.fork,
                repo.archived, repo.description, repo.first_seen_at, repo.last_seen_at,
                repo.last_success_at, first, last, days,
            )
        )  # fmt: skip
    columns: Columns = (
        ("repo", "str"), ("id", "int"), ("owner", "str"), ("name", "str"), ("private", "bool"),
        ("fork", "bool"), ("archived", "bool"), ("description", "str"),
        ("first_seen_at", "datetime"), ("last_seen_at", "datetime"),
        ("last_success_at", "datetime"), ("first_day", "date"), ("last_day", "date"),
        ("days", "int"),
    )  # fmt: skip
    return ExportTable(columns, rows)


def column_kind(column: Any) -> str:
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, JSON):
        return "json"
    try:
        python = kind.python_type
    except NotImplementedError:
        return "str"
    if python is bool:
        return "bool"
    if python is int:
        return "int"
    if python is datetime:
        return "datetime"
    if python is date:
        return "date"
    if python is float:
        return "float"
    return "str"


def events_table() -> Table | None:
    """The processing part's events table, if this version has one."""
    for name in ("events", "traffic_events"):
        if name in metadata.tables:
            return metadata.tables[name]
    return None


def _events(
    session: Session, targets: list[tuple[int, str]], since: date | None, until: date | None
) -> ExportTable:
    table = events_table()
    if table is None or "repo_id" not in table.c:
        raise ExportError("this archive version keeps no events: nothing to export")
    others = [column for column in table.c if column.name != "repo_id"]
    day = next((c for c in others if column_kind(c) == "date"), None)
    order = [c for c in table.primary_key.columns if c.name != "repo_id"] or others[:1]
    query = select(*others)
    if day is None:
        since = until = None
    rows = _dated(
        session, targets, query, table.c.repo_id, day if day is not None else table.c.repo_id,
        order, since, until,
    )  # fmt: skip
    return ExportTable((("repo", "str"), *((c.name, column_kind(c)) for c in others)), rows)


# Writers -------------------------------------------------------------------------------


def _text(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _json_text(value: Any) -> str | None:
    """A JSON column's value as JSON text (``None`` stays not observed)."""
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _cell(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if kind == "json":
        return _json_text(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return _text(value)


def write_csv(table: ExportTable, stream: IO[str]) -> None:
    """CSV; a JSON column (an event's referrers) is written as JSON text."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow([name for name, _ in table.columns])
    kinds = [kind for _, kind in table.columns]
    for row in table.rows:
        writer.writerow([_cell(value, kind) for value, kind in zip(row, kinds, strict=True)])


def write_json(table: ExportTable, stream: IO[str]) -> None:
    names = [name for name, _ in table.columns]
    document = [
        {name: _text(value) for name, value in zip(names, row, strict=True)} for row in table.rows
    ]
    json.dump(document, stream, indent=1)
    stream.write("\n")


def write_parquet(table: ExportTable, path: Path) -> None:
    """Write a Parquet file (needs ``pyarrow``)."""
    try:
        import pyarrow as pa  # type: ignore[import-untyped]
        import pyarrow.parquet as pq  # type: ignore[import-untyped]
    except ImportError:
        raise ExportError("Parquet needs pyarrow: pip install pyarrow") from None
    types = {
        "int": pa.int64(),
        "str": pa.string(),
        "date": pa.date32(),
        "datetime": pa.timestamp("us", tz="UTC"),
        "bool": pa.bool_(),
        "float": pa.float64(),
        "json": pa.string(),
    }
    schema = pa.schema([(name, types[kind]) for name, kind in table.columns])
    columns = list(zip(*table.rows, strict=True)) if table.rows else [()] * len(table.columns)
    arrays = [
        pa.array(
            [_json_text(v) for v in values] if kind == "json" else list(values), type=types[kind]
        )
        for values, (_, kind) in zip(columns, table.columns, strict=True)
    ]
    pq.write_table(pa.Table.from_arrays(arrays, schema=schema), path)
