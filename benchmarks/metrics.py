"""Benchmark: what a Prometheus scrape costs over a large SQLite archive.

Seeds (or reuses) an archive like that of ``benchmarks/web.py`` (1,000 repositories x 3
years of daily traffic by default; without processing's roll-ups, which a scrape does not
read) and times, in this process:

- a read of the archive's figures (run log, every repository's status as ``ghtraffic
  status`` computes it, rate budget, queue): what a scrape costs when the cached figures
  are older than ``[metrics] cache_seconds``;
- a whole scrape (the text Prometheus receives) while the figures are cached.

    python benchmarks/metrics.py [--repos 1000] [--days 1096] [--reads 10] [--reuse [PATH]]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from prometheus_client import generate_latest

from _seed import load_average, percentile, seeded_copy
from ghtraffic.config import Settings
from ghtraffic.metrics.config import MetricsConfig
from ghtraffic.metrics.figures import Sources, read_figures
from ghtraffic.metrics.process import process_registry
from ghtraffic.storage.database import Database, sqlite_url

DEFAULT_CACHE = Path(tempfile.gettempdir()) / "ghtraffic-bench"


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
        reads = []
        for _ in range(args.reads + 1):
            started = time.perf_counter()
            figures = read_figures(Sources(db))
            reads.append((time.perf_counter() - started) * 1000)
        registry = process_registry(db, Settings(database_url=str(db.engine.url)), MetricsConfig())
        generate_latest(registry)  # the first scrape reads the figures
        scrapes = []
        for _ in range(100):
            started = time.perf_counter()
            body = generate_latest(registry)
            scrapes.append((time.perf_counter() - started) * 1000)
        db.dispose()
    warm = reads[1:]
    print(
        f"{figures.repositories} repositories, {figures.days_lost} days lost, "
        f"{figures.at_risk} at risk; {load_average()}"
    )
    print(
        f"read of the figures: p50 {percentile(warm, 0.5):.0f} ms, "
        f"p95 {percentile(warm, 0.95):.0f} ms (first {reads[0]:.0f} ms)"
    )
    print(
        f"scrape with the figures cached: p50 {percentile(scrapes, 0.5):.1f} ms, "
        f"p95 {percentile(scrapes, 0.95):.1f} ms, {len(body):,} bytes"
    )


if __name__ == "__main__":
    main()
