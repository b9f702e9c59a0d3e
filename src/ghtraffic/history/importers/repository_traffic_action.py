"""sangonzal/repository-traffic-action: ``traffic/views.csv`` and ``traffic/clones.csv``.

Headers ``_date,total_views,unique_views`` and ``_date,total_clones,unique_clones``, one
row per UTC day (the icepyx variant with the same header keeps the largest total per
day). The files do not record the repository: ``--repo`` is needed.

The tool never writes zero rows and GitHub omitted zero days before late 2025, so a
missing day may be a zero or a collection gap: it stays absent (not observed).
"""

from __future__ import annotations

from pathlib import Path

from ghtraffic.domain import DayValues
from ghtraffic.history.importers.base import (
    BadRow,
    ImportData,
    Target,
    header_of,
    parse_count,
    parse_day,
    read_records,
    where,
)

NAME = "repository-traffic-action"
HEADERS: dict[tuple[str, ...], tuple[str, str]] = {
    ("_date", "total_views", "unique_views"): ("views", "views_unique"),
    ("_date", "total_clones", "unique_clones"): ("clones", "clones_unique"),
}


class SangonzalImporter:
    name = NAME
    description = "sangonzal/repository-traffic-action (traffic/views.csv, traffic/clones.csv)"

    def accepts(self, path: Path) -> bool:
        return header_of(path) in HEADERS

    def read(self, files: list[Path], root: Path, target: Target) -> ImportData:
        data = ImportData(NAME)
        repo = target.need_repo(root, NAME)
        history = data.repo(repo)
        for path in files:
            data.files += 1
            header = header_of(path)
            total_metric, unique_metric = HEADERS[header]
            for line, record in read_records(data, path, root):
                try:
                    day = parse_day(record["_date"])
                    total = parse_count(record[header[1]], header[1])
                    unique = parse_count(record[header[2]], header[2])
                except BadRow as exc:
                    data.reject(where(path, line, root), str(exc))
                    continue
                history.days.append(DayValues(day, **{total_metric: total, unique_metric: unique}))
        return data


IMPORTER = SangonzalImporter()
