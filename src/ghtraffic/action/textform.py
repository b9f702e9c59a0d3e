"""The archive's text form: what the data branch holds, file by file and line by line.

Layout (``FORMAT_FILE`` at the root marks the folder)::

    ghtraffic-text.json               {"format": "ghtraffic-text", "version": 1}
    README.md                         what this folder is
    repos/OWNER/NAME/repo.json        the repository: id, names, flags, first seen, star history
    repos/OWNER/NAME/seen.csv         day,last_seen_at,last_success_at (a line per day read)
    repos/OWNER/NAME/aliases.csv      name,first_seen_at,last_seen_at (blank: the newest read)
    repos/OWNER/NAME/daily.csv        day,views,views_unique,clones,clones_unique
    repos/OWNER/NAME/weekly.csv       week_start,views,...
    repos/OWNER/NAME/windows.csv      day,first_day,last_day,views,...,observed_at
    repos/OWNER/NAME/lists.csv        day,kind,observed_at (a referrer or path list, maybe empty)
    repos/OWNER/NAME/referrers.csv    day,rank,referrer,count,uniques
    repos/OWNER/NAME/paths.csv        day,rank,path,title,count,uniques
    repos/OWNER/NAME/snapshots.csv    day,stars,forks,watchers,...,observed_at
    repos/OWNER/NAME/counts.csv       day,metric,source,value,observed_at
    repos/OWNER/NAME/downloads.csv    day,source,name,count,observed_at
    repos/OWNER/NAME/events.csv       day,metric,value,baseline,mad,threshold,referrers,...

Every CSV file has a header and lines sorted by their key (the columns before the
values: a day, then what tells the lines of one day apart), never by a database id, so
the lines of past days stay where they are and a run adds lines. A file with no line is
left out. An empty cell is *not observed* (``None``); times are ISO 8601 in UTC; floats
are written exactly (``repr``); an event's referrers are compact JSON, keys in the
order the archive keeps them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table

from ghtraffic.domain import METRICS
from ghtraffic.history.exports import column_kind
from ghtraffic.storage.schema import metadata

FORMAT = "ghtraffic-text"
VERSION = 1
FORMAT_FILE = "ghtraffic-text.json"
README_FILE = "README.md"
README = """# ghtraffic data

GitHub traffic (views, clones, referrers, popular paths) and repository history,
archived by ghtraffic: one folder per repository under `repos/`, CSV files whose lines
are sorted by day. `ghtraffic action load FOLDER` merges a checkout of this branch into
a ghtraffic archive. The layout is described in ghtraffic's docs/ACTION.md.
"""
REPOS_DIR = "repos"
REPO_FILE = "repo.json"
SEEN_FILE = "seen.csv"
ALIASES_FILE = "aliases.csv"
SEEN_COLUMNS = ("day", "last_seen_at", "last_success_at")
ALIAS_COLUMNS = ("name", "first_seen_at", "last_seen_at")
#: Characters left out of folder names: separators and what Windows refuses.
_UNSAFE = frozenset('/\\%:*?"<>|')

Row = tuple[Any, ...]


class TextFormError(Exception):
    """A text form that cannot be read; the message names the file and what is wrong."""


@dataclass(frozen=True, slots=True)
class TableFile:
    """One CSV file per repository holding the rows of one table: ``key`` columns (the
    sort order), then ``values``; the table's ``repo_id`` is the folder."""

    name: str
    table: str
    key: tuple[str, ...]
    values: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return self.key + self.values

    @property
    def sql_table(self) -> Table:
        return metadata.tables[self.table]


_TIMED = ("observed_at",)
TABLE_FILES = (
    TableFile("daily.csv", "traffic_daily", ("day",), METRICS),
    TableFile("weekly.csv", "traffic_weekly", ("week_start",), METRICS),
    TableFile(
        "windows.csv", "traffic_windows", ("day",), ("first_day", "last_day", *METRICS, *_TIMED)
    ),
    TableFile("lists.csv", "popular_snapshots", ("day", "kind"), _TIMED),
    TableFile("referrers.csv", "referrer_items", ("day", "rank"), ("referrer", "count", "uniques")),
    TableFile("paths.csv", "path_items", ("day", "rank"), ("path", "title", "count", "uniques")),
    TableFile(
        "snapshots.csv",
        "repo_snapshots",
        ("day",),
        (
            "stars",
            "forks",
            "watchers",
            "open_issues",
            "size_kb",
            "private",
            "fork",
            "archived",
            *_TIMED,
        ),
    ),
    TableFile("counts.csv", "repo_counts", ("day", "metric", "source"), ("value", *_TIMED)),
    TableFile("downloads.csv", "download_counts", ("day", "source", "name"), ("count", *_TIMED)),
    TableFile(
        "events.csv",
        "traffic_events",
        ("day", "metric"),
        ("value", "baseline", "mad", "threshold", "referrers", "created_at", "updated_at"),
    ),
)
FILES_BY_TABLE = {spec.table: spec for spec in TABLE_FILES}


