"""The overview's table of repositories: filtered, sorted and paged on the server.

Everything the table shows comes from the query string (``q``, ``sort``, ``dir``,
``page``, ``min_<column>``/``max_<column>``), so a link shows the same table to anyone who
may see the same repositories, and the table works without JavaScript. The script only
fetches the same page with ``fragment=table`` and swaps the table in place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import parse_qsl, urlencode

from markupsafe import Markup

#: Rows per page of the table.
PAGE_SIZE = 100
#: The longest name filter kept (a longer one matches nothing anyway).
MAX_TEXT = 200


class Row(Protocol):
    """What the table reads of a row (``OverviewRow``)."""

    @property
    def repo_id(self) -> int: ...
    @property
    def name_key(self) -> str: ...
    def value(self, column: str) -> int | None: ...


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    title: str = ""

    @property
    def numeric(self) -> bool:
        return self.key != "name"

    @property
    def default_descending(self) -> bool:
        """Numbers start with the largest, names with A."""
        return self.numeric


COLUMNS: tuple[Column, ...] = (
    Column("name", "Repository"),
    Column("views", "Views"),
    Column(
        "views_unique",
        "Unique visitors (14 days)",
        "GitHub's unique visitors of the last 14 days of the newest collection",
    ),
    Column("clones", "Clones"),
    Column(
        "clones_unique",
        "Unique cloners (14 days)",
        "GitHub's unique cloners of the last 14 days of the newest collection",
    ),
    Column("stars", "Stars"),
    Column("stars_change", "± Stars", "Stars gained (or lost) over the period"),
)
BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}
NUMERIC: tuple[Column, ...] = tuple(c for c in COLUMNS if c.numeric)
DEFAULT_SORT = "views"


def _whole(text: str | None) -> int | None:
    if text is None:
        return None
    text = text.strip().replace(",", "").replace("_", "")
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        try:
            return int(float(text))
        except (ValueError, OverflowError):
            return None


@dataclass(frozen=True, slots=True)
class TableQuery:
    """What the query string asks of the table; unusable values fall back to defaults."""

    text: str = ""
    sort: str = DEFAULT_SORT
    descending: bool = True
    page: int = 1
    #: ``(column, at least, at most)`` for each column with a bound.
    bounds: tuple[tuple[str, int | None, int | None], ...] = ()

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> TableQuery:
        text = (params.get("q") or "").strip()[:MAX_TEXT]
        sort = params.get("sort") or DEFAULT_SORT
        column = BY_KEY.get(sort) or BY_KEY[DEFAULT_SORT]
        direction = params.get("dir")
        descending = (
            direction == "desc" if direction in ("asc", "desc") else column.default_descending
        )
        page = _whole(params.get("page")) or 1
        bounds = []
        for c in NUMERIC:
            low, high = _whole(params.get(f"min_{c.key}")), _whole(params.get(f"max_{c.key}"))
            if low is not None or high is not None:
                bounds.append((c.key, low, high))
        return cls(text, column.key, descending, max(page, 1), tuple(bounds))

    @property
    def filtered(self) -> bool:
        return bool(self.text or self.bounds)

    def bound(self, column: str) -> tuple[int | None, int | None]:
        for key, low, high in self.bounds:
            if key == column:
                return low, high
        return None, None

    def params(self, *, page: bool = True) -> list[tuple[str, str]]:
        """The query parameters that differ from the defaults (``page`` among them)."""
        found: list[tuple[str, str]] = []
        if self.text:
            found.append(("q", self.text))
        for key, low, high in self.bounds:
            if low is not None:
                found.append((f"min_{key}", str(low)))
            if high is not None:
                found.append((f"max_{key}", str(high)))
        if self.sort != DEFAULT_SORT:
            found.append(("sort", self.sort))
        if self.descending != BY_KEY[self.sort].default_descending:
            found.append(("dir", "desc" if self.descending else "asc"))
        if page and self.page != 1:
            found.append(("page", str(self.page)))
        return found

    def matches(self, row: Row) -> bool:
        if self.text and self.text.casefold() not in row.name_key:
            return False
        for key, low, high in self.bounds:
            value = row.value(key)
            if value is None:
                return False
            if low is not None and value < low:
                return False
            if high is not None and value > high:
                return False
        return True


def sort_key(column: str, descending: bool) -> Callable[[Row], tuple[object, ...]]:
    """Rows by a figure (ties by name, then id), an unknown figure last either way; for
    ``name``, the key of A to Z (``sort_rows`` reverses it)."""
    if column == "name":
        return lambda row: (row.name_key, row.repo_id)

    sign = -1 if descending else 1

    def key(row: Row) -> tuple[object, ...]:
        value = row.value(column)
        if value is None:
            return (1, 0, row.name_key, row.repo_id)
        return (0, sign * value, row.name_key, row.repo_id)

    return key


def sort_rows(rows: list[Row], column: str, descending: bool) -> None:
    rows.sort(key=sort_key(column, descending), reverse=column == "name" and descending)


@dataclass(frozen=True, slots=True)
class Table:
    """One page of the table, with what its links and headers need."""

    query: TableQuery
    #: The range part of every link (``range=30d``, or a custom range).
    range_query: str
    rows: Sequence[Row]
    html: Markup
    matched: int
    total: int
    page: int
    pages: int
    first: int
    last: int
    columns: tuple[Column, ...] = field(default=COLUMNS)

    def href(self, **changes: object) -> str:
        """``?…`` of this table with ``changes`` (``page``, ``sort``, ``descending``)."""
        query = self.query
        sort = str(changes.get("sort", query.sort))
        descending = bool(changes.get("descending", query.descending))
        page = changes.get("page", query.page)
        page_number = page if isinstance(page, int) else query.page
        moved = TableQuery(query.text, sort, descending, page_number, query.bounds)
        return "?" + "&".join(filter(None, [self.range_query, urlencode(moved.params())]))

    def sort_href(self, column: Column) -> str:
        """The link of a column's header: its default order, or the other way round when
        it is the current order; back to page 1 in either case."""
        if column.key == self.query.sort:
            return self.href(sort=column.key, descending=not self.query.descending, page=1)
        return self.href(sort=column.key, descending=column.default_descending, page=1)

    def aria_sort(self, column: Column) -> str | None:
        if column.key != self.query.sort:
            return None
        return "descending" if self.query.descending else "ascending"

    def page_links(self) -> list[int | None]:
        """Page numbers to link (``None`` for a gap): the first, the last and two either
        side of the current one."""
        if self.pages <= 9:
            return list(range(1, self.pages + 1))
        keep = {1, self.pages, *range(self.page - 2, self.page + 3)}
        found: list[int | None] = []
        for number in range(1, self.pages + 1):
            if number in keep:
                found.append(number)
            elif found and found[-1] is not None:
                found.append(None)
        return found

    def keep(self) -> list[tuple[str, str]]:
        """What a change of range keeps (the filters and the order, not the page)."""
        return self.query.params(page=False)

    def range_params(self) -> list[tuple[str, str]]:
        return parse_qsl(self.range_query)

    def order_params(self) -> list[tuple[str, str]]:
        """The order's parameters (what the filter form sends along with its fields)."""
        return [(k, v) for k, v in self.query.params(page=False) if k in ("sort", "dir")]

    @staticmethod
    def numeric_columns() -> tuple[Column, ...]:
        return NUMERIC


def select(
    rows: Sequence[Row],
    html: Mapping[int, str],
    query: TableQuery,
    range_query: str,
    page_size: int = PAGE_SIZE,
) -> Table:
    """The page ``query`` asks for of ``rows`` (every visible repository), with the rows'
    HTML (rendered once per archive version) joined; a page past the end shows the last."""
    matched = [row for row in rows if query.matches(row)] if query.filtered else list(rows)
    sort_rows(matched, query.sort, query.descending)
    pages = max(1, -(-len(matched) // page_size))
    page = min(query.page, pages)
    start = (page - 1) * page_size
    shown = matched[start : start + page_size]
    # Each piece was rendered by the autoescaping environment: safe to join as it is.
    body = Markup("".join(html[row.repo_id] for row in shown))  # noqa: S704
    return Table(
        query=TableQuery(query.text, query.sort, query.descending, page, query.bounds),
        range_query=range_query,
        rows=shown,
        html=body,
        matched=len(matched),
        total=len(rows),
        page=page,
        pages=pages,
        first=start + 1 if shown else 0,
        last=start + len(shown),
    )
