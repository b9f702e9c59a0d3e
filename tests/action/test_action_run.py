"""``action.yml`` run as a runner would, against the fake GitHub and a local ``origin``.

Two daily runs (a github-repo-stats branch imported on the first), the second adding
one commit of new lines; the branch restored into a fresh archive exports what the
action's archive exports; two runs racing on the branch (both restored from the same
commit, one pushing while the other collects) lose nothing.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.server import FakeGitHub, running
from ghtraffic.history import exports

from .gitrepo import clone, git, make_origin, push_folder
from .helpers import (
    OWNER,
    action_archive,
    branch_head,
    exported,
    finished,
    restored,
    start_run,
)
from .runner import ActionRun

pytestmark = pytest.mark.slow  # runs of the action: seconds each

GHRS = Path(__file__).parents[1] / "data" / "realdata" / "ghrs_jgehrcke_ghrs-test"


@dataclass
class Scenario:
    base: Path
    origin: Path
    workspace: Path
    fake: FakeGitHub
    runs: list[tuple[ActionRun, subprocess.CompletedProcess[str]]]
    commits: list[str]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    base = tmp_path_factory.mktemp("action")
    origin = make_origin(base)
    push_folder(origin, "github-repo-stats", GHRS, base / "ghrs-checkout")
    workspace = clone(origin, base / "workspace", shallow=True)
    with running(FakeGitHubConfig(repos=8, seed=1)) as fake:
        first = start_run(
            base, "run1", workspace, fake, **{"import-github-repo-stats": "github-repo-stats"}
        )
        runs = [(first, finished(first))]
        commits = [branch_head(origin)]
        fake.advance_days(1)
        second = start_run(base, "run2", workspace, fake)
        runs.append((second, finished(second)))
        commits.append(branch_head(origin))
        yield Scenario(base, origin, workspace, fake, runs, commits)


def test_the_first_run_makes_the_branch_and_imports_github_repo_stats(scenario: Scenario) -> None:
    run, done = scenario.runs[0]
    assert "does not exist yet: this run starts it" in done.stdout
    assert "imported github-repo-stats from github-repo-stats: 2 repositories" in done.stdout
    # An orphan branch: its first commit has no parent, and nothing of main.
    assert git(scenario.origin, "log", "--format=%P", "-1", scenario.commits[0]) == ""
    files = git(scenario.origin, "ls-tree", "-r", "--name-only", scenario.commits[0])
    readme = git(scenario.origin, "show", f"{scenario.commits[0]}:README.md")
    assert readme.startswith("# ghtraffic data")  # not main's
    assert "ghtraffic-text.json" in files.splitlines()
    names = {row[0] for row in exported(action_archive(run))["repos"]}
    assert "jgehrcke/covid-19-germany-gae" in names
    assert any(name.startswith(f"{OWNER}/") for name in names)
    pip = (run.temp / "bin" / "pip.log").read_text()
    assert str(Path(__file__).resolve().parents[2]) in pip


def test_the_second_run_adds_one_commit_of_new_lines(scenario: Scenario) -> None:
    assert git(scenario.workspace, "rev-parse", "--is-shallow-repository") == "true"
    first, second = scenario.commits
    assert "imported" not in scenario.runs[1][1].stdout  # only the first run imports
    assert git(scenario.origin, "rev-list", "--count", f"{first}..{second}") == "1"
    numstat = git(scenario.origin, "diff", "--numstat", first, second).splitlines()
    assert numstat
    assert all(not line.startswith("-\t-\t") for line in numstat)  # no binary file
    diff = git(scenario.origin, "diff", "--unified=0", first, second)
    added, removed = _changed_lines(diff)
    assert sum(len(lines) for lines in added.values()) > 0
    # A line changes only where GitHub raised a day it still serves (the maximum rule):
    # the same day's line comes back with no figure lower.
    for path, lines in removed.items():
        assert path.endswith(("/daily.csv", "/weekly.csv")), (path, lines)
        new = {line.split(",")[0]: line for line in added[path]}
        for line in lines:
            key, *old = line.split(",")
            raised = new[key].split(",")[1:]
            assert all(int(b or 0) >= int(a or 0) for a, b in zip(old, raised, strict=True))


def _changed_lines(diff: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    added: dict[str, list[str]] = {}
    removed: dict[str, list[str]] = {}
    current = ""
    for line in diff.splitlines():
        if line.startswith("+++ "):
            current = line[6:]
        elif line.startswith("--- "):
            continue
        elif line.startswith("+"):
            added.setdefault(current, []).append(line[1:])
        elif line.startswith("-"):
            removed.setdefault(current, []).append(line[1:])
    return added, removed


def test_the_branch_restores_into_a_fresh_archive_exporting_the_same(scenario: Scenario) -> None:
    run, _ = scenario.runs[1]
    archive = restored(scenario.origin, scenario.commits[1], scenario.base / "restore")
    mine, theirs = exported(action_archive(run)), exported(archive)
    for kind in exports.KINDS:
        assert theirs[kind] == mine[kind], kind
    assert all(mine[kind] for kind in ("daily", "weekly", "windows", "referrers", "repos"))


def test_the_run_sets_its_outputs_and_writes_the_report(scenario: Scenario) -> None:
    run, _ = scenario.runs[1]
    outputs = run.outputs()
    assert outputs["data-commit"] == scenario.commits[1]
    assert (Path(outputs["report-dir"]) / "index.html").is_file()
    assert Path(outputs["report-dir"]) == scenario.workspace / "ghtraffic-report"
