"""Server-side sessions: a random id in the cookie, its SHA-256 in ``web_sessions``.

A new id is issued at every login (the old one is deleted: no fixation); each session
carries its own CSRF token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete

from ghtraffic.identity.accounts import User, user_by_id
from ghtraffic.identity.digests import digest, new_secret
from ghtraffic.storage.database import Database
from ghtraffic.storage.tables_web import WebSession

COOKIE = "ghtraffic_session"
#: ``last_seen_at`` is written at most this often per session.
_TOUCH_EVERY = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class SessionInfo:
    id_hash: str
    user: User
    csrf_token: str
    expires_at: datetime


def create_session(
    db: Database, user_id: int, lifetime: timedelta, *, previous: str | None = None
) -> tuple[str, SessionInfo]:
    """A new session for ``user_id``: (cookie value, info). ``previous`` is ended."""
    now = datetime.now(UTC)
    value = new_secret()
    row = WebSession(
        id_hash=digest(value),
        user_id=user_id,
        csrf_token=new_secret(),
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
    )
    with db.session() as session:
        if previous:
            session.execute(delete(WebSession).where(WebSession.id_hash == digest(previous)))
        session.execute(delete(WebSession).where(WebSession.expires_at < now))
        session.add(row)
        session.flush()
        user = user_by_id(session, user_id)
    assert user is not None
    return value, SessionInfo(row.id_hash, user, row.csrf_token, row.expires_at)


def load_session(db: Database, value: str) -> SessionInfo | None:
    """The live session whose cookie value is ``value``, or ``None``."""
    if not value or len(value) > 128:
        return None
    now = datetime.now(UTC)
    with db.session() as session:
        row = session.get(WebSession, digest(value))
        if row is None:
            return None
        if row.expires_at <= now:
            session.delete(row)
            return None
        user = user_by_id(session, row.user_id)
        if user is None:
            return None
        if now - row.last_seen_at > _TOUCH_EVERY:
            row.last_seen_at = now
        return SessionInfo(row.id_hash, user, row.csrf_token, row.expires_at)


def end_session(db: Database, value: str) -> None:
    with db.session() as session:
        session.execute(delete(WebSession).where(WebSession.id_hash == digest(value)))


def end_user_sessions(db: Database, user_id: int) -> None:
    with db.session() as session:
        session.execute(delete(WebSession).where(WebSession.user_id == user_id))