# Cells --------------------------------------------------------------------------------


def encode(value: Any) -> str:
    """A cell: empty for ``None``, ISO 8601 for days and times, ``repr`` for floats."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))  # keys as stored
    return str(value)


def decode(text: str, kind: str, nullable: bool) -> Any:
    """The value of a cell written by ``encode``; raises ``ValueError`` on a bad one."""
    if text == "" and (nullable or kind != "str"):
        return None
    if kind == "int":
        return int(text)
    if kind == "float":
        return float(text)
    if kind == "bool":
        if text not in ("true", "false"):
            raise ValueError(f"not true or false: {text!r}")
        return text == "true"
    if kind == "date":
        return date.fromisoformat(text)
    if kind == "datetime":
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            raise ValueError(f"a time without its zone: {text!r}")
        return moment
    if kind == "json":
        return json.loads(text)
    return text


# Files --------------------------------------------------------------------------------


def csv_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A CSV file's text: the header, then ``rows`` as given (already encoded, sorted)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def read_csv(path: Path, header: Sequence[str]) -> list[list[str]]:
    """The lines of a CSV file written with ``header``; none when the file is absent."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise TextFormError(f"cannot read {path}: {exc}") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    found = next(reader, None)
    if found is None:
        return []
    if tuple(found) != tuple(header):
        raise TextFormError(f"{path}: the header is not {','.join(header)}")
    rows = []
    for row in reader:
        if len(row) != len(header):
            raise TextFormError(f"{path}:{reader.line_num}: {len(row)} cells, not {len(header)}")
        rows.append(row)
    return rows


def decode_rows(path: Path, spec: TableFile) -> list[dict[str, Any]]:
    """The rows of one table file, decoded by the types of the table's columns."""
    table = spec.sql_table
    columns = [table.c[name] for name in spec.columns]
    kinds = [(column_kind(column), bool(column.nullable)) for column in columns]
    rows = []
    for number, cells in enumerate(read_csv(path, spec.columns), start=2):
        try:
            values = [decode(cell, *kind) for cell, kind in zip(cells, kinds, strict=True)]
        except ValueError as exc:
            raise TextFormError(f"{path}:{number}: {exc}") from None
        rows.append(dict(zip(spec.columns, values, strict=True)))
    return rows


def write_text(path: Path, text: str) -> bool:
    """Write ``text`` unless the file holds it already; returns whether it was written."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (FileNotFoundError, UnicodeDecodeError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def json_text(document: Any) -> str:
    """A JSON document one key a line, keys sorted: a changed value is one changed line."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def format_document() -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION}


def check_format(root: Path) -> bool:
    """Whether ``root`` holds a text form (``False`` for a folder without one); raises
    ``TextFormError`` for one of another format or version."""
    marker = root / FORMAT_FILE
    if not marker.exists():
        return False
    try:
        document = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TextFormError(f"cannot read {marker}: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise TextFormError(f"{marker} does not describe a ghtraffic text form")
    if document.get("version") != VERSION:
        raise TextFormError(
            f"{marker} is version {document.get('version')}; this ghtraffic reads {VERSION}:"
            " upgrade ghtraffic"
        )
    return True


def folder_part(text: str) -> str:
    """An owner or repository name as a folder name: as it is, but for the characters no
    file system takes (``%`` and UTF-8 bytes in hex, as in URLs)."""
    if text in ("", ".", ".."):
        return "".join(f"%{ord(c):02X}" for c in text) or "%"
    return "".join(
        c if c.isprintable() and c not in _UNSAFE else "".join(f"%{b:02X}" for b in c.encode())
        for c in text
    )


def repo_folders(root: Path) -> list[Path]:
    """Every repository folder of a text form (those with a ``repo.json``), sorted."""
    return sorted(path.parent for path in (root / REPOS_DIR).glob(f"*/*/{REPO_FILE}"))


def read_repo_document(folder: Path) -> dict[str, Any]:
    """A repository folder's ``repo.json``."""
    path = folder / REPO_FILE
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TextFormError(f"cannot read {path}: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("id"), int):
        raise TextFormError(f"{path} does not describe a repository (no id)")
    return document


Seen = dict[date, tuple[datetime | None, datetime | None]]


def read_seen(folder: Path) -> Seen:
    """A repository folder's ``seen.csv``: per day, the newest read and the newest success."""
    seen: Seen = {}
    path = folder / SEEN_FILE
    for number, (day, last_seen, last_success) in enumerate(read_csv(path, SEEN_COLUMNS), start=2):
        try:
            seen[date.fromisoformat(day)] = (
                decode(last_seen, "datetime", True),
                decode(last_success, "datetime", True),
            )
        except ValueError as exc:
            raise TextFormError(f"{path}:{number}: {exc}") from None
    return seen
