"""The credential store: GitHub tokens and App private keys, Fernet-encrypted."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

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
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('token', 'app')", name=op.f("ck_stored_credentials_kind")),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_stored_credentials")),
    )


def downgrade() -> None:
    op.drop_table("stored_credentials")
