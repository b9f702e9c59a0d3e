"""Benchmark: dashboard pages and the series API over a large SQLite archive.

Seeds (or reuses) an archive of 1,000 repositories x 3 years of daily traffic, serves it
with ``ghtraffic serve --no-scheduler`` as a child process on 127.0.0.1, signs in as an
admin and times each route: ``--warmup`` requests, then ``--requests`` timed ones, one
at a time over one keep-alive connection. The figures are client-side wall time per
request (request sent to body read), which on loopback is server time plus well under a
millisecond. Targets:

- p95 ≤ 100 ms per route
- JS + CSS of a first load of the overview ≤ 300 KB gzipped

    python benchmarks/web.py [--repos 1000] [--days 1096] [--requests 50] [--reuse [PATH]]
"""

from __future__ import annotations

import argparse
import gzip
import re
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import httpx

from _seed import (
    END,
    Admin,
    add_seed_arguments,
    full_name,
    load_average,
    login,
    make_admin,
    percentile,
    seeded_for,
    server,
)

TARGET_P95_MS = 100.0
TARGET_ASSETS_KB = 300.0


@dataclass
class Route:
    label: str
    path: str
    api: bool = False


@dataclass
class Timing:
    route: Route
    walls_ms: list[float]
    body_bytes: int
    wire_bytes: int
    #: The first request of the route (a warm-up): what computing the page data costs
    #: when the page cache has nothing for it yet.
    first_ms: float | None = None

    def line(self) -> str:
        p50 = percentile(self.walls_ms, 0.50)
        p95 = percentile(self.walls_ms, 0.95)
        verdict = "ok" if p95 <= TARGET_P95_MS else "OVER"
        first = "" if self.first_ms is None else f"first {self.first_ms:7.1f} ms  "
        return (
            f"{self.route.label:<28} n {len(self.walls_ms):3d}  {first}"
            f"p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  max {max(self.walls_ms):7.1f} ms  "
            f"body {self.body_bytes / 1024:7.1f} KB  "
            f"sent {self.wire_bytes / 1024:6.1f} KB  {verdict}"
        )


