"""Start ``ghtraffic fake-github`` as a child process and talk to its control routes; the
``ghtraffic collect`` command lines the benchmarks run against it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass
class FakeProcess:
    base_url: str
    process: subprocess.Popen[str]

    def control(self, method: str, path: str, json: dict[str, Any] | None = None) -> Any:
        response = httpx.request(method, f"{self.base_url}/_fake/{path}", json=json, timeout=30)
        response.raise_for_status()
        return response.json()

    def advance_days(self, days: int) -> None:
        self.control("POST", "clock", {"advance_days": days})

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self.control("GET", "stats")
        return result

    def reset_stats(self) -> None:
        self.control("POST", "stats/reset")


@contextmanager
def fake_github(*args: str) -> Iterator[FakeProcess]:
    """Run the fake GitHub on a free port until the block ends."""
    process = subprocess.Popen(
        [sys.executable, "-m", "ghtraffic.fakegithub", "--port", "0", *args],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if "listening on" not in line:
            raise RuntimeError(f"fake GitHub did not start: {line!r}")
        yield FakeProcess(line.rsplit(" ", 1)[-1].strip(), process)
    finally:
        process.terminate()
        process.wait(timeout=10)


def slow_github(
    repos: int, latency_ms: float, rate_limit: int, *args: str
) -> AbstractContextManager[FakeProcess]:
    """``fake_github`` of ``repos`` repositories answering after ``latency_ms``, with an
    hourly budget of ``rate_limit`` points."""
    return fake_github(
        "--repos",
        str(repos),
        "--latency-ms",
        str(latency_ms),
        "--rate-limit",
        str(rate_limit),
        *args,
    )


def collect_command(owners: Iterable[str], *options: str) -> list[str]:
    """``ghtraffic collect --quiet OPTIONS`` of ``owners``, as a command line."""
    command = [sys.executable, "-m", "ghtraffic", "collect", "--quiet", *options]
    for owner in owners:
        command += ["--owner", owner]
    return command
