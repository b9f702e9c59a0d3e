"""The jobs a worker runs, and what each worker process keeps between them.

``schedule_run`` (periodic, on ``[schedule] cron``): list the repositories, open a run,
queue one ``collect_repo`` job per repository (a queueing lock and a lock per repository:
never two waiting, never two running), naming the credential that listed it.
``collect_repo``: reserve the repository's points in the shared budget and its requests
in the shared pace of the credential it will use, collect it with the collector
(ETag cache and run log in the archive) and, inside the transaction that commits its
data, queue its ``process_repo`` job and log its result. ``process_repo``: roll-ups,
events, notifications and the change feed, with the job's id in the same transaction (a
job run again after its commit does nothing) and ``NOTIFY ghtraffic_changes``.
``retry_stalled`` (periodic): jobs left running by a worker that stopped beating are
queued again.
"""

from __future__ import annotations

import asyncio
import dataclasses
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from procrastinate import JobContext, exceptions
from procrastinate.manager import JobManager
from procrastinate.retry import BaseRetryStrategy, RetryDecision
from procrastinate.tasks import configure_task

from ghtraffic.collect.collector import Collector, RunStopped
from ghtraffic.collect.etags import ArchiveEtagStore
from ghtraffic.collect.run import open_client
from ghtraffic.collect.targets import OwnerFailure, Target, discover
from ghtraffic.config import Settings
from ghtraffic.domain import RepoFacts, RepoOutcome
from ghtraffic.github import errors as gh
from ghtraffic.github.credentials import MultiClient
from ghtraffic.github.hosts import normalise_api_url
from ghtraffic.github.kept_apps import KeptApps
from ghtraffic.github.parse import parse_repo
from ghtraffic.github.pool import KeptTransport, Pools
from ghtraffic.github.ratelimit import RateLimitState
from ghtraffic.processing.processor import Processor
from ghtraffic.storage.archive import Archive, RepoBatch
from ghtraffic.tasks import runs
from ghtraffic.tasks.budget import BudgetExhausted, CredentialBudgets
from ghtraffic.tasks.pace import CredentialPaces, SharedPace

SCHEDULE_TASK = "ghtraffic.schedule_run"
COLLECT_TASK = "ghtraffic.collect_repo"
PROCESS_TASK = "ghtraffic.process_repo"
STALLED_TASK = "ghtraffic.retry_stalled"
COLLECT_QUEUE = "collect"
PROCESS_QUEUE = "process"
SCHEDULE_QUEUE = "schedule"
#: The most points one repository may spend (see ``Collector._cost``).
MOST_POINTS = 7
#: Attempts of a repository that fails before its failure is logged.
ATTEMPTS = 4


@dataclass
class Runtime:
    """What the jobs of one worker process share."""

    settings: Settings
    archive: Archive
    processor: Processor
    #: Defers jobs on a connection it is given (the batch's), outside the worker's pool.
    deferrer: JobManager
    #: The shared rate budget of each credential.
    budgets: CredentialBudgets | None
    #: Seconds without a heartbeat after which a worker's running jobs are retried.
    stalled_after: float
    #: The secondary-limit pace every worker shares, per credential.
    paces: CredentialPaces | None = None
    #: Warm connections the clients of this worker's jobs borrow in turn.
    pools: Pools | None = None
    #: GitHub Apps kept for every job (installation tokens live beyond one job).
    apps: KeptApps | None = None

    def transport(self) -> AbstractAsyncContextManager[KeptTransport | None]:
        """A warm pool for one job's client (none: the client opens its own)."""
        return self.pools.borrow() if self.pools is not None else nullcontext(None)


class CollectFailed(Exception):
    """A repository failed; retried with backoff, logged as failed on the last attempt."""


class CollectRetry(BaseRetryStrategy):
    """After the rate limit's reset when the budget is spent; else exponential backoff."""

    def __init__(self, attempts: int = ATTEMPTS, base: float = 2.0) -> None:
        self.attempts = attempts
        self.base = base

    def get_retry_decision(self, *, exception: BaseException, job: Any) -> RetryDecision | None:
        if isinstance(exception, BudgetExhausted):
            return RetryDecision(retry_at=exception.reset_at)
        if job.attempts + 1 >= self.attempts:
            return None
        return RetryDecision(retry_in={"seconds": self.base ** (job.attempts + 1)})


def runtime(context: JobContext) -> Runtime:
    found = context.additional_context.get("runtime")
    assert isinstance(found, Runtime), "the worker passes its Runtime as additional context"
    return found


def lock_key(target: Target) -> str:
    if target.facts is not None:
        return f"repo:{target.facts.github_id}"
    return f"repo:{target.requested.lower()}"


# -- schedule_run ------------------------------------------------------------------------


