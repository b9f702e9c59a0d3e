"""Queued jobs done once: the scheduling job that opened a run (and the run's size), and
the last processing job done per repository.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ghtraffic.storage.migrations import make

revision: str = "0006"
down_revision: str | None = "0005"


def upgrade() -> None:
    # Columns and a unique index both SQLite and PostgreSQL add in place: no table is
    # rebuilt (on SQLite a rebuilt table is dropped, and dropping collection_runs would
    # cascade to collection_results).
    op.add_column("collection_runs", sa.Column("job_id", sa.BigInteger(), nullable=True))
    op.add_column("collection_runs", make.integer("repos_total", nullable=True))
    op.create_index(op.f("ix_collection_runs_job_id"), "collection_runs", ["job_id"], unique=True)
    op.add_column("processing_state", sa.Column("last_job_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    op.drop_index(op.f("ix_collection_runs_job_id"), table_name="collection_runs")
    make.drop_columns("processing_state", "last_job_id")
    make.drop_columns("collection_runs", "repos_total", "job_id")
