"""Star history: after a repository's traffic is committed, the dated stargazer list of a
repository whose history is not known yet, when the budget has room to spare.

Traffic always comes first: the list is read only when more than half of the rate limit
is left after it (a list of N stars costs N/100 requests, at most ``MAX_PAGES``), never on
a repository's first read, and on one day of the week per repository (by its id; or the
first read after it, for a repository read every few days), so a new set of repositories
spreads its lists over a week. Where the credential may not list
stargazers (GitHub restricted this in 2026), the repository's daily star counts are its
history; ``star_history`` records which.
"""

from __future__ import annotations

import math
from datetime import date, datetime

from ghtraffic.domain import RepoFacts
from ghtraffic.github import errors as gh
from ghtraffic.github.client import GitHubClient
from ghtraffic.github.parse import parse_starred_at
from ghtraffic.history.stars import backfill_due, record_refusal, record_stargazers
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.records import RepoState

STAR_MEDIA = "application/vnd.github.star+json"
#: At most this many pages (100 stars each) per repository and run.
MAX_PAGES = 100


def pages(facts: RepoFacts) -> int:
    """The most requests (and rate points) reading the repository's list takes."""
    return min(MAX_PAGES, max(1, math.ceil(facts.stars / 100)))


def today_is_its_day(repo_id: int, state: RepoState | None, today: date) -> bool:
    """Whether a repository read today may read its star list today: not on its first
    read, and when its own day of the week came since its last read (a repository read
    daily: on that day; one read every few days: on the first read after it)."""
    if state is None or state.last_success_at is None:
        return False
    since_read = (today - state.last_success_at.date()).days
    since_its_day = (today.toordinal() - repo_id) % 7
    return since_its_day < since_read


def due(archive: Archive, repo_id: int, now: datetime) -> bool:
    """Whether the repository's star history is still to be read."""
    with archive.db.read_session() as session:
        return bool(backfill_due(session, [repo_id], now))


async def read(client: GitHubClient, facts: RepoFacts) -> list[datetime] | str | None:
    """The times of the repository's stargazers; the reason when the credential may not
    list them; ``None`` when the read failed for now (asked again next run)."""
    times: list[datetime] = []
    try:
        async for page in client.paginate(
            f"/repos/{facts.full_name}/stargazers", accept=STAR_MEDIA, repo_name=facts.full_name
        ):
            times += parse_starred_at(page.data)
            if len(times) >= MAX_PAGES * 100:
                break
    except (gh.Forbidden, gh.NotFound, gh.NoPushAccess, gh.UnexpectedStatus) as exc:
        return str(exc)
    except gh.GitHubError:
        return None
    return times


def record(archive: Archive, repo_id: int, found: list[datetime] | str, now: datetime) -> None:
    """Keep the history rebuilt from the list, or that the list was refused."""
    with archive.db.session() as session:
        if isinstance(found, str):
            record_refusal(session, repo_id, found, now)
        else:
            record_stargazers(session, repo_id, found, now)
