"""One collection run: discover repositories, read them with bounded concurrency, and
commit each repository's observations in one transaction.

Request cost per repository and day: views and clones (per day), referrers and paths;
plus views and clones per week once a week, the single-repository call once a week for
watchers (or daily for repositories named explicitly), and one listing page per 100
repositories of an owner. ETags make a repeat run the same day nearly free.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from ghtraffic.collect.budget import RateBudget
from ghtraffic.collect.etags import ArchiveEtagStore
from ghtraffic.collect.stars import backfill_stars
from ghtraffic.collect.summary import RunSummary
from ghtraffic.collect.targets import OwnerFailure, Target, discover
from ghtraffic.collect.window import (
    complete_span,
    observe_daily,
    observe_weekly,
    weekly_due,
    window_totals,
)
from ghtraffic.config import Settings
from ghtraffic.domain import DayValues, PopularPath, Referrer, RepoFacts, RepoOutcome, WeekValues
from ghtraffic.github import errors as gh
from ghtraffic.github.client import GitHubClient, Response
from ghtraffic.github.parse import (
    parse_downloads,
    parse_paths,
    parse_referrers,
    parse_repo,
    parse_series,
)
from ghtraffic.history.counts import record_release_downloads
from ghtraffic.storage.archive import Archive, RepoBatch, RepoState
from ghtraffic.storage.errors import StorageError

WATCHERS_EVERY = timedelta(days=7)
T = TypeVar("T")


@dataclass
class Observed:
    """Everything one repository's requests brought back, ready for one transaction."""

    facts: RepoFacts
    requested: str
    today: date
    at: datetime
    daily: list[DayValues] | None = None
    weekly: list[WeekValues] | None = None
    totals: tuple[tuple[int, int] | None, tuple[int, int] | None] = (None, None)
    referrers: list[Referrer] | None = None
    paths: list[PopularPath] | None = None
    requests: int = 0
    #: Release assets' cumulative downloads, ``TAG/ASSET`` -> count.
    downloads: dict[str, int] | None = None
    #: Requests of this repository that failed while others succeeded ("what: why").
    problems: list[str] = field(default_factory=list)
    rate_limited: bool = False


class RunStopped(Exception):
    """Raised inside a repository's task when the run decided to start no more work."""


Listener = Callable[[RepoOutcome], None]
Notice = Callable[[str], None]
#: Runs inside a repository's transaction, just before it commits (same connection).
InCommit = Callable[[RepoBatch, RepoOutcome], None]


