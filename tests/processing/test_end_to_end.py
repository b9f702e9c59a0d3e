"""A burst planted in the fake GitHub, collected day by day, becomes exactly one event with
the burst's referrer, one webhook POST and one e-mail; processing again sends nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import SecretStr

from ghtraffic.collect.run import run_collection
from ghtraffic.collect.summary import RunSummary
from ghtraffic.config import Settings
from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.model import TrafficModel
from ghtraffic.fakegithub.server import FakeGitHub, running
from ghtraffic.github.retry import RetryPolicy
from ghtraffic.processing import Processor, changes_since
from ghtraffic.readmodels.events import deliveries, events
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database
from tests.notifications.receivers import SmtpReceiver, WebhookReceiver

SEED = 1112
REPO = "acme-labs/py-bot"
SPIKE = date(2026, 1, 19)
#: Collected on the spike day (its window ends the day before), then the day after.
START = datetime(2026, 1, 19, 22, 0, tzinfo=UTC)
FAST = RetryPolicy(attempts=4, initial=0.01, maximum=0.05, secondary_initial=0.01)


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with running(FakeGitHubConfig(repos=4, seed=SEED, start=START)) as server:
        yield server


def settings_for(fake: FakeGitHub, webhook: WebhookReceiver, smtp: SmtpReceiver) -> Settings:
    notifications: dict[str, Any] = {
        "webhook_url": webhook.url + "/hook/s3cr3t-token",
        "smtp_host": smtp.host,
        "smtp_port": smtp.port,
        "smtp_security": "none",
        "email_from": "ghtraffic@example.org",
        "email_to": ["maintainer@example.org"],
        "retry_wait": 0,
    }
    return Settings(
        api_url=fake.api_url,
        token=SecretStr("demo-token"),
        repos=(REPO,),
        cadence="daily",  # read the day after too, whatever its activity
        concurrency=2,
        requests_per_minute=0,
        sections={"processing": {}, "notifications": notifications},
    )


def collect(settings: Settings, archive: Archive, processor: Processor) -> RunSummary:
    summary = asyncio.run(
        run_collection(
            settings,
            archive=archive,
            retry=FAST,
            on_committed=processor.on_committed,
            on_result=processor.on_result,
        )
    )
    processor.close()
    assert summary.exit_code == 0, summary.line()
    return summary


def test_a_planted_burst_is_one_event_one_post_one_mail_and_never_twice(
    fake: FakeGitHub, webhook: WebhookReceiver, smtp: SmtpReceiver, db: Database
) -> None:
    repo_id = next(r["id"] for r in fake.world()["repos"] if r["full_name"] == REPO)
    burst = TrafficModel(seed=SEED).burst(repo_id, SPIKE)
    assert burst is not None
    assert burst.start == SPIKE
    assert burst.referrer == "news.ycombinator.com"

    archive = Archive(db)
    settings = settings_for(fake, webhook, smtp)
    processor = Processor(db, settings)

    collect(settings, archive, processor)  # on the spike day: the day is not complete yet
    assert events(db) == []
    assert webhook.posts == []
    assert smtp.mails == []

    fake.advance_days(1)
    collect(settings, archive, processor)  # the day after: the spike day is complete

    found = events(db)
    assert len(found) == 1
    event = found[0]
    assert (event.full_name, event.day, event.metric) == (REPO, SPIKE, "views")
    assert event.value > event.threshold > event.baseline
    assert event.referrers is not None
    assert event.referrers[0].referrer == burst.referrer

    assert len(webhook.posts) == 1
    path, body = webhook.posts[0]
    assert path == "/hook/s3cr3t-token"
    assert body["kind"] == "spike"
    assert (body["repo"], body["day"], body["metric"]) == (REPO, "2026-01-19", "views")
    assert body["value"] == event.value
    assert body["referrers"][0]["referrer"] == "news.ycombinator.com"

    assert len(smtp.mails) == 1
    mail = smtp.mails[0]
    assert mail["Subject"] == f"Traffic spike: {REPO} had {event.value:,} views on 2026-01-19"
    assert mail["To"] == "maintainer@example.org"
    assert "news.ycombinator.com" in mail.get_payload()
    assert {d.status for d in deliveries(db)} == {"sent"}

    kinds = [c.kind for c in changes_since(db, 0, limit=100)]
    assert kinds.count("event") == 1
    assert kinds.count("traffic") == 2

    # The same day again: a repeat collection, reprocessing, a full rebuild, a new run.
    collect(settings, archive, processor)
    now = fake.now()
    assert processor.process_repo(repo_id, now).new_events == []
    assert processor.process_repo(repo_id, now, full=True).new_events == []
    later = Processor(db, settings)
    assert later.process_repo(repo_id, now, full=True).new_events == []
    collect(settings, archive, later)

    assert [e.id for e in events(db)] == [event.id]
    assert len(webhook.posts) == 1
    assert len(smtp.mails) == 1
    assert smtp.attempts == 1
    assert len(deliveries(db)) == 2
