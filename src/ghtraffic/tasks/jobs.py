"""The jobs a worker runs, and what each worker process keeps between them.

``schedule_run`` (periodic, on ``[schedule] cron``): open a run, list the repositories,
queue one ``collect_repo`` job per repository (a queueing lock and a lock per repository:
never two waiting, never two running), naming the credential that listed it.
``collect_repo``: read the repository with ``collect.repository.RepositoryRun``, the code
a run in one process uses, on the shared seams (the budget and pace of ``budget.py`` and
``pace.py``, the run log of the archive) and, inside the transaction that commits its
data, queue its ``process_repo`` job beside its result. ``process_repo``: roll-ups,
events, notifications and the change feed, with the job's id in the same transaction (a
job run again after its commit does nothing) and ``NOTIFY ghtraffic_changes``.
``retry_stalled`` (periodic): jobs left running by a worker that stopped beating are
queued again.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from procrastinate import JobContext, exceptions
from procrastinate.manager import JobManager
from procrastinate.retry import BaseRetryStrategy, RetryDecision
from procrastinate.tasks import configure_task

from ghtraffic.collect.budget import Deferred, Reservation
from ghtraffic.collect.etags import ArchiveEtagStore
from ghtraffic.collect.facts import with_graph_facts
from ghtraffic.collect.planner import anything_due, choose_for_run
from ghtraffic.collect.repository import RepositoryRun, credential_of, rates_of
from ghtraffic.collect.run import open_client
from ghtraffic.collect.seams import Seams, Unbudgeted, Unpaced
from ghtraffic.collect.targets import OwnerFailure, Target, discover, listing_urls
from ghtraffic.config import Settings
from ghtraffic.domain import RepoOutcome
from ghtraffic.github import errors as gh
from ghtraffic.github.credentials import MultiClient
from ghtraffic.github.hosts import normalise_api_url
from ghtraffic.github.kept_apps import KeptApps
from ghtraffic.github.parse import parse_repo
from ghtraffic.github.pool import KeptTransport, Pools
from ghtraffic.processing.processor import Processor
from ghtraffic.storage import runlog
from ghtraffic.storage.archive import Archive, RepoBatch
from ghtraffic.storage.records import RepoState
from ghtraffic.storage.runlog import ArchiveRunLog
from ghtraffic.tasks.budget import CredentialBudgets
from ghtraffic.tasks.pace import CredentialPaces

logger = logging.getLogger("ghtraffic.tasks")

SCHEDULE_TASK = "ghtraffic.schedule_run"
COLLECT_TASK = "ghtraffic.collect_repo"
PROCESS_TASK = "ghtraffic.process_repo"
STALLED_TASK = "ghtraffic.retry_stalled"
TOP_UP_TASK = "ghtraffic.top_up"
COLLECT_QUEUE = "collect"
PROCESS_QUEUE = "process"
SCHEDULE_QUEUE = "schedule"
#: Attempts of a collection job that raises (a storage failure, a rejected token) before
#: its repository is logged as failed.
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


class CollectRetry(BaseRetryStrategy):
    """At the rate limit's reset when the budget says to wait for it; after anything
    unexpected (a storage failure, a rejected token), exponential backoff. A repository
    that fails for itself is logged, not retried: the next run reads it again."""

    def __init__(self, attempts: int = ATTEMPTS, base: float = 2.0) -> None:
        self.attempts = attempts
        self.base = base

    def get_retry_decision(self, *, exception: BaseException, job: Any) -> RetryDecision | None:
        if isinstance(exception, Deferred) and exception.retry_at is not None:
            return RetryDecision(retry_at=exception.retry_at)
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
    """Open a run, list its repositories and queue one collection job for each.

    Run again (its worker died while it queued), the job continues the run it opened:
    repositories with a result or a queued job of that run are not queued twice."""
    rt = runtime(context)
    settings, archive = rt.settings, rt.archive
    job_id = context.job.id
    assert job_id is not None, "a job that runs has an id"
    started = datetime.fromtimestamp(timestamp, UTC) if timestamp else datetime.now(UTC)

    def open_run() -> int:
        with archive.db.session() as session:
            return runlog.open_job_run(session, settings.api_url, started, job_id, 0)[0]

    run_id = await asyncio.to_thread(open_run)
    listing = await _list(rt, run_id)
    if listing is None:
        return f"run {run_id}: stopped before any repository (see the run log)"
    targets, failures, credentials, offset = listing

    def log_failures() -> tuple[set[str], set[int], int]:
        with archive.db.session() as session:
            names, ids = runlog.logged(session, run_id)
            for failure in failures:
                if failure.owner.lower() not in names:
                    outcome = RepoOutcome(failure.owner, "failed", reason=failure.reason)
                    runlog.record(session, run_id, outcome)
            # Run again, the listing no longer finds due what this run has read already:
            # those results still count towards the run's total.
            done_before = runlog.results_besides(
                session,
                run_id,
                {t.requested.lower() for t in targets} | {f.owner.lower() for f in failures},
                {t.facts.github_id for t in targets if t.facts is not None},
            )
            total = len(targets) + len(failures) + done_before
            runlog.set_total(session, run_id, total, datetime.now(UTC))
        return names, ids, total

    names, ids, total = await asyncio.to_thread(log_failures)
    queued = 0
    for target in targets:
        if target.requested.lower() in names or (target.facts and target.facts.github_id in ids):
            continue
        queued += await _queue(context, rt, run_id, total, target, credentials, offset)
    return f"run {run_id}: {queued} repositories queued, {len(failures)} owners failed"


async def top_up(context: JobContext, timestamp: int) -> str:
    """A run between the scheduled ones, when a repository is due or the newest run left
    some deferred or failed: a credential's limit refills every hour."""
    rt = runtime(context)
    if not await asyncio.to_thread(anything_due, rt.archive, rt.settings, datetime.now(UTC)):
        return "nothing due"
    return await schedule_run(context, timestamp)


