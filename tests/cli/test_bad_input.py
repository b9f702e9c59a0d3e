"""Bad input and failing surroundings: one line each, the documented exit code, no
traceback, and the archive keeps exactly what it held before."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.faults import parse_faults
from ghtraffic.fakegithub.server import FakeGitHub, free_port, running

from .helpers import (
    ARCHIVE_FILE,
    HEADER,
    TOKEN,
    Result,
    clean_env,
    copy_archive,
    error_line,
    failure_line,
    repos_of,
)
from .helpers import run_cli as _run

CONFIG = FakeGitHubConfig(repos=8, seed=1)


@dataclass(frozen=True)
class Seed:
    home: Path
    repos: tuple[str, str]
    csv: str


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeGitHub]:
    with running(CONFIG) as server:
        yield server


@pytest.fixture(scope="module")
def seed(fake: FakeGitHub, tmp_path_factory: pytest.TempPathFactory) -> Seed:
    """An archive holding one successful collection of two acme-labs repositories."""
    names = repos_of(fake.world(), "acme-labs")
    assert len(names) >= 2, f"the fake needs two acme-labs repositories, has {names}"
    repos = (names[0], names[1])
    home = tmp_path_factory.mktemp("seed-home")
    env = clean_env(home, GHTRAFFIC_API_URL=fake.api_url, GITHUB_TOKEN=TOKEN)
    cwd = tmp_path_factory.mktemp("seed-work")
    collected = _run(
        ["collect", "--quiet", "--repo", repos[0], "--repo", repos[1]], env=env, cwd=cwd
    )
    assert collected.code == 0, collected
    exported = _run(["export", "--format", "csv"], env=clean_env(home), cwd=cwd)
    assert exported.code == 0, exported
    lines = exported.stdout.splitlines()
    assert lines[0] == HEADER
    assert {line.split(",")[0] for line in lines[1:]} == set(repos)
    return Seed(home, repos, exported.stdout)


@dataclass(frozen=True)
class Case:
    """One test's copy of the seeded archive, the fake's URL and a working folder."""

    home: Path
    cwd: Path
    api_url: str
    repos: tuple[str, str]
    seed_csv: str

    def env(self, **extra: str) -> dict[str, str]:
        values = {"GHTRAFFIC_API_URL": self.api_url, "GITHUB_TOKEN": TOKEN, **extra}
        return clean_env(self.home, **values)

    def assert_archive_unchanged(self) -> None:
        elsewhere = self.cwd.parent / "check"
        elsewhere.mkdir(exist_ok=True)
        exported = _run(["export", "--format", "csv"], env=clean_env(self.home), cwd=elsewhere)
        assert exported.code == 0, exported
        assert exported.stdout == self.seed_csv


@pytest.fixture
def case(seed: Seed, fake: FakeGitHub, tmp_path: Path) -> Case:
    home = tmp_path / "home"
    copy_archive(seed.home, home)
    cwd = tmp_path / "work"
    cwd.mkdir()
    return Case(home, cwd, fake.api_url, seed.repos, seed.csv)


def _assert_one_of_two_failed(case: Case, result: Result, full_name: str, why: str) -> None:
    """A collection of two repositories failed on ``full_name`` alone, for ``why``, and
    the archive keeps what it held."""
    assert why in failure_line(result, full_name)
    assert result.stdout.startswith("2 repos: 1 ok, 1 failed, 0 deferred;"), result
    case.assert_archive_unchanged()


def test_rejected_token(case: Case) -> None:
    wrong = "not-a-real-token-51c2"
    result = _run(
        ["collect", "--repo", case.repos[0]], env=case.env(GITHUB_TOKEN=wrong), cwd=case.cwd
    )
    line = error_line(result, 2)
    assert "rejected the token" in line
    assert wrong not in result.stdout + result.stderr
    case.assert_archive_unchanged()


def test_no_push_access_on_one_of_two_repos(case: Case) -> None:
    kept, denied = case.repos
    config = FakeGitHubConfig(
        repos=CONFIG.repos, seed=CONFIG.seed, faults=parse_faults(f"no-push={denied}")
    )
    with running(config) as fake:
        result = _run(
            ["collect", "--all", "--quiet", "--repo", kept, "--repo", denied],
            env=case.env(GHTRAFFIC_API_URL=fake.api_url),
            cwd=case.cwd,
        )
    _assert_one_of_two_failed(case, result, denied, "push access")


def test_unknown_repo_fails_alone_and_the_other_is_collected(case: Case) -> None:
    missing = "acme-labs/no-such-repo"
    result = _run(
        ["collect", "--all", "--quiet", "--repo", missing, "--repo", case.repos[0]],
        env=case.env(),
        cwd=case.cwd,
    )
    _assert_one_of_two_failed(case, result, missing, "not found")


def test_only_an_unknown_repo(case: Case) -> None:
    missing = "acme-labs/no-such-repo"
    result = _run(["collect", "--quiet", "--repo", missing], env=case.env(), cwd=case.cwd)
    assert result.code == 1, result
    assert result.shows_no_traceback()
    assert result.stderr_lines == [
        f"failed   {missing}: {missing} not found, or the token cannot see it"
    ]
    assert result.stdout.startswith("1 repos: 0 ok, 1 failed, 0 deferred;"), result
    case.assert_archive_unchanged()


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        pytest.param("database_url = [unclosed\n", "is not valid TOML", id="not-toml"),
        pytest.param('colour = "red"\n', "colour", id="unknown-key"),
        pytest.param('[collect]\nskip_forks = "maybe"\n', "skip_forks", id="wrong-type"),
        pytest.param('token_env = "NOPE"\n', "'NOPE'", id="token-env-unset"),
    ],
)
def test_invalid_config_file(case: Case, toml: str, expected: str) -> None:
    (case.cwd / "ghtraffic.toml").write_text(toml, encoding="utf-8")
    result = _run(["collect", "--repo", case.repos[0]], env=case.env(), cwd=case.cwd)
    line = error_line(result, 2)
    assert expected in line
    assert "ghtraffic.toml" in line
    assert result.stdout == ""
    case.assert_archive_unchanged()


def test_config_file_named_by_flag_must_exist(case: Case) -> None:
    missing = case.cwd / "elsewhere.toml"
    result = _run(
        ["collect", "--config", str(missing), "--repo", case.repos[0]],
        env=case.env(),
        cwd=case.cwd,
    )
    line = error_line(result, 2)
    assert str(missing) in line
    assert "does not exist" in line
    case.assert_archive_unchanged()


def test_repo_without_owner(case: Case) -> None:
    result = _run(["collect", "--repo", "notarepo"], env=case.env(), cwd=case.cwd)
    line = error_line(result, 2)
    assert "'notarepo' is not a repository" in line
    assert "OWNER/NAME" in line
    case.assert_archive_unchanged()


def test_nothing_to_collect(case: Case) -> None:
    result = _run(["collect"], env=case.env(), cwd=case.cwd)
    line = error_line(result, 2)
    assert "nothing to collect" in line
    assert "--repo" in line
    case.assert_archive_unchanged()


def test_no_token_anywhere(case: Case) -> None:
    env = case.env()
    del env["GITHUB_TOKEN"]
    result = _run(["collect", "--repo", case.repos[0]], env=env, cwd=case.cwd)
    line = error_line(result, 2)
    assert "no GitHub token" in line
    case.assert_archive_unchanged()


def test_unreachable_api(case: Case) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    result = _run(
        ["collect", "--owner", "acme-labs"], env=case.env(GHTRAFFIC_API_URL=closed), cwd=case.cwd
    )
    line = error_line(result, 1)
    assert f"cannot reach {closed}" in line
    case.assert_archive_unchanged()


def test_read_only_archive(case: Case) -> None:
    path = case.home / ARCHIVE_FILE
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    result = _run(
        ["collect", "--repo", case.repos[0]],
        env=case.env(GHTRAFFIC_DATABASE_URL=read_only),
        cwd=case.cwd,
    )
    line = error_line(result, 1)
    assert f"the archive {path} is read-only" in line
    case.assert_archive_unchanged()


def test_export_of_an_unknown_repo(case: Case) -> None:
    result = _run(
        ["export", "--format", "csv", "--repo", "unknown/repo"],
        env=clean_env(case.home),
        cwd=case.cwd,
    )
    line = error_line(result, 2)
    assert "unknown/repo" in line
    assert result.stdout == "", "no half-written export"
    case.assert_archive_unchanged()


def test_a_usage_error_is_one_line_with_a_pointer_to_help(tmp_path: Path) -> None:
    done = _run(["export", "--since", "2026-13-01"], env=clean_env(tmp_path), cwd=tmp_path)
    assert done.code == 2
    lines = done.stderr_lines
    assert len(lines) == 1
    assert lines[0].startswith("error: Invalid value for '--since'")
    assert "ghtraffic export --help" in lines[0]
