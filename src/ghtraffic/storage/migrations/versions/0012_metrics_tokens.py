"""API tokens that may read only ``/metrics``: what a Prometheus scraper holds."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"


def upgrade() -> None:
    # A column SQLite adds in place; existing tokens keep their scope.
    op.add_column(
        "web_api_tokens",
        sa.Column("metrics_only", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("web_api_tokens") as batch:
        batch.drop_column("metrics_only")
