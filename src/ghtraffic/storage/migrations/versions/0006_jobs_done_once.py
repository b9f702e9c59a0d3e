"""Queued jobs done once: the scheduling job that opened a run (and the run's size), and
the last processing job done per repository.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("collection_runs") as batch:
        batch.add_column(sa.Column("job_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("repos_total", sa.Integer(), nullable=True))
        batch.create_unique_constraint(op.f("uq_collection_runs_job_id"), ["job_id"])
    with op.batch_alter_table("processing_state") as batch:
        batch.add_column(sa.Column("last_job_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("processing_state") as batch:
        batch.drop_column("last_job_id")
    with op.batch_alter_table("collection_runs") as batch:
        batch.drop_constraint(op.f("uq_collection_runs_job_id"), type_="unique")
        batch.drop_column("repos_total")
        batch.drop_column("job_id")
