"""Wire a collection run: open the archive, build the client, run the collector."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
from pydantic import SecretStr

from ghtraffic.collect.collector import Collector
from ghtraffic.collect.etags import ArchiveEtagStore
from ghtraffic.collect.summary import RunSummary
from ghtraffic.config import NO_CREDENTIAL, AppCredential, ConfigError, Settings, TokenCredential
from ghtraffic.domain import RepoOutcome
from ghtraffic.github.app import GitHubApp, Installation
from ghtraffic.github.client import GitHubClient
from ghtraffic.github.credentials import (
    AppInstallation,
    CredentialRouter,
    MultiClient,
    installation_credential,
    token_credential,
)
from ghtraffic.github.kept_apps import KeptApps
from ghtraffic.github.retry import RetryPolicy
from ghtraffic.storage.archive import Archive, open_archive
from ghtraffic.storage.locks import CollectionLock


async def run_collection(
    settings: Settings,
    *,
    archive: Archive | None = None,
    on_total: Callable[[int], None] = lambda n: None,
    on_result: Callable[[RepoOutcome], None] = lambda o: None,
    on_notice: Callable[[str], None] = lambda m: None,
    retry: RetryPolicy | None = None,
    on_committed: Callable[[RepoOutcome], None] = lambda o: None,
    timeout: float | None = None,
) -> RunSummary:
    """One collection run; ``timeout`` overrides the client's per-request limit (seconds)."""
    archive = archive or open_archive(settings.database_url)
    lock = CollectionLock(archive.db)
    await asyncio.to_thread(lock.acquire, settings.lock_wait)
    try:
        archive.interrupt_stale_runs(datetime.now(UTC))
        return await _collect(
            settings, archive, on_total, on_result, on_notice, retry, on_committed, timeout
        )
    finally:
        lock.release()


async def _collect(
    settings: Settings,
    archive: Archive,
    on_total: Callable[[int], None],
    on_result: Callable[[RepoOutcome], None],
    on_notice: Callable[[str], None],
    retry: RetryPolicy | None,
    on_committed: Callable[[RepoOutcome], None],
    timeout: float | None,
) -> RunSummary:
    etags = ArchiveEtagStore(archive.load_etags())
    async with open_client(settings, etags, retry, on_notice, timeout) as (client, settings):
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


@asynccontextmanager
async def open_client(
    settings: Settings,
    etags: ArchiveEtagStore,
    retry: RetryPolicy | None = None,
    on_notice: Callable[[str], None] = lambda m: None,
    timeout: float | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    apps: KeptApps | None = None,
) -> AsyncIterator[tuple[GitHubClient, Settings]]:
    """The run's client, and the settings it collects.

    One token: a plain client. Several tokens or a GitHub App: a client that picks a
    credential per repository, and the installations' accounts added to the owners, so
    every repository of every installation is collected. ``transport``: connections to
    share with other clients (a worker's ``Pools``). ``apps``: GitHub Apps kept by the
    process (their installation tokens and installations outlive this client).
    """
    options: dict[str, Any] = {
        "concurrency": settings.concurrency,
        # The pace is the seams' (a sliding window per credential), not the client's.
        "requests_per_minute": None,
        "etag_store": etags,
        "retry": retry,
    }
    if timeout is not None:
        options["timeout"] = timeout
    if transport is not None:
        options["transport"] = transport
    tokens = distinct_tokens(settings)
    if not settings.apps and len(tokens) <= 1:
        if not tokens:
            raise ConfigError(NO_CREDENTIAL)
        async with GitHubClient(tokens[0][1], settings.api_url, **options) as client:
            yield client, settings
        return
    async with AsyncExitStack() as stack:
        installations: list[AppInstallation] = []
        for credential in settings.apps:
            if apps is not None:
                app = apps.app(
                    credential.app_id, credential.private_key, settings.api_url, retry=retry
                )
                found = await apps.installations(app)
            else:
                app = GitHubApp(
                    credential.app_id,
                    credential.private_key,
                    settings.api_url,
                    retry=retry,
                    transport=transport,
                )
                stack.push_async_callback(app.aclose)
                found = await app.installations()
            for installation in _chosen(found, credential, on_notice):
                installations.append(installation_credential(app, installation))
        router = CredentialRouter([token_credential(n, t) for n, t in tokens], installations)
        multi = MultiClient(router, settings.api_url, also_list=settings.owners, **options)
        stack.push_async_callback(multi.aclose)
        known = {o.lower() for o in settings.owners}
        added = [
            login
            for login in dict.fromkeys(i.account for i in installations if i.account)
            if login.lower() not in known
        ]
        yield multi, settings.with_changes(owners=settings.owners + tuple(added))


def distinct_tokens(settings: Settings) -> list[tuple[str, SecretStr]]:
    """The run's tokens, each value once: the resolved token first, then the credentials'
    (``[[credentials]]``, then the archive's stored ones)."""
    tokens: list[tuple[str, SecretStr]] = []
    if settings.token is not None:
        tokens.append((settings.token_source or "token", settings.token))
    for credential in settings.credentials:
        if isinstance(credential, TokenCredential):
            tokens.append((credential.name, credential.token))
    unique: dict[str, tuple[str, SecretStr]] = {}
    for name, token in tokens:
        unique.setdefault(token.get_secret_value(), (name, token))
    return list(unique.values())


def _chosen(
    found: list[Installation], credential: AppCredential, on_notice: Callable[[str], None]
) -> list[Installation]:
    """The installations ``credential`` selects, with a notice for each one it misses."""
    usable = [i for i in found if not i.suspended and i.account]
    if credential.installations is None:
        if not usable:
            on_notice(f"GitHub App {credential.name!r} has no active installation")
        return usable
    chosen: list[Installation] = []
    for wanted in credential.installations:
        text = str(wanted).strip()
        match = [
            i for i in usable if str(i.id) == text or (i.account or "").lower() == text.lower()
        ]
        if not match:
            on_notice(f"GitHub App {credential.name!r} has no active installation {text!r}")
        chosen += [i for i in match if i not in chosen]
    return chosen
