"""What the process counts itself, and the registry a scrape reads.

The counters live in ``LIVE``, one per process. Under an ASGI server that runs several
processes (``uvicorn --workers N``), set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder
before the server starts (prometheus-client's multiprocess mode): every process then
writes its counters there and any process answers a scrape with the sum of all.
Figures read from the archive are the same in every process and are not summed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Histogram,
)
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

#: The counters of this process.
LIVE = CollectorRegistry(auto_describe=True)

HTTP_SECONDS = Histogram(
    "ghtraffic_http_request_duration_seconds",
    "Time to answer an HTTP request, by handler and status class (live streams left out).",
    ["method", "handler", "status_class"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=LIVE,
)
GITHUB_REQUESTS = Counter(
    "ghtraffic_github_requests",
    "Answers from the GitHub API to this process, by status class (2xx, 3xx, 4xx, 5xx).",
    ["status_class"],
    registry=LIVE,
)


def status_class(status: int) -> str:
    """``2xx`` for 200 to 299, and so on."""
    return f"{status // 100}xx" if 100 <= status < 600 else "other"


def multiprocess_dir() -> str | None:
    """The folder of prometheus-client's multiprocess mode, when it is on."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class _Forward(Collector):
    """The collectors of another registry, as one collector."""

    def __init__(self, *registries: Collector) -> None:
        self.registries = registries

    def collect(self) -> Iterable[Metric]:
        for registry in self.registries:
            yield from registry.collect()


def registry_with(*collectors: Collector) -> CollectorRegistry:
    """A registry for the scrapes of one app or worker: the process's counters (of every
    process in multiprocess mode, else this one's and its CPU, memory and GC figures)
    and ``collectors``."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_dir() is not None:
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_Forward(LIVE, PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR))
    for collector in collectors:
        registry.register(collector)
    return registry
