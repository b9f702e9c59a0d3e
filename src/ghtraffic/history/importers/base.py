"""What every importer shares: the values it reads, rejected rows, and parsing helpers."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol, TypeVar

from ghtraffic.domain import DayValues, PopularPath, Referrer

Parsed = TypeVar("Parsed")


class ImportFailure(Exception):
    """An import that cannot start: unknown format, missing ``--repo``, unreadable path."""


class BadRow(ValueError):
    """A row that cannot be read; its message is the reason shown to the user."""


@dataclass(frozen=True, slots=True)
class Rejected:
    """A source row that was not imported, where it is, and why."""

    where: str
    reason: str


@dataclass(frozen=True, slots=True)
class PopularList:
    """One dated top-referrers or top-paths list (14-day counts)."""

    day: date
    observed_at: datetime | None
    referrers: tuple[Referrer, ...] | None = None
    paths: tuple[PopularPath, ...] | None = None


@dataclass(frozen=True, slots=True)
class CountValue:
    """A star, fork, watcher or open-issue count at the end of a UTC day."""

    day: date
    metric: str
    source: str
    value: int
    observed_at: datetime | None


@dataclass(frozen=True, slots=True)
class DownloadValue:
    """A cumulative download count on a UTC day (release asset or container image)."""

    day: date
    source: str
    name: str
    count: int
    observed_at: datetime | None


@dataclass(frozen=True, slots=True)
class WindowValue:
    """The 14-day totals reported on ``day`` for the days ``first_day``..``last_day``."""

    day: date
    first_day: date
    last_day: date
    observed_at: datetime | None
    views: int | None = None
    views_unique: int | None = None
    clones: int | None = None
    clones_unique: int | None = None


@dataclass
class RepoHistory:
    """Everything read for one repository (``name`` is ``owner/name``)."""

    name: str
    days: list[DayValues] = field(default_factory=list)
    popular: list[PopularList] = field(default_factory=list)
    counts: list[CountValue] = field(default_factory=list)
    downloads: list[DownloadValue] = field(default_factory=list)
    windows: list[WindowValue] = field(default_factory=list)


@dataclass
class ImportData:
    """What one importer read from one path."""

    format: str
    repos: dict[str, RepoHistory] = field(default_factory=dict)
    rows_read: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    files: int = 0

    def repo(self, name: str) -> RepoHistory:
        key = name.lower()
        found = self.repos.get(key)
        if found is None:
            found = self.repos[key] = RepoHistory(name)
        return found

    def reject(self, where: str, reason: str) -> None:
        self.rejected.append(Rejected(where, reason))


@dataclass(frozen=True, slots=True)
class Target:
    """Who the rows belong to when the source does not say: ``--repo`` and ``--owner``."""

    repo: str | None = None
    owner: str | None = None

    def need_repo(self, path: Path, fmt: str) -> str:
        if self.repo is None:
            raise ImportFailure(
                f"{path} ({fmt}) does not record its repository: give it with --repo OWNER/NAME"
            )
        return self.repo

    def full_name(self, bare: str, path: Path, fmt: str) -> str:
        """``owner/name`` for a bare repository name recorded in a file."""
        if self.owner is not None:
            return f"{self.owner}/{bare}"
        if self.repo is not None:
            return self.repo
        raise ImportFailure(
            f"{path} ({fmt}) records repository names without their owner:"
            " give it with --owner LOGIN (or --repo OWNER/NAME for a single repository)"
        )


class Importer(Protocol):
    """One foreign format. ``observed_at`` ``None`` in what it reads means "the import time"."""

    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...

    def accepts(self, path: Path) -> bool:
        """Whether the file ``path`` is in this format (by its name and first line)."""
        ...

    def read(self, files: list[Path], root: Path, target: Target) -> ImportData:
        """Every row of ``files`` (found under ``root``); bad rows are rejected with a reason."""
        ...


# Parsing helpers ----------------------------------------------------------------------


def read_text(path: Path) -> str:
    """A text file, any line ending, with or without a final newline or a BOM."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ImportFailure(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ImportFailure(f"{path} is not UTF-8 text") from None


