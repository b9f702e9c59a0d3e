"""What every request of ghtraffic to GitHub's API carries, the one thing every holder of
a connection pool does (close it when done: ``aclose`` or ``async with``), and the
authentication of an async pool."""

from __future__ import annotations

from collections.abc import Generator
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


class AsyncOnlyAuth(httpx.Auth):
    """Authentication that answers on an ``httpx.AsyncClient`` only (its flow awaits)."""

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError(f"{type(self).__name__} works with httpx.AsyncClient only")
