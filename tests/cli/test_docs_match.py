"""What the README and the demo script say is what the program does."""

from __future__ import annotations

import re
from pathlib import Path

from ghtraffic.cli.demo import DAILY_TAIL, demo_command

from .helpers import HEADER, clean_env, run_cli

ROOT = Path(__file__).parents[2]


def test_the_readme_says_what_export_writes_for_missing_days_and_empty_cells(
    tmp_path: Path,
) -> None:
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert (
        "In exports a day that no collection or import covered has no row; an empty cell is a "
        "value not observed that day (GitHub sent the day's views but not its clones, say); "
        "`0` means GitHub reported no traffic."
    ) in readme
    source = tmp_path / "daily.csv"
    source.write_text(
        f"{HEADER}\nacme/rocket,2026-01-01,5,3,,\nacme/rocket,2026-01-03,0,0,0,0\n",
        encoding="utf-8",
    )
    env = clean_env(tmp_path / "home")
    assert run_cli(["import", "auto", str(source)], env=env, cwd=tmp_path).code == 0
    exported = run_cli(["export", "--format", "csv"], env=env, cwd=tmp_path)
    assert exported.stdout.splitlines() == [
        HEADER,
        "acme/rocket,2026-01-01,5,3,,",  # clones not observed: empty cells
        "acme/rocket,2026-01-03,0,0,0,0",  # observed zeros; 2026-01-02: no row
    ]


def test_the_demo_scripts_comment_matches_the_demo() -> None:
    comment = " ".join(
        line.lstrip("# ")
        for line in (ROOT / "scripts" / "demo").read_text(encoding="utf-8").splitlines()[1:]
        if line.startswith("#")
    )
    defaults = {p.name: p.default for p in demo_command.params}
    assert f"with {defaults['repos']} repositories" in comment
    assert f"{defaults['days']} simulated days" in comment
    assert f"daily runs for the last {DAILY_TAIL} days" in comment
    assert f"http://127.0.0.1:{defaults['port']}" in comment
    assert re.search(r"--no-serve stops after the status", comment)
