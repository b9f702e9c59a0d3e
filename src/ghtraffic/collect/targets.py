"""Which repositories a run collects: explicit names, owners' listings and filters."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ghtraffic.config import Settings, parse_repo_name
from ghtraffic.domain import RepoFacts
from ghtraffic.github import errors as gh
from ghtraffic.github.hosts import normalise_api_url


@dataclass(frozen=True)
class Target:
    """A repository to collect, by the name it was asked for.

    ``facts`` is known when the repository came from an owner's listing or from GraphQL;
    otherwise the single-repository call resolves the name (and follows a rename).
    """

    requested: str
    facts: RepoFacts | None = None
    #: The facts are GraphQL's: watchers and open issues included (a listing has neither).
    full_facts: bool = False
    #: GraphQL's download counts of the newest releases' assets, ``TAG/ASSET`` -> count,
    #: and whether they are all of them (then no REST call reads the releases).
    downloads: dict[str, int] | None = None
    downloads_complete: bool = False

    def as_job(self) -> dict[str, Any]:
        """The target as a queued job's arguments (JSON)."""
        return {
            "requested": self.requested,
            "facts": dataclasses.asdict(self.facts) if self.facts is not None else None,
            "full_facts": self.full_facts,
            "downloads": self.downloads,
            "downloads_complete": self.downloads_complete,
        }

    @classmethod
    def from_job(
        cls,
        requested: str,
        facts: dict[str, Any] | None = None,
        full_facts: bool = False,
        downloads: dict[str, int] | None = None,
        downloads_complete: bool = False,
    ) -> Target:
        return cls(
            requested,
            RepoFacts(**facts) if facts is not None else None,
            full_facts,
            downloads,
            downloads_complete,
        )

    @property
    def owner_name(self) -> tuple[str, str]:
        if self.facts is not None:
            return self.facts.owner, self.facts.name
        return parse_repo_name(self.requested)


@dataclass(frozen=True)
class OwnerFailure:
    owner: str
    reason: str


def owner_failure(owner: str, exc: Exception) -> OwnerFailure | None:
    """An owner whose listing failed for itself (not found, refused, a bad answer): the
    run goes on without it. ``None`` for what concerns the whole run (a rejected token,
    a spent rate limit, an unreachable API, a bug): it propagates."""
    if isinstance(exc, gh.BadCredentials | gh.RateLimitExhausted | gh.Unreachable):
        return None
    if isinstance(exc, gh.NotFound):
        return OwnerFailure(owner, f"owner {owner} not found, or the token cannot see it")
    if isinstance(exc, gh.GitHubError):
        return OwnerFailure(owner, f"listing {owner}: {exc}")
    return None


def listing_urls(api_url: str, owners: Iterable[str]) -> list[str]:
    """The URLs (and the URL prefixes) the listing of ``owners`` requests: the account of
    each owner, its repositories as an organisation or a user, and the token's own."""
    api = normalise_api_url(api_url)
    return [f"{api}/user/repos"] + [
        url for owner in owners for url in (f"{api}/orgs/{owner}/repos", f"{api}/users/{owner}")
    ]


ListOwner = Callable[[str], AsyncIterator[dict[str, Any]]]
ParseRepo = Callable[[dict[str, Any]], RepoFacts]


async def discover(
    settings: Settings,
    list_owner: ListOwner,
    parse: ParseRepo,
    on_owner_error: Callable[[str, Exception], OwnerFailure | None] = owner_failure,
) -> tuple[list[Target], list[OwnerFailure]]:
    """Explicit repositories first, then every listed repository of each owner, filtered
    and de-duplicated (by id for listed ones, by lower-cased name for explicit ones)."""
    targets: list[Target] = []
    failures: list[OwnerFailure] = []
    seen_names: set[str] = set()
    seen_ids: set[int] = set()

    for owner in dict.fromkeys(o.strip() for o in settings.owners if o.strip()):
        try:
            async for body in list_owner(owner):
                facts = parse(body)
                if facts.github_id in seen_ids:
                    continue
                if settings.skip_forks and facts.fork:
                    continue
                if settings.skip_archived and facts.archived:
                    continue
                if not settings.selects(facts.full_name):
                    continue
                seen_ids.add(facts.github_id)
                seen_names.add(facts.full_name.lower())
                targets.append(Target(facts.full_name, facts))
        except Exception as exc:
            failure = on_owner_error(owner, exc)
            if failure is None:
                raise
            failures.append(failure)

    explicit: list[Target] = []
    for name in dict.fromkeys(r.strip().strip("/") for r in settings.repos):
        parse_repo_name(name)
        if name.lower() in seen_names or not settings.selects(name):
            continue
        seen_names.add(name.lower())
        explicit.append(Target(name))
    return explicit + targets, failures
