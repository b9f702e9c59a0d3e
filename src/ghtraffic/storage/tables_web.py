"""Tables of the web part: users, sessions, API tokens, viewer grants, public repos.

Secrets are never stored: sessions and API tokens are kept as the SHA-256 of the random
value handed to the browser or the script, passwords as argon2 hashes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from ghtraffic.storage.base import Base
from ghtraffic.storage.types import UTCDateTime

ROLES = ("admin", "viewer")


def _user_fk() -> ForeignKey:
    return ForeignKey("web_users.id", ondelete="CASCADE")


class WebUser(Base):
    """A local account: ``admin`` sees and manages everything, ``viewer`` its grants."""

    __tablename__ = "web_users"
    __table_args__ = (CheckConstraint("role IN ('admin', 'viewer')", name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebSession(Base):
    """A signed-in browser: the SHA-256 of its cookie value, its CSRF token and lifetime."""

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, _user_fk(), index=True)
    csrf_token: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApiToken(Base):
    """A personal API token: the SHA-256 of the token, a name and a visible prefix.

    ``can_write``: the token may make state-changing requests (an admin minted it so);
    tokens read only by default. ``metrics_only``: the token reads ``/metrics`` and
    nothing else (a scraper's).
    """

    __tablename__ = "web_api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(Integer, _user_fk(), index=True)
    name: Mapped[str] = mapped_column(Text)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    can_write: Mapped[bool] = mapped_column(Boolean, server_default=false())
    metrics_only: Mapped[bool] = mapped_column(Boolean, server_default=false())


class WebGrant(Base):
    """A viewer may see an owner's repositories (``owner``) or one (``owner/name``).

    ``target`` is lower-cased; a repository grant also matches the repository's old names.
    """

    __tablename__ = "web_grants"

    user_id: Mapped[int] = mapped_column(Integer, _user_fk(), primary_key=True)
    target: Mapped[str] = mapped_column(Text, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PublicRepo(Base):
    """A repository an admin made public: badges and the optional public view show it."""

    __tablename__ = "web_public_repos"

    repo_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("repos.id", ondelete="CASCADE"), primary_key=True
    )
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    marked_by: Mapped[str | None] = mapped_column(Text)
