"""Local git repositories for the action's tests: a bare ``origin`` and its clones."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

IDENTITY = ("-c", "user.name=Test", "-c", "user.email=test@example.com")


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *IDENTITY, *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


def make_origin(base: Path) -> Path:
    """A bare repository whose ``main`` holds one commit."""
    origin = base / "origin.git"
    git(base, "init", "--quiet", "--bare", "--initial-branch=main", str(origin))
    seed = base / "seed"
    git(base, "clone", "--quiet", str(origin), str(seed))
    (seed / "README.md").write_text("a project\n")
    git(seed, "add", "README.md")
    git(seed, "commit", "--quiet", "-m", "Start")
    git(seed, "push", "--quiet", "origin", "HEAD:main")
    return origin


def clone(origin: Path, target: Path, *, shallow: bool = False) -> Path:
    """A checkout of ``main``; ``shallow``: its newest commit alone, as ``actions/checkout``
    leaves one by default."""
    source = origin.as_uri() if shallow else str(origin)  # --depth needs a URL locally
    depth = ["--depth=1"] if shallow else []
    git(origin.parent, "clone", "--quiet", *depth, "--branch", "main", source, str(target))
    return target


def push_folder(origin: Path, branch: str, folder: Path, work: Path) -> None:
    """Push the files of ``folder`` as the orphan branch ``branch`` of ``origin``."""
    checkout = clone(origin, work)
    git(checkout, "checkout", "--quiet", "--orphan", branch)
    git(checkout, "rm", "-r", "-f", "--quiet", ".")
    shutil.copytree(folder, checkout, dirs_exist_ok=True)
    git(checkout, "add", "--all")
    git(checkout, "commit", "--quiet", "-m", f"{branch} data")
    git(checkout, "push", "--quiet", "origin", f"HEAD:{branch}")


def export_commit(origin: Path, commit: str, target: Path) -> Path:
    """The files of ``commit`` in the folder ``target``."""
    target.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit], cwd=origin, capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target
