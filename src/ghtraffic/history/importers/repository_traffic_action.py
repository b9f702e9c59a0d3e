"""sangonzal/repository-traffic-action: ``traffic/views.csv`` and ``traffic/clones.csv``.

Headers ``_date,total_views,unique_views`` and ``_date,total_clones,unique_clones``, one
row per UTC day (the icepyx variant with the same header keeps the largest total per
day). The files do not record the repository: ``--repo`` is needed.

The tool never writes zero rows and GitHub omitted zero days before late 2025, so a
missing day may be a zero or a collection gap: it stays absent (not observed).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from ghtraffic.history.importers.base import (
    ImportData,
    Target,
    day_values,
    header_of,
    parsed_records,
)

NAME = "repository-traffic-action"
HEADERS: dict[tuple[str, ...], tuple[str, str]] = {
    ("_date", "total_views", "unique_views"): ("views", "views_unique"),
    ("_date", "total_clones", "unique_clones"): ("clones", "clones_unique"),
}


class RepositoryTrafficActionImporter:
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
            metrics = {header[1]: total_metric, header[2]: unique_metric}
            day_of = partial(day_values, day_column="_date", metrics=metrics)
            history.days.extend(parsed_records(data, path, root, day_of))
        return data


IMPORTER = RepositoryTrafficActionImporter()
