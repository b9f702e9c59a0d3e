"""Replay a real archive: jgehrcke/github-repo-stats folders become repos whose final day values
come from ``OWNER/REPO/ghrs-data/views_clones_aggregate.csv``; the window shape, partial days and
revisions are applied as for the synthetic model.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path

from ghtraffic.domain import DayValues
from ghtraffic.fakegithub.world import DEFAULT_TOKENS, DEFAULT_USER, Repo, World, make_accounts

AGGREGATE = "views_clones_aggregate.csv"


def _int(text: str | None) -> int:
    return int(float(text)) if text and text.strip() else 0


def read_aggregate(path: Path) -> dict[date, DayValues]:
    """Day values of one ``views_clones_aggregate.csv`` (empty cells are zeros)."""
    days: dict[date, DayValues] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            day = datetime.fromisoformat(row["time_iso8601"]).astimezone(UTC).date()
            views, clones = _int(row.get("views_total")), _int(row.get("clones_total"))
            days[day] = DayValues(
                day,
                views,
                min(views, _int(row.get("views_unique"))),
                clones,
                min(clones, _int(row.get("clones_unique"))),
            )
    return days


def load_archive(root: Path) -> dict[str, dict[date, DayValues]]:
    """``OWNER/REPO`` → day values, for every ``OWNER/REPO/ghrs-data/`` aggregate under ``root``."""
    found: dict[str, dict[date, DayValues]] = {}
    for path in sorted(root.glob(f"*/*/ghrs-data/{AGGREGATE}")):
        repo_dir = path.parent.parent
        found[f"{repo_dir.parent.name}/{repo_dir.name}"] = read_aggregate(path)
    if not found:
        raise FileNotFoundError(f"no OWNER/REPO/ghrs-data/{AGGREGATE} under {root}")
    return found


def replay_world(
    root: Path,
    seed: int = 1,
    *,
    user: str = DEFAULT_USER,
    tokens: Mapping[str, str] = DEFAULT_TOKENS,
) -> tuple[World, dict[int, dict[date, DayValues]]]:
    """A world with one public repo per archived folder (the user is a member of every owner),
    and the final day values by repo id for ``TrafficModel(finals=...)``."""
    archive = load_archive(root)
    owners = sorted({name.split("/")[0] for name in archive} - {user})
    accounts, members = make_accounts(user, owners, tokens, seed)
    rng = random.Random(f"replay:{seed}")
    repos: list[Repo] = []
    finals: dict[int, dict[date, DayValues]] = {}
    next_id = 100_000
    for full_name, days in archive.items():
        owner, name = full_name.split("/")
        next_id += rng.randint(1, 40_000)
        first = min(days) if days else date(2020, 1, 1)
        repo = Repo(
            id=next_id,
            owner=accounts[owner.lower()],
            name=name,
            created_at=datetime.combine(first, datetime.min.time(), UTC),
            base_stars=rng.randint(0, 500),
            star_rate=rng.uniform(0, 0.5),
            base_size=rng.randint(100, 50_000),
        )
        repos.append(repo)
        finals[repo.id] = days
    return World(accounts=accounts, repos=repos, tokens=dict(tokens), members=members), finals
