"""Two collections started together while `ghtraffic serve` answers API requests, all on
one SQLite file: no "database is locked", every request answered, nothing counted twice."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.faults import parse_faults
from ghtraffic.fakegithub.server import FakeGitHub, free_port, running
from tests.commands import collect_command, ghtraffic, isolated_env

OWNERS = ("octo-demo", "acme-labs", "globex")
pytestmark = pytest.mark.slow


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with running(FakeGitHubConfig(repos=12, seed=8, faults=parse_faults("latency=10"))) as server:
        yield server


def _env(fake: FakeGitHub, archive: Path, home: Path) -> dict[str, str]:
    return isolated_env(fake.api_url, f"sqlite:///{archive}", home)


def _cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    return ghtraffic(env, *args, stdin=stdin, check=True).stdout


def _collect() -> list[str]:
    return collect_command(OWNERS)


def test_two_collections_and_the_dashboard_share_one_sqlite_file(
    fake: FakeGitHub, tmp_path: Path
) -> None:
    env = _env(fake, tmp_path / "archive.sqlite", tmp_path)
    _cli(
        env, "user", "add", "admin", "--admin", "--password-stdin", stdin="correct horse battery\n"
    )
    token = _cli(env, "user", "token", "admin").strip().splitlines()[-1]
    config = tmp_path / "ghtraffic.toml"
    config.write_text("[web]\nsecure_cookies = false\n")
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ghtraffic",
            "serve",
            "--no-scheduler",
            "--port",
            str(port),
            "--config",
            str(config),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        runs = [
            subprocess.Popen(
                _collect(), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for _ in range(2)
        ]
        statuses: list[int] = []
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            while any(run.poll() is None for run in runs):
                statuses.append(client.get("/api/v1/repos").status_code)
        outputs = [run.communicate() for run in runs]
    finally:
        server.terminate()
        _, server_errors = server.communicate(timeout=15)
    for run, (_, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err
        assert "locked" not in err
    assert statuses, "the API was asked while the collections ran"
    assert set(statuses) == {200}
    assert "locked" not in server_errors

    reference = _env(fake, tmp_path / "reference.sqlite", tmp_path)
    subprocess.run(_collect(), env=reference, capture_output=True, check=True)
    assert _cli(env, "export", "--format", "csv") == _cli(reference, "export", "--format", "csv")
