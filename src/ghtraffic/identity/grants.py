"""What a viewer may see: grants of an owner (``owner``) or one repository (``owner/name``)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select

from ghtraffic.config import ConfigError, parse_repo_name
from ghtraffic.identity.accounts import AccountError, require_user
from ghtraffic.storage.database import Database
from ghtraffic.storage.tables_web import WebGrant


def normalize_target(target: str) -> str:
    """``OWNER`` or ``OWNER/NAME``, lower-cased; anything else is refused."""
    text = target.strip().strip("/")
    if "/" in text:
        try:
            owner, name = parse_repo_name(text)
        except ConfigError as error:
            raise AccountError(str(error)) from None
        return f"{owner}/{name}".lower()
    if not text or " " in text:
        raise AccountError(f"{target!r} is neither OWNER nor OWNER/NAME")
    return text.lower()


def grant(db: Database, user_name: str, target: str) -> str:
    user = require_user(db, user_name)
    key = normalize_target(target)
    with db.session() as session:
        if session.get(WebGrant, (user.id, key)) is None:
            session.add(WebGrant(user_id=user.id, target=key, created_at=datetime.now(UTC)))
    return key


def revoke(db: Database, user_name: str, target: str) -> bool:
    user = require_user(db, user_name)
    key = normalize_target(target)
    with db.session() as session:
        result = session.execute(
            delete(WebGrant).where(WebGrant.user_id == user.id, WebGrant.target == key)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def all_grants(db: Database) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    with db.read_session() as session:
        for user_id, target in session.execute(
            select(WebGrant.user_id, WebGrant.target).order_by(WebGrant.target)
        ):
            found.setdefault(user_id, []).append(target)
    return found
