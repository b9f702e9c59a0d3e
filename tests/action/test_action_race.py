"""Two runs racing on the data branch lose nothing of each other's.

Both restore the same commit. Run B (one repository) starts and pushes while run A
(another repository) is about to push: A's git ``pre-push`` hook runs B to its end. A's
push is then rejected, A fetches B's commit, merges its text form, and pushes on top.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.server import running

from ..cli.helpers import repos_of
from . import helpers
from .gitrepo import clone, git, make_origin
from .helpers import BRANCH, OWNER, start_run
from .runner import ActionRun

pytestmark = pytest.mark.slow  # runs of the action: seconds each


@dataclass
class Race:
    base: Path
    origin: Path
    start: str
    a: ActionRun
    b: ActionRun
    a_output: str
    b_output: str
    names: tuple[str, str]


def _run_first(hooked: Path, script: Path, log: Path) -> None:
    """A ``pre-push`` hook in ``hooked`` that runs ``script`` once, before the first push."""
    marker = log.with_suffix(".started")
    hook = hooked / ".git" / "hooks" / "pre-push"
    hook.write_text(
        "#!/usr/bin/env bash\n"
        f"[ -e {shlex.quote(str(marker))} ] && exit 0\n"
        f"touch {shlex.quote(str(marker))}\n"
        f"bash {shlex.quote(str(script))} > {shlex.quote(str(log))} 2>&1 || true\n"
    )
    hook.chmod(0o755)


@pytest.fixture(scope="module")
def race(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Race]:
    base = tmp_path_factory.mktemp("race")
    origin = make_origin(base)
    first, second = clone(origin, base / "w1"), clone(origin, base / "w2")
    with running(FakeGitHubConfig(repos=8, seed=1)) as fake:
        helpers.finished(start_run(base, "run0", first, fake, **{"commit-report": "true"}))
        start = helpers.branch_head(origin)
        fake.advance_days(1)
        one, other = repos_of(fake.world(), OWNER)[:2]
        a = start_run(base, "a", first, fake, owners="", repositories=one)
        b = start_run(base, "b", second, fake, owners="", repositories=other)
        _run_first(first, b.script(), base / "b.log")
        a_done = helpers.finished(a)
        yield Race(
            base, origin, start, a, b, a_done.stdout, (base / "b.log").read_text(), (one, other)
        )


def test_the_later_push_merges_the_earlier_one(race: Race) -> None:
    assert "pushed" in race.b_output, race.b_output
    assert "moved while this run collected: merging it" in race.a_output
    commits = git(race.origin, "rev-list", "--reverse", f"{race.start}..{BRANCH}").splitlines()
    assert len(commits) == 2  # B's, then A's on top of it: no commit lost, no merge commit
    assert git(race.origin, "rev-list", "--count", f"{BRANCH}", "^" + commits[0]) == "1"


def test_nothing_either_run_read_is_lost(race: Race) -> None:
    final = helpers.exported(
        helpers.restored(race.origin, helpers.branch_head(race.origin), race.base / "restore")
    )
    assert final == helpers.exported(helpers.action_archive(race.a))
    theirs = helpers.exported(helpers.action_archive(race.b))
    for kind in ("daily", "windows", "referrers", "paths", "weekly"):
        rows = {row[:3]: row for row in final[kind]}
        for row in theirs[kind]:
            assert rows[row[:3]] == row, (kind, row)
    newest = {name: max(r[1] for r in final["daily"] if r[0] == name) for name in race.names}
    assert newest[race.names[0]] == newest[race.names[1]]  # both read the new day


def test_a_committed_report_stays_when_later_runs_do_not_commit_one(race: Race) -> None:
    files = git(race.origin, "ls-tree", "-r", "--name-only", BRANCH).splitlines()
    assert "report/index.html" in files
    assert git(race.origin, "diff", "--name-only", race.start, BRANCH, "--", "report") == ""
