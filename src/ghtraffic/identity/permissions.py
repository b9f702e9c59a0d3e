"""Which repositories a principal may see. Every read of the pages, the API, the badges,
the exports and the live stream asks here first.

* an admin sees every repository;
* a viewer sees the repositories of the owners granted to them and the repositories
  granted one by one (matched on current and former names);
* the public view sees the repositories an admin made public; nobody else sees any.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ghtraffic.identity.principal import Principal
from ghtraffic.identity.public import public_ids
from ghtraffic.storage.queries import find_repo, repo_row
from ghtraffic.storage.records import RepoRow
from ghtraffic.storage.tables import Repo, RepoAlias
from ghtraffic.storage.tables_web import PublicRepo, WebGrant


def visible_ids(session: Session, principal: Principal) -> set[int]:
    """The ids of every repository ``principal`` may see."""
    if principal.user is None:
        return public_ids(session) if principal.public else set()
    if principal.user.is_admin:
        return set(session.scalars(select(Repo.id)))
    targets = set(
        session.scalars(select(WebGrant.target).where(WebGrant.user_id == principal.user.id))
    )
    if not targets:
        return set()
    owners = {t for t in targets if "/" not in t}
    names = targets - owners
    found: set[int] = set()
    if owners:
        found |= set(session.scalars(select(Repo.id).where(func.lower(Repo.owner).in_(owners))))
    if names:
        found |= set(session.scalars(select(Repo.id).where(func.lower(Repo.full_name).in_(names))))
        found |= set(session.scalars(select(RepoAlias.repo_id).where(RepoAlias.name.in_(names))))
    return found


def can_see(session: Session, principal: Principal, repo_id: int) -> bool:
    """Whether ``principal`` may see repository ``repo_id``: the rule of ``visible_ids``
    for one repository, without listing the others."""
    if principal.user is None:
        return principal.public and session.get(PublicRepo, repo_id) is not None
    repo = session.get(Repo, repo_id)
    if repo is None:
        return False
    if principal.user.is_admin:
        return True
    names = {repo.owner.lower(), repo.full_name.lower()}
    names |= set(session.scalars(select(RepoAlias.name).where(RepoAlias.repo_id == repo_id)))
    granted = session.scalar(
        select(WebGrant.target)
        .where(WebGrant.user_id == principal.user.id, WebGrant.target.in_(names))
        .limit(1)
    )
    return granted is not None


def resolve_repo(session: Session, principal: Principal, full_name: str) -> RepoRow | None:
    """The repository called ``full_name`` (or formerly so) when ``principal`` may see it.

    An unknown repository and a forbidden one look the same: ``None``.
    """
    repo = find_repo(session, full_name)
    if repo is None or not can_see(session, principal, repo.id):
        return None
    return repo


def visible_repos(session: Session, principal: Principal) -> list[RepoRow]:
    """Every visible repository, ordered by name."""
    ids = visible_ids(session, principal)
    if not ids:
        return []
    rows = session.scalars(select(Repo).where(Repo.id.in_(ids)))
    return sorted((repo_row(r) for r in rows), key=lambda r: (r.full_name.casefold(), r.id))
