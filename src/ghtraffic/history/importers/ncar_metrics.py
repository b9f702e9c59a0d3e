"""The NCAR/i-wrf metrics collector (a ``metrics`` branch, FORMATS.md §8.1).

``traffic/views.csv`` (``date,views_total,views_unique,collection_timestamp``),
``traffic/clones.csv`` (``date,clones_total,clones_unique,collection_timestamp``),
``traffic/referrers.csv`` (``collection_date,referrer,count,uniques``: one list per
collection day), ``repository/stats.csv`` (``date,stars,forks,watchers,open_issues,size_kb``),
``repository/summary.json`` and ``dockerhub/pull_counts.csv`` (``timestamp,IMAGE,...``).
CRLF, append-only with the first value seen per day kept. ``--repo`` is needed.

Explicit ``0`` rows are observed zeros. ``size_kb`` is not kept (no column for it). The
summary's 14-day totals are rejected: the file does not say which days they cover.
Container pull counts are stored as downloads of source ``container``.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from ghtraffic.domain import DayValues, Referrer
from ghtraffic.history.importers.base import (
    BadRow,
    CountValue,
    DownloadValue,
    ImportData,
    PopularList,
    RepoHistory,
    Target,
    header_of,
    parse_count,
    parse_day,
    parse_moment,
    read_records,
    read_text,
    where,
)

NAME = "ncar-metrics"
SERIES: dict[tuple[str, ...], tuple[str, str]] = {
    ("date", "views_total", "views_unique", "collection_timestamp"): ("views", "views_unique"),
    ("date", "clones_total", "clones_unique", "collection_timestamp"): ("clones", "clones_unique"),
}
REFERRERS = ("collection_date", "referrer", "count", "uniques")
STATS = ("date", "stars", "forks", "watchers", "open_issues", "size_kb")
COUNTS = ("stars", "forks", "watchers", "open_issues")


def _summary(path: Path) -> dict[str, Any] | None:
    if path.suffix.lower() != ".json":
        return None
    try:
        document = json.loads(read_text(path))
    except (json.JSONDecodeError, Exception):
        return None
    if isinstance(document, dict) and {"last_updated", "repository"} <= set(document):
        return document
    return None


def _kind(path: Path) -> str | None:
    if path.suffix.lower() == ".json":
        return "summary" if _summary(path) is not None else None
    header = header_of(path)
    if header in SERIES:
        return "series"
    if header == REFERRERS:
        return "referrers"
    if header == STATS:
        return "stats"
    if path.name == "pull_counts.csv" and len(header) > 1 and header[0] == "timestamp":
        return "pulls"
    return None


class NcarMetricsImporter:
    name = NAME
    description = "NCAR/i-wrf metrics branch (traffic/, repository/, dockerhub/)"

    def accepts(self, path: Path) -> bool:
        return _kind(path) is not None

    def read(self, files: list[Path], root: Path, target: Target) -> ImportData:
        data = ImportData(NAME)
        history = data.repo(target.need_repo(root, NAME))
        for path in files:
            data.files += 1
            kind = _kind(path)
            if kind == "summary":
                self._summary(path, root, data, history)
                continue
            header = header_of(path)
            lists: dict[date, list[Referrer]] = {}
            for line, record in read_records(data, path, root):
                try:
                    if kind == "series":
                        total, unique = SERIES[header]
                        history.days.append(
                            DayValues(
                                parse_day(record["date"]),
                                **{
                                    total: parse_count(record[header[1]], header[1]),
                                    unique: parse_count(record[header[2]], header[2]),
                                },
                            )
                        )
                    elif kind == "referrers":
                        day = parse_day(record["collection_date"])
                        count = parse_count(record["count"], "count")
                        uniques = parse_count(record["uniques"], "uniques")
                        assert count is not None
                        assert uniques is not None
                        lists.setdefault(day, []).append(
                            Referrer(record["referrer"].strip(), count, uniques)
                        )
                    elif kind == "stats":
                        day = parse_day(record["date"])
                        values = [
                            (metric, parse_count(record[metric], metric)) for metric in COUNTS
                        ]
                        history.counts.extend(
                            CountValue(day, metric, "snapshot", value, None)
                            for metric, value in values
                            if value is not None
                        )
                    else:
                        self._pulls(record, header, history)
                except BadRow as exc:
                    data.reject(where(path, line, root), str(exc))
            history.popular.extend(
                PopularList(day, None, referrers=tuple(rows)) for day, rows in sorted(lists.items())
            )
        return data

    def _pulls(self, record: dict[str, str], header: tuple[str, ...], history: RepoHistory) -> None:
        day = parse_day(record["timestamp"])
        values = [(image, parse_count(record[image], image, blank=True)) for image in header[1:]]
        history.downloads.extend(
            DownloadValue(day, "container", image, count, None)
            for image, count in values
            if count is not None
        )

    def _summary(self, path: Path, root: Path, data: ImportData, history: RepoHistory) -> None:
        document = _summary(path)
        assert document is not None
        data.rows_read += 1
        here = where(path, 1, root)
        try:
            moment = parse_moment(str(document["last_updated"]))
            counts = document["repository"]
            if not isinstance(counts, dict):
                raise BadRow("repository is not an object")
            for metric in COUNTS:
                value = counts.get(metric)
                if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                    history.counts.append(
                        CountValue(moment.date(), metric, "snapshot", value, moment)
                    )
        except BadRow as exc:
            data.reject(here, str(exc))
            return
        if "traffic_14_day_totals" in document:
            data.reject(
                f"{here} traffic_14_day_totals",
                "14-day totals without the days they cover: not stored",
            )


IMPORTER = NcarMetricsImporter()
