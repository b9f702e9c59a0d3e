"""Benchmark: what a cadence costs and what it keeps, over many simulated days.

The fake GitHub's realistic mix (70 % quiet repositories with 0–2 views a day, 25 %
modest, 5 % busy with bursts) under ``ghtraffic collect`` once a simulated day, once with
``cadence = "daily"`` and once with ``cadence = "auto"``, each into an archive of its own.
The limit is set out of the way: the figures are what the reads need. Prints per cadence:

- REST points per repository-day (target for auto: ≤ 1.5, amortised);
- days lost (target: 0);
- busy repositories read every day (target: all of them);
- the delay from a spike's day to its event (the alert), for busy repositories and all.

    python benchmarks/budget.py [--repos 10000] [--days 60] [--cadence auto]

``--cadence`` (repeatable) measures only the cadences named (default: daily and auto).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import select

from _fake import FakeProcess, collect_command, fake_github
from ghtraffic.fakegithub.model import BUSY_SHARE, TrafficModel
from ghtraffic.storage.archive import open_archive
from ghtraffic.storage.runlog import read_days
from ghtraffic.storage.tables import Repo
from ghtraffic.storage.tables_processing import TrafficEvent

SEED = 1
START = "2026-02-02T04:00:00Z"


def collect(fake: FakeProcess, home: Path, owners: list[str]) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GHTRAFFIC_", "GITHUB_"))},
        "GITHUB_TOKEN": "demo-token",
        "GHTRAFFIC_HOME": str(home),
        "GHTRAFFIC_API_URL": fake.base_url,
        "GHTRAFFIC_CONFIG": str(home / "ghtraffic.toml"),
    }
    done = subprocess.run(
        collect_command(owners), env=env, capture_output=True, text=True, check=False
    )
    if done.returncode not in (0, 1):
        raise SystemExit(f"collect failed ({done.returncode}): {done.stderr.strip()}")


def status(home: Path) -> dict[str, Any]:
    env = {
        **os.environ,
        "GHTRAFFIC_HOME": str(home),
        "GHTRAFFIC_CONFIG": str(home / "ghtraffic.toml"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "ghtraffic", "status", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def measure(cadence: str, args: argparse.Namespace, workdir: Path) -> dict[str, float]:
    home = workdir / cadence
    home.mkdir()
    # No request pace: the fake enforces no secondary limit here, and the figures are
    # the reads' cost, not the pace's minutes.
    (home / "ghtraffic.toml").write_text(
        f'requests_per_minute = 0\n[collect]\ncadence = "{cadence}"\n'
    )
    points = 0
    by_kind: Counter[str] = Counter()
    started = time.perf_counter()
    with fake_github(
        "--repos",
        str(args.repos),
        "--seed",
        str(SEED),
        "--start",
        START,
        "--rate-limit",
        "10000000",
    ) as fake:
        world = fake.control("GET", "world")
        owners = sorted({r["full_name"].split("/")[0] for r in world["repos"]})
        ids = {r["full_name"]: r["id"] for r in world["repos"]}
        for day in range(args.days):
            fake.reset_stats()
            collect(fake, home, owners)
            seen = fake.stats()
            points += sum(int(v) for v in seen["points"].values())
            for kind, statuses in seen["by_kind"].items():
                # A 304 costs nothing; every other answer of a token costs one point.
                by_kind[kind] += sum(n for status, n in statuses.items() if status != "304")
            fake.advance_days(1)
            print(f"  {cadence} day {day + 1}/{args.days}", end="\r", flush=True)
    print(" " * 40, end="\r")
    elapsed = time.perf_counter() - started
    model = TrafficModel(SEED)
    busy = {name for name, repo_id in ids.items() if model.profile(repo_id).level >= 300}
    archive = open_archive(f"sqlite:///{home / 'ghtraffic.sqlite'}")
    with archive.db.read_session() as session:
        reads = read_days(session)  # on GitHub's (the fake's) clock
        delays: dict[bool, list[float]] = defaultdict(list)
        for name, spike_day, created in session.execute(
            select(Repo.full_name, TrafficEvent.day, TrafficEvent.created_at).join(
                Repo, Repo.id == TrafficEvent.repo_id
            )
        ):
            delays[name in busy].append((created.date() - spike_day).days)
    archive.db.dispose()
    run_days = args.days
    busy_daily = sum(1 for name in busy if len(reads.get(name, ())) >= run_days)
    report = status(home)
    repo_days = args.repos * args.days
    return {
        "points per repo-day": points / repo_days,
        # The dated stargazer lists are read once per repository: a backfill, not a
        # recurring cost; the cold first day is the other one-time cost.
        "  of which star lists (once)": by_kind["stargazers"] / repo_days,
        "  views and clones": (by_kind["views"] + by_kind["clones"]) / repo_days,
        "  referrers and paths": (by_kind["referrers"] + by_kind["paths"]) / repo_days,
        "  releases": by_kind["releases"] / repo_days,
        "  repository calls and listings": by_kind["repo"] / repo_days,
        "points per repo-day, star lists aside": (points - by_kind["stargazers"]) / repo_days,
        "days lost": float(report["days_lost"]),
        "busy repos": float(len(busy)),
        "busy repos read every day": float(busy_daily),
        "alert delay, busy (mean days)": statistics.fmean(delays[True]) if delays[True] else 0.0,
        "alert delay, busy (max days)": float(max(delays[True], default=0)),
        "alert delay, all (mean days)": statistics.fmean(delays[True] + delays[False])
        if delays[True] or delays[False]
        else 0.0,
        "alert delay, all (max days)": float(max(delays[True] + delays[False], default=0)),
        "wall (s)": elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument(
        "--cadence", action="append", choices=("daily", "auto"), help="default: both"
    )
    args = parser.parse_args()
    cadences = args.cadence or ["daily", "auto"]
    print(
        f"{args.repos} repositories ({BUSY_SHARE:.0%} busy, the rest modest and quiet),"
        f" {args.days} simulated days, one collect a day"
    )
    with tempfile.TemporaryDirectory() as tmp:
        results = {cadence: measure(cadence, args, Path(tmp)) for cadence in cadences}
    print(f"{'':34}" + "".join(f"{cadence:>12}" for cadence in cadences))
    for key in results[cadences[0]]:
        print(f"{key:34}" + "".join(f"{results[c][key]:12.3f}" for c in cadences))
    if "auto" not in results:
        return
    auto = results["auto"]
    print()
    print(
        f"auto: {auto['points per repo-day']:.3f} points per repository-day,"
        f" {auto['points per repo-day, star lists aside']:.3f} with the one-time star lists"
        " aside (target ≤ 1.5)"
    )
    print(f"auto: {auto['days lost']:.0f} days lost (target 0)")
    print(
        f"auto: {auto['busy repos read every day']:.0f} of {auto['busy repos']:.0f} busy"
        " repositories read every day (target: all)"
    )


if __name__ == "__main__":
    main()
