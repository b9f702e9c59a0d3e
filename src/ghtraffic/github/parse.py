"""Read GitHub's JSON bodies into the shared :mod:`ghtraffic.domain` values.

Unknown extra fields are ignored and missing optional fields take their defaults; a body of
the wrong shape raises :class:`~.errors.BadResponse`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from ..domain import PopularPath, Referrer, RepoFacts
from .errors import BadResponse

#: In a GraphQL facts query: the newest releases read, and the assets read per release.
RELEASES = 5
ASSETS = 10


def _object(body: object, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadResponse.wrong_shape(f"{what} is not a JSON object")
    return body


def _list(body: object, what: str) -> list[Any]:
    if not isinstance(body, list):
        raise BadResponse.wrong_shape(f"{what} is not a JSON list")
    return body


def _int(obj: dict[str, Any], key: str, what: str, default: int | None = None) -> int:
    value = obj.get(key)
    if value is None and default is not None:
        return default
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadResponse.wrong_shape(f"{what}.{key} is not a number")
    return value


def _opt_int(obj: dict[str, Any], key: str, what: str) -> int | None:
    return None if obj.get(key) is None else _int(obj, key, what)


def _str(obj: dict[str, Any], key: str, what: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str):
        raise BadResponse.wrong_shape(f"{what}.{key} is not text")
    return value


def _bool(obj: dict[str, Any], key: str, what: str) -> bool:
    value = obj.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise BadResponse.wrong_shape(f"{what}.{key} is not true/false")
    return value


def parse_repo(body: object) -> RepoFacts:
    """A repository body (``GET /repos/{owner}/{repo}`` or a listing item) as :class:`RepoFacts`.

    ``watchers`` comes from ``subscribers_count``, which only the single-repository call has.
    """
    repo = _object(body, "repository")
    owner = _object(repo.get("owner"), "repository.owner")
    description = repo.get("description")
    if description is not None and not isinstance(description, str):
        raise BadResponse.wrong_shape("repository.description is not text")
    return RepoFacts(
        github_id=_int(repo, "id", "repository"),
        owner=_str(owner, "login", "repository.owner"),
        name=_str(repo, "name", "repository"),
        private=_bool(repo, "private", "repository"),
        fork=_bool(repo, "fork", "repository"),
        archived=_bool(repo, "archived", "repository"),
        stars=_int(repo, "stargazers_count", "repository", 0),
        forks=_int(repo, "forks_count", "repository", 0),
        open_issues=_int(repo, "open_issues_count", "repository", 0),
        size_kb=_int(repo, "size", "repository", 0),
        watchers=_opt_int(repo, "subscribers_count", "repository"),
        description=description,
    )


def parse_referrers(body: object) -> list[Referrer]:
    """``traffic/popular/referrers`` as a list of :class:`Referrer`, in GitHub's order."""
    items = _list(body, "referrers")
    out: list[Referrer] = []
    for item in items:
        entry = _object(item, "referrer")
        out.append(
            Referrer(
                referrer=_str(entry, "referrer", "referrer"),
                count=_int(entry, "count", "referrer"),
                uniques=_int(entry, "uniques", "referrer"),
            )
        )
    return out


def parse_paths(body: object) -> list[PopularPath]:
    """``traffic/popular/paths`` as a list of :class:`PopularPath`, in GitHub's order."""
    items = _list(body, "paths")
    out: list[PopularPath] = []
    for item in items:
        entry = _object(item, "path")
        title = entry.get("title")
        out.append(
            PopularPath(
                path=_str(entry, "path", "path"),
                title=title if isinstance(title, str) else "",
                count=_int(entry, "count", "path"),
                uniques=_int(entry, "uniques", "path"),
            )
        )
    return out


def parse_timestamp(value: object) -> date:
    """The UTC day of a traffic bucket timestamp such as ``2026-01-05T00:00:00Z``."""
    if not isinstance(value, str):
        raise BadResponse.wrong_shape("a traffic timestamp is not text")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadResponse.wrong_shape(f"traffic timestamp {value[:40]!r} is not a date") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).date()


