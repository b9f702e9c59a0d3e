"""Helpers for the processing tests: repositories, collections written straight into the
archive, processors with in-memory channels."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, ClassVar

from ghtraffic.config import Settings
from ghtraffic.domain import DayValues, Referrer, RepoFacts, WindowTotals
from ghtraffic.notifications.base import Message, Transport, TransportError
from ghtraffic.processing import Processor
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database

#: A Monday.
D0 = date(2026, 3, 2)
_ids = itertools.count(5000)


def day(n: int) -> date:
    return D0 + timedelta(days=n)


def at(collected: date, hour: int = 22) -> datetime:
    return datetime.combine(collected, time(hour), UTC)


def new_repo(archive: Archive, owner: str = "acme", name: str | None = None) -> int:
    repo_id = next(_ids)
    with archive.repo_batch() as batch:
        batch.upsert_repo(RepoFacts(repo_id, owner, name or f"repo{repo_id}"), at(D0, 0))
    return repo_id


def collect(
    archive: Archive,
    repo_id: int,
    collected: date,
    days: Mapping[date, int | DayValues],
    *,
    referrers: Sequence[tuple[str, int]] | None = None,
    old_shape: bool = False,
    when: datetime | None = None,
) -> datetime:
    """Write one collection as the collector would: days (an int is the views; clones 3), the window
    span (new shape: ending yesterday; old shape: ending today) and the referrer list."""
    moment = when or at(collected)
    rows = [
        v if isinstance(v, DayValues) else DayValues(d, v, max(1, v // 2), 3, 1)
        for d, v in sorted(days.items())
    ]
    last = collected if old_shape else collected - timedelta(days=1)
    with archive.repo_batch() as batch:
        batch.merge_daily(repo_id, rows, moment)
        batch.record_window(
            repo_id, WindowTotals(collected, last - timedelta(days=13), last), moment
        )
        if referrers is not None:
            batch.replace_referrers(
                repo_id, collected, [Referrer(n, c, c // 2) for n, c in referrers], moment
            )
    return moment


class Recorder(Transport):
    """A channel that keeps what it was given; ``fail`` makes the next sends fail."""

    channel: ClassVar[str] = "webhook"

    def __init__(self, fail: int = 0) -> None:
        self.sent: list[Message] = []
        self.fail = fail
        self.calls = 0

    def send(self, message: Message) -> None:
        self.calls += 1
        if self.fail:
            self.fail -= 1
            raise TransportError("webhook: HTTP 503")
        self.sent.append(message)


def processor(
    db: Database,
    processing: dict[str, Any] | None = None,
    notifications: dict[str, Any] | None = None,
    *,
    transports: Sequence[Transport] | None = None,
    env: Mapping[str, str] | None = None,
) -> Processor:
    sections = {
        "processing": processing or {},
        "notifications": {"retry_wait": 0, **(notifications or {})},
    }
    return Processor(
        db,
        Settings(sections=sections),
        transports=transports,
        env=env or {},
        clock=lambda: at(D0),
        sleep=lambda seconds: None,
    )
