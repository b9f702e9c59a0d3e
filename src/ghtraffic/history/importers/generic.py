"""The generic daily format: exactly what ``ghtraffic export`` writes.

CSV with the header ``repo,date,views,views_unique,clones,clones_unique`` (``repo`` is
``OWNER/NAME``, ``date`` a UTC day ``YYYY-MM-DD``, counts are whole numbers), or the JSON
list of objects with the same keys. An empty cell (``null`` in JSON) is *not observed*,
``0`` an observed zero, so ``export`` then ``import`` round-trips. ``--repo`` replaces the
recorded name when the file holds a single repository.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

from ghtraffic.domain import METRICS, DayValues
from ghtraffic.history.importers.base import (
    BadRow,
    ImportData,
    ImportFailure,
    Target,
    header_of,
    parse_count,
    read_text,
    valid_repo,
    where,
)

NAME = "generic"
HEADER = ("repo", "date", *METRICS)


class GenericImporter:
    name = NAME
    description = "generic daily CSV or JSON: repo,date,views,views_unique,clones,clones_unique"

    def accepts(self, path: Path) -> bool:
        if path.suffix.lower() == ".json":
            return _json_rows(path) is not None
        return header_of(path) == HEADER

    def read(self, files: list[Path], root: Path, target: Target) -> ImportData:
        data = ImportData(NAME)
        per_repo: dict[str, list[DayValues]] = {}
        for path in files:
            data.files += 1
            if path.suffix.lower() == ".json":
                self._json(path, root, data, per_repo)
            else:
                self._csv(path, root, data, per_repo)
        names = sorted(per_repo)
        if target.repo is not None and len({name.lower() for name in names}) > 1:
            raise ImportFailure(
                f"{root} holds several repositories ({', '.join(names)}): leave out --repo"
            )
        for name in names:
            data.repo(target.repo or name).days.extend(per_repo[name])
        return data

    def _csv(
        self, path: Path, root: Path, data: ImportData, out: dict[str, list[DayValues]]
    ) -> None:
        reader = csv.reader(io.StringIO(read_text(path), newline=""))
        next(reader, None)
        fromisoformat = date.fromisoformat
        for row in reader:
            if not row:
                continue
            data.rows_read += 1
            try:
                if len(row) != 6:
                    raise BadRow(f"{len(row)} cells where the header has 6")
                repo, day_text, *cells = row
                try:
                    day = fromisoformat(day_text)
                except ValueError:
                    raise BadRow(f"date is not YYYY-MM-DD: {day_text!r}") from None
                values = [_count(cell, name) for cell, name in zip(cells, METRICS, strict=True)]
                days = out.get(repo)
                if days is None:
                    days = out[valid_repo(repo)] = []
            except (BadRow, ImportFailure) as exc:
                data.reject(where(path, reader.line_num, root), str(exc))
                continue
            days.append(DayValues(day, *values))

    def _json(
        self, path: Path, root: Path, data: ImportData, out: dict[str, list[DayValues]]
    ) -> None:
        rows = _json_rows(path)
        assert rows is not None
        for index, entry in enumerate(rows, start=1):
            data.rows_read += 1
            try:
                if not isinstance(entry, dict) or not isinstance(entry.get("repo"), str):
                    raise BadRow("not an object with a repo")
                day = date.fromisoformat(str(entry.get("date")))
                values = [_json_count(entry.get(name), name) for name in METRICS]
                repo = valid_repo(entry["repo"])
            except (BadRow, ImportFailure, ValueError) as exc:
                data.reject(f"{where(path, 0, root).rsplit(':', 1)[0]}[{index}]", str(exc))
                continue
            out.setdefault(repo, []).append(DayValues(day, *values))


def _count(cell: str, name: str) -> int | None:
    if cell == "":
        return None
    if cell.isdigit():
        return int(cell)
    return parse_count(cell, name, blank=True)


def _json_count(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BadRow(f"{name} is not a non-negative integer: {value!r}")
    return value


def _json_rows(path: Path) -> list[Any] | None:
    try:
        document = json.loads(read_text(path))
    except (json.JSONDecodeError, ImportFailure):
        return None
    if (
        isinstance(document, list)
        and document
        and isinstance(document[0], dict)
        and set(HEADER) <= set(document[0])
    ):
        return document
    return None


IMPORTER = GenericImporter()
