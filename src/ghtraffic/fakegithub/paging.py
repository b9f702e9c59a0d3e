"""Pages of a fake list endpoint as GitHub reads ``page`` and ``per_page`` and links them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from urllib.parse import urlencode


def page_bounds(query: Mapping[str, str], count: int) -> tuple[int, int, int]:
    """The page asked for, the page size (1 to 100, 30 by default) and the last page of
    ``count`` items; a number that does not parse counts as its default."""

    def number(name: str, default: int) -> int:
        try:
            return int(query.get(name, default))
        except ValueError:
            return default

    per_page = min(100, max(1, number("per_page", 30)))
    page = max(1, number("page", 1))
    return page, per_page, max(1, math.ceil(count / per_page))


def page_link(api: str, path: str, query: Mapping[str, str], page: int, rel: str) -> str:
    """One entry of a ``Link`` header: the same query, on ``page``."""
    return f'<{api}{path}?{urlencode({**query, "page": str(page)})}>; rel="{rel}"'
