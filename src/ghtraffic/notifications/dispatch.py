"""Deliveries: each notification is sent at most once per channel, failures are retried.

Protocol, per (subject, channel) row of ``notification_deliveries``:

1. ``enqueue`` inserts the row as ``pending`` in the caller's transaction (for a spike, the
   same transaction that creates the event), ``ON CONFLICT DO NOTHING``: a subject is
   queued once per channel, however often it is processed.
2. ``deliver`` *claims* a pending row in its own committed transaction (``pending`` →
   ``sending``, attempts + 1; only one process can win the claim), then sends it, retrying
   transient errors with exponential backoff (tenacity), then records ``sent``, or
   ``pending`` again with the error (a later run retries), or ``failed`` once
   ``max_delivery_attempts`` runs have tried.
3. A row is never sent while ``sending`` or after ``sent``. A crash between the send and
   the record leaves it ``sending`` for good: at worst a notification is missed, it is
   never sent twice.

Log lines and stored errors come from ``TransportError`` messages, which name the channel
and what failed but never a URL, a password or a token; every configured secret is
redacted from them once more on the way out.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Table, select, update
from sqlalchemy.orm import Session
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from ghtraffic.notifications.base import Message, Transport, TransportError, one_line, redact
from ghtraffic.notifications.config import (
    NotificationSettings,
    resolve_slack_url,
    resolve_smtp_password,
    resolve_webhook_url,
)
from ghtraffic.notifications.email.transport import EmailTransport
from ghtraffic.notifications.slack.transport import SlackTransport
from ghtraffic.notifications.webhook.transport import WebhookTransport
from ghtraffic.storage.database import Database
from ghtraffic.storage.tables_processing import NotificationDelivery
from ghtraffic.storage.upsert import insert_for

log = logging.getLogger("ghtraffic.notifications")


def build_transports(
    settings: NotificationSettings, env: Mapping[str, str] | None = None
) -> list[Transport]:
    """The configured channels, in a fixed order (webhook, Slack, e-mail)."""
    transports: list[Transport] = []
    webhook = resolve_webhook_url(settings, env)
    if webhook:
        transports.append(WebhookTransport(webhook, timeout=settings.timeout))
    slack = resolve_slack_url(settings, env)
    if slack:
        transports.append(SlackTransport(slack, timeout=settings.timeout))
    if settings.smtp_host and settings.email_from:
        transports.append(
            EmailTransport(
                settings.smtp_host,
                settings.smtp_port,
                settings.email_from,
                settings.email_to,
                security=settings.smtp_security,
                user=settings.smtp_user,
                password=resolve_smtp_password(settings, env),
                timeout=settings.timeout,
            )
        )
    return transports


@dataclass
class DeliveryReport:
    """What one ``deliver`` call did."""

    sent: int = 0
    #: Attempts that failed and will be retried by a later run.
    retry_later: int = 0
    #: Deliveries recorded as failed for good.
    failed: int = 0
    #: Pending deliveries left for later because their channel already failed in this run.
    skipped: int = 0

    def __iadd__(self, other: DeliveryReport) -> DeliveryReport:
        self.sent += other.sent
        self.retry_later += other.retry_later
        self.failed += other.failed
        self.skipped += other.skipped
        return self


def _transient(exc: BaseException) -> bool:
    return isinstance(exc, TransportError) and exc.transient


class Dispatcher:
    """Queues and sends notifications over the configured transports."""

    def __init__(
        self,
        db: Database,
        transports: Sequence[Transport],
        settings: NotificationSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.db = db
        self.transports = {t.channel: t for t in transports}
        self.settings = settings
        self._sleep = sleep
        self._secrets = tuple(s for t in transports for s in t.secrets())
        #: Channels that failed in this dispatcher's lifetime: their other deliveries wait
        #: for a later run instead of slowing this one down.
        self._down: set[str] = set()

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(self.transports)

    def safe(self, text: str) -> str:
        """``text`` on one line with every configured secret removed."""
        return redact(one_line(text), self._secrets)

    def enqueue(
        self,
        session: Session,
        subject: str,
        message: Message,
        *,
        now: datetime,
        event_id: int | None = None,
        repo_id: int | None = None,
    ) -> None:
        """Queue ``message`` on every channel, once per ``subject`` (inside ``session``)."""
        if not self.transports:
            return
        rows: list[dict[str, Any]] = [
            {
                "subject": subject,
                "channel": channel,
                "event_id": event_id,
                "repo_id": repo_id,
                "status": "pending",
                "attempts": 0,
                "payload": message.to_json(),
                "last_error": None,
                "created_at": now,
                "updated_at": now,
                "sent_at": None,
            }
            for channel in self.transports
        ]
        table = cast(Table, NotificationDelivery.__table__)
        stmt = insert_for(session, table).values(rows)
        session.execute(stmt.on_conflict_do_nothing(index_elements=["subject", "channel"]))

    def deliver(self, now: datetime, *, subjects: Collection[str] | None = None) -> DeliveryReport:
        """Send pending deliveries (only those of ``subjects`` when given). Never raises for
        a failed send: the failure is recorded and logged on one line."""
        report = DeliveryReport()
        if not self.transports or (subjects is not None and not subjects):
            return report
        D = NotificationDelivery
        query = (
            select(D.id, D.channel, D.subject, D.attempts, D.payload)
            .where(D.status == "pending", D.channel.in_(self.channels))
            .order_by(D.id)
        )
        if subjects is not None:
            query = query.where(D.subject.in_(list(subjects)))
        with self.db.read_session() as session:
            pending = session.execute(query).all()
        for row_id, channel, subject, attempts, payload in pending:
            if channel in self._down:
                report.skipped += 1
                continue
            if not self._claim(row_id, now):
                continue
            self._deliver_one(row_id, channel, subject, attempts + 1, payload, now, report)
        return report

    def _claim(self, row_id: int, now: datetime) -> bool:
        D = NotificationDelivery
        with self.db.session() as session:
            result = session.execute(
                update(D)
                .where(D.id == row_id, D.status == "pending")
                .values(status="sending", attempts=D.attempts + 1, updated_at=now)
            )
            return cast(CursorResult[Any], result).rowcount == 1

    def _deliver_one(
        self,
        row_id: int,
        channel: str,
        subject: str,
        attempt: int,
        payload: dict[str, Any],
        now: datetime,
        report: DeliveryReport,
    ) -> None:
        D = NotificationDelivery
        try:
            self._send(self.transports[channel], Message.from_json(payload))
        except Exception as exc:
            error = (
                self.safe(str(exc))
                if isinstance(exc, TransportError)
                else (f"{channel}: {type(exc).__name__}: {self.safe(str(exc))}")
            )
            final = attempt >= self.settings.max_delivery_attempts
            status = "failed" if final else "pending"
            with self.db.session() as session:
                session.execute(
                    update(D)
                    .where(D.id == row_id)
                    .values(status=status, last_error=error, updated_at=now)
                )
            self._down.add(channel)
            if final:
                report.failed += 1
                log.warning("notification %s via %s failed for good: %s", subject, channel, error)
            else:
                report.retry_later += 1
                log.warning(
                    "notification %s via %s failed (attempt %d of %d, retried next run): %s",
                    subject,
                    channel,
                    attempt,
                    self.settings.max_delivery_attempts,
                    error,
                )
            return
        with self.db.session() as session:
            session.execute(
                update(D)
                .where(D.id == row_id)
                .values(status="sent", sent_at=now, updated_at=now, last_error=None)
            )
        report.sent += 1

    def _send(self, transport: Transport, message: Message) -> None:
        retrying = Retrying(
            stop=stop_after_attempt(self.settings.send_attempts),
            wait=wait_exponential(
                multiplier=self.settings.retry_wait, max=self.settings.retry_wait_max
            ),
            retry=retry_if_exception(_transient),
            reraise=True,
            sleep=self._sleep,
        )
        for attempt in retrying:
            with attempt:
                transport.send(message)
