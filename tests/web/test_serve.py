"""`ghtraffic serve` as a process: the dashboard answers, and the scheduler's catch-up run
collects at start because the archive has never been collected."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.server import FakeGitHub, free_port, running
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database

pytestmark = pytest.mark.slow


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with running(FakeGitHubConfig(repos=5, seed=4)) as server:
        yield server


def test_serve_answers_and_catches_up_at_start(fake: FakeGitHub, tmp_path: Path) -> None:
    port = free_port()
    url = f"sqlite:///{tmp_path / 'archive.sqlite'}"
    config = tmp_path / "ghtraffic.toml"
    config.write_text(
        '[collect]\nowners = ["acme-labs", "globex"]\n\n'
        "[web]\nsecure_cookies = false\n\n"
        '[schedule]\ncron = "17 3 * * *"\n'
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GHTRAFFIC_", "GITHUB_"))},
        "GHTRAFFIC_HOME": str(tmp_path),
        "GHTRAFFIC_API_URL": fake.api_url,
        "GHTRAFFIC_DATABASE_URL": url,
        "GITHUB_TOKEN": "demo-token",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "ghtraffic", "serve", "--config", str(config), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        runs: list[object] = []
        healthy = False
        while time.monotonic() < deadline and not (healthy and runs):
            time.sleep(0.3)
            assert process.poll() is None, process.communicate()[1]
            try:
                healthy = httpx.get(f"{base}/healthz", timeout=2).status_code == 200
            except httpx.TransportError:
                continue
            db = Database(url)
            runs = [r for r in Archive(db).runs(5) if r.status == "ok"]
            db.dispose()
        assert healthy, "the dashboard answered"
        assert runs, "the catch-up run collected at start"
        login = httpx.get(f"{base}/login", timeout=5)
        assert login.status_code == 200
        assert "password" in login.text
        assert httpx.get(f"{base}/", timeout=5, follow_redirects=False).status_code in (
            302,
            303,
            401,
        )
    finally:
        process.terminate()
        process.wait(timeout=15)
