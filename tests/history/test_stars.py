"""Star history: rebuilt from the dated stargazer list, or left to the daily snapshots
(and asked again a month later) where the list may not be read."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from ghtraffic.domain import RepoFacts
from ghtraffic.history.stars import (
    backfill_due,
    cumulative_by_day,
    record_refusal,
    record_stargazers,
)
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.tables_history import RepoCount, StarHistory

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_cumulative_counts_by_day() -> None:
    times = [datetime(2026, 1, d, h, tzinfo=UTC) for d, h in ((1, 3), (1, 20), (3, 0), (7, 9))]
    assert cumulative_by_day(times) == [
        (date(2026, 1, 1), 2),
        (date(2026, 1, 3), 3),
        (date(2026, 1, 7), 4),
    ]


def test_listed_and_refused_repositories(archive: Archive) -> None:
    with archive.repo_batch() as batch:
        for repo_id in (1, 2, 3):
            batch.upsert_repo(RepoFacts(repo_id, "o", f"r{repo_id}", stars=2), NOW)
    times = [datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 5, tzinfo=UTC)]
    with archive.db.session() as session:
        record_stargazers(session, 1, times, NOW)
        record_refusal(session, 2, "no access to the stargazer list", NOW)
    with archive.db.session() as session:
        assert backfill_due(session, [1, 2, 3], NOW) == [3]
        assert backfill_due(session, [1, 2, 3], NOW + timedelta(days=31)) == [2, 3]
        sources = {h.repo_id: h.source for h in session.query(StarHistory)}
        values = sorted((c.day, c.value) for c in session.query(RepoCount))
    assert sources == {1: "stargazers", 2: "snapshots"}
    assert values == [(date(2026, 1, 1), 1), (date(2026, 1, 5), 2)]
