"""Repository facts that grow slowly with the fake date: stars, forks, issues, size, watchers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from ghtraffic.fakegithub.world import Repo

_EPOCH = date(2025, 1, 1)


def _unit(*parts: object) -> float:
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0**64


@dataclass(frozen=True, slots=True)
class Facts:
    stars: int
    forks: int
    open_issues: int
    size_kb: int
    subscribers: int
    pushed_at: datetime
    updated_at: datetime


def facts_at(repo: Repo, now: datetime) -> Facts:
    """The repository's counters as GitHub reports them at ``now`` (deterministic)."""
    today = now.astimezone(UTC).date()
    days = (today - _EPOCH).days
    stars = max(0, repo.base_stars + int(repo.star_rate * days))
    fork_ratio = 0.05 + 0.2 * _unit(repo.id, "forks")
    week = today.toordinal() // 7
    issues = int(stars * 0.02 + 8 * _unit(repo.id, "issues", week))
    pushed = datetime.combine(today, datetime.min.time(), UTC) - timedelta(
        hours=int(72 * _unit(repo.id, "pushed", today.toordinal()))
    )
    pushed = max(repo.created_at, min(pushed, now))
    return Facts(
        stars=stars,
        forks=int(stars * fork_ratio),
        open_issues=0 if repo.archived else issues,
        size_kb=repo.base_size + max(0, days) * int(1 + 5 * _unit(repo.id, "size")),
        subscribers=1 + stars // 25,
        pushed_at=pushed,
        updated_at=max(pushed, min(now, pushed + timedelta(hours=2))),
    )
