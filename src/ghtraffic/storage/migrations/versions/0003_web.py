"""Web: users, sessions, API tokens, grants, public repos."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ghtraffic.storage.migrations import make

revision: str = "0003"
down_revision: str | None = "0002"


def _user_id(table: str) -> list[sa.schema.SchemaItem]:
    return [
        make.integer("user_id"),
        make.cascade_fk(table, "user_id", "web_users"),
    ]


def upgrade() -> None:
    op.create_table(
        "web_users",
        make.serial_id(),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        make.timestamp("created_at"),
        make.timestamp("last_login_at", nullable=True),
        make.one_of("web_users", "role", ("admin", "viewer")),
        make.primary_key("web_users", "id"),
        sa.UniqueConstraint("name", name=op.f("uq_web_users_name")),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        *_user_id("web_sessions"),
        sa.Column("csrf_token", sa.Text(), nullable=False),
        make.timestamp("created_at"),
        make.timestamp("last_seen_at"),
        make.timestamp("expires_at"),
        make.primary_key("web_sessions", "id_hash"),
    )
    op.create_index(op.f("ix_web_sessions_user_id"), "web_sessions", ["user_id"])
    op.create_table(
        "web_api_tokens",
        make.serial_id(),
        *_user_id("web_api_tokens"),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        make.timestamp("created_at"),
        make.timestamp("last_used_at", nullable=True),
        make.timestamp("revoked_at", nullable=True),
        make.primary_key("web_api_tokens", "id"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_web_api_tokens_user_id"), "web_api_tokens", ["user_id"])
    op.create_table(
        "web_grants",
        *_user_id("web_grants"),
        sa.Column("target", sa.Text(), nullable=False),
        make.timestamp("created_at"),
        make.primary_key("web_grants", "user_id", "target"),
    )
    op.create_table(
        "web_public_repos",
        *make.repo_id("web_public_repos"),
        make.timestamp("marked_at"),
        sa.Column("marked_by", sa.Text(), nullable=True),
        make.primary_key("web_public_repos", "repo_id"),
    )


def downgrade() -> None:
    op.drop_table("web_public_repos")
    op.drop_table("web_grants")
    op.drop_index(op.f("ix_web_api_tokens_user_id"), table_name="web_api_tokens")
    op.drop_table("web_api_tokens")
    op.drop_index(op.f("ix_web_sessions_user_id"), table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_table("web_users")
