"""Star history: which source each repository's star history comes from."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ghtraffic.storage.migrations import make

revision: str = "0005"
down_revision: str | None = "0004"


def upgrade() -> None:
    op.create_table(
        "star_history",
        *make.repo_id("star_history"),
        sa.Column("source", sa.String(length=16), nullable=False),
        make.integer("stars_listed"),
        make.timestamp("checked_at"),
        sa.Column("reason", sa.Text(), nullable=True),
        make.one_of("star_history", "source", ("stargazers", "snapshots")),
        make.primary_key("star_history", "repo_id"),
    )


def downgrade() -> None:
    op.drop_table("star_history")
