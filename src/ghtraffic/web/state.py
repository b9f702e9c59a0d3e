"""What the routes share: the database, settings, templates and the live broadcaster."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import cast

from starlette.requests import HTTPConnection

from ghtraffic.config import Settings
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database
from ghtraffic.web.config import WebConfig
from ghtraffic.web.pagecache import PageCache
from ghtraffic.web.sse import Broadcaster
from ghtraffic.web.templating import Templates
from ghtraffic.web.throttle import LoginThrottle

#: Starts a collection; returns False when one is already running.
CollectNow = Callable[[], Awaitable[bool]]


@dataclass
class WebState:
    db: Database
    archive: Archive
    settings: Settings
    config: WebConfig
    templates: Templates
    throttle: LoginThrottle
    broadcaster: Broadcaster
    collect_now: CollectNow | None = None
    pages: PageCache = field(default_factory=PageCache)


def state_of(conn: HTTPConnection) -> WebState:
    return cast(WebState, conn.app.state.web)
