"""The credential store: GitHub tokens and App private keys, Fernet-encrypted."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ghtraffic.storage.migrations import make

revision: str = "0007"
down_revision: str | None = "0006"


def upgrade() -> None:
    op.create_table(
        "stored_credentials",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("app_id", sa.Text(), nullable=True),
        sa.Column("installations", sa.Text(), nullable=True),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=12), nullable=False),
        sa.Column("key_id", sa.String(length=8), nullable=False),
        make.timestamp("created_at"),
        make.one_of("stored_credentials", "kind", ("token", "app")),
        make.primary_key("stored_credentials", "name"),
    )


def downgrade() -> None:
    op.drop_table("stored_credentials")