async def schedule_run(context: JobContext, timestamp: int) -> str:
    """List the run's repositories and queue one collection job for each.

    Run again (its worker died while it queued), the job continues the run it opened:
    repositories with a result or a queued job of that run are not queued twice."""
    rt = runtime(context)
    settings, archive = rt.settings, rt.archive
    api = normalise_api_url(settings.api_url)
    listings = [f"{api}/user/repos"]
    for owner in settings.owners:
        listings += [f"{api}/orgs/{owner}/repos", f"{api}/users/{owner}/repos"]
    etags = ArchiveEtagStore(await asyncio.to_thread(archive.load_etags, listings))
    async with (
        rt.transport() as transport,
        open_client(settings, etags, transport=transport, apps=rt.apps) as (client, resolved),
    ):

        def owner_error(owner: str, exc: Exception) -> OwnerFailure | None:
            if isinstance(exc, gh.NotFound):
                return OwnerFailure(owner, f"owner {owner} not found, or the token cannot see it")
            if isinstance(exc, gh.GitHubError) and not isinstance(exc, gh.BadCredentials):
                return OwnerFailure(owner, f"listing {owner}: {exc}")
            return None

        targets, failures = await discover(resolved, client.owner_repos, parse_repo, owner_error)
        credentials = listed_by(client, targets)
        rate = client.rate
        at = client.server_now() or datetime.now(UTC)
    pending = etags.drain()
    if pending:

        def keep_listing_etags() -> None:
            with archive.repo_batch() as batch:
                batch.put_etags(pending, at)

        await asyncio.to_thread(keep_listing_etags)
    started = datetime.fromtimestamp(timestamp, UTC) if timestamp else datetime.now(UTC)
    job_id = context.job.id
    assert job_id is not None, "a job that runs has an id"
    run_id, total = await asyncio.to_thread(
        runs.open_run,
        archive.db,
        settings.api_url,
        started,
        job_id,
        len(targets) + len(failures),
    )
    names, ids = await asyncio.to_thread(runs.logged_names, archive.db, run_id)
    failures = [f for f in failures if f.owner.lower() not in names]
    targets = [
        t
        for t in targets
        if t.requested.lower() not in names and (t.facts is None or t.facts.github_id not in ids)
    ]
    if failures or not total:

        def log_failures() -> None:
            with archive.repo_batch() as batch:
                for failure in failures:
                    outcome = RepoOutcome(failure.owner, "failed", reason=failure.reason)
                    runs.record(batch.session, run_id, total, outcome, rate=rate)
                runs.close(batch.session, run_id, total)

        await asyncio.to_thread(log_failures)
    queued = 0
    for target in targets:
        facts = dataclasses.asdict(target.facts) if target.facts is not None else None
        key = lock_key(target)
        try:
            await context.app.configure_task(
                COLLECT_TASK, queue=COLLECT_QUEUE, lock=key, queueing_lock=key
            ).defer_async(
                run_id=run_id,
                total=total,
                requested=target.requested,
                facts=facts,
                credential=credentials.get(target.requested),
            )
            queued += 1
        except exceptions.AlreadyEnqueued:
            waiting = await context.app.job_manager.list_jobs_async(
                queueing_lock=key, status="todo"
            )
            if any(job.task_kwargs.get("run_id") == run_id for job in waiting):
                queued += 1  # queued by this job's earlier attempt
                continue
            outcome = RepoOutcome(
                target.requested,
                "deferred",
                repo_id=target.facts.github_id if target.facts else None,
                reason="still queued by an earlier run: collected by that run",
            )

            def log_queued(outcome: RepoOutcome = outcome) -> None:
                with archive.repo_batch() as batch:
                    runs.record(batch.session, run_id, total, outcome)

            await asyncio.to_thread(log_queued)
    return f"run {run_id}: {queued} repositories queued, {len(failures)} owners failed"


# -- collect_repo ------------------------------------------------------------------------


