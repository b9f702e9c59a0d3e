"""What every request of ghtraffic to GitHub's API carries, and the one thing every holder
of a connection pool does: close it when done (``aclose`` or ``async with``)."""

from __future__ import annotations

from typing import Self

import httpx

from .. import __version__

API_VERSION = "2022-11-28"
#: The headers of every request to GitHub's REST API.
API_HEADERS = {
    "Accept": "application/vnd.github+json",
    "X-GitHub-Api-Version": API_VERSION,
    "User-Agent": f"ghtraffic/{__version__}",
}


class PooledClient:
    """Owns the connection pool ``_http``."""

    _http: httpx.AsyncClient

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()
