"""Shared by the web benchmarks: a large seeded archive, an admin, and the server process.

``seeded_copy`` returns a working copy of a SQLite archive of ``repos`` repositories with
``days`` days of daily traffic each (weekly rows, GitHub's 14-day totals once a week,
referrer and path lists for the last 90 days, a repository snapshot per day with stars,
forks, watchers and open issues, release asset downloads for every tenth repository,
the spike events processing records and a run log with a few failures), written with
bulk inserts: 1,000 repositories over three years take under a minute. The seeded file
can be kept between runs (``cache``). The test suite's quality test seeds its archive
with ``seed_archive`` too.

``Server`` runs the dashboard as a child process on 127.0.0.1: ``ghtraffic serve
--no-scheduler`` (one worker), or uvicorn with ``--workers N`` over ``ghtraffic.web.asgi:from_env``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time
from pathlib import Path
from typing import Any

import httpx

from ghtraffic.domain import DayValues, PopularPath, Referrer, RepoFacts, WeekValues, WindowTotals
from ghtraffic.storage.database import Database, sqlite_url

#: Bumped whenever the seeded data changes shape, so an old cached file is not reused.
SEED_VERSION = 2
OWNERS = ("northwind", "contoso", "initech", "umbrella", "hooli")
FIRST_ID = 900_000_000
#: The newest seeded day: the day before the fake GitHub's default clock starts.
END = date(2026, 1, 4)
POPULAR_DAYS = 90
LIST_LENGTH = 10
#: Repositories written per ``repo_batch()`` transaction.
BATCH_REPOS = 25
REFERRERS = (
    "github.com",
    "google.com",
    "news.ycombinator.com",
    "reddit.com",
    "duckduckgo.com",
    "bing.com",
    "stackoverflow.com",
    "dev.to",
    "twitter.com",
    "pypi.org",
    "medium.com",
    "lobste.rs",
)
PAGES = ("", "/issues", "/pulls", "/releases", "/wiki", "/blob/main/README.md", "/actions")

ADMIN_NAME = "bench-admin"
ADMIN_PASSWORD = "bench-password-for-loopback-only"
CONFIG_TOML = "[web]\nsecure_cookies = false\n"

#: Where ``--reuse`` keeps seeded archives by default.
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "ghtraffic-bench"


def full_name(index: int) -> str:
    return f"{OWNERS[index % len(OWNERS)]}/project-{index:04d}"


def _facts(index: int, stars: int, forks: int) -> RepoFacts:
    owner, name = full_name(index).split("/")
    return RepoFacts(
        github_id=FIRST_ID + index,
        owner=owner,
        name=name,
        stars=stars,
        forks=forks,
        open_issues=index % 17,
        size_kb=100 + index * 7,
        watchers=3 + index % 11,
        description=f"Seeded project number {index}",
    )


@dataclass
class Plan:
    """Deterministic traffic of one repository."""

    index: int
    days: list[date]
    daily: list[DayValues]
    stars: list[int]

    @classmethod
    def make(cls, index: int, days: int) -> Plan:
        rng = random.Random(f"seed:{index}")
        base = min(3000.0, 2 + rng.paretovariate(1.2) * 6)
        first = END - timedelta(days=days - 1)
        spikes = {rng.randrange(days) for _ in range(max(1, days // 120))}
        all_days: list[date] = []
        daily: list[DayValues] = []
        stars: list[int] = []
        star_count = int(base * rng.uniform(0.5, 4))
        for offset in range(days):
            day = first + timedelta(days=offset)
            weekly = 0.6 if day.weekday() >= 5 else 1.0
            trend = 1 + offset / days
            views = int(base * weekly * trend * rng.uniform(0.6, 1.4))
            if offset in spikes:
                views *= rng.randint(6, 15)
            clones = int(views * rng.uniform(0.05, 0.3))
            all_days.append(day)
            daily.append(
                DayValues(
                    day,
                    views,
                    max(0, views // 3 - rng.randint(0, 2)),
                    clones,
                    max(0, clones // 2),
                )
            )
            star_count += int(rng.random() < min(0.9, base / 300)) + (offset in spikes) * 20
            stars.append(star_count)
        return cls(index, all_days, daily, stars)

    def weekly(self) -> list[WeekValues]:
        weeks: dict[date, list[DayValues]] = {}
        for row in self.daily:
            weeks.setdefault(row.day - timedelta(days=row.day.weekday()), []).append(row)
        return [
            WeekValues(
                start,
                sum(r.views or 0 for r in rows),
                int(sum(r.views_unique or 0 for r in rows) * 0.8),
                sum(r.clones or 0 for r in rows),
                int(sum(r.clones_unique or 0 for r in rows) * 0.8),
            )
            for start, rows in sorted(weeks.items())
            if len(rows) == 7
        ]

    def window(self) -> WindowTotals:
        last = self.daily[-14:]
        return WindowTotals(
            day=END + timedelta(days=1),
            first_day=last[0].day,
            last_day=last[-1].day,
            views=sum(r.views or 0 for r in last),
            views_unique=int(sum(r.views_unique or 0 for r in last) * 0.7),
            clones=sum(r.clones or 0 for r in last),
            clones_unique=int(sum(r.clones_unique or 0 for r in last) * 0.7),
        )

    def referrers(self, day: date) -> list[Referrer]:
        """The day's 14-day list: the same referrers every day, each with its own trend."""
        offset = (day - self.days[0]).days
        scale = max(1, sum(r.views or 0 for r in self.daily[max(0, offset - 13) : offset + 1]))
        chosen = random.Random(f"ref:{self.index}").sample(REFERRERS, LIST_LENGTH)
        rows = []
        for rank, name in enumerate(chosen):
            growth = 1 + 0.8 * math.sin(offset / (20 + 7 * rank) + rank)
            count = int(scale * growth / (rank + 2) / 2)
            rows.append(Referrer(name, count, count // 3))
        return sorted(rows, key=lambda r: (-r.count, r.referrer))

    def paths(self, day: date) -> list[PopularPath]:
        rng = random.Random(f"path:{self.index}")
        prefix = "/" + full_name(self.index)
        offset = (day - self.days[0]).days
        scale = max(1, sum(r.views or 0 for r in self.daily[max(0, offset - 13) : offset + 1]))
        names = [*PAGES, *(f"/issues/{rng.randint(1, 400)}" for _ in range(LIST_LENGTH))]
        rows = [
            PopularPath(
                prefix + page,
                f"{page or 'home'} · {full_name(self.index)}",
                int(scale / (rank + 2)),
                int(scale / (rank + 2) / 3),
            )
            for rank, page in enumerate(dict.fromkeys(names))
        ]
        return rows[:LIST_LENGTH]

    def spikes(self) -> list[tuple[date, int, float, float, list[dict[str, object]]]]:
        """(day, views, median, scaled MAD, referrers that grew) of each day far above the
        28 days before it, as processing would record it."""
        found: list[tuple[date, int, float, float, list[dict[str, object]]]] = []
        views = [r.views or 0 for r in self.daily]
        lead = random.Random(f"ref:{self.index}").sample(REFERRERS, 1)[0]
        for offset in range(28, len(views)):
            before = sorted(views[offset - 28 : offset])
            median = (before[13] + before[14]) / 2
            mad = sorted(abs(v - median) for v in before)[14] * 1.4826 or 1.0
            if views[offset] > median + 6 * mad and views[offset] > median * 3:
                growth: list[dict[str, object]] = [
                    {"referrer": lead, "growth": views[offset] // 2, "count": views[offset]}
                ]
                found.append((self.days[offset], views[offset], median, mad, growth))
        return found


#: Repositories with release assets: every ``DOWNLOAD_EVERY``-th.
DOWNLOAD_EVERY = 10
ASSETS = ("v1.0/app-linux.tar.gz", "v1.0/app-windows.zip")
#: Collection runs written: one a day over the newest ``RUN_DAYS`` days.
RUN_DAYS = 60
#: GitHub's 14-day totals are written for every ``WINDOW_EVERY``-th day.
WINDOW_EVERY = 7
Row = tuple[object, ...]


def _stamp(moment: datetime) -> str:
    """A timestamp as SQLAlchemy stores ``UTCDateTime`` in SQLite."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


class _Rows:
    """Rows per table, written with one ``executemany`` per table."""

    def __init__(self) -> None:
        self.tables: dict[str, list[Row]] = {}

    def add(self, table: str, row: Row) -> None:
        self.tables.setdefault(table, []).append(row)

    def write(self, connection: sqlite3.Connection) -> None:
        for table, rows in self.tables.items():
            marks = ", ".join("?" * len(rows[0]))
            connection.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)  # noqa: S608
        self.tables.clear()


def _traffic_rows(rows: _Rows, plan: Plan, repo_id: int, seen: str) -> None:
    for r in plan.daily:
        rows.add(
            "traffic_daily",
            (
                repo_id,
                r.day.isoformat(),
                r.views,
                r.views_unique,
                r.clones,
                r.clones_unique,
                seen,
                None,
                None,
                None,
                None,
            ),
        )
    for w in plan.weekly():
        rows.add(
            "traffic_weekly",
            (
                repo_id,
                w.week_start.isoformat(),
                w.views,
                w.views_unique,
                w.clones,
                w.clones_unique,
                seen,
                None,
                None,
                None,
                None,
            ),
        )
    for offset in range(len(plan.days) - 1, 12, -WINDOW_EVERY):
        last = plan.daily[offset - 13 : offset + 1]
        day = plan.days[offset] + timedelta(days=1)
        rows.add(
            "traffic_windows",
            (
                repo_id,
                day.isoformat(),
                last[0].day.isoformat(),
                last[-1].day.isoformat(),
                sum(d.views or 0 for d in last),
                int(sum(d.views_unique or 0 for d in last) * 0.7),
                sum(d.clones or 0 for d in last),
                int(sum(d.clones_unique or 0 for d in last) * 0.7),
                seen,
            ),
        )


def _popular_rows(rows: _Rows, plan: Plan, repo_id: int, seen: str) -> None:
    for day in plan.days[-POPULAR_DAYS:]:
        text = day.isoformat()
        rows.add("popular_snapshots", (repo_id, text, "referrers", seen))
        rows.add("popular_snapshots", (repo_id, text, "paths", seen))
        for rank, ref in enumerate(plan.referrers(day), start=1):
            rows.add("referrer_items", (repo_id, text, rank, ref.referrer, ref.count, ref.uniques))
        for rank, path in enumerate(plan.paths(day), start=1):
            rows.add(
                "path_items", (repo_id, text, rank, path.path, path.title, path.count, path.uniques)
            )


def _repo_rows(rows: _Rows, plan: Plan, at: datetime, *, process: bool) -> None:
    """Every table's rows of one repository."""
    repo_id = FIRST_ID + plan.index
    facts = _facts(plan.index, plan.stars[-1], plan.stars[-1] // 8)
    seen = _stamp(at)
    rows.add(
        "repos",
        (
            repo_id,
            facts.owner,
            facts.name,
            facts.full_name,
            0,
            0,
            0,
            facts.description,
            seen,
            seen,
            seen,
        ),
    )
    rows.add("repo_aliases", (facts.full_name.lower(), repo_id, seen, seen))
    _traffic_rows(rows, plan, repo_id, seen)
    _popular_rows(rows, plan, repo_id, seen)
    for offset, (day, stars) in enumerate(zip(plan.days, plan.stars, strict=True)):
        watchers = 3 + plan.index % 11 + offset // 90
        issues = (plan.index + offset // 30) % 17 + (offset // 45) % 5
        observed = _stamp(datetime.combine(day, day_time(3, 17), tzinfo=UTC))
        rows.add(
            "repo_snapshots",
            (
                repo_id,
                day.isoformat(),
                stars,
                stars // 8,
                watchers,
                issues,
                facts.size_kb,
                0,
                0,
                0,
                observed,
            ),
        )
    if plan.index % DOWNLOAD_EVERY == 0:
        rng = random.Random(f"downloads:{plan.index}")
        for number, asset in enumerate(ASSETS):
            total = 0
            for day in plan.days:
                total += int(rng.paretovariate(2) * (4 - number * 2))
                rows.add(
                    "download_counts",
                    (repo_id, day.isoformat(), "release-asset", asset, total, seen),
                )
    if process:
        for day, value, median, mad, growth in plan.spikes():
            rows.add(
                "traffic_events",
                (
                    None,
                    repo_id,
                    day.isoformat(),
                    "views",
                    value,
                    median,
                    mad,
                    median + 6 * mad,
                    json.dumps(growth),
                    seen,
                    seen,
                ),
            )


def _runs(connection: sqlite3.Connection, repos: int) -> None:
    """A collection run a day over the newest ``RUN_DAYS`` days; a few repositories fail."""
    for back in range(RUN_DAYS, 0, -1):
        started = datetime.combine(END - timedelta(days=back - 1), day_time(3, 17), tzinfo=UTC)
        failed = [i for i in range(repos) if (i * 7 + back) % 97 == 0]
        cursor = connection.execute(
            "INSERT INTO collection_runs (started_at, finished_at, status, api_url, repos_ok,"
            " repos_failed, repos_deferred, requests, rate_points, rate_remaining, rate_limit,"
            " days_added, days_raised, message, job_id, repos_total)"
            " VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, 4000, 5000, ?, 0, NULL, NULL, ?)",
            (
                _stamp(started),
                _stamp(started + timedelta(minutes=9)),
                "partial" if failed else "ok",
                "https://api.github.com",
                repos - len(failed),
                len(failed),
                repos * 5,
                repos * 5,
                repos,
                repos,
            ),
        )
        connection.executemany(
            "INSERT INTO collection_results (run_id, full_name, repo_id, outcome, reason,"
            " requests, days_added, days_raised, finished_at)"
            " VALUES (?, ?, ?, 'failed', ?, 1, 0, 0, ?)",
            [
                (
                    cursor.lastrowid,
                    full_name(i),
                    FIRST_ID + i,
                    "GitHub answered 502 Bad Gateway",
                    _stamp(started + timedelta(minutes=5)),
                )
                for i in failed
            ],
        )


def seed_archive(
    path: Path, repos: int, days: int, *, process: bool, say: Callable[[str], None] = print
) -> dict[str, float]:
    """Write a fresh archive at ``path`` with bulk inserts (a million rows in seconds);
    returns seconds spent per step. ``process`` also writes the spike events processing
    would record and a run log."""
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    db = Database(sqlite_url(path))
    db.upgrade()
    db.dispose()
    at = datetime.combine(END + timedelta(days=1), day_time(3, 17), tzinfo=UTC)
    started = time.perf_counter()
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    rows = _Rows()
    connection.execute("BEGIN")
    for index in range(repos):
        _repo_rows(rows, Plan.make(index, days), at, process=process)
        if index % BATCH_REPOS == BATCH_REPOS - 1 or index == repos - 1:
            rows.write(connection)
        if index % 200 == 199:
            say(f"  seeded {index + 1}/{repos} repos ({time.perf_counter() - started:.0f} s)")
    if process:
        _runs(connection, repos)
    connection.execute("COMMIT")
    connection.execute("ANALYZE")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return {"write": time.perf_counter() - started}


def _meta(repos: int, days: int, process: bool) -> dict[str, Any]:
    return {
        "version": SEED_VERSION,
        "repos": repos,
        "days": days,
        "end": END.isoformat(),
        "processed": process,
    }


def seeded_copy(
    cache: Path | None,
    work: Path,
    repos: int,
    days: int,
    *,
    process: bool = True,
    say: Callable[[str], None] = print,
) -> Path:
    """A working copy in ``work`` of a seeded archive (the one at ``cache`` when it matches,
    else seeded now, into ``cache`` when given)."""
    target = work / "archive.sqlite"
    wanted = _meta(repos, days, process)
    if cache is not None:
        marker = cache.with_name(cache.name + ".json")
        if cache.is_file() and marker.is_file() and json.loads(marker.read_text()) == wanted:
            say(f"reusing the seeded archive {cache}")
        else:
            say(f"seeding {repos} repos x {days} days into {cache} (kept for --reuse)")
            cache.parent.mkdir(parents=True, exist_ok=True)
            marker.unlink(missing_ok=True)
            timings = seed_archive(cache, repos, days, process=process, say=say)
            marker.write_text(json.dumps(wanted))
            say("  " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
        shutil.copyfile(cache, target)
    else:
        say(f"seeding {repos} repos x {days} days (use --reuse PATH to keep it)")
        timings = seed_archive(target, repos, days, process=process, say=say)
        say("  " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    size = target.stat().st_size / 1e6
    say(f"archive: {size:.0f} MB")
    return target


@dataclass
class Admin:
    name: str
    password: str
    token: str


def add_seed_arguments(parser: argparse.ArgumentParser) -> None:
    """``--reuse [PATH]`` and ``--no-process``, read by ``seeded_for``."""
    parser.add_argument(
        "--reuse",
        nargs="?",
        type=Path,
        const=DEFAULT_CACHE / "archive-{repos}x{days}.sqlite",
        help="keep the seeded archive at PATH and reuse it when it matches "
        f"(default PATH: {DEFAULT_CACHE}/archive-REPOSxDAYS.sqlite)",
    )
    parser.add_argument(
        "--no-process", action="store_true", help="skip processing (roll-ups, spike events)"
    )


def seeded_for(args: argparse.Namespace, work: Path) -> Path:
    """``seeded_copy`` of the command line's ``--repos``, ``--days``, ``--reuse`` and
    ``--no-process``."""
    cache = None
    if args.reuse is not None:
        cache = Path(str(args.reuse).format(repos=args.repos, days=args.days))
    return seeded_copy(cache, work, args.repos, args.days, process=not args.no_process)


def make_admin(db_path: Path) -> Admin:
    """An admin account and a personal API token in the archive at ``db_path``."""
    from ghtraffic.identity.accounts import add_user, find_user
    from ghtraffic.identity.tokens import create_token

    db = Database(sqlite_url(db_path))
    db.upgrade()
    user = find_user(db, ADMIN_NAME) or add_user(db, ADMIN_NAME, ADMIN_PASSWORD, admin=True)
    token, _ = create_token(db, user.id, "benchmark")
    db.dispose()
    return Admin(ADMIN_NAME, ADMIN_PASSWORD, token)


def login(client: httpx.Client, admin: Admin) -> None:
    """Sign ``client`` in through the login form (its cookie jar keeps the session)."""
    client.get("/login").raise_for_status()
    csrf = client.cookies.get("ghtraffic_csrf")
    response = client.post(
        "/login",
        data={
            "name": admin.name,
            "password": admin.password,
            "csrf_token": csrf or "",
            "next": "/",
        },
    )
    if response.status_code != 303 or "ghtraffic_session" not in client.cookies:
        raise RuntimeError(f"login failed: {response.status_code} {response.text[:200]}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def server(db_path: Path, work: Path, *, workers: int = 1) -> Iterator[str]:
    """The dashboard over ``db_path`` as a child process; yields its base URL."""
    config = work / "ghtraffic.toml"
    config.write_text(CONFIG_TOML)
    port = free_port()
    env = {
        **os.environ,
        "GHTRAFFIC_DATABASE_URL": sqlite_url(db_path),
        "GHTRAFFIC_CONFIG": str(config),
        "GHTRAFFIC_HOME": str(work),
    }
    env.pop("GITHUB_TOKEN", None)
    if workers == 1:
        command = [
            sys.executable,
            "-m",
            "ghtraffic",
            "serve",
            "--no-scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
    else:
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "ghtraffic.web.asgi:from_env",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-server-header",
            "--no-proxy-headers",  # as [web] trusted_proxies says: no proxy
        ]
    log = (work / f"server-{port}.log").open("w")
    process = subprocess.Popen(command, env=env, cwd=work, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited: {(work / log.name).read_text()[-500:]}")
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not answer /healthz within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of ``values`` (not empty)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} cores)"
