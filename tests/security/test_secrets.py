"""A GitHub token must never be written anywhere: plant a recognisable one, run the
commands that touch it (with debug logging on), and search every output, the archive
file, its exports and a backup for it. Tokens are read from the environment and never
stored, so there is nothing at rest to encrypt; this test keeps it that way."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.server import FakeGitHub, running

TOKEN = "ghtraffic-planted-7f3a9c1e5b2d4a6f8e0c"


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with running(FakeGitHubConfig(repos=4, seed=3, tokens={TOKEN: "octo-demo"})) as server:
        yield server


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "ghtraffic", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    return done.stdout + done.stderr


def test_a_planted_token_appears_in_no_output_file_or_export(
    fake: FakeGitHub, tmp_path: Path
) -> None:
    archive = tmp_path / "archive.sqlite"
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("GHTRAFFIC_", "GITHUB_", "GH_"))
        },
        "GHTRAFFIC_HOME": str(tmp_path),
        "GHTRAFFIC_API_URL": fake.api_url,
        "GHTRAFFIC_DATABASE_URL": f"sqlite:///{archive}",
        "GHTRAFFIC_DEBUG": "1",
        "GITHUB_TOKEN": TOKEN,
    }
    outputs = [
        _run(env, "collect", "--owner", "acme-labs", "--owner", "globex"),
        _run(env, "collect", "--repo", "acme-labs/does-not-exist"),
        _run(env, "status", "--json"),
        _run(env, "export", "--format", "json"),
        _run(env, "export", "--kind", "repos", "--format", "csv"),
        _run({**env, "GITHUB_TOKEN": TOKEN + "-wrong"}, "collect", "--owner", "globex"),
        _run({**env, "GITHUB_TOKEN": TOKEN + "-wrong"}, "fetch", "globex/anything"),
        _run(env, "backup", str(tmp_path / "backup.gz")),
    ]
    assert "repos:" in outputs[0], outputs[0]  # the collection really ran
    for text in outputs:
        assert TOKEN not in text
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("archive.sqlite*"))
    assert stored, "the archive was written"
    assert TOKEN.encode() not in stored
    assert TOKEN.encode() not in gzip.decompress((tmp_path / "backup.gz").read_bytes())
