"""The workers' shared rate budget and request pace, until now created beside the queue
by the worker itself: kept where they are when they exist, created when they do not."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"


def upgrade() -> None:
    op.create_table(
        "ghtraffic_rate_budget",
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column("remaining", sa.Integer(), nullable=False),
        sa.Column("lim", sa.Integer(), nullable=False),
        sa.Column("reset_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("server_offset", sa.Float(), server_default="0", nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("fingerprint", name=op.f("pk_ghtraffic_rate_budget")),
        if_not_exists=True,
    )
    op.create_table(
        "ghtraffic_request_pace",
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("fingerprint", name=op.f("pk_ghtraffic_request_pace")),
        if_not_exists=True,
    )


def downgrade() -> None:
    op.drop_table("ghtraffic_request_pace")
    op.drop_table("ghtraffic_rate_budget")
