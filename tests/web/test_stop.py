"""`ghtraffic serve` stops when told, live pages open and a collection running: within
5 s of SIGTERM (systemctl stop, docker stop) or SIGINT (Ctrl-C), exit 0, every open
stream told to close first, and the collection's committed repositories kept."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.faults import parse_faults
from ghtraffic.fakegithub.server import FakeGitHub, running
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database
from ghtraffic.web.server import STOP_SECONDS
from tests.web.serving import Served, Stream, serving

pytestmark = pytest.mark.slow


@pytest.fixture
def slow_fake() -> Iterator[FakeGitHub]:
    """A fake GitHub slow enough that the catch-up collection still runs when stopped."""
    with running(FakeGitHubConfig(repos=40, seed=5, faults=parse_faults("latency=150"))) as fake:
        yield fake


def collected(served: Served) -> int:
    db = Database(served.database_url)
    try:
        return sum(1 for repo in Archive(db).status(datetime.now(UTC)).repos if repo.days_archived)
    finally:
        db.dispose()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_with_two_live_streams_and_a_collection_stops_within_5_s(
    sig: signal.Signals, slow_fake: FakeGitHub, tmp_path: Path
) -> None:
    toml = '[collect]\nowners = ["acme-labs", "globex", "octo-demo"]\n'
    env = {"GITHUB_TOKEN": "demo-token", "GHTRAFFIC_API_URL": slow_fake.api_url}
    with serving(tmp_path, toml, env=env) as served:
        streams = [Stream(served).start(), Stream(served).start()]
        deadline = time.monotonic() + 30
        while collected(served) == 0:  # the catch-up run has committed something
            assert time.monotonic() < deadline, "the catch-up collection committed nothing"
            time.sleep(0.2)
        signalled = time.monotonic()
        served.process.send_signal(sig)
        code = served.process.wait(timeout=30)
        took = time.monotonic() - signalled
        _, stderr = served.process.communicate()
        kept = collected(served)
    assert took < STOP_SECONDS, f"serve took {took:.1f} s to stop"
    assert code == 0, stderr
    assert f"stopped on {sig.name}" in stderr
    assert "Traceback" not in stderr
    for stream in streams:
        assert stream.ended.wait(5), "the stream ended with the server"
        assert "event: closing" in stream.lines, stream.lines
    assert kept > 0, "the repositories committed before the stop are kept"