async def _list(
    rt: Runtime, run_id: int
) -> tuple[list[Target], list[OwnerFailure], dict[str, str], float] | None:
    """The run's due repositories in urgency order, the owners whose listing failed, the
    credential each repository's first request will use, and GitHub's clock minus this
    machine's (in seconds); ``None`` when the listing stopped the run (a rejected token,
    a spent rate limit, an unreachable API: the run says so)."""
    settings, archive = rt.settings, rt.archive
    etags = ArchiveEtagStore(
        await asyncio.to_thread(archive.load_etags, listing_urls(settings.api_url, settings.owners))
    )
    async with (
        rt.transport() as transport,
        open_client(settings, etags, transport=transport, apps=rt.apps) as (client, resolved),
    ):
        stopped: str | None = None
        try:
            listed, failures = await discover(resolved, client.owner_repos, parse_repo)
            states = await asyncio.to_thread(archive.repo_states)
            choice = await asyncio.to_thread(
                choose_for_run,
                archive,
                settings,
                listed,
                states,
                client.server_now() or datetime.now(UTC),
                [rate.limit for rate in rates_of(client).values()],
            )
            targets = await with_graph_facts(client, choice.due, logger.info)
        except gh.GitHubError as exc:
            targets, failures, stopped = [], [], str(exc)
        credentials = {
            t.requested: name for t in targets if (name := credential_of(client, t)) is not None
        }
        rates, at = rates_of(client), client.server_now() or datetime.now(UTC)
        requests, points = client.requests, client.points
        offset = (at - datetime.now(UTC)).total_seconds()
    if rt.budgets is not None:  # the credentials' ledgers start from the listing's headers
        await rt.budgets.settle(Reservation(None, 0), {}, rates)
    await asyncio.to_thread(etags.keep, archive, at)

    def log_listing() -> None:
        with archive.db.session() as session:
            runlog.add_requests(session, run_id, requests, points)
            if stopped is not None:
                runlog.finish(session, run_id, datetime.now(UTC), message=stopped)

    await asyncio.to_thread(log_listing)
    return None if stopped is not None else (targets, failures, credentials, offset)


