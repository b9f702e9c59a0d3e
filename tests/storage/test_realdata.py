"""Replay 40 real SeisSol windows (ghrs fragments) through the archive in random orders."""

from __future__ import annotations

import csv
import random
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ghtraffic.domain import METRICS, DayValues
from ghtraffic.storage.archive import Archive

from .helpers import new_repo, stored_days
from .strategies import expected_max

FRAGMENTS = (
    Path(__file__).resolve().parent.parent
    / "data/realdata/ghrs_SeisSol_SeisSol/fragments_from_history"
)
#: ghrs column -> metric.
COLUMNS = {
    "views_total": "views",
    "views_unique": "views_unique",
    "clones_total": "clones",
    "clones_unique": "clones_unique",
}


def _cell(text: str) -> int | None:
    return None if text.strip() == "" else int(float(text))


def load_fragment(path: Path) -> tuple[datetime, list[DayValues]]:
    """A ghrs fragment: its UTC collection time and its days (empty cell = not observed)."""
    taken = datetime.strptime(path.name[:17], "%Y-%m-%d_%H%M%S").replace(tzinfo=UTC)
    with path.open(newline="") as handle:
        rows = [
            DayValues(
                date.fromisoformat(record["time_iso8601"][:10]),
                **{metric: _cell(record[column]) for column, metric in COLUMNS.items()},
            )
            for record in csv.DictReader(handle)
        ]
    return taken, rows


def fragments() -> list[tuple[datetime, list[DayValues]]]:
    return [load_fragment(path) for path in sorted(FRAGMENTS.glob("*.csv"))]


def newest_wins(
    windows: list[tuple[datetime, list[DayValues]]],
) -> dict[date, dict[str, int | None]]:
    """What a merge that keeps the last row it is given stores, replaying ``windows`` in order."""
    stored: dict[date, dict[str, int | None]] = {}
    for _, rows in windows:
        for row in rows:
            stored[row.day] = {name: row.metric(name) for name in METRICS}
    return stored


def test_the_fixture_is_complete() -> None:
    loaded = fragments()
    assert len(loaded) == 40
    assert all(rows for _, rows in loaded)


def _lowered(
    stored: dict[date, dict[str, int | None]], best: dict[date, dict[str, int | None]]
) -> set[date]:
    return {
        day
        for day, values in stored.items()
        for name in METRICS
        if best[day][name] is not None and (values[name] is None or values[name] < best[day][name])  # type: ignore[operator]
    }


def test_naive_merges_would_lower_real_days() -> None:
    loaded = fragments()
    best = expected_max(rows for _, rows in loaded)
    naive = newest_wins(sorted(loaded, key=lambda window: window[0]))
    assert naive.keys() == best.keys()
    assert naive != best
    # GitHub revised 2025-08-19's views down from 74 to 69 in the 2025-08-29 window.
    assert _lowered(naive, best) == {date(2025, 8, 19)}
    assert (naive[date(2025, 8, 19)]["views"], best[date(2025, 8, 19)]["views"]) == (69, 74)
    # Keeping the first observation instead loses every later upward revision.
    first_seen = newest_wins(sorted(loaded, key=lambda window: window[0], reverse=True))
    assert len(_lowered(first_seen, best)) > 10


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_replay_in_random_order_keeps_the_max(archive: Archive, seed: int) -> None:
    loaded = fragments()
    order = list(loaded)
    random.Random(seed).shuffle(order)
    repo = new_repo(archive, "SeisSol", "SeisSol")
    added = 0
    for taken, rows in order:
        with archive.repo_batch() as batch:
            added += batch.merge_daily(repo, rows, taken).added
    expected = expected_max(rows for _, rows in loaded)
    assert stored_days(archive, repo) == expected
    assert added == len(expected)
    with archive.repo_batch() as batch:
        for taken, rows in loaded:
            stats = batch.merge_daily(repo, rows, taken)
            assert (stats.added, stats.raised) == (0, 0)
