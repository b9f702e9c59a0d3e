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
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from ghtraffic.domain import DayValues, Referrer
from ghtraffic.history.importers.base import (
    BadRow,
    ImportData,
    ImportFailure,
    PopularList,
    Target,
    csv_records,
    header_of,
    parse_count,
    parse_day,
    where,
)

NAME = "github-traffic-stats"
RUN_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})-\d{2}h-\d{2}m-referrer-stats\.csv$")
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


class NchahImporter:
    name = NAME
    description = "nchah/github-traffic-stats CSV files (per run or merged)"

    def accepts(self, path: Path) -> bool:
        return _kind(header_of(path)) is not None

    def read(self, files: list[Path], root: Path, target: Target) -> ImportData:
        data = ImportData(NAME)
        lists: dict[tuple[str, date], list[Referrer]] = {}
        bare_names: set[str] = set()
        for path in files:
            data.files += 1
            header = header_of(path)
            kind = _kind(header)
            run_day = RUN_FILE.match(path.name)
            for line, record in csv_records(path):
                data.rows_read += 1
                here = where(path, line, root)
                try:
                    if "" in record:
                        raise BadRow(record[""])
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
                elif kind == "views":
                    data.repo(repo).days.append(DayValues(day, views=total, views_unique=unique))
                else:
                    data.repo(repo).days.append(DayValues(day, clones=total, clones_unique=unique))
        for (repo, day), rows in sorted(lists.items()):
            data.repo(repo).popular.append(PopularList(day, None, referrers=tuple(rows)))
        return data


IMPORTER = NchahImporter()
