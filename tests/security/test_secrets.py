"""A GitHub token must never be written anywhere in clear: plant recognisable ones (one
in the environment, one stored with ``ghtraffic credential add``), run the commands that
touch them (with debug logging on), and search every output, the archive file and its
WAL, its exports and a backup for them. A stored token is kept only Fernet-encrypted."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest

from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.server import FakeGitHub, running
from tests.commands import ghtraffic, isolated_env

TOKEN = "ghtraffic-planted-7f3a9c1e5b2d4a6f8e0c"
STORED = "ghtraffic-stored-3b8e1d6a0c4f2e9b7a5d"


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with running(
        FakeGitHubConfig(repos=4, seed=3, tokens={TOKEN: "octo-demo", STORED: "octo-demo"})
    ) as server:
        yield server


def _run(env: dict[str, str], *args: str, stdin: str = "") -> str:
    done = ghtraffic(env, *args, stdin=stdin)
    return done.stdout + done.stderr


def test_a_planted_token_appears_in_no_output_file_or_export(
    fake: FakeGitHub, tmp_path: Path
) -> None:
    archive = tmp_path / "archive.sqlite"
    env = {
        **isolated_env(fake.api_url, f"sqlite:///{archive}", tmp_path, token=TOKEN),
        "GHTRAFFIC_DEBUG": "1",
    }
    outputs = [
        _run(env, "collect", "--owner", "acme-labs", "--owner", "globex"),
        _run(env, "collect", "--repo", "acme-labs/does-not-exist"),
        _run(env, "status", "--json"),
        _run(env, "export", "--format", "json"),
        _run(env, "export", "--kind", "repos", "--format", "csv"),
        _run({**env, "GITHUB_TOKEN": TOKEN + "-wrong"}, "collect", "--owner", "globex"),
        _run({**env, "GITHUB_TOKEN": TOKEN + "-wrong"}, "fetch", "globex/anything"),
    ]
    only_stored = {k: v for k, v in env.items() if k != "GITHUB_TOKEN"}
    outputs += [
        _run(env, "credential", "add", "planted", stdin=STORED + "\n"),
        _run(only_stored, "collect", "--owner", "globex"),
        _run(only_stored, "credential", "list"),
        _run(env, "export", "--format", "json"),
        _run(env, "backup", str(tmp_path / "backup.gz")),
    ]
    assert "repos:" in outputs[0], outputs[0]  # the collection really ran
    assert "stored token 'planted'" in outputs[7], outputs[7]
    assert "repos:" in outputs[8], outputs[8]  # ... and with only the stored token
    for text in outputs:
        assert TOKEN not in text
        assert STORED not in text
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("archive.sqlite*"))
    assert stored, "the archive was written"
    backup = gzip.decompress((tmp_path / "backup.gz").read_bytes())
    assert b"stored_credentials" in backup
    for planted in (TOKEN.encode(), STORED.encode()):
        assert planted not in stored
        assert planted not in backup
