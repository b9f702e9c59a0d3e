"""Local accounts: create, list, authenticate, change password, delete."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ghtraffic.identity.passwords import hash_password, needs_rehash, verify_password
from ghtraffic.storage.database import Database
from ghtraffic.storage.tables_web import WebUser

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")


class AccountError(ValueError):
    """A refused account change; the message is one line for a person."""


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    role: str
    created_at: datetime
    last_login_at: datetime | None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def user_of(row: WebUser) -> User:
    return User(row.id, row.name, row.role, row.created_at, row.last_login_at)


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise AccountError(
            f"{name!r} is not a user name: use letters, digits, '.', '_', '-' or '@' "
            "(up to 64, starting with a letter or digit)"
        )
    return name


def add_user(db: Database, name: str, password: str, *, admin: bool = False) -> User:
    check_name(name)
    try:
        hashed = hash_password(password)
    except ValueError as error:
        raise AccountError(str(error)) from None
    with db.session() as session:
        if _find(session, name) is not None:
            raise AccountError(f"a user named {name} already exists")
        row = WebUser(
            name=name,
            password_hash=hashed,
            role="admin" if admin else "viewer",
            created_at=datetime.now(UTC),
        )
        session.add(row)
        session.flush()
        return user_of(row)


def _find(session: Session, name: str) -> WebUser | None:
    return session.scalar(select(WebUser).where(WebUser.name == name))


def find_user(db: Database, name: str) -> User | None:
    with db.read_session() as session:
        row = _find(session, name)
        return None if row is None else user_of(row)


def user_by_id(session: Session, user_id: int) -> User | None:
    row = session.get(WebUser, user_id)
    return None if row is None else user_of(row)


def require_user(db: Database, name: str) -> User:
    user = find_user(db, name)
    if user is None:
        raise AccountError(f"no user named {name}: add one with `ghtraffic user add {name}`")
    return user


def list_users(db: Database) -> list[User]:
    with db.read_session() as session:
        return [user_of(row) for row in session.scalars(select(WebUser).order_by(WebUser.name))]


def authenticate(db: Database, name: str, password: str) -> User | None:
    """The user when ``password`` is theirs (the hash is upgraded when parameters changed)."""
    with db.session() as session:
        row = _find(session, name)
        if not verify_password(None if row is None else row.password_hash, password):
            return None
        assert row is not None
        if needs_rehash(row.password_hash):
            row.password_hash = hash_password(password)
        row.last_login_at = datetime.now(UTC)
        return user_of(row)


def set_password(db: Database, name: str, password: str) -> None:
    try:
        hashed = hash_password(password)
    except ValueError as error:
        raise AccountError(str(error)) from None
    with db.session() as session:
        row = _find(session, name)
        if row is None:
            raise AccountError(f"no user named {name}")
        row.password_hash = hashed


def delete_user(db: Database, name: str) -> None:
    with db.session() as session:
        if session.execute(delete(WebUser).where(WebUser.name == name)).rowcount == 0:  # type: ignore[attr-defined]
            raise AccountError(f"no user named {name}")
