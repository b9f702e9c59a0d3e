"""Dialect-aware ``INSERT ... ON CONFLICT`` statements, including the max-merge upsert."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, and_, case, func, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ghtraffic.domain import METRICS

Insert = sqlite.Insert | postgresql.Insert

#: Rows per statement: keeps every statement well below the back ends' parameter limits.
CHUNK = 500


def insert_for(session: Session, table: Table) -> Insert:
    """A dialect ``INSERT`` that supports ``on_conflict_do_update``."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _greatest(session: Session, new: ColumnElement[Any], old: ColumnElement[Any]) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.greatest(new, old)
    return func.max(func.coalesce(new, old), func.coalesce(old, new))


def max_merge_set(session: Session, table: Table, stmt: Insert) -> dict[str, Any]:
    """The SET clause that keeps per metric the larger of the stored and the new value.

    A ``*_raised_at`` column takes the new row's time only when its metric really rises,
    so concurrent writers can never lower a value nor move a raise time backwards.
    """
    set_: dict[str, Any] = {}
    for name in METRICS:
        old = table.c[name]
        new = stmt.excluded[name]
        set_[name] = _greatest(session, new, old)
        rises = and_(new.is_not(None), or_(old.is_(None), new > old))
        raised_at = f"{name}_raised_at"
        set_[raised_at] = case((rises, stmt.excluded[raised_at]), else_=table.c[raised_at])
    return set_


def max_merge_upsert(
    session: Session, table: Table, keys: Sequence[str], rows: Sequence[Mapping[str, Any]]
) -> None:
    """Insert ``rows``, or raise the stored metrics of rows that exist.

    One statement, compiled once and executed for all rows (SQLAlchemy batches them into
    multi-row ``VALUES`` on both back ends).
    """
    if not rows:
        return
    stmt = insert_for(session, table)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys), set_=max_merge_set(session, table, stmt)
    )
    for start in range(0, len(rows), CHUNK):
        session.execute(stmt, [dict(row) for row in rows[start : start + CHUNK]])


def replace_upsert(
    session: Session,
    table: Table,
    keys: Sequence[str],
    rows: Mapping[str, Any] | Sequence[Mapping[str, Any]],
) -> None:
    """Insert ``rows`` (one, or several with the same columns and distinct keys) in one
    statement, or overwrite every non-key column of the stored rows."""
    many = [dict(rows)] if isinstance(rows, Mapping) else [dict(row) for row in rows]
    stmt = insert_for(session, table).values(many)
    updates = {name: stmt.excluded[name] for name in many[0] if name not in keys}
    session.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=updates))
