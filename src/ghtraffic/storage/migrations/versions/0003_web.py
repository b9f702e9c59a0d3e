"""Web: users, sessions, API tokens, grants, public repos."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"


def _ts(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _user_id(table: str) -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["web_users.id"],
            name=op.f(f"fk_{table}_user_id_web_users"),
            ondelete="CASCADE",
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "web_users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        _ts("created_at"),
        _ts("last_login_at", nullable=True),
        sa.CheckConstraint("role IN ('admin', 'viewer')", name=op.f("ck_web_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_users")),
        sa.UniqueConstraint("name", name=op.f("uq_web_users_name")),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        *_user_id("web_sessions"),
        sa.Column("csrf_token", sa.Text(), nullable=False),
        _ts("created_at"),
        _ts("last_seen_at"),
        _ts("expires_at"),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_web_sessions")),
    )
    op.create_index(op.f("ix_web_sessions_user_id"), "web_sessions", ["user_id"])
    op.create_table(
        "web_api_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        *_user_id("web_api_tokens"),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        _ts("created_at"),
        _ts("last_used_at", nullable=True),
        _ts("revoked_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_web_api_tokens_user_id"), "web_api_tokens", ["user_id"])
    op.create_table(
        "web_grants",
        *_user_id("web_grants"),
        sa.Column("target", sa.Text(), nullable=False),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("user_id", "target", name=op.f("pk_web_grants")),
    )
    op.create_table(
        "web_public_repos",
        sa.Column("repo_id", sa.BigInteger(), nullable=False),
        _ts("marked_at"),
        sa.Column("marked_by", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["repo_id"],
            ["repos.id"],
            name=op.f("fk_web_public_repos_repo_id_repos"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("repo_id", name=op.f("pk_web_public_repos")),
    )


def downgrade() -> None:
    op.drop_table("web_public_repos")
    op.drop_table("web_grants")
    op.drop_index(op.f("ix_web_api_tokens_user_id"), table_name="web_api_tokens")
    op.drop_table("web_api_tokens")
    op.drop_index(op.f("ix_web_sessions_user_id"), table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_table("web_users")
