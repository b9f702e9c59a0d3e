"""The archive's figures as Prometheus metrics, read when scraped.

``ghtraffic_archive_up`` is 1 when the archive answered the last read and 0 when it did
not; the other archive metrics are then left out of that scrape (the process's own
counters are still there).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from ghtraffic.collect.planner import Plan
from ghtraffic.metrics.coverage import Coverage
from ghtraffic.metrics.figures import QUEUE_STATES, Figures

#: The queues of ghtraffic's jobs, always reported (zero when empty).
QUEUES = ("schedule", "collect", "process")

log = logging.getLogger(__name__)


def _gauge(name: str, documentation: str, value: float | None) -> Iterable[Metric]:
    if value is None:
        return
    gauge = GaugeMetricFamily(name, documentation)
    gauge.add_metric([], value)
    yield gauge


class ArchiveCollector(Collector):
    """Yields the figures ``source`` returns (read, or kept from a recent read) and the
    newest coverage ``coverage`` has (none yet: left out)."""

    def __init__(
        self, source: Callable[[], Figures], coverage: Callable[[], Coverage | None]
    ) -> None:
        self.source = source
        self.coverage = coverage

    def describe(self) -> Iterable[Metric]:
        return []  # read at scrape time only: never while registering

    def collect(self) -> Iterable[Metric]:
        try:
            figures = self.source()
        except Exception:
            log.warning("metrics: the archive could not be read", exc_info=True)
            yield from _gauge("ghtraffic_archive_up", "Whether the archive answered.", 0)
            return
        yield from _gauge("ghtraffic_archive_up", "Whether the archive answered.", 1)
        yield from _gauge(
            "ghtraffic_archive_read_seconds",
            "Time the last read of these figures took.",
            figures.read_seconds,
        )
        yield from runs(figures)
        yield from rates(figures)
        yield from queue(figures)
        found = self.coverage()
        if found is not None:
            yield from coverage(found)
            if found.plan is not None:
                yield from plan(found.plan)


def runs(figures: Figures) -> Iterable[Metric]:
    success = figures.last_success_at
    yield from _gauge(
        "ghtraffic_last_success_timestamp_seconds",
        "When the newest run that collected something (ok or partial) ended, Unix time.",
        None if success is None else success.timestamp(),
    )
    last = figures.last_run
    if last is None:
        return
    yield from _gauge("ghtraffic_last_run_id", "The newest finished run of the run log.", last.id)
    if last.finished_at is not None:
        yield from _gauge(
            "ghtraffic_last_run_finished_timestamp_seconds",
            "When the newest finished run ended, Unix time.",
            last.finished_at.timestamp(),
        )
    outcomes = GaugeMetricFamily(
        "ghtraffic_last_run_repositories",
        "Repositories of the newest finished run, by outcome.",
        labels=["outcome"],
    )
    outcomes.add_metric(["ok"], last.repos_ok)
    outcomes.add_metric(["failed"], last.repos_failed)
    outcomes.add_metric(["deferred"], last.repos_deferred)
    yield outcomes
    status = GaugeMetricFamily(
        "ghtraffic_last_run_status",
        "1 for the status of the newest finished run (ok, partial, failed).",
        labels=["status"],
    )
    for name in ("ok", "partial", "failed"):
        status.add_metric([name], 1 if last.status == name else 0)
    yield status
    yield from _gauge(
        "ghtraffic_last_run_github_requests",
        "Requests to GitHub of the newest finished run.",
        last.requests,
    )


def coverage(found: Coverage) -> Iterable[Metric]:
    yield from _gauge("ghtraffic_repositories", "Repositories in the archive.", found.repositories)
    yield from _gauge(
        "ghtraffic_repositories_at_risk",
        "Repositories whose newest covered day leaves GitHub's window within 48 hours.",
        found.at_risk,
    )
    yield from _gauge(
        "ghtraffic_days_lost",
        "Days no collection covered between a repository's first and newest day, summed.",
        found.days_lost,
    )
    yield from _gauge(
        "ghtraffic_repositories_with_lost_days",
        "Repositories with at least one lost day.",
        found.repositories_with_lost_days,
    )
    yield from _gauge(
        "ghtraffic_coverage_timestamp_seconds",
        "The moment the coverage figures above were counted for, Unix time.",
        found.as_of.timestamp(),
    )
    yield from _gauge(
        "ghtraffic_coverage_read_seconds",
        "Time the last count of the coverage took.",
        found.read_seconds,
    )


def rates(figures: Figures) -> Iterable[Metric]:
    if not figures.rates:
        return
    remaining = GaugeMetricFamily(
        "ghtraffic_rate_limit_remaining",
        "GitHub rate-limit points left, per credential (by its name).",
        labels=["credential"],
    )
    limit = GaugeMetricFamily(
        "ghtraffic_rate_limit",
        "GitHub's hourly rate limit, per credential (by its name).",
        labels=["credential"],
    )
    reset = GaugeMetricFamily(
        "ghtraffic_rate_limit_reset_timestamp_seconds",
        "When the credential's rate limit resets, Unix time (workers' shared budget).",
        labels=["credential"],
    )
    for rate in figures.rates:
        remaining.add_metric([rate.credential], rate.remaining)
        limit.add_metric([rate.credential], rate.limit)
        if rate.reset_at is not None:
            reset.add_metric([rate.credential], rate.reset_at.timestamp())
    yield remaining
    yield limit
    if reset.samples:
        yield reset


def queue(figures: Figures) -> Iterable[Metric]:
    if figures.queue is None:
        return
    jobs = GaugeMetricFamily(
        "ghtraffic_queue_jobs",
        "Jobs in the PostgreSQL queue, by queue and state (todo: waiting, doing: running).",
        labels=["queue", "state"],
    )
    names = sorted(set(QUEUES) | {name for name, _ in figures.queue})
    for name in names:
        for state in QUEUE_STATES:
            jobs.add_metric([name, state], figures.queue.get((name, state), 0))
    yield jobs


def plan(found: Plan) -> Iterable[Metric]:
    """The rate budget at the repositories' cadence, as ``ghtraffic status`` shows it."""
    yield from _gauge(
        "ghtraffic_plan_points_needed_per_day",
        "REST rate points a day the repositories' reads need at their cadence.",
        found.need_per_day,
    )
    yield from _gauge(
        "ghtraffic_plan_points_available_per_day",
        "REST rate points a day the credentials give (GitHub's reported limits, less the"
        " floor, for each hour with a run); absent before GitHub reported a limit.",
        found.available_per_day,
    )
    repositories = GaugeMetricFamily(
        "ghtraffic_plan_repositories",
        "Repositories by kind of cadence (busy, modest, quiet, new, daily).",
        labels=["kind"],
    )
    longest = GaugeMetricFamily(
        "ghtraffic_plan_longest_interval_days",
        "The longest read interval among the repositories of a kind, in days.",
        labels=["kind"],
    )
    for kind, figures in found.kinds.items():
        repositories.add_metric([kind], figures.repositories)
        longest.add_metric([kind], figures.longest)
    yield repositories
    yield longest
