"""Processing: roll-ups, events and notification deliveries."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"

SUMS = ("views", "views_unique_day_sum", "clones", "clones_unique_day_sum")


def _ts(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _repo_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["repo_id"], ["repos.id"], name=op.f(f"fk_{table}_repo_id_repos"), ondelete="CASCADE"
    )


def _sums() -> list[sa.schema.SchemaItem]:
    return [sa.Column(name, sa.BigInteger(), nullable=True) for name in SUMS]


def _period_check(table: str) -> sa.CheckConstraint:
    return sa.CheckConstraint("period IN ('week', 'month')", name=op.f(f"ck_{table}_period"))


def upgrade() -> None:
    op.create_table(
        "processing_state",
        sa.Column("repo_id", sa.BigInteger(), nullable=False),
        sa.Column("owner_key", sa.Text(), nullable=False),
        _ts("watermark", nullable=True),
        _ts("processed_at"),
        _repo_fk("processing_state"),
        sa.PrimaryKeyConstraint("repo_id", name=op.f("pk_processing_state")),
    )
    op.create_table(
        "rollups_repo",
        sa.Column("repo_id", sa.BigInteger(), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        *_sums(),
        sa.Column("days", sa.Integer(), nullable=False),
        _ts("updated_at"),
        _period_check("rollups_repo"),
        _repo_fk("rollups_repo"),
        sa.PrimaryKeyConstraint("repo_id", "period", "period_start", name=op.f("pk_rollups_repo")),
    )
    op.create_index("ix_rollups_repo_period_start", "rollups_repo", ["period", "period_start"])
    op.create_table(
        "rollups_group",
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        *_sums(),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("repos", sa.Integer(), nullable=False),
        _ts("updated_at"),
        sa.CheckConstraint("scope IN ('owner', 'all')", name=op.f("ck_rollups_group_scope")),
        _period_check("rollups_group"),
        sa.PrimaryKeyConstraint(
            "scope", "key", "period", "period_start", name=op.f("pk_rollups_group")
        ),
    )
    op.create_table(
        "traffic_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("repo_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("baseline", sa.Float(), nullable=False),
        sa.Column("mad", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("referrers", sa.JSON(), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.CheckConstraint("metric IN ('views', 'clones')", name=op.f("ck_traffic_events_metric")),
        _repo_fk("traffic_events"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_traffic_events")),
        sa.UniqueConstraint("repo_id", "day", "metric", name=op.f("uq_traffic_events_repo_id")),
    )
    op.create_index("ix_traffic_events_day", "traffic_events", ["day"])
    op.create_table(
        "notification_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("repo_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        _ts("sent_at", nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed')",
            name=op.f("ck_notification_deliveries_status"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["traffic_events.id"],
            name=op.f("fk_notification_deliveries_event_id_traffic_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_deliveries")),
        sa.UniqueConstraint("subject", "channel", name=op.f("uq_notification_deliveries_subject")),
    )
    op.create_index("ix_notification_deliveries_status", "notification_deliveries", ["status"])
    op.create_table(
        "data_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("repo_id", sa.BigInteger(), nullable=True),
        sa.Column("ref_id", sa.Integer(), nullable=True),
        _ts("at"),
        sa.CheckConstraint(
            "kind IN ('traffic', 'event', 'run')", name=op.f("ck_data_changes_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_changes")),
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
