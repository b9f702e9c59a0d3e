"""Whole-archive backups: one portable file that restores on SQLite or PostgreSQL.

The file is gzip'd JSON lines (the gzip header carries no time or name, so the same
archive always gives the same bytes):

1. a header: ``{"format": "ghtraffic-backup", "version": 1, "schema": REVISION, "tables": [...]}``;
2. per table of ``ghtraffic.storage.schema.metadata``, in foreign-key order:
   ``{"table": NAME, "columns": [...]}``, then one JSON array per row, ordered by the
   primary key (dates as ``YYYY-MM-DD``, times as ISO 8601 in UTC, ``null`` for none);
3. a manifest: ``{"manifest": {NAME: {"rows": N, "sha256": HEX}}}``, the checksum being
   over the table's row lines.

A restore checks the format, the schema revision and every checksum before it writes,
refuses an archive that holds any row unless forced (then it empties it first), writes
every table in one transaction, and moves PostgreSQL's id sequences past the restored ids.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Table, cast, delete, func, literal, select, text
from sqlalchemy.dialects.postgresql import REGCLASS
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator

from ghtraffic.storage.database import Database
from ghtraffic.storage.migrate import head_revision
from ghtraffic.storage.schema import metadata

FORMAT = "ghtraffic-backup"
VERSION = 1
BATCH = 1000
#: The archive's tables, in foreign-key order; state of the moment (the workers' shared
#: rate budget and pace) is neither backed up nor copied.
TABLES = [table for table in metadata.sorted_tables if not table.info.get("transient")]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class TableSummary:
    name: str
    rows: int
    sha256: str


def _kind(column: Column[Any]) -> str:
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    try:
        python = kind.python_type
    except NotImplementedError:
        return "other"
    if python is datetime:
        return "datetime"
    if python is date:
        return "date"
    if python is Decimal:
        return "decimal"
    return "plain"


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _decode(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "decimal":
        return Decimal(value)
    return value


def _line(document: Any) -> bytes:
    return (json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def _order(table: Table) -> list[Column[Any]]:
    return list(table.primary_key.columns) or list(table.columns)


def backup(db: Database, path: Path) -> list[TableSummary]:
    """Write the whole archive to ``path``; returns each table's row count and checksum."""
    tables = list(TABLES)
    summaries: list[TableSummary] = []
    try:
        raw = path.open("wb")
    except OSError as exc:
        raise BackupError(f"cannot write {path}: {exc.strerror or exc}") from None
    with raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out:
        out.write(
            _line(
                {
                    "format": FORMAT,
                    "version": VERSION,
                    "schema": db.current_revision(),
                    "tables": [table.name for table in tables],
                }
            )
        )
        with db.errors(), db.engine.connect() as connection:
            for table in tables:
                summaries.append(_dump_table(connection, table, out))
        out.write(
            _line({"manifest": {s.name: {"rows": s.rows, "sha256": s.sha256} for s in summaries}})
        )
    return summaries


def _dump_table(connection: Connection, table: Table, out: gzip.GzipFile) -> TableSummary:
    columns = [column.name for column in table.columns]
    out.write(_line({"table": table.name, "columns": columns}))
    digest = hashlib.sha256()
    rows = 0
    result = connection.execution_options(yield_per=BATCH).execute(
        select(table).order_by(*_order(table))
    )
    for row in result:
        line = _line([_encode(value) for value in row])
        digest.update(line)
        out.write(line)
        rows += 1
    return TableSummary(table.name, rows, digest.hexdigest())


def _read_lines(path: Path) -> Iterator[Any]:
    try:
        with gzip.open(path, "rb") as stream:
            for raw in stream:
                yield raw, json.loads(raw)
    except FileNotFoundError:
        raise BackupError(f"{path} does not exist") from None
    except (OSError, EOFError, json.JSONDecodeError) as exc:
        raise BackupError(f"{path} is not a readable ghtraffic backup ({exc})") from None


def verify(path: Path) -> dict[str, TableSummary]:
    """Check a backup file's header, schema revision and checksums without writing."""
    lines = _read_lines(path)
    first = next(lines, None)
    if first is None or not isinstance(first[1], dict) or first[1].get("format") != FORMAT:
        raise BackupError(f"{path} is not a ghtraffic backup")
    header = first[1]
    if header.get("version") != VERSION:
        raise BackupError(f"{path} is backup version {header.get('version')}; this reads {VERSION}")
    if header.get("schema") != head_revision():
        raise BackupError(
            f"{path} holds schema {header.get('schema')}, this version writes {head_revision()}:"
            " restore it with the ghtraffic version that made it"
        )
    seen: dict[str, TableSummary] = {}
    digest = hashlib.sha256()
    current: str | None = None
    rows = 0
    manifest: dict[str, Any] | None = None
    for raw, document in lines:
        if isinstance(document, dict) and "table" in document:
            if current is not None:
                seen[current] = TableSummary(current, rows, digest.hexdigest())
            current, rows, digest = document["table"], 0, hashlib.sha256()
        elif isinstance(document, dict) and "manifest" in document:
            if current is not None:
                seen[current] = TableSummary(current, rows, digest.hexdigest())
            manifest = document["manifest"]
            current = None
        else:
            digest.update(raw)
            rows += 1
    if manifest is None:
        raise BackupError(f"{path} is cut short (no manifest at its end)")
    expected = {table.name for table in TABLES}
    if set(manifest) != expected or set(seen) != expected:
        raise BackupError(f"{path} does not hold the tables of this schema")
    for name, summary in seen.items():
        entry = manifest[name]
        if entry.get("rows") != summary.rows or entry.get("sha256") != summary.sha256:
            raise BackupError(f"{path} is damaged: table {name} does not match its checksum")
    return seen


