"""Benchmark: wrk against the series API while a collection writes into the same archive.

Seeds (or reuses) the archive of ``benchmarks/web.py`` (1,000 repositories x 3 years),
serves it on 127.0.0.1 and runs ``wrk --latency`` against
``/api/v1/repos/OWNER/NAME/daily`` (30 days) with a personal API token: first on a quiet
archive, then while ``ghtraffic collect`` (a child process, as cron runs it) collects
the fake GitHub's repositories into the same archive, one run after another (the fake
clock a day further each time) until wrk ends. Both with one server process
(``ghtraffic serve --no-scheduler``) and with uvicorn ``--workers 2``. Targets on 2 cores:

- ≥ 500 requests/s
- p99 ≤ 250 ms

    python benchmarks/load.py [--duration 20] [--connections 16] [--workers 1 2] [--reuse [PATH]]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from _fake import FakeProcess, collect_command, slow_github
from _seed import (
    END,
    add_seed_arguments,
    full_name,
    load_average,
    make_admin,
    seeded_for,
    server,
)

TARGET_RPS = 500.0
TARGET_P99_MS = 250.0
FAKE_OWNERS = ("octo-demo", "acme-labs", "globex")
#: Collection runs started during one wrk run, at most.
MAX_COLLECTIONS = 20

LUA = """wrk.headers["Authorization"] = "Bearer {token}"
wrk.headers["Accept-Encoding"] = "gzip"
"""


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    requests: int
    non_2xx: int
    socket_errors: str
    raw: str


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if match is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    def find(pattern: str) -> str:
        match = re.search(pattern, output, re.MULTILINE)
        if match is None:
            raise RuntimeError(f"wrk output without {pattern!r}:\n{output}")
        return match.group(1)

    errors = re.search(r"Socket errors: (.*)$", output, re.MULTILINE)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return WrkResult(
        rps=float(find(r"Requests/sec:\s+([\d.]+)")),
        p50_ms=_ms(find(r"^\s+50%\s+(\S+)")),
        p99_ms=_ms(find(r"^\s+99%\s+(\S+)")),
        max_ms=_ms(find(r"^\s+Latency\s+\S+\s+\S+\s+(\S+)")),
        requests=int(find(r"(\d+) requests in")),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=errors.group(1) if errors else "none",
        raw=output,
    )


def run_wrk(url: str, script: Path, args: argparse.Namespace) -> WrkResult:
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, check=False, timeout=args.duration + 60
    )
    if done.returncode != 0:
        raise SystemExit(f"wrk failed ({done.returncode}): {done.stderr.strip()}")
    return parse_wrk(done.stdout)


@dataclass
class Collections:
    """``ghtraffic collect`` runs one after another until ``stop`` is set."""

    fake: FakeProcess
    db_url: str
    config: Path
    stop: threading.Event = field(default_factory=threading.Event)
    walls: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    started: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        env = {
            **os.environ,
            "GITHUB_TOKEN": "demo-token",
            "GHTRAFFIC_API_URL": self.fake.base_url,
            "GHTRAFFIC_DATABASE_URL": self.db_url,
            "GHTRAFFIC_CONFIG": str(self.config),
        }
        command = collect_command(FAKE_OWNERS, "--concurrency", "4", "--requests-per-minute", "0")
        for number in range(MAX_COLLECTIONS):
            if self.stop.is_set():
                return
            if number:
                self.fake.advance_days(1)
            self.started.set()
            began = time.perf_counter()
            done = subprocess.run(
                command, env=env, capture_output=True, text=True, check=False, timeout=600
            )
            self.walls.append(time.perf_counter() - began)
            if done.returncode != 0:
                self.failures.append(f"exit {done.returncode}: {done.stderr.strip()[-300:]}")


def report(label: str, result: WrkResult) -> None:
    verdict_rps = "ok" if result.rps >= TARGET_RPS else "UNDER"
    verdict_p99 = "ok" if result.p99_ms <= TARGET_P99_MS else "OVER"
    print(
        f"{label:<34} {result.rps:8.1f} req/s ({verdict_rps})  p50 {result.p50_ms:7.1f} ms  "
        f"p99 {result.p99_ms:7.1f} ms ({verdict_p99})  max {result.max_ms:7.1f} ms  "
        f"requests {result.requests}  non-2xx {result.non_2xx}  "
        f"socket errors {result.socket_errors}",
        flush=True,
    )


def one_setup(seeded: Path, folder: Path, workers: int, args: argparse.Namespace) -> None:
    work = folder / f"workers-{workers}"
    work.mkdir()
    db_path = work / "archive.sqlite"
    shutil.copyfile(seeded, db_path)
    admin = make_admin(db_path)
    script = work / "token.lua"
    script.write_text(LUA.format(token=admin.token))
    script.chmod(0o600)
    repo = args.repo or full_name(1)
    url_path = f"/api/v1/repos/{repo}/daily?since={END - timedelta(days=29)}&until={END}"
    with server(db_path, work, workers=workers) as base:
        url = base + url_path
        kind = "ghtraffic serve" if workers == 1 else f"uvicorn --workers {workers}"
        print(
            f"\n{kind}: wrk -t{args.threads} -c{args.connections} -d{args.duration}s "
            f"--latency GET {url_path}",
            flush=True,
        )
        run_wrk(url, script, argparse.Namespace(**{**vars(args), "duration": 3}))  # warm-up
        print(f"  {load_average()} before the quiet run")
        report("  quiet archive", run_wrk(url, script, args))
        with slow_github(args.fake_repos, args.latency_ms, 100_000, "--seed", "1") as fake:
            collections = Collections(fake, f"sqlite:///{db_path}", work / "ghtraffic.toml")
            thread = threading.Thread(target=collections.run, daemon=True)
            thread.start()
            collections.started.wait(timeout=30)
            time.sleep(1.5)  # past the collector's start-up, into its requests and writes
            print(f"  {load_average()} before the run during collection")
            result = run_wrk(url, script, args)
            collections.stop.set()
            thread.join(timeout=660)
        report("  during collection", result)
        walls = ", ".join(f"{w:.1f} s" for w in collections.walls)
        print(
            f"  collection runs overlapping it: {len(collections.walls)} ({walls}); "
            f"{args.fake_repos} fake repos, {args.latency_ms:g} ms latency, concurrency 4"
        )
        for failure in collections.failures:
            print(f"  collection failed: {failure}")
        print(f"  {load_average()} after")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=1000)
    parser.add_argument("--days", type=int, default=1096)
    parser.add_argument("--duration", type=int, default=20, help="seconds per wrk run")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--fake-repos", type=int, default=200)
    parser.add_argument("--latency-ms", type=float, default=20)
    parser.add_argument("--repo", help="OWNER/NAME asked for (default: seeded #1)")
    add_seed_arguments(parser)
    args = parser.parse_args()
    if not 1 <= args.duration <= 600 or not 1 <= args.connections <= 1000:
        parser.error("--duration must be 1..600 s and --connections 1..1000")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    print(load_average())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        seeded = seeded_for(args, folder)
        for workers in args.workers:
            one_setup(seeded, folder, workers, args)
    print(
        f"\ntargets on 2 cores: ≥ {TARGET_RPS:.0f} req/s and p99 ≤ {TARGET_P99_MS:.0f} ms; "
        "wrk, the server and the collector share the same cores"
    )


if __name__ == "__main__":
    main()
