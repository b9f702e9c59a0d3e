"""Scale-out: one collection run of N repositories by 1, 2 and 4 ``ghtraffic worker``
processes on PostgreSQL, against the fake GitHub with 50 ms of latency.

Prints per worker count: wall time of the run (queued to closed), speed-up over one
worker, requests and rate points per repository, the rate limit left, what the fake
GitHub saw (requests refused by the primary limit, the most requests in any minute), and
PostgreSQL bytes per repository-year (``pg_total_relation_size`` of the archive's tables
divided by repositories and by the years of days the archive holds).

``--concurrency`` is the jobs per worker. On a machine with fewer cores than workers,
keep it low enough that one worker waits on the network rather than on the CPU (the
speed-up then measures what the queue, the locks and the shared budget cost, not how
many cores the machine has).

    .venv/bin/python benchmarks/scale.py --repos 10000 --workers 1,2,4 --concurrency 1
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from _fake import FakeProcess, slow_github
from ghtraffic.storage.schema import metadata

POSTGRES = os.environ.get(
    "GHTRAFFIC_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
OWNERS = ("octo-demo", "acme-labs", "globex")


def env_for(api_url: str, url: str, home: Path) -> dict[str, str]:
    config = home / "ghtraffic.toml"
    config.write_text("[collect]\nowners = [" + ", ".join(f'"{o}"' for o in OWNERS) + "]\n")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GHTRAFFIC_", "GITHUB_"))}
    return {
        **base,
        "GITHUB_TOKEN": "demo-token",
        "GHTRAFFIC_HOME": str(home),
        "GHTRAFFIC_API_URL": api_url,
        "GHTRAFFIC_DATABASE_URL": url,
        "GHTRAFFIC_CONFIG": str(config),
    }


def ghtraffic(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "ghtraffic", *args], env=env, check=True, capture_output=True
    )


def one(fake: FakeProcess, workers: int, concurrency: int, repos: int) -> dict[str, float]:
    api_url = fake.base_url
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(POSTGRES).update_query_dict({"options": f"-csearch_path={schema}"})
    database_url = url.render_as_string(hide_password=False)
    engine = create_engine(database_url)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        with tempfile.TemporaryDirectory() as home:
            env = env_for(api_url, database_url, Path(home))
            ghtraffic(env, "db", "upgrade")
            command = [
                sys.executable,
                "-m",
                "ghtraffic",
                "worker",
                "--concurrency",
                str(concurrency),
                "--requests-per-minute",
                "0",
            ]
            processes = [
                subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
                for _ in range(workers)
            ]
            time.sleep(3.0)  # let every worker start and register
            fake.reset_stats()
            started = time.monotonic()
            ghtraffic(env, "worker", "--run-now")
            while True:
                with engine.connect() as connection:
                    row = connection.execute(
                        text(
                            "SELECT status, repos_ok, requests, rate_points, rate_remaining"
                            " FROM collection_runs"
                        )
                    ).first()
                if row is not None and row[0] != "running":
                    break
                time.sleep(0.2)
            wall = time.monotonic() - started
            seen = fake.stats()
            with engine.connect() as connection:
                names = [t.name for t in metadata.sorted_tables]
                size = sum(
                    connection.execute(
                        text("SELECT pg_total_relation_size(:t)"), {"t": n}
                    ).scalar_one()
                    for n in names
                )
                days = connection.execute(text("SELECT count(*) FROM traffic_daily")).scalar_one()
            ok = int(row[1]) or 1
            years = days / ok / 365.0
            return {
                "wall": wall,
                "ok": float(row[1]),
                "requests": row[2] / ok,
                "points": row[3] / ok,
                "remaining": float(row[4] or 0),
                "bytes_repo_year": size / ok / years if years else 0.0,
                "repos": float(repos),
                "refused": float(sum(seen["by_kind"].get("rate_limited", {}).values())),
                "busiest_minute": float(max(seen["secondary_peaks"].values(), default=0)),
            }
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repos", type=int, default=10_000)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--concurrency", type=int, default=16, help="jobs per worker")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    rate_limit = max(5000, args.repos * 10 * (len(counts) + 1))
    with slow_github(args.repos, args.latency_ms, rate_limit) as fake:
        base: float | None = None
        print(
            f"{args.repos} repositories, {args.latency_ms:.0f} ms latency, "
            f"{args.concurrency} jobs per worker, {os.cpu_count()} cores"
        )
        print(
            "workers  wall s  speed-up  repos ok  req/repo  points/repo  rate left"
            "  refused  busiest minute  PG bytes/repo-year"
        )
        for workers in counts:
            result = one(fake, workers, args.concurrency, args.repos)
            base = base or result["wall"]
            print(
                f"{workers:>7}  {result['wall']:6.1f}  {base / result['wall']:7.2f}x  "
                f"{result['ok']:8.0f}  {result['requests']:8.2f}  {result['points']:11.2f}  "
                f"{result['remaining']:9.0f}  {result['refused']:7.0f}  "
                f"{result['busiest_minute']:14.0f}  {result['bytes_repo_year']:18.0f}"
            )


if __name__ == "__main__":
    main()