def parse_series(body: object, key: str) -> dict[date, tuple[int, int]]:
    """The buckets of a views or clones body (``key`` is ``"views"`` or ``"clones"``).

    Returns ``{day: (count, uniques)}``; for ``per=week`` each key is the week's Monday.
    """
    traffic = _object(body, key)
    buckets = _list(traffic.get(key, []), f"{key}.{key}")
    out: dict[date, tuple[int, int]] = {}
    for item in buckets:
        entry = _object(item, f"{key} bucket")
        day = parse_timestamp(entry.get("timestamp"))
        out[day] = (_int(entry, "count", key), _int(entry, "uniques", key))
    return out


def parse_totals(body: object, key: str) -> tuple[int, int]:
    """The window's top-level ``(count, uniques)`` of a views or clones body."""
    traffic = _object(body, key)
    return _int(traffic, "count", key), _int(traffic, "uniques", key)


def parse_downloads(body: object) -> dict[str, int]:
    """Release assets' cumulative ``download_count``, keyed ``TAG/ASSET_NAME``."""
    counts: dict[str, int] = {}
    for release in _list(body, "releases"):
        if not isinstance(release, dict) or release.get("draft"):
            continue
        tag = release.get("tag_name")
        for asset in release.get("assets") or []:
            if not isinstance(asset, dict):
                continue
            name, count = asset.get("name"), asset.get("download_count")
            if isinstance(tag, str) and isinstance(name, str) and isinstance(count, int):
                counts[f"{tag}/{name}"] = count
    return counts


def parse_starred_at(body: object) -> list[datetime]:
    """The ``starred_at`` times of a stargazer page (``application/vnd.github.star+json``)."""
    times = []
    for entry in _list(body, "stargazers"):
        value = entry.get("starred_at") if isinstance(entry, dict) else None
        if not isinstance(value, str):
            raise BadResponse.wrong_shape("stargazers (starred_at missing)")
        times.append(datetime.fromisoformat(value.replace("Z", "+00:00")))
    return times


@dataclass(frozen=True, slots=True)
class GraphFacts:
    facts: RepoFacts
    #: Release assets' cumulative downloads, ``TAG/ASSET`` -> count (the newest releases).
    downloads: dict[str, int]
    #: Every release and asset is in ``downloads`` (no REST call needed for them).
    downloads_complete: bool


def parse_graph_facts(node: dict[str, Any]) -> GraphFacts:
    """One repository of a GraphQL facts query's answer (``github/graphql.py``)."""
    owner, _, name = _str(node, "nameWithOwner", "repository").partition("/")
    releases = _object(node.get("releases"), "repository.releases")
    downloads: dict[str, int] = {}
    complete = _int(releases, "totalCount", "releases", 0) <= RELEASES
    for release in releases.get("nodes") or []:
        if not isinstance(release, dict):
            continue
        tag = _str(release, "tagName", "release")
        assets = _object(release.get("releaseAssets"), "release.releaseAssets")
        complete = complete and _int(assets, "totalCount", "releaseAssets", 0) <= ASSETS
        for asset in assets.get("nodes") or []:
            if isinstance(asset, dict):
                downloads[f"{tag}/{_str(asset, 'name', 'asset')}"] = _int(
                    asset, "downloadCount", "asset", 0
                )
    description = node.get("description")
    facts = RepoFacts(
        github_id=_int(node, "databaseId", "repository"),
        owner=owner,
        name=name,
        private=_bool(node, "isPrivate", "repository"),
        fork=_bool(node, "isFork", "repository"),
        archived=_bool(node, "isArchived", "repository"),
        stars=_int(node, "stargazerCount", "repository", 0),
        forks=_int(node, "forkCount", "repository", 0),
        open_issues=_int(_object(node.get("issues"), "repository.issues"), "totalCount", "", 0),
        watchers=_int(_object(node.get("watchers"), "repository.watchers"), "totalCount", "", 0),
        description=description if isinstance(description, str) else None,
    )
    return GraphFacts(facts, downloads, complete)
