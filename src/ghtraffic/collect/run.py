"""Wire a collection run: open the archive, build the client, run the collector."""

from __future__ import annotations

from collections.abc import Callable

from ghtraffic.collect.collector import Collector
from ghtraffic.collect.etags import ArchiveEtagStore
from ghtraffic.collect.summary import RunSummary
from ghtraffic.config import ConfigError, Settings
from ghtraffic.domain import RepoOutcome
from ghtraffic.github.client import GitHubClient
from ghtraffic.github.retry import RetryPolicy
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database


def open_archive(database_url: str) -> Archive:
    """The archive at ``database_url``, migrated to the current schema."""
    db = Database(database_url)
    db.upgrade()
    return Archive(db)


async def run_collection(
    settings: Settings,
    *,
    archive: Archive | None = None,
    on_total: Callable[[int], None] = lambda n: None,
    on_result: Callable[[RepoOutcome], None] = lambda o: None,
    on_notice: Callable[[str], None] = lambda m: None,
    retry: RetryPolicy | None = None,
    on_committed: Callable[[RepoOutcome], None] = lambda o: None,
) -> RunSummary:
    archive = archive or open_archive(settings.database_url)
    etags = ArchiveEtagStore(archive.load_etags())
    if settings.token is None:
        raise ConfigError("no GitHub token: set GITHUB_TOKEN or log in with `gh auth login`")
    async with GitHubClient(
        settings.token,
        settings.api_url,
        concurrency=settings.concurrency,
        requests_per_minute=settings.requests_per_minute or None,
        etag_store=etags,
        retry=retry,
    ) as client:
        collector = Collector(
            settings,
            archive,
            client,
            etags,
            on_total=on_total,
            on_result=on_result,
            on_notice=on_notice,
            on_committed=on_committed,
        )
        return await collector.run()