def header_of(path: Path) -> tuple[str, ...]:
    """The first CSV row of a file, stripped and lower-cased (empty if unreadable)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            first = handle.readline()
    except (OSError, UnicodeDecodeError):
        return ()
    row = next(csv.reader([first]), [])
    return tuple(cell.strip().lower() for cell in row)


def csv_records(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, record by lower-cased header) for every data row of a CSV file.

    A row whose cell count differs from the header's is yielded with the key ``""``
    holding the error, for the importer to reject.
    """
    reader = csv.reader(io.StringIO(read_text(path), newline=""))
    header = [cell.strip().lower() for cell in next(reader, [])]
    for row in reader:
        line = reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield line, {"": f"{len(row)} cells where the header has {len(header)}"}
            continue
        yield line, dict(zip(header, row, strict=True))


def read_records(data: ImportData, path: Path, root: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """The records of ``csv_records``, each counted as read into ``data``; one whose cell
    count differs from the header's is rejected there instead of given."""
    for line, record in csv_records(path):
        data.rows_read += 1
        if "" in record:
            data.reject(where(path, line, root), record[""])
            continue
        yield line, record


def parsed_records(
    data: ImportData, path: Path, root: Path, parse: Callable[[dict[str, str]], Parsed]
) -> Iterator[Parsed]:
    """``parse`` of each record of ``read_records``; one that ``parse`` refuses (``BadRow``)
    is rejected there, with its place and the reason, instead of given."""
    for line, record in read_records(data, path, root):
        try:
            parsed = parse(record)
        except BadRow as exc:
            data.reject(where(path, line, root), str(exc))
            continue
        yield parsed


def day_values(
    record: dict[str, str], day_column: str, metrics: Mapping[str, str], *, blank: bool = False
) -> DayValues:
    """The day of ``record`` (in ``day_column``) and its figures: ``metrics`` maps each
    column that holds a count to its metric (a column the record lacks is not observed)."""
    return DayValues(
        parse_day(record[day_column]),
        **{
            metric: parse_count(record[column], column, blank=blank)
            for column, metric in metrics.items()
            if column in record
        },
    )


def where(path: Path, line: int, root: Path | None = None) -> str:
    shown = path
    if root is not None and root.is_dir():
        try:
            shown = path.relative_to(root)
        except ValueError:
            shown = path
    return f"{shown}:{line}"


def parse_day(text: str) -> date:
    """A UTC day from ``2024-06-04``, ``2024-06-04 00:00:00+00:00`` or ``...T00:00:00Z``."""
    value = text.strip()
    if len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise BadRow(f"not a date: {value!r}") from None
    moment = parse_moment(value)
    return moment.date()


def parse_moment(text: str) -> datetime:
    """A timestamp; one without a zone is taken as UTC. Returned in UTC."""
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadRow(f"not a date or time: {text.strip()!r}") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_count(text: str, column: str, *, blank: bool = False) -> int | None:
    """A non-negative integer cell (``19.0`` is 19); an empty cell is ``None`` if allowed."""
    value = text.strip()
    if value == "":
        if blank:
            return None
        raise BadRow(f"{column} is empty")
    try:
        number = float(value) if any(c in value for c in ".eE") else int(value)
    except ValueError:
        raise BadRow(f"{column} is not a number: {value!r}") from None
    if isinstance(number, float):
        if number != number or number != int(number):
            raise BadRow(f"{column} is not a whole number: {value!r}")
        number = int(number)
    if number < 0:
        raise BadRow(f"{column} is negative: {value}")
    return number


def file_moment(name: str) -> datetime | None:
    """The UTC time a ghrs-style file name starts with (``2025-08-15_231206_...``)."""
    try:
        return datetime.strptime(name[:17], "%Y-%m-%d_%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def valid_repo(name: str) -> str:
    """``owner/name`` checked for shape."""
    parts = name.strip().split("/")
    if len(parts) != 2 or not all(part and part.strip() == part for part in parts):
        raise ImportFailure(f"repository {name!r} is not OWNER/NAME")
    return name.strip()


def assign_repos(
    recorded: dict[Path, str | None], target: Target, root: Path, fmt: str
) -> dict[Path, str]:
    """The repository of every file: the one its path records, else ``--repo``.

    ``--repo`` replaces a recorded name only when the path holds a single repository
    (a renamed repository whose old name is in the path).
    """
    names = sorted({name for name in recorded.values() if name is not None}, key=str.lower)
    if target.repo is not None:
        if len({name.lower() for name in names}) > 1:
            raise ImportFailure(
                f"{root} holds several repositories ({', '.join(names)}):"
                " leave out --repo, each keeps the name its folder records"
            )
        return dict.fromkeys(recorded, target.repo)
    missing = [path for path, name in recorded.items() if name is None]
    if missing:
        target.need_repo(missing[0], fmt)
    return {path: name for path, name in recorded.items() if name is not None}
