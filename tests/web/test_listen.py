"""On PostgreSQL a dashboard learns of a change at once, whichever process made it: the
change feed's commit sends NOTIFY, and the live stream listens instead of waiting for its
next poll."""

from __future__ import annotations

import asyncio
import time

import pytest

from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database
from ghtraffic.web.listen import listen
from ghtraffic.web.sse import Broadcaster
from tests.processing.helpers import collect, day, new_repo, processor


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_change_committed_elsewhere_arrives_before_the_next_poll(
    db: Database, archive: Archive
) -> None:
    url = db.engine.url.render_as_string(hide_password=False)
    repo_id = new_repo(archive)
    now = collect(archive, repo_id, day(15), {day(i): 10 for i in range(1, 15)})
    # Another process (a worker) processes the repository: its own engine, its own commit.
    worker_db = Database(url)

    async def scenario() -> tuple[str, int | None, float]:
        broadcaster = Broadcaster(db, 600.0, lambda wake: listen(url, wake))
        queue = broadcaster.subscribe()
        try:
            await asyncio.sleep(1.0)  # the broadcaster reads where the feed is and listens
            started = time.monotonic()
            await asyncio.to_thread(processor(worker_db).process_repo, repo_id, now)
            change = await asyncio.wait_for(queue.get(), 10)
            return change.kind, change.repo_id, time.monotonic() - started
        finally:
            await broadcaster.close()

    try:
        kind, changed, seconds = asyncio.run(scenario())
    finally:
        worker_db.dispose()
    assert (kind, changed) == ("traffic", repo_id)
    assert seconds < 5  # the poll would have come after ten minutes
