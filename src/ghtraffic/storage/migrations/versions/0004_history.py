"""History: star, fork, watcher and open-issue counts; download counts."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"


def _repo_id(table: str) -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("repo_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["repo_id"], ["repos.id"], name=op.f(f"fk_{table}_repo_id_repos"), ondelete="CASCADE"
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "repo_counts",
        *_repo_id("repo_counts"),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "metric IN ('stars', 'forks', 'watchers', 'open_issues')",
            name=op.f("ck_repo_counts_metric"),
        ),
        sa.CheckConstraint("source IN ('events', 'snapshot')", name=op.f("ck_repo_counts_source")),
        sa.PrimaryKeyConstraint("repo_id", "day", "metric", "source", name=op.f("pk_repo_counts")),
    )
    op.create_table(
        "download_counts",
        *_repo_id("download_counts"),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "source IN ('release-asset', 'container')", name=op.f("ck_download_counts_source")
        ),
        sa.PrimaryKeyConstraint(
            "repo_id", "day", "source", "name", name=op.f("pk_download_counts")
        ),
    )


def downgrade() -> None:
    op.drop_table("download_counts")
    op.drop_table("repo_counts")
