"""Benchmark: what a Prometheus scrape costs over a large SQLite archive.

Seeds (or reuses) an archive like that of ``benchmarks/web.py`` (1,000 repositories x 3
years of daily traffic by default; without processing's roll-ups, which a scrape does not
read) and times, in this process:

- a read of the run log, rate budget and queue figures: what a scrape costs when they are
  older than ``[metrics] cache_seconds``;
- a count of the coverage (every repository's status as ``ghtraffic status`` computes
  it): what the background thread spends every ``status_seconds``;
- a whole scrape (the text Prometheus receives) with both at hand.

    python benchmarks/metrics.py [--repos 1000] [--days 1096] [--reads 10] [--reuse [PATH]]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from prometheus_client import generate_latest

from _seed import DEFAULT_CACHE, load_average, percentile, seeded_copy
from ghtraffic.config import Settings
from ghtraffic.metrics.config import MetricsConfig
from ghtraffic.metrics.coverage import read_coverage
from ghtraffic.metrics.figures import Sources, read_figures
from ghtraffic.metrics.process import process_registry
from ghtraffic.storage.database import Database, sqlite_url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=1000)
    parser.add_argument("--days", type=int, default=1096)
    parser.add_argument("--reads", type=int, default=10)
    parser.add_argument("--reuse", nargs="?", const="", default=None, metavar="PATH")
    args = parser.parse_args()
    cache = None
    if args.reuse is not None:
        cache = (
            Path(args.reuse)
            if args.reuse
            else DEFAULT_CACHE / (f"archive-{args.repos}x{args.days}.sqlite")
        )
    with tempfile.TemporaryDirectory() as work:
        path = seeded_copy(cache, Path(work), args.repos, args.days, process=False)
        db = Database(sqlite_url(path))
        db.upgrade()
        reads, counts = [], []
        for _ in range(args.reads + 1):
            started = time.perf_counter()
            read_figures(Sources(db))
            reads.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            coverage = read_coverage(db)
            counts.append((time.perf_counter() - started) * 1000)
        config = MetricsConfig(status_seconds=3600)
        registry = process_registry(db, Settings(database_url=str(db.engine.url)), config)
        generate_latest(registry)  # the first scrape starts the count in the background
        while b"ghtraffic_days_lost" not in generate_latest(registry):
            time.sleep(0.1)
        scrapes = []
        for _ in range(100):
            started = time.perf_counter()
            body = generate_latest(registry)
            scrapes.append((time.perf_counter() - started) * 1000)
        db.dispose()
    print(
        f"{coverage.repositories} repositories, {coverage.days_lost} days lost, "
        f"{coverage.at_risk} at risk; {load_average()}"
    )
    for label, times in (("run log, budget, queue", reads), ("coverage count", counts)):
        warm = times[1:]
        print(
            f"{label}: p50 {percentile(warm, 0.5):.1f} ms, "
            f"p95 {percentile(warm, 0.95):.1f} ms (first {times[0]:.1f} ms)"
        )
    print(
        f"scrape with the figures cached: p50 {percentile(scrapes, 0.5):.1f} ms, "
        f"p95 {percentile(scrapes, 0.95):.1f} ms, {len(body):,} bytes"
    )


if __name__ == "__main__":
    main()
