"""The workers' shared rate budget and request pace, until now created beside the queue
by the worker itself: kept where they are when they exist, created when they do not."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ghtraffic.storage.migrations import make

revision: str = "0008"
down_revision: str | None = "0007"


def upgrade() -> None:
    op.create_table(
        "ghtraffic_rate_budget",
        sa.Column("fingerprint", sa.Text(), nullable=False),
        make.integer("remaining"),
        make.integer("lim"),
        make.timestamp("reset_at"),
        sa.Column("server_offset", sa.Float(), server_default="0", nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        make.primary_key("ghtraffic_rate_budget", "fingerprint"),
        if_not_exists=True,
    )
    make.create_request_pace(if_not_exists=True)


def downgrade() -> None:
    op.drop_table("ghtraffic_request_pace")
    op.drop_table("ghtraffic_rate_budget")