class AssetLinks(HTMLParser):
    """Every ``<script src>`` and ``<link rel=stylesheet href>`` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and found.get("src"):
            self.urls.append(str(found["src"]))
        rel = (found.get("rel") or "").lower().split()
        if tag == "link" and "stylesheet" in rel and found.get("href"):
            self.urls.append(str(found["href"]))


def fetch(client: httpx.Client, path: str, headers: dict[str, str]) -> tuple[float, int, int]:
    """(wall ms, decoded body bytes, bytes on the wire) of one GET that must answer 200."""
    started = time.perf_counter()
    with client.stream("GET", path, headers=headers) as response:
        body = response.read()
        wall = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code} {body[:200]!r}")
        return wall, len(body), response.num_bytes_downloaded


def time_route(
    client: httpx.Client,
    route: Route,
    headers: dict[str, str],
    args: argparse.Namespace,
) -> Timing:
    """Warm-ups, then timed requests until ``args.requests`` or ``args.route_seconds``."""
    started = time.perf_counter()
    first = None
    for _ in range(args.warmup):
        wall, _, _ = fetch(client, route.path, headers)
        first = wall if first is None else first
    walls: list[float] = []
    body = wire = 0
    for _ in range(args.requests):
        wall, body, wire = fetch(client, route.path, headers)
        walls.append(wall)
        if time.perf_counter() - started > args.route_seconds:
            break
    return Timing(route, walls, body, wire, first)


def asset_weight(client: httpx.Client) -> None:
    page = client.get("/?range=30d", headers={"accept-encoding": "gzip"})
    parser = AssetLinks()
    parser.feed(page.text)
    print()
    print("first load of the overview: JS + CSS, fetched with Accept-Encoding: gzip")
    total_wire = total_local = 0
    for url in parser.urls:
        with client.stream("GET", url, headers={"accept-encoding": "gzip"}) as response:
            body = response.read()
            wire = response.num_bytes_downloaded
            encoding = response.headers.get("content-encoding", "identity")
        local = len(gzip.compress(body, compresslevel=9))
        total_wire += wire
        total_local += local
        name = re.sub(r"\?.*$", "", url)
        print(
            f"  {name:<34} {len(body) / 1024:7.1f} KB raw  {wire / 1024:6.1f} KB sent "
            f"({encoding})  {local / 1024:6.1f} KB gzip -9 locally"
        )
    verdict = "ok" if total_wire / 1024 <= TARGET_ASSETS_KB else "OVER"
    print(
        f"  total sent {total_wire / 1024:.1f} KB (gzip -9 locally {total_local / 1024:.1f} KB)"
        f"  target ≤ {TARGET_ASSETS_KB:.0f} KB: {verdict}"
    )
    print(
        f"  the page itself: {len(page.content) / 1024:.1f} KB HTML, "
        f"{page.num_bytes_downloaded / 1024:.1f} KB sent "
        f"({page.headers.get('content-encoding', 'identity')})"
    )


def run(db_path: Path, work: Path, args: argparse.Namespace, admin: Admin) -> None:
    repo = args.repo or full_name(1)
    month = f"since={END - timedelta(days=29)}&until={END}"
    year = f"since={END - timedelta(days=364)}&until={END}&limit=1000"
    routes = [
        Route("overview / (30 d)", "/?range=30d"),
        Route("overview / (12 m)", "/?range=12m"),
        # what the script fetches when a column is sorted, a page turned, a name typed
        Route("table (12 m, stars, p. 5)", "/?range=12m&sort=stars&dir=asc&page=5&fragment=table"),
        Route("table (30 d, filter)", "/?range=30d&q=7&fragment=table"),
        Route("repo page (30 d)", f"/repos/{repo}?range=30d"),
        Route("repo page (12 m)", f"/repos/{repo}?range=12m"),
        Route("referrer over time (90 d)", f"/repos/{repo}/referrers?range=90d&key=github.com"),
        Route("pages over time (12 m)", f"/repos/{repo}/paths?range=12m"),
        Route("downloads (12 m)", f"/repos/{full_name(0)}/downloads?range=12m"),
        Route("events, all (90 d)", "/events?range=90d"),
        Route("events, one repo (12 m)", f"/events?range=12m&repo={repo}"),
        Route(
            "compare 3 repos (12 m)",
            f"/compare?repos={repo},{full_name(2)},{full_name(3)}&range=12m",
        ),
        Route("API daily (30 d)", f"/api/v1/repos/{repo}/daily?{month}", api=True),
        Route("API daily (365 d)", f"/api/v1/repos/{repo}/daily?{year}", api=True),
    ]
    with server(db_path, work) as base:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        with (
            httpx.Client(base_url=base, timeout=120, limits=limits) as browser,
            httpx.Client(base_url=base, timeout=120, limits=limits) as script,
        ):
            login(browser, admin)
            bearer = {"authorization": f"Bearer {admin.token}", "accept-encoding": "gzip"}
            print(f"{load_average()} before the timed requests")
            print(
                f"{args.warmup} warm-up + up to {args.requests} timed requests per route (at most "
                f"{args.route_seconds:g} s each), one at a time over one keep-alive connection; "
                "client-side wall per request "
                f"(repo {repo}, newest day {END})"
            )
            for route in routes:
                client = script if route.api else browser
                headers = bearer if route.api else {"accept-encoding": "gzip"}
                timing = time_route(client, route, headers, args)
                print(timing.line(), flush=True)
            print(f"target: p95 ≤ {TARGET_P95_MS:.0f} ms per route;  {load_average()} after")
            asset_weight(browser)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=1000)
    parser.add_argument("--days", type=int, default=1096, help="days of traffic per repo")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per route")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument(
        "--route-seconds",
        type=float,
        default=60,
        help="stop timing a route after this long, with fewer requests (its n says so)",
    )
    parser.add_argument("--repo", help="OWNER/NAME of the repository pages (default: seeded #1)")
    add_seed_arguments(parser)
    args = parser.parse_args()
    if args.requests < 1 or args.warmup < 0:
        parser.error("--requests must be at least 1 and --warmup not negative")
    print(load_average())
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        db_path = seeded_for(args, work)
        admin = make_admin(db_path)
        run(db_path, work, args, admin)


if __name__ == "__main__":
    main()