async def _queue(
    context: JobContext,
    rt: Runtime,
    run_id: int,
    total: int,
    target: Target,
    credentials: dict[str, str],
    clock_offset: float,
) -> int:
    """Queue ``target``'s collection job (1), or log it deferred when a job of an
    earlier run still waits for it (0)."""
    key = lock_key(target)
    try:
        await context.app.configure_task(
            COLLECT_TASK, queue=COLLECT_QUEUE, lock=key, queueing_lock=key
        ).defer_async(
            run_id=run_id,
            total=total,
            target=target.as_job(),
            credential=credentials.get(target.requested),
            clock_offset=clock_offset,
        )
        return 1
    except exceptions.AlreadyEnqueued:
        waiting = await context.app.job_manager.list_jobs_async(queueing_lock=key, status="todo")
        if any(job.task_kwargs.get("run_id") == run_id for job in waiting):
            return 1  # queued by this job's earlier attempt
    outcome = RepoOutcome(
        target.requested,
        "deferred",
        repo_id=target.facts.github_id if target.facts else None,
        reason="still queued by an earlier run: collected by that run",
    )
    log = ArchiveRunLog(rt.archive.db, run_id, total=total)
    await asyncio.to_thread(log.record, outcome)
    return 0


# -- collect_repo ------------------------------------------------------------------------


async def collect_repo(
    context: JobContext,
    run_id: int,
    total: int,
    target: dict[str, Any],
    credential: str | None = None,
    clock_offset: float = 0.0,
) -> str:
    """Collect one repository for run ``run_id``; ``credential`` names the credential that
    listed it (several credentials: its requests start with that one); ``clock_offset``:
    GitHub's clock minus this machine's when the run listed it, in seconds."""
    rt = runtime(context)
    settings, archive = rt.settings, rt.archive
    wanted = Target.from_job(**target)
    requested = wanted.requested
    repo_id = wanted.facts.github_id if wanted.facts is not None else None
    log = ArchiveRunLog(archive.db, run_id, total=total)

    def known() -> tuple[bool, dict[int, RepoState]]:
        with archive.db.read_session() as session:
            if runlog.has_result(session, run_id, repo_id, requested):
                return True, {}
        found = repo_id if repo_id is not None else _id_of(archive, requested)
        return False, archive.repo_states([found]) if found is not None else {}

    done, states = await asyncio.to_thread(known)
    if done:
        return "already done in this run"
    owner, name = wanted.owner_name
    api = normalise_api_url(settings.api_url)
    prefixes = [f"{api}/repos/{owner}/{name}", f"{api}/repos/{requested}"]
    etags = ArchiveEtagStore(await asyncio.to_thread(archive.load_etags, prefixes))
    try:
        async with (
            rt.transport() as transport,
            open_client(settings, etags, transport=transport, apps=rt.apps) as (client, _),
        ):
            if isinstance(client, MultiClient) and credential is not None:
                client.router.route_by_name(f"{owner}/{name}", repo_id, credential)
            log = ArchiveRunLog(archive.db, run_id, total=total, rate=lambda: client.rate)
            unit = RepositoryRun(
                client,
                archive,
                etags,
                Seams(rt.budgets or Unbudgeted(), rt.paces or Unpaced(), log),
                in_storage=asyncio.to_thread,
                in_commit=[lambda batch, outcome: defer_processing(rt.deferrer, batch, outcome)],
                clock_offset=timedelta(seconds=clock_offset),
            )
            state = next(iter(states.values()), None)
            outcome = await unit(wanted, state)
    except Deferred:
        raise  # retried at the reset
    except Exception as exc:
        if context.job.attempts + 1 >= ATTEMPTS:
            failed = RepoOutcome(requested, "failed", repo_id=repo_id, reason=str(exc))
            await asyncio.to_thread(log.record, failed)
        raise
    if outcome is None:
        return "nothing to collect"
    return outcome.outcome + (f": {outcome.reason}" if outcome.reason else "")


def _id_of(archive: Archive, name: str) -> int | None:
    found = archive.find_repo(name)
    return found.id if found is not None else None


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
