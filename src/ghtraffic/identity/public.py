"""Repositories an admin made public: their badges are served, the public view shows them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ghtraffic.identity.accounts import AccountError
from ghtraffic.storage.database import Database
from ghtraffic.storage.queries import find_repo
from ghtraffic.storage.tables_web import PublicRepo


def public_ids(session: Session) -> set[int]:
    return set(session.scalars(select(PublicRepo.repo_id)))


def set_public(db: Database, full_name: str, public: bool, by: str | None = None) -> str:
    """Mark or unmark a repository (by current or old name); returns its current name."""
    with db.session() as session:
        repo = find_repo(session, full_name)
        if repo is None:
            raise AccountError(f"no repository named {full_name} in the archive")
        if public:
            if session.get(PublicRepo, repo.id) is None:
                session.add(PublicRepo(repo_id=repo.id, marked_at=datetime.now(UTC), marked_by=by))
        else:
            session.execute(delete(PublicRepo).where(PublicRepo.repo_id == repo.id))
        return repo.full_name
