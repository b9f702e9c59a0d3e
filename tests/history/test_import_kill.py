"""An import killed at any moment leaves a sound archive, and the next import completes it
to exactly what an uninterrupted import gives (one transaction per repository)."""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from tests.commands import ghtraffic
from tests.connections import assert_sqlite_intact, connected
from tests.kills import kill_at_random_moments, timed_run

#: SIGKILLs per back end (SQLite, PostgreSQL): with the other command's test, 100 random
#: moments in all. ``GHTRAFFIC_CRASH_KILLS`` sets more.
KILLS = int(os.environ.get("GHTRAFFIC_CRASH_KILLS", "25"))


def _write_csv(path: Path, repos: int = 60, days: int = 400) -> None:
    rng = random.Random(5)
    first = date(2024, 1, 1)
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["repo", "date", "views", "views_unique", "clones", "clones_unique"])
        for r in range(repos):
            for d in range(days):
                views = rng.randint(0, 500)
                clones = rng.randint(0, 80)
                writer.writerow(
                    [
                        f"org{r % 3}/repo-{r}",
                        (first + timedelta(days=d)).isoformat(),
                        views,
                        views // 3,
                        clones,
                        clones // 4,
                    ]
                )


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return ghtraffic(env, *args, timeout=300)


def _sound(url: str) -> None:
    with connected(url) as connection:
        assert_sqlite_intact(connection)
        if "traffic_daily" not in inspect(connection).get_table_names():
            return
        # one transaction per repository: a repository is either whole or absent
        counts = (
            connection.execute(text("SELECT count(*) FROM traffic_daily GROUP BY repo_id"))
            .scalars()
            .all()
        )
        assert set(counts) <= {400}


@pytest.mark.slow
def test_killed_imports_leave_a_sound_archive_and_the_next_completes_it(
    database_url: str, tmp_path: Path
) -> None:
    source = tmp_path / "history.csv"
    _write_csv(source)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GHTRAFFIC_")},
        "GHTRAFFIC_HOME": str(tmp_path),
        "GHTRAFFIC_DATABASE_URL": database_url,
    }
    reference = {**env, "GHTRAFFIC_DATABASE_URL": f"sqlite:///{tmp_path / 'reference.sqlite'}"}
    command = [sys.executable, "-m", "ghtraffic", "import", "generic", str(source)]
    kills = kill_at_random_moments(
        command,
        env,
        runs=KILLS,
        run_seconds=timed_run(command, reference),
        rng=random.Random(99),
        after_each=lambda: _sound(database_url),
    )
    assert kills >= KILLS // 4, f"only {kills} of {KILLS} imports were killed before they ended"

    final = _run(env, "import", "generic", str(source))
    assert final.returncode == 0, final.stderr
    _sound(database_url)
    exported = _run(env, "export", "--format", "csv").stdout
    assert exported == _run(reference, "export", "--format", "csv").stdout
    assert exported.count("\n") == 60 * 400 + 1
