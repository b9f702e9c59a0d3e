"""The channels against real local servers: payload shapes, retries, failures recorded
without raising, never a second send, and no secret in any log line or stored error."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from ghtraffic.config import Settings
from ghtraffic.fakegithub.server import free_port
from ghtraffic.notifications import Message, NotificationSettings, build_transports
from ghtraffic.notifications.base import redact
from ghtraffic.notifications.dispatch import Dispatcher
from ghtraffic.notifications.slack.transport import slack_payload
from ghtraffic.notifications.webhook.transport import webhook_body
from ghtraffic.processing import Processor
from ghtraffic.readmodels.events import deliveries
from ghtraffic.storage.database import Database
from ghtraffic.storage.tables_processing import NotificationDelivery
from tests.notifications.receivers import SmtpReceiver, WebhookReceiver, smtp_receiver

NOW = datetime(2026, 3, 5, 22, 0, tzinfo=UTC)
PASSWORD = "pa55-w0rd-do-not-show"
TOKEN = "T000/B000/XXXXsecretXXXX"
MESSAGE = Message(
    kind="spike",
    title="Traffic spike: acme/tool had 1,200 views on 2026-03-04",
    text="acme/tool: 1,200 views, usually about 80 <b>&",
    data={"repo": "acme/tool", "value": 1200},
    fields={"Repository": "acme/tool", "Top referrer": "news.ycombinator.com"},
    link="https://traffic.example.org/",
)


def email_settings(smtp: SmtpReceiver, **extra: object) -> dict[str, object]:
    return {
        "smtp_host": smtp.host,
        "smtp_port": smtp.port,
        "smtp_security": "none",
        "smtp_user": "robot",
        "smtp_password_env": "SMTP_PW",
        "email_from": "traffic@example.org",
        "email_to": ["a@example.org", "b@example.org"],
        "retry_wait": 0,
        **extra,
    }


def dispatcher(db: Database, raw: dict[str, object]) -> Dispatcher:
    settings = NotificationSettings.model_validate(raw)
    transports = build_transports(settings, {"SMTP_PW": PASSWORD})
    return Dispatcher(db, transports, settings, sleep=lambda s: None)


def queue(d: Dispatcher, subject: str = "event:test") -> None:
    with d.db.session() as session:
        d.enqueue(session, subject, MESSAGE, now=NOW)


def test_slack_payload_has_fallback_text_and_blocks() -> None:
    payload = slack_payload(MESSAGE)
    assert payload["text"].startswith("Traffic spike: acme/tool")
    header, section, fields, context = payload["blocks"]
    assert header == {"type": "header", "text": {"type": "plain_text", "text": MESSAGE.title}}
    assert section["type"] == "section"
    assert section["text"]["type"] == "mrkdwn"
    assert section["text"]["text"].endswith("80 &lt;b&gt;&amp;")
    assert fields["fields"][1] == {"type": "mrkdwn", "text": "*Top referrer*\nnews.ycombinator.com"}
    assert "https://traffic.example.org/" in context["elements"][0]["text"]


def test_webhook_body_carries_the_facts() -> None:
    body = webhook_body(MESSAGE)
    assert body["kind"] == "spike"
    assert (body["repo"], body["value"]) == ("acme/tool", 1200)
    assert body["title"] == MESSAGE.title
    assert body["link"] == "https://traffic.example.org/"


def test_slack_and_webhook_posts_arrive(db: Database, webhook: WebhookReceiver) -> None:
    d = dispatcher(
        db,
        {
            "webhook_url": webhook.url + "/generic",
            "slack_webhook_url": webhook.url + "/slack",
            "retry_wait": 0,
        },
    )
    queue(d)
    report = d.deliver(NOW)
    assert report.sent == 2
    by_path = dict(webhook.posts)
    assert by_path["/generic"]["kind"] == "spike"
    assert set(by_path["/slack"]) == {"text", "blocks"}
    assert d.deliver(NOW).sent == 0
    assert len(webhook.posts) == 2


def test_email_is_sent_with_login(db: Database, smtp: SmtpReceiver) -> None:
    d = dispatcher(db, email_settings(smtp))
    queue(d)
    assert d.deliver(NOW).sent == 1
    (mail,) = smtp.mails
    assert mail["Subject"] == MESSAGE.title
    assert mail["From"] == "traffic@example.org"
    assert smtp.envelopes == [("traffic@example.org", ["a@example.org", "b@example.org"])]
    assert "news" not in mail.get_payload()  # fields are for chat layouts, the text is the body
    assert "https://traffic.example.org/" in mail.get_payload()
    assert smtp.logins == [("robot", PASSWORD)]


def test_an_smtp_failure_is_retried_then_recorded_as_failed_without_raising(
    db: Database, smtp: SmtpReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    smtp.replies = ["451 4.3.0 try again later"] * 3
    d = dispatcher(db, email_settings(smtp, send_attempts=3, max_delivery_attempts=1))
    queue(d)
    with caplog.at_level(logging.INFO):
        report = d.deliver(NOW)
    assert (report.sent, report.failed) == (0, 1)
    assert smtp.attempts == 3
    assert smtp.mails == []
    (row,) = deliveries(db)
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error is not None
    assert "SMTP 451" in row.last_error
    assert "failed for good" in caplog.text
    # Failed for good: a later run does not try again.
    assert dispatcher(db, email_settings(smtp)).deliver(NOW).sent == 0
    assert smtp.attempts == 3


def test_a_failed_delivery_is_retried_by_a_later_run_and_sent_once(
    db: Database, smtp: SmtpReceiver
) -> None:
    smtp.replies = ["451 busy"] * 2
    settings = email_settings(smtp, send_attempts=2, max_delivery_attempts=3)
    first = dispatcher(db, settings)
    queue(first)
    assert first.deliver(NOW).retry_later == 1
    assert deliveries(db)[0].status == "pending"
    second = dispatcher(db, settings)
    assert second.deliver(NOW).sent == 1
    assert second.deliver(NOW).sent == 0
    assert len(smtp.mails) == 1
    (row,) = deliveries(db)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)


def test_a_delivery_interrupted_while_sending_is_never_sent_again(
    db: Database, webhook: WebhookReceiver
) -> None:
    d = dispatcher(db, {"webhook_url": webhook.url, "retry_wait": 0})
    queue(d)
    with db.session() as session:  # a process that claimed the row, then died
        session.execute(update(NotificationDelivery).values(status="sending", attempts=1))
    assert d.deliver(NOW).sent == 0
    queue(d)  # queued again for the same subject: still the one row
    assert d.deliver(NOW).sent == 0
    assert webhook.posts == []
    assert [r.status for r in deliveries(db)] == ["sending"]


def test_secrets_never_reach_logs_or_stored_errors(
    db: Database, caplog: pytest.LogCaptureFixture, webhook: WebhookReceiver
) -> None:
    webhook.statuses = [500, 500]
    dead = f"http://127.0.0.1:{free_port()}/services/{TOKEN}"
    with smtp_receiver(accept_login=False) as smtp:
        raw = email_settings(smtp) | {
            "webhook_url": dead,
            "slack_webhook_url": f"{webhook.url}/services/{TOKEN}",
            "send_attempts": 2,
        }
        d = dispatcher(db, raw)
        queue(d)
        with caplog.at_level(logging.DEBUG):
            report = d.deliver(NOW)
        assert smtp.logins
        assert set(smtp.logins) == {("robot", PASSWORD)}
    assert report.retry_later == 3
    errors = " ".join(r.last_error or "" for r in deliveries(db))
    assert "login refused" in errors
    assert "HTTP 500" in errors
    assert "connection failed" in errors
    for secret in (PASSWORD, TOKEN, "XXXXsecret"):
        assert secret not in caplog.text
        assert secret not in errors
    for transport in d.transports.values():
        assert PASSWORD not in repr(transport)
        assert TOKEN not in repr(transport)


def test_a_processor_wires_the_configured_channels(db: Database, webhook: WebhookReceiver) -> None:
    settings = Settings(sections={"notifications": {"webhook_url_env": "HOOK", "retry_wait": 0}})
    proc = Processor(db, settings, env={"HOOK": webhook.url + "/from-env"})
    assert proc.dispatcher.channels == ("webhook",)


def test_redact_replaces_every_secret() -> None:
    assert redact("a token123 and pw", ["token123", "pw", ""]) == "a *** and ***"
