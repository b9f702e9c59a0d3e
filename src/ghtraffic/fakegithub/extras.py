"""Releases with download counts, and stargazers with the time each star was given.

About a quarter of the repositories publish releases; each asset's ``download_count`` grows
with the days since its release. The stargazer list matches the repository's star count at
``now``; with ``Accept: application/vnd.github.star+json`` each entry carries ``starred_at``.
Installation tokens (bots) are refused the list, as GitHub restricted it in 2026.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ghtraffic.fakegithub import bodies
from ghtraffic.fakegithub.facts import facts_at
from ghtraffic.fakegithub.paging import page_bounds, page_link
from ghtraffic.fakegithub.world import Account, Repo

JSON = Any
STAR_MEDIA = "application/vnd.github.star+json"
_EPOCH = date(2025, 1, 1)
_ASSETS = ("linux-x86_64.tar.gz", "macos-arm64.tar.gz", "windows-x64.zip", "checksums.txt")


def _unit(*parts: object) -> float:
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0**64


def has_releases(repo: Repo) -> bool:
    return _unit(repo.id, "releases") < 0.25


def releases(repo: Repo, now: datetime) -> list[tuple[str, datetime, list[tuple[int, str, int]]]]:
    """(tag, published_at, [(asset id, name, download_count)]) newest first, as of ``now``."""
    if not has_releases(repo):
        return []
    result = []
    for index in range(3):
        published = datetime(2025, 3, 1, 12, tzinfo=UTC) + timedelta(days=90 * index)
        if published > now:
            continue
        days = (now - published).total_seconds() / 86400
        assets = []
        for number, name in enumerate(_ASSETS[: 2 + index % 3]):
            rate = 0.5 + 30 * _unit(repo.id, index, number, "rate")
            asset_id = repo.id * 100 + index * 10 + number
            assets.append((asset_id, name, int(rate * days)))
        result.append((f"v{index + 1}.0.0", published, assets))
    return sorted(result, key=lambda r: r[1], reverse=True)


def release_bodies(repo: Repo, now: datetime, api: str) -> list[JSON]:
    base = f"{api}/repos/{repo.full_name}"
    author = bodies.simple_user(repo.owner, api)
    out = []
    for tag, published, assets in releases(repo, now):
        release_id = repo.id * 10 + int(tag[1])
        out.append(
            {
                "url": f"{base}/releases/{release_id}",
                "html_url": f"{bodies.WEB}/{repo.full_name}/releases/tag/{tag}",
                "assets_url": f"{base}/releases/{release_id}/assets",
                "upload_url": (
                    f"https://uploads.github.com/repos/{repo.full_name}/releases/{release_id}"
                    "/assets{?name,label}"
                ),
                "tarball_url": f"{base}/tarball/{tag}",
                "zipball_url": f"{base}/zipball/{tag}",
                "id": release_id,
                "node_id": f"RE_{release_id}",
                "tag_name": tag,
                "target_commitish": "main",
                "name": tag,
                "body": None,
                "draft": False,
                "prerelease": False,
                "immutable": False,
                "created_at": bodies.iso(published),
                "published_at": bodies.iso(published),
                "updated_at": bodies.iso(published),
                "author": author,
                "assets": [
                    {
                        "url": f"{base}/releases/assets/{asset_id}",
                        "browser_download_url": (
                            f"{bodies.WEB}/{repo.full_name}/releases/download/{tag}/{name}"
                        ),
                        "id": asset_id,
                        "node_id": f"RA_{asset_id}",
                        "name": name,
                        "label": None,
                        "state": "uploaded",
                        "content_type": "application/octet-stream",
                        "size": 1000 + asset_id % 9000,
                        "digest": None,
                        "download_count": count,
                        "created_at": bodies.iso(published),
                        "updated_at": bodies.iso(published),
                        "uploader": author,
                    }
                    for asset_id, name, count in assets
                ],
            }
        )
    return out


def star_times(repo: Repo, now: datetime) -> list[datetime]:
    """When each current star was given, oldest first (as many as the star count)."""
    stars = facts_at(repo, now).stars
    times: list[datetime] = []
    before = max(0, min(repo.base_stars, stars))
    span = max(
        (datetime.combine(_EPOCH, datetime.min.time(), UTC) - repo.created_at), timedelta(days=1)
    )
    for i in range(before):
        times.append(repo.created_at + span * ((i + 0.5) / before))
    rate = repo.star_rate
    for i in range(before, stars):
        day = math.ceil((i + 1 - repo.base_stars) / rate) if rate > 0 else 0
        hour = int(24 * _unit(repo.id, i, "hour"))
        times.append(
            datetime.combine(_EPOCH + timedelta(days=day), datetime.min.time(), UTC)
            + timedelta(hours=hour)
        )
    return [min(t, now) for t in times]


def stargazer_bodies(repo: Repo, now: datetime, api: str, *, with_times: bool) -> list[JSON]:
    out = []
    for i, at in enumerate(star_times(repo, now)):
        user = Account(f"fan-{repo.id}-{i}", 5_000_000 + repo.id * 1000 + i, "User", at)
        body = bodies.simple_user(user, api)
        out.append({"starred_at": bodies.iso(at), "user": body} if with_times else body)
    return out


def paginate(
    items: Sequence[JSON], query: Mapping[str, str], api: str, path: str
) -> tuple[list[JSON], dict[str, str]]:
    """One page of ``items`` and its GitHub-style ``Link`` header."""

    page, per_page, last = page_bounds(query, len(items))

    def link(to: int, rel: str) -> str:
        return page_link(api, path, query, to, rel)

    links = []
    if page > 1:
        links += [link(min(page - 1, last), "prev"), link(1, "first")]
    if page < last:
        links += [link(page + 1, "next"), link(last, "last")]
    return list(items[(page - 1) * per_page : page * per_page]), (
        {"link": ", ".join(links)} if links else {}
    )
