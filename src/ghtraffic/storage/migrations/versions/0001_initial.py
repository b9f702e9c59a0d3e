"""Initial schema: repositories, daily/weekly traffic, windows, popular lists, runs."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ghtraffic.storage.migrations import make

revision: str = "0001"
down_revision: str | None = None

METRICS = ("views", "views_unique", "clones", "clones_unique")


def _metrics() -> list[sa.schema.SchemaItem]:
    return [make.integer(metric, nullable=True) for metric in METRICS]


def _raised() -> list[sa.schema.SchemaItem]:
    return [make.timestamp(f"{metric}_raised_at", nullable=True) for metric in METRICS]


def _create_traffic(table: str, period: str) -> None:
    """Figures per repository and period (a day, a week), each first seen and raised."""
    op.create_table(
        table,
        *make.repo_id(table),
        sa.Column(period, sa.Date(), nullable=False),
        *_metrics(),
        make.timestamp("first_seen_at"),
        *_raised(),
        make.primary_key(table, "repo_id", period),
    )


def _create_ranked_list(table: str, *item: sa.Column[object]) -> None:
    """A repository's list of the day as GitHub ranks it (referrers, paths): the
    ``item`` columns and its count and unique visitors, a row per rank."""
    op.create_table(
        table,
        *make.repo_id(table),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("rank", sa.Integer(), autoincrement=False, nullable=False),
        *item,
        make.integer("count"),
        make.integer("uniques"),
        make.primary_key(table, "repo_id", "day", "rank"),
    )


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
        make.timestamp("first_seen_at"),
        make.timestamp("last_seen_at"),
        make.timestamp("last_success_at", nullable=True),
        make.primary_key("repos", "id"),
    )
    op.create_table(
        "repo_aliases",
        sa.Column("name", sa.Text(), nullable=False),
        *make.repo_id("repo_aliases"),
        make.timestamp("first_seen_at"),
        make.timestamp("last_seen_at"),
        make.primary_key("repo_aliases", "name"),
    )
    op.create_index(op.f("ix_repo_aliases_repo_id"), "repo_aliases", ["repo_id"])
    _create_traffic("traffic_daily", "day")
    _create_traffic("traffic_weekly", "week_start")
    op.create_table(
        "traffic_windows",
        *make.repo_id("traffic_windows"),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        *_metrics(),
        make.timestamp("observed_at"),
        make.primary_key("traffic_windows", "repo_id", "day"),
    )
    op.create_table(
        "popular_snapshots",
        *make.repo_id("popular_snapshots"),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        make.timestamp("observed_at"),
        make.one_of("popular_snapshots", "kind", ("referrers", "paths")),
        make.primary_key("popular_snapshots", "repo_id", "day", "kind"),
    )
    _create_ranked_list("referrer_items", sa.Column("referrer", sa.Text(), nullable=False))
    _create_ranked_list(
        "path_items",
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
    )
    op.create_table(
        "repo_snapshots",
        *make.repo_id("repo_snapshots"),
        sa.Column("day", sa.Date(), nullable=False),
        make.integer("stars"),
        make.integer("forks"),
        make.integer("watchers", nullable=True),
        make.integer("open_issues"),
        sa.Column("size_kb", sa.BigInteger(), nullable=False),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column("fork", sa.Boolean(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        make.timestamp("observed_at"),
        make.primary_key("repo_snapshots", "repo_id", "day"),
    )
    op.create_table(
        "http_cache",
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        make.timestamp("stored_at"),
        make.primary_key("http_cache", "url"),
    )
    op.create_table(
        "collection_runs",
        make.serial_id(),
        make.timestamp("started_at"),
        make.timestamp("finished_at", nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("api_url", sa.Text(), nullable=False),
        make.integer("repos_ok"),
        make.integer("repos_failed"),
        make.integer("repos_deferred"),
        make.integer("requests"),
        make.integer("rate_points"),
        make.integer("rate_remaining", nullable=True),
        make.integer("rate_limit", nullable=True),
        make.integer("days_added"),
        make.integer("days_raised"),
        sa.Column("message", sa.Text(), nullable=True),
        make.one_of("collection_runs", "status", ("running", "ok", "partial", "failed")),
        make.primary_key("collection_runs", "id"),
    )
    op.create_table(
        "collection_results",
        make.serial_id(),
        make.integer("run_id"),
        sa.Column("full_name", sa.Text(), nullable=False),
        sa.Column("repo_id", sa.BigInteger(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        make.integer("requests"),
        make.integer("days_added"),
        make.integer("days_raised"),
        make.timestamp("finished_at", nullable=True),
        make.one_of("collection_results", "outcome", ("ok", "failed", "deferred")),
        make.cascade_fk("collection_results", "run_id", "collection_runs"),
        make.primary_key("collection_results", "id"),
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
