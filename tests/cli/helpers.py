"""Running ``ghtraffic`` the way a person does: a real process with a clean environment.

The environment keeps no token, no ``GHTRAFFIC_*`` setting and no ``gh`` binary on PATH,
and points ``GHTRAFFIC_HOME`` at a folder of the test, so nothing reaches the user's own
archive or credentials.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

PYTHON_DIR = str(Path(sys.executable).parent)
ARCHIVE_FILE = "ghtraffic.sqlite"
TOKEN = "demo-token"
API_HEADERS = {
    "User-Agent": "ghtraffic-tests",
    "Accept": "application/vnd.github+json",
    "X-GitHub-Api-Version": "2022-11-28",
}
HEADER = "repo,date,views,views_unique,clones,clones_unique"


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without tokens or ghtraffic settings, archive under ``home``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("GITHUB_TOKEN", "GH_TOKEN") and not key.startswith("GHTRAFFIC_")
    }
    env["PATH"] = PYTHON_DIR
    env["GHTRAFFIC_HOME"] = str(home)
    env.update(extra)
    return env


@dataclass(frozen=True)
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def stderr_lines(self) -> list[str]:
        return self.stderr.splitlines()

    def shows_no_traceback(self) -> bool:
        return "Traceback" not in self.stdout and "Traceback" not in self.stderr


def run_cli(
    args: Sequence[str],
    *,
    env: dict[str, str],
    cwd: Path,
    timeout: float = 60.0,
    stdin: str | None = None,
) -> Result:
    """``ghtraffic ARGS`` in a process; ``stdin`` is piped in (else there is none)."""
    done = subprocess.run(
        [sys.executable, "-m", "ghtraffic", *args],
        env=env,
        cwd=cwd,
        input=stdin,
        stdin=subprocess.DEVNULL if stdin is None else None,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def error_line(result: Result, code: int) -> str:
    """The single ``error:`` line of a failed command, after checking its exit code."""
    assert result.code == code, result
    assert result.shows_no_traceback(), result
    assert len(result.stderr_lines) == 1, result
    line = result.stderr_lines[0]
    assert line.startswith("error: "), result
    return line


def failure_line(result: Result, full_name: str) -> str:
    """The single line of a collection that failed on ``full_name`` (exit code 1), after
    checking that no other line and no traceback was written."""
    assert result.code == 1, result
    assert result.shows_no_traceback()
    assert len(result.stderr_lines) == 1, result
    line = result.stderr_lines[0]
    assert line.startswith(f"failed   {full_name}: ")
    return line


def copy_archive(source: Path, target: Path) -> None:
    """Copy the SQLite archive of ``source`` (with any WAL files) into the folder ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        path = source / f"{ARCHIVE_FILE}{suffix}"
        if path.exists():
            shutil.copy2(path, target / path.name)


def served_traffic(api_url: str, full_name: str, token: str = TOKEN) -> dict[str, object]:
    """What the GitHub at ``api_url`` serves for the four traffic endpoints, right now."""
    base = f"{api_url}/repos/{full_name}/traffic"
    headers = {**API_HEADERS, "Authorization": f"Bearer {token}"}
    urls = {
        "views": f"{base}/views?per=day",
        "clones": f"{base}/clones?per=day",
        "referrers": f"{base}/popular/referrers",
        "paths": f"{base}/popular/paths",
    }
    document: dict[str, object] = {}
    with httpx.Client(headers=headers, timeout=10) as http:
        for key, url in urls.items():
            response = http.get(url)
            response.raise_for_status()
            document[key] = response.json()
    return document


def repos_of(world: dict[str, object], owner: str) -> list[str]:
    repos = world["repos"]
    assert isinstance(repos, list)
    return sorted(r["full_name"] for r in repos if r["full_name"].startswith(f"{owner}/"))
