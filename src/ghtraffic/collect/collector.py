"""One collection run in one process (``collect``, the scheduler of ``serve``): list the
repositories, read each with ``repository.RepositoryRun`` on bounded concurrency, then
read star histories with the budget to spare.

Request cost per repository and day is the plan's (``plan.py``): daily views and clones,
referrers, paths and releases, the weekly figures once a week, the single-repository call
once a week (daily for repositories named explicitly), and one listing page per 100
repositories of an owner. ETags make a repeat run the same day nearly free.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import KW_ONLY, dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

from ghtraffic.collect.budget import LocalBudget
from ghtraffic.collect.etags import ArchiveEtagStore
from ghtraffic.collect.facts import with_graph_facts
from ghtraffic.collect.planner import choose_for_run
from ghtraffic.collect.repository import RepositoryRun, rates_of
from ghtraffic.collect.schedule import state_of
from ghtraffic.collect.seams import Seams, pace_of
from ghtraffic.collect.summary import RunSummary
from ghtraffic.collect.targets import Target, discover
from ghtraffic.config import Settings
from ghtraffic.domain import RepoOutcome
from ghtraffic.github import errors as gh
from ghtraffic.github.client import GitHubClient
from ghtraffic.github.parse import parse_repo
from ghtraffic.storage import runlog
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.errors import StorageError
from ghtraffic.storage.runlog import ArchiveRunLog

T = TypeVar("T")
Listener = Callable[[RepoOutcome], None]
Notice = Callable[[str], None]


@dataclass(eq=False, repr=False)
class Collector:
    """Runs one collection. ``on_total``, ``on_result`` and ``on_notice`` feed a progress
    display; ``on_committed`` is the processing trigger, called after each repository's
    data is committed. The collector itself prints nothing."""

    settings: Settings
    archive: Archive
    client: GitHubClient
    etags: ArchiveEtagStore
    _: KW_ONLY
    on_total: Callable[[int], None] = lambda n: None
    on_result: Listener = lambda o: None
    on_notice: Notice = lambda m: None
    on_committed: Listener = lambda o: None
    summary: RunSummary = field(init=False, default_factory=RunSummary)
    #: Read the dated stargazer lists of repositories whose star history is unknown.
    star_history: bool = field(init=False, default=True)
    _storage: ThreadPoolExecutor = field(
        init=False,
        default_factory=lambda: ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="ghtraffic-storage"
        ),
    )
    #: Processing has a thread of its own: the storage thread keeps committing meanwhile.
    _processing: ThreadPoolExecutor = field(
        init=False,
        default_factory=lambda: ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="ghtraffic-process"
        ),
    )

    async def run(self) -> RunSummary:
        now = datetime.now(UTC)
        with self.archive.db.session() as session:
            run_id = runlog.open_run(session, self.settings.api_url, now)
        self.summary.run_id = run_id
        log = ArchiveRunLog(self.archive.db, run_id, watch=False)
        try:
            try:
                await self._run(log)
            except BaseExceptionGroup as group:
                raise _first_leaf(group) from None
        except gh.BadCredentials as exc:
            self._fatal(str(exc), code=2)
        except (StorageError, gh.GitHubError) as exc:
            self._fatal(str(exc))
        finally:
            self._processing.shutdown(wait=True)
            self._storage.shutdown(wait=True)
            self._finish(log)
        return self.summary

    async def _run(self, log: ArchiveRunLog) -> None:
        states = await self._in_storage(self.archive.repo_states)
        listed, owner_failures = await discover(self.settings, self.client.owner_repos, parse_repo)
        if listed and self.client.rate is None:
            await self._learn_rate_limit()
        choice = await self._in_storage(
            partial(
                choose_for_run,
                self.archive,
                self.settings,
                listed,
                states,
                self.client.server_now() or datetime.now(UTC),
                [rate.limit for rate in rates_of(self.client).values()],
                everything=self.settings.read_all,
            )
        )
        self.summary.waiting = len(choice.waiting)
        targets = await with_graph_facts(self.client, choice.due, self._notice)
        self.on_total(len(targets) + len(owner_failures))
        for failure in owner_failures:
            outcome = RepoOutcome(failure.owner, "failed", reason=failure.reason)
            await self._in_storage(log.record, outcome)
            self._result(outcome)
        at = self.client.server_now() or datetime.now(UTC)
        await self._in_storage(self.etags.keep, self.archive, at)
        await self._in_storage(log.add_requests, self.client.requests, self.client.points)
        budget = LocalBudget(
            lambda: rates_of(self.client),
            lambda: self.client.server_now() or datetime.now(UTC),
            floor=self.settings.rate_floor,
            max_wait=self.settings.max_wait,
            refresh=self.client.rate_limit,
            on_notice=self.on_notice,
        )
        unit = RepositoryRun(
            self.client,
            self.archive,
            self.etags,
            Seams(budget, pace_of(self.settings), log),
            in_storage=self._in_storage,
            after_commit=self._process,
            on_notice=self._notice,
            star_history=self.star_history,
        )

        queue: asyncio.Queue[Target] = asyncio.Queue()
        for target in targets:
            queue.put_nowait(target)

        async def worker() -> None:
            while True:
                try:
                    target = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                outcome = await unit(target, state_of(target, states))
                if outcome is not None:
                    self._result(outcome)

        width = max(1, self.settings.concurrency * 2)
        async with asyncio.TaskGroup() as group:
            for _ in range(min(width, len(targets))):
                group.create_task(worker())

    async def _learn_rate_limit(self) -> None:
        """Read the budget before the first repository (``/rate_limit`` is free)."""
        try:
            await self.client.rate_limit()
        except gh.BadCredentials:
            raise
        except gh.GitHubError:
            pass  # e.g. Enterprise Server with rate limiting off

    async def _in_storage(self, func: Callable[..., T], *args: Any) -> T:
        """Run a storage call on the run's one storage thread, so the event loop keeps
        requests in flight while SQLite or PostgreSQL commits."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._storage, func, *args)

    async def _process(self, outcome: RepoOutcome) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._processing, self.on_committed, outcome)

    def _result(self, outcome: RepoOutcome) -> None:
        self.summary.outcomes.append(outcome)
        self.on_result(outcome)

    def _notice(self, message: str) -> None:
        self.summary.notices.append(message)
        self.on_notice(message)

    def _fatal(self, message: str, code: int = 1) -> None:
        self.summary.fatal = message
        self.summary.fatal_code = code

    def _finish(self, log: ArchiveRunLog) -> None:
        """Close the run: its status follows the run log's rule."""
        s = self.summary
        s.requests, s.points = self.client.requests, self.client.points
        rate = self.client.rate
        if rate is not None:
            s.rate_remaining, s.rate_limit = rate.remaining, rate.limit
        try:
            with self.archive.db.session() as session:
                runlog.finish(session, log.run_id, datetime.now(UTC), message=s.fatal, rate=rate)
        except StorageError as exc:
            if s.fatal is None:
                self._fatal(str(exc))


def _first_leaf(group: BaseExceptionGroup[BaseException]) -> BaseException:
    first = group.exceptions[0]
    return _first_leaf(first) if isinstance(first, BaseExceptionGroup) else first
