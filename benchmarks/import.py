"""Import benchmark: 1,000,000 daily rows (1,000 repositories x 1,000 days) into SQLite.

Writes a generic CSV (the format ``ghtraffic export`` writes) in a temporary folder,
imports it into a fresh SQLite archive the way ``ghtraffic import`` does, and prints the
wall time and rows per second of reading and of merging. Run:

    .venv/bin/python benchmarks/import.py [--repos 1000] [--days 1000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from ghtraffic.history.importers import Target, read_path
from ghtraffic.history.load import apply_import
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database, sqlite_url

TARGET_SECONDS = 30.0


def write_csv(path: Path, repos: int, days: int, seed: int = 1) -> int:
    rng = random.Random(seed)
    first = date(2023, 1, 1)
    day_texts = [(first + timedelta(days=offset)).isoformat() for offset in range(days)]
    with path.open("w", encoding="utf-8") as out:
        out.write("repo,date,views,views_unique,clones,clones_unique\n")
        for repo in range(repos):
            name = f"bench-org/repo-{repo:04d}"
            lines = []
            for day in day_texts:
                views = rng.randrange(0, 500)
                clones = rng.randrange(0, 80)
                lines.append(f"{name},{day},{views},{views // 3},{clones},{clones // 2}\n")
            out.writelines(lines)
    return repos * days


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repos", type=int, default=1000)
    parser.add_argument("--days", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "traffic.csv"
        rows = write_csv(source, args.repos, args.days)
        db = Database(sqlite_url(Path(folder) / "archive.sqlite"))
        db.upgrade()
        archive = Archive(db)
        start = time.perf_counter()
        data, _ = read_path(source, "auto", Target())
        read = time.perf_counter()
        report = apply_import(archive, data, datetime(2026, 9, 1, tzinfo=UTC))
        done = time.perf_counter()
        db.dispose()
    total = done - start
    assert report.rows_read == rows
    assert report.added == rows
    assert not report.rejected
    print(f"rows: {rows:,} ({args.repos} repositories x {args.days} days), SQLite")
    print(f"read + parse: {read - start:6.1f} s  ({rows / (read - start):,.0f} rows/s)")
    print(f"merge + write: {done - read:5.1f} s  ({rows / (done - read):,.0f} rows/s)")
    verdict = "within" if total <= TARGET_SECONDS else "OVER"
    print(
        f"total: {total:.1f} s  ({rows / total:,.0f} rows/s), {verdict} the {TARGET_SECONDS:.0f} s"
    )


if __name__ == "__main__":
    main()
