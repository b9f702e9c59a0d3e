"""The action's failures: one line, no traceback, never the credential."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.server import FakeGitHub, running

from ..cli.helpers import clean_env, error_line, run_cli
from .gitrepo import clone, git, make_origin
from .helpers import BRANCH, OWNER, TOKEN, finished, start_run

pytestmark = pytest.mark.slow  # runs of the action: seconds each

SECRET = "ghp_not-a-real-token-but-secret"


def _action_env(home: Path, **settings: str) -> dict[str, str]:
    env = clean_env(home, GITHUB_WORKSPACE=str(home), RUNNER_TEMP=str(home))
    env.update({f"GHTRAFFIC_ACTION_{key.upper()}": value for key, value in settings.items()})
    return env


def test_without_a_credential_it_says_which_one_is_needed(tmp_path: Path) -> None:
    result = run_cli(["action", "run"], env=_action_env(tmp_path, owners=OWNER), cwd=tmp_path)
    line = error_line(result, 2)
    assert "no credential" in line
    assert "Administration: read" in line
    assert "GITHUB_TOKEN cannot read traffic" in line


def test_an_app_id_needs_its_key(tmp_path: Path) -> None:
    env = _action_env(tmp_path, owners=OWNER, app_id="123")
    assert "go together" in error_line(run_cli(["action", "run"], env=env, cwd=tmp_path), 2)


def test_without_git_it_says_so(tmp_path: Path) -> None:
    env = _action_env(tmp_path, owners=OWNER, token=SECRET)  # PATH: the interpreter's only
    result = run_cli(["action", "run"], env=env, cwd=tmp_path)
    assert "git is not installed" in error_line(result, 1)
    assert SECRET not in result.stdout + result.stderr


def test_outside_a_checkout_it_says_to_check_out_first(tmp_path: Path) -> None:
    env = _action_env(tmp_path, owners=OWNER, token=SECRET)
    env["PATH"] += os.pathsep + str(Path(git_program()).parent)
    result = run_cli(["action", "run"], env=env, cwd=tmp_path)
    assert "is not a git checkout: run actions/checkout first" in error_line(result, 1)


def git_program() -> str:
    found = shutil.which("git")
    assert found is not None
    return found


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeGitHub]:
    with running(FakeGitHubConfig(repos=8, seed=1)) as server:
        yield server


def _last_error(done: subprocess.CompletedProcess[str]) -> str:
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert done.returncode == 1, done.stdout + done.stderr
    assert errors == done.stderr.splitlines()[-1:], done.stderr
    assert "Traceback" not in done.stderr
    assert TOKEN not in done.stdout + done.stderr
    return errors[0]


def _hook(repository: Path, name: str, body: str) -> None:
    hook = repository / name
    hook.write_text("#!/usr/bin/env bash\n" + body)
    hook.chmod(0o755)


def test_a_push_the_remote_refuses_fails_in_one_line(fake: FakeGitHub, tmp_path: Path) -> None:
    origin = make_origin(tmp_path)
    _hook(origin / "hooks", "pre-receive", "echo 'protected branch' >&2\nexit 1\n")
    workspace = clone(origin, tmp_path / "workspace")
    done = start_run(tmp_path, "run", workspace, fake).run()
    line = _last_error(done)
    assert line.startswith(f"error: git push to {BRANCH} failed: ")
    # Once the remote takes pushes, the next run starts the branch anew in the same checkout.
    (origin / "hooks" / "pre-receive").unlink()
    finished(start_run(tmp_path, "again", workspace, fake))
    assert git(origin, "rev-list", "--count", BRANCH) == "1"


def test_a_branch_that_keeps_moving_gives_up_after_the_retries(
    fake: FakeGitHub, tmp_path: Path
) -> None:
    origin = make_origin(tmp_path)
    workspace = clone(origin, tmp_path / "workspace")
    other = clone(origin, tmp_path / "other")
    # Before each push of the run, another writer moves the branch (a new commit each time).
    mover = " && ".join(
        f"git -C {shlex.quote(str(other))} {command}"
        for command in (
            f"checkout -q --orphan moved-{BRANCH}",
            "-c user.name=T -c user.email=t@example.com commit -q --allow-empty -m $(date +%s%N)",
            f"push -q --force origin HEAD:{BRANCH}",
            "checkout -q main",
            f"branch -q -D moved-{BRANCH}",
        )
    )
    _hook(workspace / ".git" / "hooks", "pre-push", f"unset $(compgen -e | grep ^GIT_)\n{mover}\n")
    done = start_run(tmp_path, "run", workspace, fake, **{"push-retries": "1"}).run()
    line = _last_error(done)
    assert line == (
        f"error: the branch {BRANCH} kept moving: pushed nothing after 1 retries;"
        " the next run collects again"
    )
    assert done.stdout.count("merging it") == 1


def test_a_rejected_token_commits_nothing(fake: FakeGitHub, tmp_path: Path) -> None:
    origin = make_origin(tmp_path)
    workspace = clone(origin, tmp_path / "workspace")
    done = start_run(tmp_path, "run", workspace, fake, token=SECRET).run()
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert SECRET not in done.stdout + done.stderr
    assert [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert f"nothing is committed to {BRANCH}" in done.stdout
    assert git(origin, "branch", "--list", BRANCH) == ""