async def collect_repo(
    context: JobContext,
    run_id: int,
    total: int,
    requested: str,
    facts: dict[str, Any] | None = None,
    credential: str | None = None,
) -> str:
    """Collect one repository for run ``run_id``; ``credential`` names the credential that
    listed it (several credentials: its requests start with that one)."""
    rt = runtime(context)
    settings, archive = rt.settings, rt.archive
    target = Target(requested, RepoFacts(**facts) if facts is not None else None)
    repo_id = target.facts.github_id if target.facts is not None else None
    if await asyncio.to_thread(runs.has_result, archive.db, run_id, repo_id, requested):
        return "already done in this run"
    owner, name = target.owner_name
    api = normalise_api_url(settings.api_url)
    prefixes = [f"{api}/repos/{owner}/{name}", f"{api}/repos/{requested}"]
    etags = ArchiveEtagStore(await asyncio.to_thread(archive.load_etags, prefixes))
    last_attempt = context.job.attempts + 1 >= ATTEMPTS
    spent = made = 0
    rate = None
    #: The credential reserved on, whether anything was, and each credential's headers.
    first: str | None = None
    reserved = False
    rates: dict[str | None, RateLimitState] = {}
    pace: SharedPace | None = None
    try:
        quick = settings.with_changes(max_wait=0)
        async with (
            rt.transport() as transport,
            open_client(quick, etags, transport=transport, apps=rt.apps) as (client, _),
        ):
            if isinstance(client, MultiClient):
                if credential is not None:
                    client.router.route_by_name(f"{owner}/{name}", repo_id, credential)
                chosen = client.router.credential_for(f"{owner}/{name}", repo_id)
                first = chosen.name if chosen is not None else None
            if rt.budgets is not None:
                reserved = await asyncio.to_thread(rt.budgets.reserve, first, MOST_POINTS)
            if rt.paces is not None:
                ready = rt.paces.pace(first)
                await ready.acquire(MOST_POINTS)
                pace = ready  # taken: what is not used goes back

            def in_commit(batch: RepoBatch, outcome: RepoOutcome) -> None:
                defer_processing(rt.deferrer, batch, outcome)
                if outcome.outcome == "ok":
                    runs.record(
                        batch.session,
                        run_id,
                        total,
                        outcome,
                        points=client.points,
                        rate=client.rate,
                    )

            collector = Collector(settings, archive, client, etags, in_commit=in_commit)
            try:
                outcome = await collector.collect_one(target)
            except RunStopped:
                outcome = None
            spent, made, rate = client.points, client.requests, client.rate
            if isinstance(client, MultiClient):
                for seen, state in client.rates.items():
                    rates[seen] = state
            elif rate is not None:
                rates[None] = rate
    finally:
        if rt.budgets is not None:
            unspent = MOST_POINTS - spent if reserved else 0
            await asyncio.to_thread(rt.budgets.settle, first, unspent, rates)
        if pace is not None:
            await asyncio.to_thread(pace.give_back, MOST_POINTS - made)
    if outcome is None or outcome.outcome == "ok":
        return "ok" if outcome else "nothing to collect"
    if outcome.outcome == "deferred":
        wait = timedelta(seconds=rate.wait_seconds if rate is not None else 60)
        raise BudgetExhausted(datetime.now(UTC) + wait, rate.remaining if rate else 0)
    if not last_attempt:
        raise CollectFailed(outcome.reason or "failed")

    def log_failure() -> None:
        with archive.repo_batch() as batch:
            runs.record(batch.session, run_id, total, outcome, points=spent, rate=rate)

    await asyncio.to_thread(log_failure)
    return f"failed: {outcome.reason}"


def listed_by(client: object, targets: list[Target]) -> dict[str, str]:
    """The name of the credential each target's first request will use, when the client
    holds several (an installation's repositories go to that installation)."""
    if not isinstance(client, MultiClient):
        return {}
    found: dict[str, str] = {}
    for target in targets:
        repo_id = target.facts.github_id if target.facts is not None else None
        chosen = client.router.credential_for(target.requested, repo_id)
        if chosen is not None:
            found[target.requested] = chosen.name
    return found


def defer_processing(deferrer: JobManager, batch: RepoBatch, outcome: RepoOutcome) -> None:
    """Queue the repository's processing job on the batch's own connection: it exists
    exactly when the data it processes was committed."""
    if outcome.repo_id is None:
        return
    connection = batch.session.connection().connection.driver_connection
    at = (outcome.finished_at or datetime.now(UTC)).isoformat()
    configure_task(
        name=PROCESS_TASK,
        job_manager=deferrer,
        queue=PROCESS_QUEUE,
        lock=f"process:{outcome.repo_id}",
        connection=connection,
    ).defer(repo_id=outcome.repo_id, at=at)


# -- process_repo ------------------------------------------------------------------------


async def process_repo(context: JobContext, repo_id: int, at: str) -> str:
    """Process one repository's newly committed days; its commit tells listening
    dashboards (``NOTIFY ghtraffic_changes`` with the change feed's rows)."""
    rt = runtime(context)
    result = await asyncio.to_thread(
        rt.processor.process_repo, repo_id, datetime.fromisoformat(at), job_id=context.job.id
    )
    if result.already_done:
        return "already processed (this job ran before and committed)"
    return f"{result.days_changed} days changed, {len(result.new_events)} new events"


# -- retry_stalled -----------------------------------------------------------------------


async def retry_stalled(context: JobContext, timestamp: int) -> str:
    """Queue again the jobs of workers whose heartbeat stopped (killed, or cut off)."""
    rt = runtime(context)
    manager = context.app.job_manager
    stalled = await manager.get_stalled_jobs(seconds_since_heartbeat=rt.stalled_after)
    retried = 0
    for job in stalled:
        try:
            await manager.retry_job(job)
            retried += 1
        except exceptions.ConnectorException:
            continue  # finished or retried meanwhile
    return f"{retried} stalled jobs retried"
