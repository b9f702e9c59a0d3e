"""Imports a person can follow: a file of no known format is named with its header and the
formats there are, ``--strict`` puts the rejected rows' reasons on stderr, and a
github-repo-stats archive imports from its data folder or one of its files, the
repository taken from the path."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.cli.helpers import HEADER, Result, clean_env, error_line, run_cli

from .helpers import REALDATA

KNOWN = (
    "known formats: generic, github-repo-stats, repository-traffic-action, "
    "github-traffic-stats, github-traffic-archive, ncar-metrics, github-stats"
)
GHRS = REALDATA / "ghrs_jgehrcke_ghrs-test" / "jgehrcke" / "github-repo-stats" / "ghrs-data"


def _import(tmp_path: Path, *args: str) -> Result:
    return run_cli(["import", *args], env=clean_env(tmp_path / "home"), cwd=tmp_path)


def _status(tmp_path: Path) -> str:
    return run_cli(["status"], env=clean_env(tmp_path / "home"), cwd=tmp_path).stdout


def test_a_file_of_no_known_format_names_its_header_and_the_formats(tmp_path: Path) -> None:
    source = tmp_path / "stats.csv"
    source.write_text("day,count,uniques\n2026-01-01,3,2\n", encoding="utf-8")
    assert error_line(_import(tmp_path, "auto", str(source)), 2) == (
        f"error: {source} is not in a format ghtraffic knows: it has the header "
        f'"day,count,uniques" ({KNOWN})'
    )
    assert error_line(_import(tmp_path, "ghrs", str(source)), 2) == (
        f"error: {source} is not in the github-repo-stats format: it has the header "
        '"day,count,uniques" (github-repo-stats: jgehrcke/github-repo-stats data branch '
        "(OWNER/REPO/ghrs-data/))"
    )


def test_a_folder_of_no_known_format_names_a_file_and_its_header(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "a.csv").write_text("when,hits\n", encoding="utf-8")
    (folder / "b.json").write_text('{"hits": 3}\n', encoding="utf-8")
    assert error_line(_import(tmp_path, "auto", str(folder)), 2) == (
        f"error: {folder} holds no file in a format ghtraffic knows: a.csv has the header "
        f'"when,hits" (and 1 more files) ({KNOWN})'
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    assert error_line(_import(tmp_path, "auto", str(empty)), 2) == (
        f"error: {empty} holds no .csv or .json file: point at a file or folder another tool wrote"
    )


def test_strict_puts_the_rejected_rows_on_stderr_and_exits_1(tmp_path: Path) -> None:
    source = tmp_path / "daily.csv"
    source.write_text(
        f"{HEADER}\nme/proj,2026-01-01,10,6,3,1\nme/proj,2026-01-02,-1,0,0,0\n"
        "me/proj,2026-13-01,1,1,1,1\n",
        encoding="utf-8",
    )
    result = _import(tmp_path, "auto", str(source), "--strict")
    assert result.code == 1
    assert result.shows_no_traceback()
    assert result.stdout.splitlines() == [
        "imported generic: 1 file, 3 rows read; days 1 added, 0 raised, 0 unchanged;"
        " 2 rows rejected",
        "  me/proj (new, no GitHub id yet): 1 days: 1 added, 0 raised, 0 unchanged",
    ]
    assert result.stderr_lines == [
        f"rejected {source}:3: views is negative: -1",
        f"rejected {source}:4: date is not YYYY-MM-DD: '2026-13-01'",
        "error: 2 rows were rejected (--strict): their reasons are above; what was read is"
        " imported",
    ]
    assert "me/proj" in _status(tmp_path)


def test_github_repo_stats_from_its_data_folder_or_one_file(tmp_path: Path) -> None:
    # As in a checkout of the data branch: OWNER/REPO/ghrs-data/
    data = tmp_path / "checkout" / "jgehrcke" / "github-repo-stats" / "ghrs-data"
    shutil.copytree(GHRS, data)
    folder = _import(tmp_path, "auto", str(data))
    assert folder.code == 0, folder
    assert "  jgehrcke/github-repo-stats (new, no GitHub id yet): 1332 days:" in folder.stdout
    one_file = _import(tmp_path, "github-repo-stats", str(data / "views_clones_aggregate.csv"))
    assert one_file.code == 0, one_file
    assert one_file.stdout.splitlines()[1].startswith(
        "  jgehrcke/github-repo-stats: 1332 days: 0 added, 0 raised, 1332 unchanged"
    )