class Collector:
    """Runs one collection. ``on_total``, ``on_result`` and ``on_notice`` feed a progress
    display; the collector itself prints nothing."""

    def __init__(
        self,
        settings: Settings,
        archive: Archive,
        client: GitHubClient,
        etags: ArchiveEtagStore,
        *,
        on_total: Callable[[int], None] = lambda n: None,
        on_result: Listener = lambda o: None,
        on_notice: Notice = lambda m: None,
        on_committed: Callable[[RepoOutcome], None] = lambda o: None,
        in_commit: InCommit | None = None,
    ) -> None:
        self.settings = settings
        self.archive = archive
        self.client = client
        self.etags = etags
        self.on_total = on_total
        self.on_result = on_result
        self.on_notice = on_notice
        #: Called after a repository's data is committed: the processing trigger.
        self.on_committed = on_committed
        #: Called inside each repository's transaction: writes that must commit with it.
        self.in_commit = in_commit
        self.summary = RunSummary()
        #: Read the dated stargazer lists of repositories whose star history is unknown.
        self.star_history = True
        #: Repositories collected this run: id -> (OWNER/NAME, stars).
        self._stars: dict[int, tuple[str, int]] = {}
        self._storage = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ghtraffic-storage")
        self._states: dict[int, RepoState] = {}
        self._claimed: set[int] = set()
        self._no_traffic_api = False
        self.budget = RateBudget(
            lambda: client.rate,
            client.rate_limit,
            floor=settings.rate_floor,
            max_wait=settings.max_wait,
            on_notice=on_notice,
        )

    # -- the run ---------------------------------------------------------------------

    async def run(self) -> RunSummary:
        started = datetime.now(UTC)
        run_id = self.archive.start_run(self.settings.api_url, started)
        self.summary.run_id = run_id
        try:
            try:
                await self._run()
            except BaseExceptionGroup as group:
                raise _first_leaf(group) from None
        except gh.BadCredentials as exc:
            self._fatal(str(exc), code=2)
        except (StorageError, gh.GitHubError) as exc:
            self._fatal(str(exc))
        finally:
            self._storage.shutdown(wait=True)
            self._finish(run_id)
        return self.summary

    async def _run(self) -> None:
        self._states = self.archive.repo_states()
        targets, owner_failures = await discover(
            self.settings, self.client.owner_repos, parse_repo, self._owner_error
        )
        for failure in owner_failures:
            self._record(RepoOutcome(failure.owner, "failed", reason=failure.reason))
        self.on_total(len(targets) + len(owner_failures))
        self._persist_pending_etags()
        if targets and self.client.rate is None:
            await self._learn_rate_limit()

        width = max(1, self.settings.concurrency * 2)
        queue: asyncio.Queue[Target] = asyncio.Queue()
        for target in targets:
            queue.put_nowait(target)

        async def worker() -> None:
            while True:
                try:
                    target = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                outcome = await self._one(target)
                if outcome is not None:
                    await self._in_storage(self._record, outcome)

        async with asyncio.TaskGroup() as group:
            for _ in range(min(width, len(targets))):
                group.create_task(worker())
        if self.star_history and not self.budget.stopped:
            now = self.client.server_now() or datetime.now(UTC)
            await backfill_stars(
                self.client,
                self.archive,
                self._in_storage,
                self._stars,
                now,
                self.settings.rate_floor,
            )

    async def collect_one(self, target: Target) -> RepoOutcome | None:
        """Collect one given repository, with no listing and no run of its own (a job of
        a queue does this); ``None`` when there was nothing to collect. The caller logs
        the outcome. ``BadCredentials`` and ``StorageError`` propagate."""
        try:
            repo_id = target.facts.github_id if target.facts is not None else None
            if repo_id is None:
                known = await self._in_storage(self.archive.find_repo, target.requested)
                repo_id = known.id if known is not None else None
            if repo_id is not None:
                self._states = await self._in_storage(self.archive.repo_states, [repo_id])
            return await self._one(target)
        finally:
            self._storage.shutdown(wait=True)

    async def _learn_rate_limit(self) -> None:
        """Read the budget before the first repository (``/rate_limit`` is free)."""
        try:
            await self.client.rate_limit()
        except gh.BadCredentials:
            raise
        except gh.GitHubError:
            pass  # e.g. Enterprise Server with rate limiting off

    def _owner_error(self, owner: str, exc: Exception) -> OwnerFailure | None:
        if isinstance(exc, gh.BadCredentials | gh.RateLimitExhausted | gh.Unreachable):
            return None
        if isinstance(exc, gh.NotFound):
            return OwnerFailure(owner, f"owner {owner} not found, or the token cannot see it")
        if isinstance(exc, gh.GitHubError):
            return OwnerFailure(owner, f"listing {owner}: {exc}")
        return None

    # -- one repository --------------------------------------------------------------

    async def _one(self, target: Target) -> RepoOutcome | None:
        cost = self._cost(target)
        if not await self.budget.admit(cost):
            return RepoOutcome(target.requested, "deferred", reason=self.budget.stopped)
        try:
            observed = await self._observe(target)
        except RunStopped:
            return RepoOutcome(target.requested, "deferred", reason=self.budget.stopped)
        except gh.RateLimitExhausted as exc:
            self.budget.stop(f"rate limit exhausted until {_hhmm(exc.reset_at)} UTC: deferred")
            return RepoOutcome(target.requested, "deferred", reason=self.budget.stopped)
        except gh.Unreachable as exc:
            self.budget.stop(str(exc))
            return RepoOutcome(target.requested, "failed", reason=str(exc))
        except (gh.BadCredentials, StorageError):
            raise
        except gh.GitHubError as exc:
            return RepoOutcome(target.requested, "failed", reason=str(exc))
        finally:
            await self.budget.release(cost)
        if observed is None:
            return None
        if observed.rate_limited:
            self.budget.stop("rate limit exhausted: deferred")
        pending = self.etags.drain()
        try:
            outcome = await self._in_storage(self._commit, observed, pending)
        except BaseException:
            self.etags.restore(pending)
            raise
        await self._in_storage(self.on_committed, outcome)
        return outcome

    async def _in_storage(self, func: Callable[..., T], *args: Any) -> T:
        """Run a storage call on the run's one storage thread, so the event loop keeps
        requests in flight while SQLite or PostgreSQL commits."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._storage, func, *args)

    def _cost(self, target: Target) -> int:
        """The most points this repository can spend in this run."""
        today = (self.client.server_now() or datetime.now(UTC)).date()
        state = self._states.get(target.facts.github_id) if target.facts else None
        cost = 5
        if target.facts is None or _watchers_due(state, today):
            cost += 1
        if state is None or weekly_due(state.latest_week_start, today):
            cost += 2
        return cost

    async def _observe(self, target: Target) -> Observed | None:
        owner, name = target.owner_name
        facts = target.facts
        requests = 0
        state = self._states.get(facts.github_id) if facts else None
        today_guess = (self.client.server_now() or datetime.now(UTC)).date()
        if facts is None or _watchers_due(state, today_guess):
            response = await self.client.repo(owner, name)
            requests += 1
            facts = parse_repo(response.data)
            owner, name = facts.owner, facts.name
            state = self._states.get(facts.github_id)
        if facts.github_id in self._claimed:
            return None
        self._claimed.add(facts.github_id)
        if self.budget.stopped:
            raise RunStopped

        now = self.client.server_now() or datetime.now(UTC)
        observed = Observed(facts, target.requested, now.date(), now)
        if self._no_traffic_api:
            observed.requests = requests
            return observed
        latest_week = state.latest_week_start if state else None
        want_weekly = weekly_due(latest_week, now.date())
        calls = [
            self.client.traffic_views(owner, name, per="day"),
            self.client.traffic_clones(owner, name, per="day"),
            self.client.referrers(owner, name),
            self.client.paths(owner, name),
            self.client.releases(owner, name),
        ]
        if want_weekly:
            calls += [
                self.client.traffic_views(owner, name, per="week"),
                self.client.traffic_clones(owner, name, per="week"),
            ]
        labels = [
            "views",
            "clones",
            "referrers",
            "paths",
            "releases",
            "weekly views",
            "weekly clones",
        ]
        results = await asyncio.gather(*calls, return_exceptions=True)
        requests += len(calls)
        observed.requests = requests
        got: dict[str, Response] = {}
        errors: list[tuple[str, BaseException]] = []
        for label, result in zip(labels, results, strict=False):
            if isinstance(result, Response):
                got[label] = result
            else:
                errors.append((label, result))
        for _, error in errors:
            if isinstance(error, gh.NoTrafficApi):
                if not self._no_traffic_api:
                    self._no_traffic_api = True
                    self.on_notice(str(error))
                    self.summary.notices.append(str(error))
                return observed
            if not isinstance(error, gh.GitHubError) or isinstance(error, gh.BadCredentials):
                raise error  # a bug or a bad token: not this repository's problem
        daily = [got[k] for k in ("views", "clones") if k in got]
        if not daily:
            raise errors[0][1]  # nothing of the window arrived: the repository failed
        # Whatever arrived is kept; what failed is reported and read again next run.
        observed.problems = [f"{label}: {error}" for label, error in errors]
        observed.rate_limited = any(isinstance(e, gh.RateLimitExhausted) for _, e in errors)
        at = daily[0].date or now
        today = at.date()
        observed.today, observed.at = today, at
        views_series = parse_series(got["views"].data, "views") if "views" in got else None
        clones_series = parse_series(got["clones"].data, "clones") if "clones" in got else None
        observed.daily = observe_daily(views_series, clones_series, today)
        observed.totals = (
            _total(got["views"].data) if "views" in got else None,
            _total(got["clones"].data) if "clones" in got else None,
        )
        if "referrers" in got:
            observed.referrers = parse_referrers(got["referrers"].data)
        if "paths" in got:
            observed.paths = parse_paths(got["paths"].data)
        if "releases" in got:
            observed.downloads = parse_downloads(got["releases"].data)
        weekly = ("weekly views", "weekly clones")
        if want_weekly and all(k in got for k in weekly) and views_series and clones_series:
            span = complete_span(set(views_series) | set(clones_series), today)
            observed.weekly = observe_weekly(
                parse_series(got["weekly views"].data, "views"),
                parse_series(got["weekly clones"].data, "clones"),
                span,
            )
        observed.requests = requests
        return observed

    def _commit(self, o: Observed, pending: dict[str, tuple[str, str]]) -> RepoOutcome:
        repo_id = o.facts.github_id
        added = raised = 0
        with self.archive.repo_batch() as batch:
            requested = o.requested if o.requested.lower() != o.facts.full_name.lower() else None
            batch.upsert_repo(o.facts, o.at, requested_name=requested)
            batch.record_repo_snapshot(repo_id, o.today, o.facts, o.at)
            if o.daily is not None:
                stats = batch.merge_daily(repo_id, o.daily, o.at)
                added, raised = stats.added, stats.raised
                batch.record_window(repo_id, window_totals(o.today, o.daily, *o.totals), o.at)
            if o.weekly:
                batch.merge_weekly(repo_id, o.weekly, o.at)
            if o.referrers is not None:
                batch.replace_referrers(repo_id, o.today, o.referrers, o.at)
            if o.paths is not None:
                batch.replace_paths(repo_id, o.today, o.paths, o.at)
            if o.downloads:
                record_release_downloads(batch, repo_id, o.today, o.at, o.downloads)
            if o.facts.stars > 0:
                self._stars[repo_id] = (o.facts.full_name, o.facts.stars)
            batch.put_etags(pending, o.at)
            batch.mark_success(repo_id, o.at)
            if self.in_commit is not None:
                self.in_commit(batch, self._outcome_of(o, added, raised))
        return self._outcome_of(o, added, raised)

    @staticmethod
    def _outcome_of(o: Observed, added: int, raised: int) -> RepoOutcome:
        outcome = "ok"
        if o.problems:
            outcome = "deferred" if o.rate_limited else "failed"
        return RepoOutcome(
            o.facts.full_name,
            outcome,
            reason="; ".join(o.problems) + " (the rest is kept)" if o.problems else None,
            repo_id=o.facts.github_id,
            requests=o.requests,
            days_added=added,
            days_raised=raised,
            finished_at=o.at,
        )

    # -- bookkeeping -----------------------------------------------------------------

    def _persist_pending_etags(self) -> None:
        """Listing pages' ETags, written before any repository is read."""
        pending = self.etags.drain()
        if not pending:
            return
        at = self.client.server_now() or datetime.now(UTC)
        try:
            with self.archive.repo_batch() as batch:
                batch.put_etags(pending, at)
        except BaseException:
            self.etags.restore(pending)
            raise

    def _record(self, outcome: RepoOutcome) -> None:
        self.summary.outcomes.append(outcome)
        if self.summary.run_id is not None:
            self.archive.record_result(self.summary.run_id, outcome)
        self.on_result(outcome)

    def _fatal(self, message: str, code: int = 1) -> None:
        self.summary.fatal = message
        self.summary.fatal_code = code

    def _finish(self, run_id: int) -> None:
        s = self.summary
        s.requests = self.client.requests
        s.points = self.client.points
        rate = self.client.rate
        if rate is not None:
            s.rate_remaining, s.rate_limit = rate.remaining, rate.limit
        message = s.fatal or self.budget.stopped
        try:
            self.archive.finish_run(
                run_id,
                finished_at=datetime.now(UTC),
                status=s.status,
                repos_ok=s.ok,
                repos_failed=s.failed,
                repos_deferred=s.deferred,
                requests=s.requests,
                rate_points=s.points,
                rate_remaining=s.rate_remaining,
                rate_limit=s.rate_limit,
                days_added=s.days_added,
                days_raised=s.days_raised,
                message=message,
            )
        except StorageError as exc:
            if s.fatal is None:
                self._fatal(str(exc))


def _first_leaf(group: BaseExceptionGroup[BaseException]) -> BaseException:
    first = group.exceptions[0]
    return _first_leaf(first) if isinstance(first, BaseExceptionGroup) else first


def _total(body: Any) -> tuple[int, int] | None:
    if isinstance(body, dict) and isinstance(body.get("count"), int):
        uniques = body.get("uniques")
        return body["count"], uniques if isinstance(uniques, int) else 0
    return None


def _watchers_due(state: RepoState | None, today: date) -> bool:
    if state is None or state.last_watchers_day is None:
        return True
    return today - state.last_watchers_day >= WATCHERS_EVERY


def _hhmm(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M") if at else "unknown"
