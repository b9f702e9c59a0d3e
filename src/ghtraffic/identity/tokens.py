"""Personal API tokens: ``ght_`` + 32 random bytes, shown once, kept as their SHA-256.

A token reads only, unless it was minted with ``write`` (by an admin: ``ghtraffic user
token NAME --write`` or an admin's Account page); then it may also make the
state-changing requests its user may make. A token minted with ``metrics_only``
(``ghtraffic user token NAME --metrics``) reads ``/metrics`` and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from ghtraffic.identity.accounts import AccountError, User, user_of
from ghtraffic.identity.digests import digest, new_secret
from ghtraffic.storage.database import Database
from ghtraffic.storage.tables_web import ApiToken, WebUser

PREFIX = "ght_"


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: int
    user_id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    can_write: bool
    metrics_only: bool = False


@dataclass(frozen=True, slots=True)
class TokenUse:
    """Who a live token speaks for, whether it may write, and whether it may read only
    the metrics."""

    user: User
    can_write: bool
    metrics_only: bool = False


def _info(row: ApiToken) -> TokenInfo:
    return TokenInfo(
        row.id,
        row.user_id,
        row.name,
        row.prefix,
        row.created_at,
        row.last_used_at,
        row.revoked_at,
        bool(row.can_write),
        bool(row.metrics_only),
    )


def create_token(
    db: Database, user_id: int, name: str, *, write: bool = False, metrics_only: bool = False
) -> tuple[str, TokenInfo]:
    """A new token: (the token itself, to show once; what is kept of it). It reads only
    unless ``write``; with ``metrics_only`` it reads the metrics and nothing else. The
    caller decides who may mint which."""
    if write and metrics_only:
        raise AccountError("a token that reads only the metrics cannot also write")
    label = " ".join(name.split())[:100]
    if not label:
        raise AccountError("a token needs a name (what uses it)")
    token = PREFIX + new_secret()
    row = ApiToken(
        user_id=user_id,
        name=label,
        token_hash=digest(token),
        prefix=token[:10],
        created_at=datetime.now(UTC),
        can_write=write,
        metrics_only=metrics_only,
    )
    with db.session() as session:
        session.add(row)
        session.flush()
        return token, _info(row)


def user_for_token(db: Database, token: str) -> TokenUse | None:
    """The owner of a live token and its scope (its last use is recorded), or ``None``."""
    if not token.startswith(PREFIX) or len(token) > 128:
        return None
    now = datetime.now(UTC)
    with db.read_session() as session:
        found = session.execute(
            select(ApiToken, WebUser)
            .join(WebUser, WebUser.id == ApiToken.user_id)
            .where(ApiToken.token_hash == digest(token))
        ).first()
        if found is None or found[0].revoked_at is not None:
            return None
        row = found[0]
        use = TokenUse(user_of(found[1]), bool(row.can_write), bool(row.metrics_only))
        stale = row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1)
        token_id = row.id
    if stale:
        with db.session() as session:
            session.execute(
                update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now)
            )
    return use


def list_tokens(db: Database, user_id: int) -> list[TokenInfo]:
    with db.read_session() as session:
        rows = session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)
        )
        return [_info(row) for row in rows]


def revoke_token(db: Database, user_id: int, token_id: int) -> bool:
    """Revoke a live token of ``user_id``; ``False`` when there is none such (another
    user's token, an unknown id, or one already revoked)."""
    with db.session() as session:
        row = session.get(ApiToken, token_id)
        if row is None or row.user_id != user_id or row.revoked_at is not None:
            return False
        row.revoked_at = datetime.now(UTC)
        return True
