"""What a viewer may see: grants of an owner (``owner``) or one repository (``owner/name``)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, func, select

from ghtraffic.config import ConfigError, parse_repo_name
from ghtraffic.identity.accounts import AccountError, require_user
from ghtraffic.storage.database import Database
from ghtraffic.storage.tables import Repo, RepoAlias
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


def holds_target(db: Database, key: str) -> bool:
    """Whether the archive holds a repository a grant of ``key`` (``owner`` or
    ``owner/name``, lower-cased) would show: an owner's, or one by current or former name."""
    with db.read_session() as session:
        if "/" not in key:
            owner = select(Repo.id).where(func.lower(Repo.owner) == key)
            return session.execute(owner.limit(1)).first() is not None
        named = select(Repo.id).where(func.lower(Repo.full_name) == key)
        formerly = select(RepoAlias.repo_id).where(RepoAlias.name == key)
        return session.execute(named.union(formerly).limit(1)).first() is not None


def not_held(key: str) -> str:
    """The warning for a grant of something the archive does not hold (yet)."""
    what = f"repository {key}" if "/" in key else f"repository of {key}"
    return (
        f"the archive holds no {what} yet: the grant takes effect once one is collected "
        "or imported (check the spelling)"
    )


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
