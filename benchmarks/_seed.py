"""Shared by the web benchmarks: a large seeded archive, an admin, and the server process.

``seeded_copy`` returns a working copy of a SQLite archive of ``repos`` repositories with
``days`` days of daily traffic each (weekly rows, one window row, referrer and path
lists for the last 30 days, a stars snapshot per day), written through
``Archive.repo_batch()``. The seeded file can be kept between runs (``cache``): seeding
1,000 repositories over three years takes a few minutes.

``Server`` runs the dashboard as a child process on 127.0.0.1: ``ghtraffic serve
--no-scheduler`` (one worker), or uvicorn with ``--workers N`` over ``ghtraffic.web.asgi:from_env``.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time
from pathlib import Path
from typing import Any, cast

import httpx
from sqlalchemy import Table, insert

from ghtraffic.domain import DayValues, PopularPath, Referrer, RepoFacts, WeekValues, WindowTotals
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.batch import RepoBatch
from ghtraffic.storage.database import Database, sqlite_url
from ghtraffic.storage.tables import RepoSnapshot

#: Bumped whenever the seeded data changes shape, so an old cached file is not reused.
SEED_VERSION = 1
OWNERS = ("northwind", "contoso", "initech", "umbrella", "hooli")
FIRST_ID = 900_000_000
#: The newest seeded day: the day before the fake GitHub's default clock starts.
END = date(2026, 1, 4)
POPULAR_DAYS = 30
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
        rng = random.Random(f"ref:{self.index}:{day}")
        scale = max(1, (self.daily[-1].views or 0) * 14)
        chosen = rng.sample(REFERRERS, LIST_LENGTH)
        rows = [
            Referrer(name, int(scale / (rank + 2)), int(scale / (rank + 2) / 3))
            for rank, name in enumerate(chosen)
        ]
        return sorted(rows, key=lambda r: -r.count)

    def paths(self, day: date) -> list[PopularPath]:
        rng = random.Random(f"path:{self.index}:{day}")
        prefix = "/" + full_name(self.index)
        scale = max(1, (self.daily[-1].views or 0) * 14)
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


def _write_repo(batch: RepoBatch, plan: Plan, at: datetime) -> None:
    repo_id = FIRST_ID + plan.index
    facts = _facts(plan.index, plan.stars[-1], plan.stars[-1] // 8)
    batch.upsert_repo(facts, at)
    batch.merge_daily(repo_id, plan.daily, at)
    batch.merge_weekly(repo_id, plan.weekly(), at)
    batch.record_window(repo_id, plan.window(), at)
    for day in plan.days[-POPULAR_DAYS:]:
        batch.replace_referrers(repo_id, day, plan.referrers(day), at)
        batch.replace_paths(repo_id, day, plan.paths(day), at)
    # Stars history in one statement; the newest day through the collector's own call.
    history = [
        {
            "repo_id": repo_id,
            "day": day,
            "stars": stars,
            "forks": stars // 8,
            "watchers": None,
            "open_issues": facts.open_issues,
            "size_kb": facts.size_kb,
            "private": False,
            "fork": False,
            "archived": False,
            "observed_at": datetime.combine(day, day_time(3, 17), tzinfo=UTC),
        }
        for day, stars in zip(plan.days[:-1], plan.stars[:-1], strict=True)
    ]
    if history:
        batch.session.flush()
        batch.session.execute(insert(cast(Table, RepoSnapshot.__table__)), history)
    batch.record_repo_snapshot(repo_id, plan.days[-1], facts, at)
    batch.mark_success(repo_id, at)


def seed_archive(
    path: Path, repos: int, days: int, *, process: bool, say: Callable[[str], None] = print
) -> dict[str, float]:
    """Write a fresh archive at ``path``; returns seconds spent per step."""
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    db = Database(sqlite_url(path))
    db.upgrade()
    archive = Archive(db)
    at = datetime.combine(END + timedelta(days=1), day_time(3, 17), tzinfo=UTC)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    for first in range(0, repos, BATCH_REPOS):
        chunk = [Plan.make(i, days) for i in range(first, min(repos, first + BATCH_REPOS))]
        with archive.repo_batch() as batch:
            for plan in chunk:
                _write_repo(batch, plan, at)
        if (first // BATCH_REPOS) % 8 == 7:
            done = first + len(chunk)
            say(f"  seeded {done}/{repos} repos ({time.perf_counter() - started:.0f} s)")
    timings["write"] = time.perf_counter() - started
    if process:
        from ghtraffic.config import load_settings
        from ghtraffic.processing import Processor

        started = time.perf_counter()
        settings = load_settings(database_url=sqlite_url(path), env={}, gh_cli=False)
        processor = Processor(db, settings, transports=[])
        for index in range(repos):
            processor.process_repo(FIRST_ID + index, at, full=True)
        processor.close()
        timings["process"] = time.perf_counter() - started
    db.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return timings


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
