"""The events export: an event's referrers are JSON in every format, never Python's repr."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.parquet as pq  # type: ignore[import-untyped]

from ghtraffic.domain import RepoFacts
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.tables_processing import TrafficEvent

from .helpers import run

AT = datetime(2026, 3, 2, tzinfo=UTC)
REFERRERS = [{"referrer": "news.ycombinator.com", "growth": 412}, {"referrer": "t.co", "growth": 9}]


def _archive_with_an_event(archive: Archive) -> str:
    with archive.repo_batch() as batch:
        batch.upsert_repo(RepoFacts(11, "acme", "rocket"), AT)
    with archive.db.session() as session:
        for day, referrers in ((date(2026, 3, 1), REFERRERS), (date(2026, 3, 2), None)):
            session.add(
                TrafficEvent(
                    repo_id=11, day=day, metric="views", value=900, baseline=40.0, mad=6.0,
                    threshold=61.0, referrers=referrers, created_at=AT, updated_at=AT,
                )
            )  # fmt: skip
    return archive.db.url.render_as_string(hide_password=False)


def test_event_referrers_are_json_in_csv_json_and_parquet(archive: Archive, tmp_path: Path) -> None:
    url = _archive_with_an_event(archive)
    exported = run(["export", "--kind", "events", "--format", "csv"], url)
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert [row["day"] for row in rows] == ["2026-03-01", "2026-03-02"]
    assert json.loads(rows[0]["referrers"]) == REFERRERS
    assert rows[0]["referrers"].startswith('[{"growth": 412')
    assert rows[1]["referrers"] == "", "no referrers yet: not observed"
    document = json.loads(run(["export", "--kind", "events", "--format", "json"], url).stdout)
    assert document[0]["referrers"] == REFERRERS
    assert document[1]["referrers"] is None
    out = tmp_path / "events.parquet"
    run(["export", "--kind", "events", "--format", "parquet", "--output", str(out)], url)
    table = pq.read_table(out).to_pylist()
    assert json.loads(table[0]["referrers"]) == REFERRERS
    assert table[1]["referrers"] is None
