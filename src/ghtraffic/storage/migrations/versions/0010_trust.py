"""API tokens read only unless minted with write access; failed sign-ins kept in the
archive, so every process serving it throttles the same guesses."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ghtraffic.storage.migrations import make

revision: str = "0010"
down_revision: str | None = "0009"


def upgrade() -> None:
    # A column SQLite adds in place (no rebuild of web_api_tokens); existing tokens read only.
    make.add_flag("web_api_tokens", "can_write")
    op.create_table(
        "web_login_failures",
        make.serial_id(),
        make.timestamp("at"),
        sa.Column("account", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("password_bucket", sa.String(length=4), nullable=False),
        make.primary_key("web_login_failures", "id"),
    )
    op.create_index(op.f("ix_web_login_failures_at"), "web_login_failures", ["at"])
    op.create_index("ix_web_login_failures_account_at", "web_login_failures", ["account", "at"])
    op.create_index("ix_web_login_failures_address_at", "web_login_failures", ["address", "at"])
    op.create_index(
        "ix_web_login_failures_password_at", "web_login_failures", ["password_bucket", "at"]
    )


def downgrade() -> None:
    op.drop_table("web_login_failures")
    make.drop_columns("web_api_tokens", "can_write")