def archive_rows(db: Database) -> int:
    """How many rows the archive holds, over every table."""
    with db.errors(), db.engine.connect() as connection:
        return sum(
            connection.scalar(select(func.count()).select_from(table)) or 0 for table in TABLES
        )


def restore(db: Database, path: Path, *, force: bool = False) -> dict[str, TableSummary]:
    """Restore ``path`` into ``db`` (upgraded); refuses a non-empty archive unless ``force``."""
    summaries = verify(path)
    db.upgrade()
    if not force and archive_rows(db):
        raise BackupError(
            f"the archive {db.describe()} is not empty: restore into an empty archive,"
            " or pass --force to replace everything in it"
        )
    tables = {table.name: table for table in TABLES}
    with db.errors(), db.engine.begin() as connection:
        for emptied in reversed(TABLES):
            connection.execute(delete(emptied))
        table: Table | None = None
        kinds: list[str] = []
        names: list[str] = []
        pending: list[dict[str, Any]] = []
        for _, document in _read_lines(path):
            if isinstance(document, dict):
                if pending and table is not None:
                    connection.execute(table.insert(), pending)
                    pending = []
                if "table" in document:
                    table = tables[document["table"]]
                    names = list(document["columns"])
                    if set(names) != set(table.c.keys()):
                        raise BackupError(f"{path}: the columns of {table.name} do not match")
                    kinds = [_kind(table.c[name]) for name in names]
                continue
            if table is None:
                raise BackupError(f"{path}: a row before any table")
            pending.append(
                {
                    name: _decode(value, kind)
                    for name, value, kind in zip(names, document, kinds, strict=True)
                }
            )
            if len(pending) >= BATCH:
                connection.execute(table.insert(), pending)
                pending = []
        if connection.dialect.name == "postgresql":
            _reset_sequences(connection)
    return summaries


def _reset_sequences(connection: Connection) -> None:
    for table in TABLES:
        for column in table.primary_key.columns:
            if column.autoincrement is True or (
                column.autoincrement == "auto"
                and len(table.primary_key.columns) == 1
                and column.type.python_type is int
                and not column.foreign_keys
            ):
                sequence = connection.scalar(
                    text("SELECT pg_get_serial_sequence(:table, :column)"),
                    {"table": table.name, "column": column.name},
                )
                if sequence:
                    highest = func.max(column)
                    connection.execute(
                        select(
                            func.setval(
                                cast(literal(sequence), REGCLASS),
                                func.coalesce(highest, 1),
                                highest.is_not(None),
                            )
                        ).select_from(table)
                    )


def summarize(db: Database) -> list[TableSummary]:
    """Each table's row count and checksum, computed as a backup's manifest is."""
    summaries: list[TableSummary] = []
    with db.errors(), db.engine.connect() as connection:
        for table in TABLES:
            digest = hashlib.sha256()
            rows = 0
            result = connection.execution_options(yield_per=BATCH).execute(
                select(table).order_by(*_order(table))
            )
            for row in result:
                digest.update(_line([_encode(value) for value in row]))
                rows += 1
            summaries.append(TableSummary(table.name, rows, digest.hexdigest()))
    return summaries


def copy_archive(source: Database, target: Database, *, force: bool = False) -> list[TableSummary]:
    """Copy every table of ``source`` into ``target`` (both upgraded to this version's
    schema) in one transaction, then compare both sides' row counts and checksums.

    Refuses a non-empty target unless ``force`` (then it empties it first)."""
    source.upgrade()
    target.upgrade()
    if source.current_revision() != target.current_revision():
        raise BackupError("the two archives are at different schema revisions")
    if not force and archive_rows(target):
        raise BackupError(
            f"the archive {target.describe()} is not empty: copy into an empty archive,"
            " or pass --force to replace everything in it"
        )
    with (
        source.errors(),
        target.errors(),
        source.engine.connect() as reading,
        target.engine.begin() as writing,
    ):
        for emptied in reversed(TABLES):
            writing.execute(delete(emptied))
        for table in TABLES:
            result = reading.execution_options(yield_per=BATCH).execute(
                select(table).order_by(*_order(table))
            )
            for rows in result.partitions(BATCH):
                writing.execute(table.insert(), [dict(row._mapping) for row in rows])
        if writing.dialect.name == "postgresql":
            _reset_sequences(writing)
    expected = summarize(source)
    copied = summarize(target)
    for want, got in zip(expected, copied, strict=True):
        if want != got:
            raise BackupError(
                f"table {want.name} differs after the copy ({want.rows} rows in the source,"
                f" {got.rows} in the target): the target was left as copied; copy again"
                " with --force"
            )
    return expected
