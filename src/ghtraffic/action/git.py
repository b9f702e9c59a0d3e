"""The ``git`` commands of the action, run as subprocesses, each failure one line.

The data branch is checked out in a worktree of the repository the workflow checked
out, so pushes use the credentials ``actions/checkout`` left in its configuration;
nothing here sees a token. Git never asks for input (``GIT_TERMINAL_PROMPT=0``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

#: The committer when the repository configures none (GitHub's bot for Actions).
BOT_NAME = "github-actions[bot]"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"


class GitError(Exception):
    """A git command that failed; the message is one line saying which and why."""


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


@dataclass(frozen=True)
class Git:
    """``git`` in the folder ``cwd`` (a repository or one of its worktrees)."""

    cwd: Path

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``git ARGS``; with ``check`` a non-zero exit raises ``GitError``."""
        program = shutil.which("git")
        if program is None:
            raise GitError("git is not installed (or not on PATH): the action needs it")
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
        done = subprocess.run(
            [program, *args], cwd=self.cwd, env=env, capture_output=True, text=True, check=False
        )
        if check and done.returncode != 0:
            raise GitError(f"git {args[0]} failed: {_last_line(done.stderr or done.stdout)}")
        return done

    def output(self, *args: str) -> str:
        return self.run(*args).stdout.strip()

    def revision(self, ref: str) -> str | None:
        """The commit ``ref`` names, or ``None`` when there is none."""
        done = self.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
        return done.stdout.strip() or None


@dataclass(frozen=True)
class DataBranch:
    """A branch of ``remote``, checked out in a worktree of ``repository`` at ``path``."""

    repository: Path
    remote: str
    branch: str
    path: Path

    @property
    def tracking(self) -> str:
        return f"refs/remotes/{self.remote}/{self.branch}"

    @property
    def git(self) -> Git:
        return Git(self.path)

    def fetch(self) -> str | None:
        """Fetch the branch; returns its commit, ``None`` when the remote has no such branch."""
        repo = Git(self.repository)
        found = repo.run(
            "ls-remote", "--exit-code", "--heads", self.remote, self.branch, check=False
        )
        if found.returncode == 2:
            return None
        if found.returncode != 0:
            raise GitError(f"git ls-remote {self.remote} failed: {_last_line(found.stderr)}")
        # A shallow checkout (actions/checkout's default) fetches the newest commit alone:
        # the branch's history is not needed to add a commit to it.
        shallow = repo.output("rev-parse", "--is-shallow-repository") == "true"
        depth = ["--depth=1"] if shallow else []
        refspec = f"+refs/heads/{self.branch}:{self.tracking}"
        repo.run("fetch", "--quiet", "--no-tags", *depth, self.remote, refspec)
        return repo.revision(self.tracking)

    def check_out(self) -> bool:
        """Add the worktree at the remote's branch, or as a new orphan branch when the remote
        has none; returns whether the branch existed."""
        repo = Git(self.repository)
        repo.run("version")
        if not (self.repository / ".git").exists():
            raise GitError(f"{self.repository} is not a git checkout: run actions/checkout first")
        repo.run("worktree", "prune")
        existed = self.fetch() is not None
        if existed:
            repo.run(
                "worktree",
                "add",
                "--quiet",
                "--force",
                "-B",
                self.branch,
                str(self.path),
                self.tracking,
            )
            return True
        # A local branch of that name left by an earlier run goes, as -B resets one above.
        repo.run("branch", "--quiet", "-D", self.branch, check=False)
        repo.run("worktree", "add", "--quiet", "--force", "--detach", str(self.path))
        self.git.run("checkout", "--quiet", "--orphan", self.branch)
        self.git.run("rm", "-r", "-f", "--quiet", "--ignore-unmatch", ".")
        self.git.run("clean", "-f", "-d", "-x", "--quiet")
        return False

    def reset_to_remote(self) -> None:
        """Make the worktree the remote's branch as fetched (local commits dropped)."""
        self.git.run("reset", "--quiet", "--hard", self.tracking)
        self.git.run("clean", "-f", "-d", "--quiet")

    def commit(self, message: str) -> str | None:
        """Commit every change in the worktree; returns the commit, ``None`` when nothing
        changed."""
        git = self.git
        git.run("add", "--all")
        if git.run("diff", "--cached", "--quiet", check=False).returncode == 0:
            return None
        identity: list[str] = []
        if not git.run("config", "user.email", check=False).stdout.strip():
            identity = ["-c", f"user.name={BOT_NAME}", "-c", f"user.email={BOT_EMAIL}"]
        git.run(*identity, "commit", "--quiet", "--no-verify", "-m", message)
        return git.output("rev-parse", "HEAD")

    def push(self) -> str | None:
        """Push the worktree's branch; returns ``None`` on success, else git's reason."""
        done = self.git.run(
            "push", "--quiet", self.remote, f"HEAD:refs/heads/{self.branch}", check=False
        )
        return None if done.returncode == 0 else _last_line(done.stderr)

    def remove(self) -> None:
        """Remove the worktree (its branch and commits stay in the repository)."""
        Git(self.repository).run("worktree", "remove", "--force", str(self.path), check=False)
