"""Star history backfill: after a run's traffic, read the dated stargazer list of repositories
whose history is not known yet, while the rate budget has room to spare.

Traffic always comes first: a list is read only when more than half of the rate limit is
left after it (a list of N stars costs N/100 requests, at most ``MAX_PAGES``). Where the
credential may not list stargazers (GitHub restricted this in 2026), the repository's daily
star counts are its history; ``star_history`` records which.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from ghtraffic.github import errors as gh
from ghtraffic.github.client import GitHubClient
from ghtraffic.github.parse import parse_starred_at
from ghtraffic.history.stars import backfill_due, record_refusal, record_stargazers
from ghtraffic.storage.archive import Archive

STAR_MEDIA = "application/vnd.github.star+json"
#: At most this many pages (100 stars each) per repository and run.
MAX_PAGES = 100
#: At most this many repositories per run.
PER_RUN = 25

T = TypeVar("T")
InStorage = Callable[..., Awaitable[Any]]


async def backfill_stars(
    client: GitHubClient,
    archive: Archive,
    in_storage: InStorage,
    candidates: dict[int, tuple[str, int]],
    now: datetime,
    floor: int,
) -> int:
    """Read the stargazer lists of due repositories; returns how many were read."""
    if not candidates:
        return 0

    def due() -> list[int]:
        with archive.db.session() as session:
            return backfill_due(session, candidates, now)

    read = 0
    for repo_id in (await in_storage(due))[:PER_RUN]:
        full_name, stars = candidates[repo_id]
        pages = min(MAX_PAGES, max(1, math.ceil(stars / 100)))
        rate = client.rate
        if rate is not None and rate.remaining - pages < max(floor, rate.limit // 2):
            break  # keep the budget for tomorrow's traffic
        try:
            times = []
            async for page in client.paginate(
                f"/repos/{full_name}/stargazers", accept=STAR_MEDIA, repo_name=full_name
            ):
                times += parse_starred_at(page.data)
                if len(times) >= MAX_PAGES * 100:
                    break
        except (gh.Forbidden, gh.NotFound, gh.NoPushAccess, gh.UnexpectedStatus) as exc:
            await in_storage(_refused, archive, repo_id, str(exc), now)
            continue
        except gh.GitHubError:
            continue  # transient: asked again next run
        await in_storage(_listed, archive, repo_id, times, now)
        read += 1
    return read


def _listed(archive: Archive, repo_id: int, times: list[datetime], now: datetime) -> None:
    with archive.db.session() as session:
        record_stargazers(session, repo_id, times, now)


def _refused(archive: Archive, repo_id: int, reason: str, now: datetime) -> None:
    with archive.db.session() as session:
        record_refusal(session, repo_id, reason, now)
