"""Wake the live stream when PostgreSQL announces a change: processing sends
``NOTIFY ghtraffic_changes`` in the transaction that adds to the change feed (a worker's,
or another web node's), and every web node listening reads the feed at once instead of
at its next poll. Polling stays as the fallback, and is all there is on SQLite."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import psycopg
from psycopg import sql

from ghtraffic.processing.feed import CHANNEL
from ghtraffic.storage.urls import conninfo

#: Seconds between attempts to listen again after the connection was lost.
RECONNECT_SECONDS = 5.0

log = logging.getLogger(__name__)


async def listen(database_url: str, wake: Callable[[], None], *, channel: str = CHANNEL) -> None:
    """Call ``wake`` for every notification on ``channel`` (and after each reconnect, in
    case one was missed meanwhile), until cancelled."""
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(
                conninfo(database_url), autocommit=True
            ) as connection:
                await connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                wake()
                async for _ in connection.notifies():
                    wake()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.debug("listening for changes failed; polling until it works again", exc_info=True)
        await asyncio.sleep(RECONNECT_SECONDS)
