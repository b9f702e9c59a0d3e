"""One repository's part of a run, the same in one process and on a worker: plan, reserve
the plan's points, take its requests from the pace, read, settle, commit, log; then, with
points to spare, its star history.

Nothing is spent on a repository whose points do not fit (it is deferred, or waits for
the reset as the budget says); a repository that fails for itself is logged failed and
read again next run; one that finds the API unreachable stops the run (every repository
not yet started is deferred with that reason). A token GitHub rejects and a storage
failure concern every repository: they propagate.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from ghtraffic.collect import stars
from ghtraffic.collect.budget import Deferred
from ghtraffic.collect.commit import InCommit, commit
from ghtraffic.collect.etags import ArchiveEtagStore
from ghtraffic.collect.plan import plan_for
from ghtraffic.collect.reader import Observed, read
from ghtraffic.collect.seams import Seams
from ghtraffic.collect.targets import Target
from ghtraffic.domain import RepoFacts, RepoOutcome
from ghtraffic.github import errors as gh
from ghtraffic.github.client import GitHubClient
from ghtraffic.github.credentials import MultiClient
from ghtraffic.github.meter import Meter, metered
from ghtraffic.github.ratelimit import RateLimitState
from ghtraffic.storage.archive import Archive, RepoBatch
from ghtraffic.storage.errors import StorageError
from ghtraffic.storage.records import RepoState

T = TypeVar("T")
InStorage = Callable[..., Awaitable[Any]]


def credential_of(client: GitHubClient, target: Target) -> str | None:
    """The name of the credential the repository's first request will use (``None``: the
    single token of a plain client)."""
    if not isinstance(client, MultiClient):
        return None
    repo_id = target.facts.github_id if target.facts is not None else None
    chosen = client.router.credential_for(target.requested, repo_id)
    return chosen.name if chosen is not None else None


def rates_of(client: GitHubClient) -> dict[str | None, RateLimitState]:
    """The newest rate-limit headers of each credential that answered."""
    if isinstance(client, MultiClient):
        return {name: state for name, state in client.rates.items()}
    return {None: client.rate} if client.rate is not None else {}


class RepositoryRun:
    """Reads repositories one call at a time (calls may overlap) with one client."""

    def __init__(
        self,
        client: GitHubClient,
        archive: Archive,
        etags: ArchiveEtagStore,
        seams: Seams,
        *,
        in_storage: InStorage,
        in_commit: Sequence[InCommit] = (),
        after_commit: Callable[[RepoOutcome], Awaitable[object]] | None = None,
        on_notice: Callable[[str], None] = lambda m: None,
        star_history: bool = True,
        clock_offset: timedelta = timedelta(0),
    ) -> None:
        self.client = client
        self.archive = archive
        self.etags = etags
        self.seams = seams
        #: The ids of the repositories read so far (each is read once in a run).
        self.claimed: set[int] = set()
        self.in_storage = in_storage
        self._in_commit = [seams.log.in_commit, *in_commit]
        #: Runs once a repository's data is committed (processing, in one process).
        self.after_commit = after_commit
        self.on_notice = on_notice
        #: Set once the server said it has no traffic API: only facts are read after.
        self.no_traffic_api: str | None = None
        #: Read the dated stargazer list of repositories whose star history is unknown.
        self.star_history = star_history
        #: GitHub's clock minus this machine's, until the client has seen a ``Date``.
        self.clock_offset = clock_offset

    def now(self) -> datetime:
        """GitHub's clock: its last ``Date`` header, else this machine's clock and the
        offset the run measured."""
        return self.client.server_now() or datetime.now(UTC) + self.clock_offset

    async def __call__(self, target: Target, state: RepoState | None) -> RepoOutcome | None:
        """Read, commit and log one repository; ``None`` when it was already read in this
        run. Raises ``budget.Deferred`` when the budget says to wait for the reset (a
        worker retries the job then); every other deferral is a logged outcome."""
        read = await self._read(target, state)
        if not isinstance(read, Observed):
            if read is not None:  # nothing to commit: the result alone is logged
                await self.in_storage(self.seams.log.record, read)
            return read
        if read.no_traffic_api and self.no_traffic_api is None:
            self.no_traffic_api = read.no_traffic_api
            self.on_notice(read.no_traffic_api)
        outcome = await self._commit(read)
        if self.star_history and read.facts.stars > 0:
            await self._star_history(target, read.facts, state)
        return outcome

    @asynccontextmanager
    async def _spending(
        self, credential: str | None, points: int, *, optional: bool = False
    ) -> AsyncIterator[Meter]:
        """Reserve ``points`` and take as many requests from the pace; afterwards settle
        the budget with what the requests inside the block spent, and give the pace back
        what they did not use."""
        reservation = await self.seams.budget.reserve(credential, points, optional=optional)
        ticket = await self.seams.pace.acquire(credential, points)
        with metered() as meter:
            try:
                yield meter
            finally:
                await self.seams.budget.settle(
                    reservation, dict(meter.by_credential), rates_of(self.client)
                )
                await self.seams.pace.give_back(ticket, points - meter.requests)

    async def _star_history(
        self, target: Target, facts: RepoFacts, state: RepoState | None
    ) -> None:
        now = self.now()
        if not stars.today_is_its_day(facts.github_id, state, now.date()):
            return
        if not await self.in_storage(stars.due, self.archive, facts.github_id, now):
            return
        try:
            async with self._spending(
                credential_of(self.client, target), stars.pages(facts), optional=True
            ) as meter:
                found = await stars.read(self.client, facts)
        except Deferred:
            return  # no points to spare: asked again next run
        await self.in_storage(self.seams.log.add_requests, meter.requests, meter.points)
        if found is not None:
            await self.in_storage(stars.record, self.archive, facts.github_id, found, now)

    async def _read(self, target: Target, state: RepoState | None) -> Observed | RepoOutcome | None:
        stop = await self.in_storage(self.seams.log.stopped)
        if stop is not None:
            return _outcome(target, "deferred", stop)
        plan = plan_for(target, state, self.now().date(), traffic_api=self.no_traffic_api is None)
        try:
            async with self._spending(credential_of(self.client, target), plan.points) as meter:
                try:
                    observed = await read(self.client, target, plan, self.claimed)
                except gh.RateLimitExhausted as exc:
                    reason = f"rate limit exhausted until {_hhmm(exc.reset_at)} UTC: deferred"
                    return _outcome(target, "deferred", reason, meter)
                except gh.Unreachable as exc:
                    await self.in_storage(self.seams.log.stop, str(exc))
                    return _outcome(target, "failed", str(exc), meter)
                except (gh.BadCredentials, StorageError):
                    raise
                except gh.GitHubError as exc:
                    return _outcome(target, "failed", str(exc), meter)
        except Deferred as deferred:
            if deferred.retry_at is not None:
                raise
            return _outcome(target, "deferred", deferred.reason)
        if observed is not None:
            observed.requests, observed.points = meter.requests, meter.points
        return observed

    async def _commit(self, observed: Observed) -> RepoOutcome:
        pending = self.etags.drain()
        try:
            outcome: RepoOutcome = await self.in_storage(self._commit_in_storage, observed, pending)
        except BaseException:
            self.etags.restore(pending)
            raise
        if self.after_commit is not None:
            await self.after_commit(outcome)
        return outcome

    def _commit_in_storage(
        self, observed: Observed, pending: dict[str, tuple[str, str]]
    ) -> RepoOutcome:
        def in_commit(batch: RepoBatch, outcome: RepoOutcome) -> None:
            for hook in self._in_commit:
                hook(batch, outcome)

        return commit(self.archive, observed, pending, in_commit=in_commit)


def _outcome(target: Target, outcome: str, reason: str, meter: Meter | None = None) -> RepoOutcome:
    return RepoOutcome(
        target.requested,
        outcome,
        repo_id=target.facts.github_id if target.facts is not None else None,
        reason=reason,
        requests=meter.requests if meter is not None else 0,
        points=meter.points if meter is not None else 0,
    )


def _hhmm(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M") if at else "unknown"
