"""analyticsinmotion/github-stats (FORMATS.md §8.2): long format, every repository of an owner.

``data/traffic.csv`` (``date,repository,views,unique_visitors,clones,unique_cloners``: one
row per repository per day, the API's value for the runner's yesterday, ``0`` where
the API returned no entry, i.e. an observed zero) and ``data/activity.csv``
(``date,repository,stars,watchers,forks``: the counts read that day). ``repository`` is
the bare name: give the owner with ``--owner`` (or ``--repo`` for a single repository).
"""

from __future__ import annotations

from pathlib import Path

from ghtraffic.domain import DayValues
from ghtraffic.history.importers.base import (
    BadRow,
    CountValue,
    ImportData,
    ImportFailure,
    Target,
    header_of,
    parse_count,
    parse_day,
    read_records,
    where,
)

NAME = "github-stats"
TRAFFIC = ("date", "repository", "views", "unique_visitors", "clones", "unique_cloners")
ACTIVITY = ("date", "repository", "stars", "watchers", "forks")
TRAFFIC_METRICS = {
    "views": "views",
    "unique_visitors": "views_unique",
    "clones": "clones",
    "unique_cloners": "clones_unique",
}


class GitHubStatsImporter:
    name = NAME
    description = "analyticsinmotion/github-stats (data/traffic.csv, data/activity.csv)"

    def accepts(self, path: Path) -> bool:
        return header_of(path) in (TRAFFIC, ACTIVITY)

    def read(self, files: list[Path], root: Path, target: Target) -> ImportData:
        data = ImportData(NAME)
        bare_names: set[str] = set()
        for path in files:
            data.files += 1
            traffic = header_of(path) == TRAFFIC
            for line, record in read_records(data, path, root):
                try:
                    day = parse_day(record["date"])
                    bare = record["repository"].strip()
                    if not bare:
                        raise BadRow("repository is empty")
                    if traffic:
                        values = {
                            metric: parse_count(record[column], column)
                            for column, metric in TRAFFIC_METRICS.items()
                        }
                    else:
                        counts = [
                            (metric, parse_count(record[metric], metric))
                            for metric in ("stars", "watchers", "forks")
                        ]
                except BadRow as exc:
                    data.reject(where(path, line, root), str(exc))
                    continue
                bare_names.add(bare)
                if target.owner is None and len(bare_names) > 1:
                    raise ImportFailure(
                        f"{root} holds several repositories of one owner:"
                        " give the owner with --owner LOGIN"
                    )
                history = data.repo(target.full_name(bare, path, NAME))
                if traffic:
                    history.days.append(DayValues(day, **values))
                else:
                    history.counts.extend(
                        CountValue(day, metric, "snapshot", value, None)
                        for metric, value in counts
                        if value is not None
                    )
        return data


IMPORTER = GitHubStatsImporter()
