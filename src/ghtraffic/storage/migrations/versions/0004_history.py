"""History: star, fork, watcher and open-issue counts; download counts."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ghtraffic.storage.migrations import make

revision: str = "0004"
down_revision: str | None = "0003"


def upgrade() -> None:
    op.create_table(
        "repo_counts",
        *make.repo_id("repo_counts"),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        make.integer("value"),
        make.timestamp("observed_at"),
        make.one_of("repo_counts", "metric", ("stars", "forks", "watchers", "open_issues")),
        make.one_of("repo_counts", "source", ("events", "snapshot")),
        make.primary_key("repo_counts", "repo_id", "day", "metric", "source"),
    )
    op.create_table(
        "download_counts",
        *make.repo_id("download_counts"),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        make.timestamp("observed_at"),
        make.one_of("download_counts", "source", ("release-asset", "container")),
        make.primary_key("download_counts", "repo_id", "day", "source", "name"),
    )


def downgrade() -> None:
    op.drop_table("download_counts")
    op.drop_table("repo_counts")
