"""The workers' request pace as a sliding window: a log of the requests each credential
took in the last minute, instead of a token bucket."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ghtraffic.storage.migrations import make

revision: str = "0011"
down_revision: str | None = "0010"


def upgrade() -> None:
    op.drop_table("ghtraffic_request_pace")
    op.create_table(
        "ghtraffic_request_log",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("fingerprint", sa.Text(), nullable=False),
        make.timestamp("at"),
        make.integer("requests"),
        make.primary_key("ghtraffic_request_log", "id"),
    )
    op.create_index(
        "ix_ghtraffic_request_log_fingerprint_at",
        "ghtraffic_request_log",
        ["fingerprint", "at"],
    )


def downgrade() -> None:
    op.drop_index("ix_ghtraffic_request_log_fingerprint_at", "ghtraffic_request_log")
    op.drop_table("ghtraffic_request_log")
    make.create_request_pace(if_not_exists=False)
