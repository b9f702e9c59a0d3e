"""What the action's tests share: runs on the fake GitHub, and the archives they leave."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ghtraffic.action.load import load
from ghtraffic.fakegithub.server import FakeGitHub
from ghtraffic.history import exports
from ghtraffic.storage.archive import Archive, open_archive
from ghtraffic.storage.urls import sqlite_url

from .gitrepo import export_commit, git
from .runner import ActionRun

OWNER = "acme-labs"
BRANCH = "ghtraffic-data"
TOKEN = "demo-token"


def action_archive(run: ActionRun) -> Archive:
    """The archive the run left in its temporary folder."""
    return open_archive(sqlite_url(run.temp / "ghtraffic-action" / "archive.sqlite"))


def branch_head(origin: Path) -> str:
    """The commit the data branch of ``origin`` is at."""
    return git(origin, "rev-parse", f"refs/heads/{BRANCH}")


def restored(origin: Path, commit: str, where: Path) -> Archive:
    """A fresh archive holding the text form of ``commit``."""
    folder = export_commit(origin, commit, where / "files")
    archive = open_archive(sqlite_url(where / "restored.sqlite"))
    load(archive, folder, datetime.now(UTC))
    return archive


def exported(archive: Archive) -> dict[str, list[tuple[Any, ...]]]:
    """Every export kind's rows (an event's database id left out: ids are the archive's)."""
    tables = {kind: exports.build(archive, kind) for kind in exports.KINDS}
    found = {kind: table.rows for kind, table in tables.items()}
    names = [name for name, _ in tables["events"].columns]
    if "id" in names:
        at = names.index("id")
        found["events"] = [row[:at] + row[at + 1 :] for row in found["events"]]
    return found


def start_run(base: Path, name: str, workspace: Path, fake: FakeGitHub, **inputs: str) -> ActionRun:
    """A run of every repository of ``OWNER`` with the fake's token (``inputs`` add to it)."""
    defaults = {"owners": OWNER, "token": TOKEN, "read-all": "true", "data-branch": BRANCH}
    return ActionRun(workspace, base / name, fake.api_url, {**defaults, **inputs})


def finished(run: ActionRun) -> subprocess.CompletedProcess[str]:
    """The run, after checking it succeeded, printed no token and no traceback."""
    done = run.run()
    assert done.returncode == 0, done.stdout + done.stderr
    assert TOKEN not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return done
