"""Benchmark: ``ghtraffic collect`` against the fake GitHub with real network latency.

Runs the collector as a child process (as cron would) over several simulated days:
a cold first run, a repeat run the same day, then one run a day, at the default cadence
(``auto``: each repository when it is due) and with ``--all`` (every repository every
day) as ``--cadence daily`` asks. Prints wall time, requests and REST rate points per
repository and per repository read, and the child's peak RSS, against the targets:

- wall ≤ 1.25 × requests × latency ÷ concurrency
- a cold read ≤ 5 REST points, a daily read ≤ 3 (GraphQL's points are a budget apart)
- a repeat run the same day ≤ 0.05 points per repository
- peak RSS ≤ 150 MB

    python benchmarks/collect.py [--repos 1000] [--latency-ms 50] [--concurrency 4] [--days 8]
                                 [--cadence auto|daily]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from _fake import FakeProcess, collect_command, slow_github
from ghtraffic.storage.archive import open_archive

OWNERS = ("octo-demo", "acme-labs", "globex")


@dataclass
class Measure:
    label: str
    wall: float
    run_wall: float
    requests: int
    points: int
    #: Repositories the run read (its run log's ``ok``).
    reads: int
    peak_rss_mb: float
    repos: int
    concurrency: int
    latency: float
    #: Answers by route kind that spent a point (all but a 304; GraphQL's are its own).
    points_by_kind: dict[str, int]

    @property
    def ratio(self) -> float:
        """Wall time of the run itself (from the run log) against the ideal."""
        return self.run_wall / self.ideal if self.ideal else float("nan")

    @property
    def ideal(self) -> float:
        return self.requests * self.latency / self.concurrency

    def line(self) -> str:
        return (
            f"{self.label:<18} process {self.wall:7.2f} s  run {self.run_wall:7.2f} s  "
            f"ideal {self.ideal:7.2f} s  ratio {self.ratio:4.2f}  "
            f"requests {self.requests:6d} ({self.requests / self.repos:5.2f}/repo)  "
            f"points {self.points:6d} ({self.points / self.repos:6.3f}/repo, "
            f"{self.points / max(1, self.reads):5.2f}/read of {self.reads})  "
            f"peak RSS {self.peak_rss_mb:6.1f} MB"
        )


def run_collect(fake: FakeProcess, db_url: str, args: argparse.Namespace, label: str) -> Measure:
    env = {
        **os.environ,
        "GITHUB_TOKEN": "demo-token",
        "GHTRAFFIC_API_URL": fake.base_url,
        "GHTRAFFIC_DATABASE_URL": db_url,
    }
    command = collect_command(
        OWNERS, "--concurrency", str(args.concurrency), "--requests-per-minute", "0"
    )
    if args.cadence == "daily":
        command.append("--all")
    fake.reset_stats()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode != 0:
        raise SystemExit(f"collect failed ({done.returncode}): {done.stderr.strip()}")
    stats = fake.stats()
    run = open_archive(db_url).runs(1)[0]
    assert run.finished_at is not None
    return Measure(
        label,
        wall,
        (run.finished_at - run.started_at).total_seconds(),
        int(stats["requests"]),
        sum(int(v) for v in stats["points"].values()),
        run.repos_ok,
        max(peak, before) / 1024,
        args.repos,
        args.concurrency,
        args.latency_ms / 1000,
        {
            kind: sum(n for status, n in counts.items() if status != "304")
            for kind, counts in stats["by_kind"].items()
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--days", type=int, default=8, help="daily runs after the cold one")
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
    parser.add_argument("--cadence", choices=("auto", "daily"), default="auto")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db_url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        with slow_github(args.repos, args.latency_ms, 100_000, "--seed", "1") as fake:
            print(
                f"{args.repos} repos, {args.latency_ms:.0f} ms latency, "
                f"concurrency {args.concurrency}"
            )
            cold = run_collect(fake, db_url, args, "cold first run")
            print(cold.line(), flush=True)
            repeat = run_collect(fake, db_url, args, "repeat, same day")
            print(repeat.line(), flush=True)
            daily: list[Measure] = []
            for day in range(1, args.days + 1):
                fake.advance_days(1)
                daily.append(run_collect(fake, db_url, args, f"day {day}"))
                print(daily[-1].line(), flush=True)

    week = daily[-7:] if len(daily) >= 7 else daily
    amortised = sum(m.points for m in week) / (len(week) * args.repos)
    per_read = sum(m.points for m in week) / max(1, sum(m.reads for m in week))
    worst_ratio = max(m.ratio for m in [cold, *daily])
    peak = max(m.peak_rss_mb for m in [cold, repeat, *daily])
    print()
    print(f"cold read: {cold.points / max(1, cold.reads):.2f} REST points  (target ≤ 5)")
    print(
        f"daily read, over the last {len(week)} daily runs: {per_read:.2f} REST points"
        f"  (target ≤ 3); {amortised:.3f} per repository-day at the {args.cadence} cadence"
    )
    reads = max(1, sum(m.reads for m in week))
    by_kind = {
        kind: sum(m.points_by_kind.get(kind, 0) for m in week) / reads
        for kind in sorted({kind for m in week for kind in m.points_by_kind} - {"graphql"})
    }
    print(
        "  by call (weekly views and clones count with the daily ones): "
        + ", ".join(f"{kind} {points:.2f}" for kind, points in by_kind.items())
    )
    print(
        f"  without the star lists (read once per repository, in its first week): "
        f"{per_read - by_kind.get('stargazers', 0.0):.2f}"
    )
    print(
        f"repeat run, same day: {repeat.points / args.repos:.3f} points per repo  (target ≤ 0.05)"
    )
    print(
        f"worst run wall ÷ (requests × latency ÷ concurrency): {worst_ratio:.2f}  (target ≤ 1.25;"
        " the process figure adds Python start-up and the schema check)"
    )
    print(f"peak RSS of a collect run: {peak:.1f} MB  (target ≤ 150 MB)")


if __name__ == "__main__":
    main()
