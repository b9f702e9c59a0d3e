"""The processing trigger: after a repository's new data is committed, bring its roll-ups
up to date, look for spikes, queue and send notifications, and note the change.

Wiring for a collection run::

    processor = Processor(db, settings)
    await run_collection(settings, archive=Archive(db),
                         on_committed=processor.on_committed,  # after each commit
                         on_result=processor.on_result)        # failed repositories
    processor.close()

Processing never breaks collection: the two hooks log one line and return on any error.

Which days changed: per repository ``processing_state.watermark`` keeps the newest
``first_seen_at``/``*_raised_at`` already processed; the next call takes the days with a
newer time (with a one-day margin for writers whose commits land out of order). A writer
that stores days with older times (an import of old data) calls
``process_repo(..., full=True)``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session

from ghtraffic.config import Settings
from ghtraffic.domain import METRICS, RepoOutcome
from ghtraffic.notifications.base import Transport
from ghtraffic.notifications.config import parse_notification_settings
from ghtraffic.notifications.dispatch import DeliveryReport, Dispatcher, build_transports
from ghtraffic.processing.config import parse_processing_settings
from ghtraffic.processing.feed import add_changes, prune_changes
from ghtraffic.processing.messages import failure_message, spike_message
from ghtraffic.processing.rollups import (
    Periods,
    rebuild_groups,
    recompute_repo,
    repo_periods,
    update_groups,
)
from ghtraffic.processing.spikes import attribute_pending, detect
from ghtraffic.storage.database import Database
from ghtraffic.storage.tables import Repo, TrafficDaily
from ghtraffic.storage.tables_processing import ProcessingState

log = logging.getLogger("ghtraffic.processing")

#: PostgreSQL advisory lock (class, then the schema's hash) held by each processing
#: transaction: owner and all-repository sums and the change feed's ids stay consistent
#: across processes. Archives in other schemas of the same database do not contend.
LOCK_CLASS = 1_734_898_800  # "ghtp"; the collection run lock uses another class
#: Days changed up to this long before the watermark are taken again.
MARGIN = timedelta(days=1)


@dataclass
class ProcessingResult:
    """What one ``process_repo`` call did."""

    repo_id: int
    #: Archived days whose values changed since the last processing.
    days_changed: int = 0
    #: Weekly and monthly periods recomputed for the repository.
    periods: int = 0
    #: Ids of the events created now.
    new_events: list[int] = field(default_factory=list)
    #: Existing events whose day GitHub raised.
    raised_events: int = 0
    #: The job had been done already (run again after its commit): nothing was done.
    already_done: bool = False
    deliveries: DeliveryReport = field(default_factory=DeliveryReport)


def changed_days(
    session: Session, repo_id: int, watermark: datetime | None
) -> tuple[set[date], datetime | None]:
    """Days of the repository stored or raised after ``watermark - MARGIN`` (every day
    when ``None``), and the newest such time."""
    D = TrafficDaily
    stamps = [D.first_seen_at, *(getattr(D, f"{m}_raised_at") for m in METRICS)]
    query = select(D.day, *stamps).where(D.repo_id == repo_id)
    if watermark is not None:
        since = watermark - MARGIN
        query = query.where(or_(*(s > since for s in stamps)))
    days: set[date] = set()
    newest = watermark
    for day, *times in session.execute(query):
        days.add(day)
        for at in times:
            if at is not None and (newest is None or at > newest):
                newest = at
    return days, newest


class Processor:
    """Processing of one archive with the ``[processing]`` and ``[notifications]`` settings.

    Raises ``ConfigError`` (one line) when either table is invalid or names an
    environment variable that is not set. ``transports`` replaces the configured channels;
    ``clock`` gives the time for failures (a failed outcome carries none); ``sleep`` is
    used between retries.
    """

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        env: Mapping[str, str] | None = None,
        transports: Sequence[Transport] | None = None,
        clock: Callable[[], datetime] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.db = db
        self.settings = parse_processing_settings(settings.section("processing"))
        self.notify = parse_notification_settings(settings.section("notifications"))
        if transports is None:
            transports = build_transports(self.notify, env)
        self.dispatcher = Dispatcher(db, transports, self.notify, sleep=sleep)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._backlog_sent = False
        self._background: ThreadPoolExecutor | None = None

    # -- the hooks -------------------------------------------------------------------

    def on_committed(self, outcome: RepoOutcome) -> None:
        """The collector's hook after a repository's commit: process it. A failed outcome
        is recorded as a failure instead. Never raises."""
        if not self.settings.enabled:
            return
        try:
            if outcome.outcome == "ok" and outcome.repo_id is not None:
                self.process_repo(outcome.repo_id, outcome.finished_at or self._clock())
            elif outcome.outcome == "failed":
                self.record_failure(outcome, self._clock())
        except Exception as exc:
            self._log_error(outcome.full_name, exc)

    def on_result(self, outcome: RepoOutcome) -> None:
        """The collector's per-repository result hook: a failed repository or owner is
        recorded and notified on a background thread (``close()`` waits for it)."""
        if not self.settings.enabled or outcome.outcome != "failed":
            return
        with self._lock:
            if self._background is None:
                self._background = ThreadPoolExecutor(1, thread_name_prefix="ghtraffic-notify")
            self._background.submit(self.on_committed, outcome)

    def close(self) -> None:
        """Wait for background failure notifications."""
        with self._lock:
            background, self._background = self._background, None
        if background is not None:
            background.shutdown(wait=True)

    def _log_error(self, name: str, exc: Exception) -> None:
        detail = self.dispatcher.safe(f"{type(exc).__name__}: {exc}")
        log.warning("processing %s failed (collection goes on): %s", name, detail)

    # -- the work --------------------------------------------------------------------

    def _begin(self, session: Session) -> None:
        if session.get_bind().dialect.name == "postgresql":
            # Wait at most a minute for a lock, then give up (logged, collection goes on).
            session.execute(text("SET LOCAL lock_timeout = '60s'"))
            session.execute(
                text("SELECT pg_advisory_xact_lock(:cls, hashtext(current_schema()))"),
                {"cls": LOCK_CLASS},
            )

    def process_repo(
        self, repo_id: int, now: datetime, *, full: bool = False, job_id: int | None = None
    ) -> ProcessingResult:
        """Process the repository's days changed since its last processing (every day with
        ``full``): roll-ups, events, notifications, change feed. ``now`` is the time of
        the collection (timezone-aware). ``job_id``, the queued job this call does, is
        kept with the result: the same job again (or an older one) does nothing."""
        with self._lock:
            result = ProcessingResult(repo_id)
            subjects: list[str] = []
            with self.db.session() as session:
                self._begin(session)
                self._process(session, repo_id, now, full, result, subjects, job_id)
            result.deliveries = self._deliver(now, subjects)
            return result

    def _process(
        self,
        session: Session,
        repo_id: int,
        now: datetime,
        full: bool,
        result: ProcessingResult,
        subjects: list[str],
        job_id: int | None = None,
    ) -> None:
        repo = session.get(Repo, repo_id)
        if repo is None:
            return
        owner_key = repo.owner.lower()
        state = session.get(ProcessingState, repo_id)
        if job_id is not None and state is not None and (state.last_job_id or 0) >= job_id:
            result.already_done = True
            return
        watermark = None if full or state is None else state.watermark
        days, newest = changed_days(session, repo_id, watermark)
        result.days_changed = len(days)

        periods = Periods.of_days(days)
        result.periods = len(periods)
        rolled = recompute_repo(session, repo_id, periods, now)
        if state is not None and state.owner_key != owner_key:
            # Transferred: both owners' sums over every period of the repository.
            moved = repo_periods(session, repo_id)
            moved.update(periods)
            rebuild_groups(session, moved, {state.owner_key, owner_key}, now)
        elif full:
            rebuild_groups(session, periods, {owner_key}, now)
        else:
            update_groups(session, rolled, owner_key, now)

        detection = detect(session, repo_id, days, self.settings, now)
        result.new_events = [e.id for e in detection.new]
        result.raised_events = detection.raised
        referrers = attribute_pending(session, repo_id, now, self.settings.attribution_top)

        oldest = now.date() - timedelta(days=self.notify.notify_within_days)
        for event in detection.new:
            if not self.notify.on_spike or event.day < oldest:
                continue
            message = spike_message(
                event_id=event.id,
                repo_id=repo_id,
                full_name=repo.full_name,
                day=event.day,
                metric=event.metric,
                value=event.value,
                baseline=event.base.median,
                mad=event.base.mad,
                threshold=event.threshold,
                referrers=referrers.get(event.id),
                link=self.notify.dashboard_url,
            )
            subject = f"event:{event.id}"
            self.dispatcher.enqueue(
                session, subject, message, now=now, event_id=event.id, repo_id=repo_id
            )
            subjects.append(subject)

        changes: list[tuple[str, int | None, int | None]] = [("traffic", repo_id, None)]
        changes += [("event", repo_id, e.id) for e in detection.new]
        add_changes(session, changes, now)
        prune_changes(session, now, timedelta(days=self.settings.feed_keep_days))
        self._save_state(session, state, repo_id, owner_key, newest, now, job_id)

    @staticmethod
    def _save_state(
        session: Session,
        state: ProcessingState | None,
        repo_id: int,
        owner_key: str,
        newest: datetime | None,
        now: datetime,
        job_id: int | None,
    ) -> None:
        if state is None:
            session.add(
                ProcessingState(
                    repo_id=repo_id,
                    owner_key=owner_key,
                    watermark=newest,
                    processed_at=now,
                    last_job_id=job_id,
                )
            )
        else:
            if job_id is not None:
                state.last_job_id = job_id
            state.owner_key = owner_key
            if newest is not None and (state.watermark is None or newest > state.watermark):
                state.watermark = newest
            state.processed_at = max(state.processed_at, now)
        session.flush()

    def record_failure(self, outcome: RepoOutcome, now: datetime) -> DeliveryReport:
        """Note a failed collection in the change feed and notify it, once per repository
        (or owner) and UTC day."""
        with self._lock:
            name = outcome.full_name
            subject = f"failure:{name.lower()}:{now.date().isoformat()}"
            with self.db.session() as session:
                self._begin(session)
                if self.notify.on_failure:
                    message = failure_message(
                        name=name,
                        repo_id=outcome.repo_id,
                        reason=self.dispatcher.safe(outcome.reason) if outcome.reason else None,
                        at=now,
                        link=self.notify.dashboard_url,
                    )
                    self.dispatcher.enqueue(
                        session, subject, message, now=now, repo_id=outcome.repo_id
                    )
                add_changes(session, [("run", outcome.repo_id, None)], now)
            return self._deliver(now, [subject] if self.notify.on_failure else [])

    def _deliver(self, now: datetime, subjects: list[str]) -> DeliveryReport:
        report = self.dispatcher.deliver(now, subjects=subjects)
        if not self._backlog_sent:
            # Once per processor (per run): retry what earlier runs could not send.
            self._backlog_sent = True
            report += self.dispatcher.deliver(now)
        return report
