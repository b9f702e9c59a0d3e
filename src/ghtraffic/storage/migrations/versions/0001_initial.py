"""Initial schema: repositories, daily/weekly traffic, windows, popular lists, runs."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None

METRICS = ("views", "views_unique", "clones", "clones_unique")


def _ts(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _int(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def _repo_id(table: str) -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("repo_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["repo_id"], ["repos.id"], name=op.f(f"fk_{table}_repo_id_repos"), ondelete="CASCADE"
        ),
    ]


def _metrics() -> list[sa.schema.SchemaItem]:
    return [_int(metric, nullable=True) for metric in METRICS]


def _raised() -> list[sa.schema.SchemaItem]:
    return [_ts(f"{metric}_raised_at", nullable=True) for metric in METRICS]


def _pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*columns, name=op.f(f"pk_{table}"))


def upgrade() -> None:
    op.create_table(
        "repos",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("full_name", sa.Text(), nullable=False),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column("fork", sa.Boolean(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        _ts("first_seen_at"),
        _ts("last_seen_at"),
        _ts("last_success_at", nullable=True),
        _pk("repos", "id"),
    )
    op.create_table(
        "repo_aliases",
        sa.Column("name", sa.Text(), nullable=False),
        *_repo_id("repo_aliases"),
        _ts("first_seen_at"),
        _ts("last_seen_at"),
        _pk("repo_aliases", "name"),
    )
    op.create_index(op.f("ix_repo_aliases_repo_id"), "repo_aliases", ["repo_id"])
    op.create_table(
        "traffic_daily",
        *_repo_id("traffic_daily"),
        sa.Column("day", sa.Date(), nullable=False),
        *_metrics(),
        _ts("first_seen_at"),
        *_raised(),
        _pk("traffic_daily", "repo_id", "day"),
    )
    op.create_table(
        "traffic_weekly",
        *_repo_id("traffic_weekly"),
        sa.Column("week_start", sa.Date(), nullable=False),
        *_metrics(),
        _ts("first_seen_at"),
        *_raised(),
        _pk("traffic_weekly", "repo_id", "week_start"),
    )
    op.create_table(
        "traffic_windows",
        *_repo_id("traffic_windows"),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        *_metrics(),
        _ts("observed_at"),
        _pk("traffic_windows", "repo_id", "day"),
    )
    op.create_table(
        "popular_snapshots",
        *_repo_id("popular_snapshots"),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        _ts("observed_at"),
        sa.CheckConstraint(
            "kind IN ('referrers', 'paths')", name=op.f("ck_popular_snapshots_kind")
        ),
        _pk("popular_snapshots", "repo_id", "day", "kind"),
    )
    op.create_table(
        "referrer_items",
        *_repo_id("referrer_items"),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("rank", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("referrer", sa.Text(), nullable=False),
        _int("count"),
        _int("uniques"),
        _pk("referrer_items", "repo_id", "day", "rank"),
    )
    op.create_table(
        "path_items",
        *_repo_id("path_items"),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("rank", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        _int("count"),
        _int("uniques"),
        _pk("path_items", "repo_id", "day", "rank"),
    )
    op.create_table(
        "repo_snapshots",
        *_repo_id("repo_snapshots"),
        sa.Column("day", sa.Date(), nullable=False),
        _int("stars"),
        _int("forks"),
        _int("watchers", nullable=True),
        _int("open_issues"),
        sa.Column("size_kb", sa.BigInteger(), nullable=False),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column("fork", sa.Boolean(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        _ts("observed_at"),
        _pk("repo_snapshots", "repo_id", "day"),
    )
    op.create_table(
        "http_cache",
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        _ts("stored_at"),
        _pk("http_cache", "url"),
    )
    op.create_table(
        "collection_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _ts("started_at"),
        _ts("finished_at", nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("api_url", sa.Text(), nullable=False),
        _int("repos_ok"),
        _int("repos_failed"),
        _int("repos_deferred"),
        _int("requests"),
        _int("rate_points"),
        _int("rate_remaining", nullable=True),
        _int("rate_limit", nullable=True),
        _int("days_added"),
        _int("days_raised"),
        sa.Column("message", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'ok', 'partial', 'failed')",
            name=op.f("ck_collection_runs_status"),
        ),
        _pk("collection_runs", "id"),
    )
    op.create_table(
        "collection_results",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.Text(), nullable=False),
        sa.Column("repo_id", sa.BigInteger(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        _int("requests"),
        _int("days_added"),
        _int("days_raised"),
        _ts("finished_at", nullable=True),
        sa.CheckConstraint(
            "outcome IN ('ok', 'failed', 'deferred')", name=op.f("ck_collection_results_outcome")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["collection_runs.id"],
            name=op.f("fk_collection_results_run_id_collection_runs"),
            ondelete="CASCADE",
        ),
        _pk("collection_results", "id"),
    )
    op.create_index(op.f("ix_collection_results_run_id"), "collection_results", ["run_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_collection_results_run_id"), table_name="collection_results")
    op.drop_table("collection_results")
    op.drop_table("collection_runs")
    op.drop_table("http_cache")
    op.drop_table("repo_snapshots")
    op.drop_table("path_items")
    op.drop_table("referrer_items")
    op.drop_table("popular_snapshots")
    op.drop_table("traffic_windows")
    op.drop_table("traffic_weekly")
    op.drop_table("traffic_daily")
    op.drop_index(op.f("ix_repo_aliases_repo_id"), table_name="repo_aliases")
    op.drop_table("repo_aliases")
    op.drop_table("repos")
