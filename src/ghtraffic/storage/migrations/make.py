"""Columns and constraints as the migration scripts declare them, named by the archive's
naming convention (``pk_``, ``fk_``, ``ck_`` and the table's name).

Released migrations must keep creating exactly what they created: these builders never
change what they build. A new shape gets a new builder.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


def timestamp(name: str, *, nullable: bool = False) -> sa.Column[object]:
    """A moment in UTC (``TIMESTAMP WITH TIME ZONE``)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def integer(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def serial_id() -> sa.Column[object]:
    """An ``id`` numbered by the database."""
    return sa.Column("id", sa.Integer(), autoincrement=True, nullable=False)


def primary_key(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*columns, name=op.f(f"pk_{table}"))


def one_of(table: str, column: str, values: Sequence[str]) -> sa.CheckConstraint:
    """``column`` holds one of ``values``."""
    listed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=op.f(f"ck_{table}_{column}"))


def cascade_fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    """``column`` refers to ``target.id``; the row goes when the row it refers to goes."""
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete="CASCADE"
    )


def repo_id(table: str) -> list[sa.schema.SchemaItem]:
    """The ``repo_id`` of a row that belongs to a repository, and its foreign key."""
    return [
        sa.Column("repo_id", sa.BigInteger(), nullable=False),
        cascade_fk(table, "repo_id", "repos"),
    ]


def add_flag(table: str, column: str) -> None:
    """Add a boolean ``column`` that is false in the rows already there (SQLite adds it in
    place, without rebuilding ``table``)."""
    op.add_column(table, sa.Column(column, sa.Boolean(), server_default=sa.false(), nullable=False))


def drop_columns(table: str, *columns: str) -> None:
    """Drop ``columns`` from ``table``, in this order (SQLite rebuilds the table)."""
    with op.batch_alter_table(table) as batch:
        for column in columns:
            batch.drop_column(column)


def create_request_pace(*, if_not_exists: bool) -> None:
    """The workers' request pace as a token bucket per credential (0008 to 0011)."""
    op.create_table(
        "ghtraffic_request_pace",
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        timestamp("updated_at"),
        primary_key("ghtraffic_request_pace", "fingerprint"),
        if_not_exists=if_not_exists,
    )
