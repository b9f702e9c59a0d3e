"""The metrics of one process over one archive: its counters, and the archive's figures
with the rate limits named after the credentials this process holds."""

from __future__ import annotations

import contextlib
import hashlib
from datetime import datetime
from functools import partial

from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from ghtraffic.collect.planner import Plan, archive_plan
from ghtraffic.collect.run import distinct_tokens
from ghtraffic.config import ConfigError, Settings
from ghtraffic.metrics.collector import ArchiveCollector
from ghtraffic.metrics.config import MetricsConfig
from ghtraffic.metrics.coverage import CoverageInBackground, read_coverage
from ghtraffic.metrics.figures import CachedFigures, Sources
from ghtraffic.metrics.github import count_github_answers
from ghtraffic.metrics.instruments import registry_with
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.credentials import with_stored_credentials
from ghtraffic.storage.database import Database
from ghtraffic.storage.errors import StorageError


def fingerprint(token: SecretStr) -> str:
    """How the workers' shared budget keys a token (``tasks/budget.py``): its SHA-256."""
    return hashlib.sha256(token.get_secret_value().encode()).hexdigest()


def credential_names(settings: Settings, db: Database) -> dict[str, str]:
    """The name of each budget key this process can tell: its tokens (configured, and the
    stored ones when this process holds their key), by fingerprint."""
    # Stored credentials this process cannot open (no key) leave the configured ones.
    with contextlib.suppress(ConfigError, StorageError):
        settings = with_stored_credentials(settings, db)
    return {fingerprint(token): name for name, token in distinct_tokens(settings)}


def run_credential(settings: Settings) -> str:
    """The name the run log's rate limit is shown under: the token's when there is one
    credential, else ``last run`` (the run log keeps one figure for all)."""
    tokens = distinct_tokens(settings)
    if len(tokens) == 1 and not settings.apps:
        return tokens[0][0]
    return "last run"


def process_registry(db: Database, settings: Settings, config: MetricsConfig) -> CollectorRegistry:
    """The registry a scrape of this process reads; starts counting GitHub's answers."""
    count_github_answers(settings.api_url)
    sources = Sources(
        db,
        names=lambda: credential_names(settings, db),
        run_credential=lambda: run_credential(settings),
    )
    figures = CachedFigures(sources, config.cache_seconds)

    def plan_of(as_of: datetime) -> Plan:
        return archive_plan(Archive(db), settings, as_of)

    coverage = CoverageInBackground(
        db, config.status_seconds, read=partial(read_coverage, plan_of=plan_of)
    )
    return registry_with(ArchiveCollector(figures.get, coverage.get))
