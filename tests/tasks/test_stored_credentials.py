"""Workers on a shared PostgreSQL archive need only the key: the tokens are stored there."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import text

from ghtraffic.config import ConfigError, load_settings
from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.server import FakeGitHub, running
from ghtraffic.storage.secrets import new_key
from ghtraffic.tasks.worker import make_runtime
from tests.commands import cli_env
from tests.commands import ghtraffic as run_ghtraffic
from tests.connections import connected

OWNERS = ("octo-demo", "acme-labs", "globex")
STORED = "ghp_workerStoredToken0c1d2e3f4a5b6c7d8e"


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with running(FakeGitHubConfig(repos=6, seed=9, tokens={STORED: "octo-demo"})) as server:
        yield server


#: Every command here reads an empty standard input unless given one.
ghtraffic = partial(run_ghtraffic, stdin="", timeout=180)


def run_of(url: str) -> tuple[object, ...]:
    with connected(url) as connection:
        query = "SELECT status, repos_ok, repos_failed FROM collection_runs"
        return tuple(connection.execute(text(query)).one())


def test_a_worker_collects_with_only_a_stored_token(
    fake: FakeGitHub, pg_url: str, tmp_path: Path
) -> None:
    env = {**cli_env(fake.api_url, pg_url, tmp_path, OWNERS), "GHTRAFFIC_SECRET_KEY": new_key()}
    del env["GITHUB_TOKEN"]
    added = ghtraffic(env, "credential", "add", "team", stdin=STORED)
    assert added.returncode == 0, added.stderr
    queued = ghtraffic(env, "worker", "--run-now")
    assert queued.returncode == 0, queued.stderr
    for _ in range(5):  # an idle worker stops: the scheduling job first, then the rest
        worked = ghtraffic(env, "worker", "--until-idle", "--requests-per-minute", "0")
        assert worked.returncode == 0, worked.stderr
        assert STORED not in worked.stdout + worked.stderr
        if run_of(pg_url)[0] != "running":
            break
    assert run_of(pg_url) == ("ok", len(fake.world()["repos"]), 0)

    wrong = ghtraffic({**env, "GHTRAFFIC_SECRET_KEY": new_key()}, "worker", "--until-idle")
    assert wrong.returncode == 2
    assert "Traceback" not in wrong.stderr
    errors = [line for line in wrong.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, wrong.stderr
    assert "cannot be decrypted with the key in GHTRAFFIC_SECRET_KEY" in errors[0]


def test_make_runtime_without_any_credential_says_so(
    fake: FakeGitHub, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = cli_env(fake.api_url, pg_url, tmp_path, OWNERS)
    del env["GITHUB_TOKEN"]
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))  # no `gh` to ask
    monkeypatch.setenv("GHTRAFFIC_HOME", str(tmp_path))
    settings = load_settings(env=env, need_token=True, check_token=False)
    with pytest.raises(ConfigError, match="no GitHub token"):
        make_runtime(settings)
