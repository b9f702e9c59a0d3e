"""HafidIdrissi/github-traffic-archive: ``traffic/OWNER__REPO/`` folders.

``views.json``/``clones.json`` (raw API entries ``{"timestamp", "count", "uniques"}``),
the derived ``views.csv``/``clones.csv`` (``date,count,uniques``, CRLF), and dated
``referrers.json``/``paths.json`` snapshots (``[{"taken_on": DAY, "rows": [...]}]``).
The repository comes from the ``OWNER__REPO`` folder name, else from ``--repo``.
The tool keeps the newest fetch per day; its files hold one entry per day, imported as
they are (explicit zeros stay zeros). JSON and CSV of one folder hold the same values.
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Any

from ghtraffic.domain import DayValues, PopularPath, Referrer
from ghtraffic.history.importers.base import (
    BadRow,
    ImportData,
    PopularList,
    Target,
    assign_repos,
    day_values,
    header_of,
    parse_day,
    parsed_records,
    read_text,
    where,
)

NAME = "github-traffic-archive"
SERIES_NAMES = {"views": ("views", "views_unique"), "clones": ("clones", "clones_unique")}


def _json(path: Path) -> Any:
    try:
        return json.loads(read_text(path))
    except json.JSONDecodeError:
        return None


def _json_kind(path: Path) -> str | None:
    if path.suffix.lower() != ".json" or path.stem not in ("views", "clones", "referrers", "paths"):
        return None
    document = _json(path)
    if not isinstance(document, list) or not document or not isinstance(document[0], dict):
        return None
    first = document[0]
    if path.stem in SERIES_NAMES and {"timestamp", "count", "uniques"} <= set(first):
        return path.stem
    if path.stem in ("referrers", "paths") and {"taken_on", "rows"} <= set(first):
        return path.stem
    return None


def _recorded_repo(path: Path) -> str | None:
    folder = path.parent.name
    if "__" in folder:
        owner, _, name = folder.partition("__")
        if owner and name:
            return f"{owner}/{name}"
    return None


class GitHubTrafficArchiveImporter:
    name = NAME
    description = "HafidIdrissi/github-traffic-archive (traffic/OWNER__REPO/*.json, *.csv)"

    def accepts(self, path: Path) -> bool:
        if path.suffix.lower() == ".csv":
            return path.stem in SERIES_NAMES and header_of(path) == ("date", "count", "uniques")
        return _json_kind(path) is not None

    def read(self, files: list[Path], root: Path, target: Target) -> ImportData:
        data = ImportData(NAME)
        repos = assign_repos({path: _recorded_repo(path) for path in files}, target, root, NAME)
        for path in files:
            data.files += 1
            history = data.repo(repos[path])
            if path.suffix.lower() == ".csv":
                total_metric, unique_metric = SERIES_NAMES[path.stem]
                metrics = {"count": total_metric, "uniques": unique_metric}
                day_of = partial(day_values, day_column="date", metrics=metrics)
                history.days.extend(parsed_records(data, path, root, day_of))
                continue
            document = _json(path)
            assert isinstance(document, list)
            for index, entry in enumerate(document, start=1):
                data.rows_read += 1
                here = f"{where(path, 0, root).rsplit(':', 1)[0]}[{index}]"
                try:
                    if path.stem in SERIES_NAMES:
                        history.days.append(_day(entry, *SERIES_NAMES[path.stem]))
                    else:
                        history.popular.append(_popular(entry, path.stem))
                except BadRow as exc:
                    data.reject(here, str(exc))
        return data


def _int(entry: dict[str, Any], key: str) -> int:
    value = entry.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BadRow(f"{key} is not a non-negative integer: {value!r}")
    return value


def _text(entry: dict[str, Any], key: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str):
        raise BadRow(f"{key} is not text: {value!r}")
    return value


def _day(entry: Any, total: str, unique: str) -> DayValues:
    if not isinstance(entry, dict):
        raise BadRow("not an object")
    day = parse_day(_text(entry, "timestamp"))
    return DayValues(day, **{total: _int(entry, "count"), unique: _int(entry, "uniques")})


def _popular(entry: Any, kind: str) -> PopularList:
    if not isinstance(entry, dict) or not isinstance(entry.get("rows"), list):
        raise BadRow("not a snapshot object with rows")
    day = parse_day(_text(entry, "taken_on"))
    rows = entry["rows"]
    if not all(isinstance(row, dict) for row in rows):
        raise BadRow("a row is not an object")
    if kind == "referrers":
        referrers = tuple(
            Referrer(_text(row, "referrer"), _int(row, "count"), _int(row, "uniques"))
            for row in rows
        )
        return PopularList(day, None, referrers=referrers)
    paths = tuple(
        PopularPath(
            _text(row, "path"),
            str(row.get("title") or ""),
            _int(row, "count"),
            _int(row, "uniques"),
        )
        for row in rows
    )
    return PopularList(day, None, paths=paths)


IMPORTER = GitHubTrafficArchiveImporter()
