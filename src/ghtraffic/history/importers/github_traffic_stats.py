"""nchah/github-traffic-stats (``gts ... save_csv``) and merges of its files.

Per run ``<local time>-traffic-stats.csv`` (``repository_name,date,views,unique_visitors/cloners``),
``-clone-stats.csv`` (``repository_name,date,clones,unique_visitors/cloners``; the
jpmorgan-payments merge names the last column ``unique_cloners``) and
``-referrer-stats.csv`` (``repository_name,site,views,unique_visitors/cloners``), CRLF.

``repository_name`` is the bare name: ``--owner`` gives the owner (``--repo`` names the
repository when the files hold one only, e.g. under its old name). Several per-run files
of one day are merged by the maximum (gts's own ``merge-csv.sh`` keeps the oldest row,
which may be a partial day). Rows are rejected, with the reason, when they cannot be
placed on a day: referrer rows of a merged file (no date; a per-run file takes its day
from the file name) and monthly totals (``repository_name,month,...``).

The per-run files of one run (same folder, same time in the name) are that run's window:
its span is recorded and the days it left out are observed zeros (see ``runs``). The
name's time is the runner's local time: the run's UTC day is bounded by the world's
zones, narrowed by the runs' own newest days (GitHub never returns a day before it has
begun in UTC). Merged files record no run: their gaps stay unexplained.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ghtraffic.domain import DayValues, Referrer
from ghtraffic.history.importers.base import (
    BadRow,
    ImportData,
    ImportFailure,
    PopularList,
    Target,
    header_of,
    parse_count,
    parse_day,
    read_records,
    where,
)
from ghtraffic.history.importers.runs import add_run, latest_offset, local_run

NAME = "github-traffic-stats"
RUN_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})-\d{2}h-\d{2}m-referrer-stats\.csv$")
#: A per-run file of views or clones: the run's local time and the series.
RUN_SERIES = re.compile(r"^(\d{4}-\d{2}-\d{2}-\d{2}h-\d{2}m)-(traffic|clone)-stats\.csv$")
UNIQUE = ("unique_visitors/cloners", "unique_cloners", "unique_views")


def _kind(header: tuple[str, ...]) -> str | None:
    if len(header) != 4 or header[0] != "repository_name" or header[3] not in UNIQUE:
        return None
    if header[1] == "date" and header[2] in ("views", "clones"):
        return header[2]
    if header[1] == "site" and header[2] == "views":
        return "referrers"
    if header[1] == "month":
        return "monthly"
    return None


class GitHubTrafficStatsImporter:
    name = NAME
    description = "nchah/github-traffic-stats CSV files (per run or merged)"

    def accepts(self, path: Path) -> bool:
        return _kind(header_of(path)) is not None

    def read(self, files: list[Path], root: Path, target: Target) -> ImportData:
        data = ImportData(NAME)
        lists: dict[tuple[str, date], list[Referrer]] = {}
        bare_names: set[str] = set()
        runs: dict[tuple[Path, datetime], _RunFiles] = {}
        for path in files:
            data.files += 1
            header = header_of(path)
            kind = _kind(header)
            run_day = RUN_FILE.match(path.name)
            run_rows = _run_rows(runs, path, kind)
            for line, record in read_records(data, path, root):
                here = where(path, line, root)
                try:
                    bare = record["repository_name"].strip()
                    if not bare:
                        raise BadRow("repository_name is empty")
                    if kind == "monthly":
                        raise BadRow("a monthly total: the archive keeps days and weeks")
                    total = parse_count(record[header[2]], header[2])
                    unique = parse_count(record[header[3]], header[3])
                    if kind == "referrers":
                        if run_day is None:
                            raise BadRow(
                                "a referrer row without a date (a merged file keeps one row"
                                " per site and loses the day it was seen)"
                            )
                        day = date.fromisoformat(run_day.group(1))
                    else:
                        day = parse_day(record["date"])
                except BadRow as exc:
                    data.reject(here, str(exc))
                    continue
                assert total is not None
                assert unique is not None
                bare_names.add(bare)
                if target.owner is None and len(bare_names) > 1:
                    raise ImportFailure(
                        f"{root} holds several repositories ({', '.join(sorted(bare_names))}):"
                        " give their owner with --owner LOGIN instead of --repo"
                    )
                repo = target.full_name(bare, path, NAME)
                if kind == "referrers":
                    site = record["site"].strip()
                    lists.setdefault((repo, day), []).append(Referrer(site, total, unique))
                else:
                    if kind == "views":
                        row = DayValues(day, views=total, views_unique=unique)
                    else:
                        row = DayValues(day, clones=total, clones_unique=unique)
                    data.repo(repo).days.append(row)
                    if run_rows is not None:
                        run_rows.setdefault(repo, []).append(row)
        for (repo, day), rows in sorted(lists.items()):
            data.repo(repo).popular.append(PopularList(day, None, referrers=tuple(rows)))
        _add_runs(data, runs)
        return data


@dataclass
class _RunFiles:
    """What the per-run files of one run hold: the series read and the rows, by repo."""

    views: bool = False
    clones: bool = False
    rows: dict[str, list[DayValues]] = field(default_factory=dict)


def _run_rows(
    runs: dict[tuple[Path, datetime], _RunFiles], path: Path, kind: str | None
) -> dict[str, list[DayValues]] | None:
    """Where the rows of a per-run views or clones file go (``None``: not a per-run file).

    A file without rows still says its run read that series (and found no traffic)."""
    found = RUN_SERIES.match(path.name)
    if found is None or kind not in ("views", "clones"):
        return None
    local = datetime.strptime(found.group(1), "%Y-%m-%d-%Hh-%Mm")
    run = runs.setdefault((path.parent, local), _RunFiles())
    if kind == "views":
        run.views = True
    else:
        run.clones = True
    return run.rows


def _add_runs(data: ImportData, runs: dict[tuple[Path, datetime], _RunFiles]) -> None:
    """Record each run's window for every repository its files name (a run without a
    row belongs to the import's repository when there is one only)."""
    newest = [
        (local, max(row.day for rows in run.rows.values() for row in rows))
        for (_, local), run in runs.items()
        if any(run.rows.values())
    ]
    offset = latest_offset(newest)
    only = list(data.repos.values()) if len(data.repos) == 1 else []
    for (_, local), files in sorted(runs.items(), key=lambda item: item[0][1]):
        run = local_run(local, offset, views=files.views, clones=files.clones)
        if files.rows:
            for repo, rows in files.rows.items():
                add_run(data.repo(repo), rows, run)
        for history in only if not files.rows else ():
            add_run(history, [], run)


IMPORTER = GitHubTrafficStatsImporter()
