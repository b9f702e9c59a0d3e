"""Why a run started no more repositories (an unreachable API, a rejected token), apart
from its message: a run whose repositories were only deferred has a message, not a stop."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ghtraffic.storage.migrations import make

revision: str = "0009"
down_revision: str | None = "0008"


def upgrade() -> None:
    # Added in place on both back ends: collection_runs is never rebuilt (dropping it on
    # SQLite would cascade to collection_results).
    op.add_column("collection_runs", sa.Column("stopped_because", sa.Text(), nullable=True))


def downgrade() -> None:
    make.drop_columns("collection_runs", "stopped_because")
