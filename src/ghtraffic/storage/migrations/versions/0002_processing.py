"""Processing: roll-ups, events and notification deliveries."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ghtraffic.storage.migrations import make

revision: str = "0002"
down_revision: str | None = "0001"

SUMS = ("views", "views_unique_day_sum", "clones", "clones_unique_day_sum")


def _sums() -> list[sa.schema.SchemaItem]:
    return [sa.Column(name, sa.BigInteger(), nullable=True) for name in SUMS]


def upgrade() -> None:
    op.create_table(
        "processing_state",
        *make.repo_id("processing_state"),
        sa.Column("owner_key", sa.Text(), nullable=False),
        make.timestamp("watermark", nullable=True),
        make.timestamp("processed_at"),
        make.primary_key("processing_state", "repo_id"),
    )
    op.create_table(
        "rollups_repo",
        *make.repo_id("rollups_repo"),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        *_sums(),
        make.integer("days"),
        make.timestamp("updated_at"),
        make.one_of("rollups_repo", "period", ("week", "month")),
        make.primary_key("rollups_repo", "repo_id", "period", "period_start"),
    )
    op.create_index("ix_rollups_repo_period_start", "rollups_repo", ["period", "period_start"])
    op.create_table(
        "rollups_group",
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        *_sums(),
        make.integer("days"),
        make.integer("repos"),
        make.timestamp("updated_at"),
        make.one_of("rollups_group", "scope", ("owner", "all")),
        make.one_of("rollups_group", "period", ("week", "month")),
        make.primary_key("rollups_group", "scope", "key", "period", "period_start"),
    )
    op.create_table(
        "traffic_events",
        make.serial_id(),
        *make.repo_id("traffic_events"),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(length=16), nullable=False),
        make.integer("value"),
        sa.Column("baseline", sa.Float(), nullable=False),
        sa.Column("mad", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("referrers", sa.JSON(), nullable=True),
        make.timestamp("created_at"),
        make.timestamp("updated_at"),
        make.one_of("traffic_events", "metric", ("views", "clones")),
        make.primary_key("traffic_events", "id"),
        sa.UniqueConstraint("repo_id", "day", "metric", name=op.f("uq_traffic_events_repo_id")),
    )
    op.create_index("ix_traffic_events_day", "traffic_events", ["day"])
    op.create_table(
        "notification_deliveries",
        make.serial_id(),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        make.integer("event_id", nullable=True),
        sa.Column("repo_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        make.integer("attempts"),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        make.timestamp("created_at"),
        make.timestamp("updated_at"),
        make.timestamp("sent_at", nullable=True),
        make.one_of("notification_deliveries", "status", ("pending", "sending", "sent", "failed")),
        make.cascade_fk("notification_deliveries", "event_id", "traffic_events"),
        make.primary_key("notification_deliveries", "id"),
        sa.UniqueConstraint("subject", "channel", name=op.f("uq_notification_deliveries_subject")),
    )
    op.create_index("ix_notification_deliveries_status", "notification_deliveries", ["status"])
    op.create_table(
        "data_changes",
        make.serial_id(),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("repo_id", sa.BigInteger(), nullable=True),
        make.integer("ref_id", nullable=True),
        make.timestamp("at"),
        make.one_of("data_changes", "kind", ("traffic", "event", "run")),
        make.primary_key("data_changes", "id"),
    )
    op.create_index("ix_data_changes_at", "data_changes", ["at"])


def downgrade() -> None:
    op.drop_index("ix_data_changes_at", table_name="data_changes")
    op.drop_table("data_changes")
    op.drop_index("ix_notification_deliveries_status", table_name="notification_deliveries")
    op.drop_table("notification_deliveries")
    op.drop_index("ix_traffic_events_day", table_name="traffic_events")
    op.drop_table("traffic_events")
    op.drop_table("rollups_group")
    op.drop_index("ix_rollups_repo_period_start", table_name="rollups_repo")
    op.drop_table("rollups_repo")
    op.drop_table("processing_state")
