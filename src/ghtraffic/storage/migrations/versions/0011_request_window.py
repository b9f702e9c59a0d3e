"""The workers' request pace as a sliding window: a log of the requests each credential
took in the last minute, instead of a token bucket."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"


def upgrade() -> None:
    op.drop_table("ghtraffic_request_pace")
    op.create_table(
        "ghtraffic_request_log",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ghtraffic_request_log")),
    )
    op.create_index(
        "ix_ghtraffic_request_log_fingerprint_at",
        "ghtraffic_request_log",
        ["fingerprint", "at"],
    )


def downgrade() -> None:
    op.drop_index("ix_ghtraffic_request_log_fingerprint_at", "ghtraffic_request_log")
    op.drop_table("ghtraffic_request_log")
    op.create_table(
        "ghtraffic_request_pace",
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("fingerprint", name=op.f("pk_ghtraffic_request_pace")),
    )
