"""Connections shared beyond one client: one TLS context per process (building one loads
the CA bundle, tens of milliseconds of CPU), and warm connection pools that the clients
of a worker's jobs borrow in turn, so a job starts on kept-alive connections instead of
new TCP and TLS handshakes.

Each pool stays as small as one client's concurrency: httpcore looks at every idle
connection of a pool on every request, so one big pool for all jobs costs more than it
saves."""

from __future__ import annotations

import functools
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The process's TLS context (system CA bundle; ``SSL_CERT_FILE``/``SSL_CERT_DIR``)."""
    return httpx.create_ssl_context()


class KeptTransport(httpx.AsyncBaseTransport):
    """A connection pool that outlives its clients: closing a client leaves it open;
    ``shutdown()`` closes it."""

    def __init__(self, connections: int) -> None:
        self._inner = httpx.AsyncHTTPTransport(
            verify=tls_context(),
            limits=httpx.Limits(
                max_connections=connections * 2, max_keepalive_connections=connections
            ),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        """A client closing: the connections stay for the next one."""

    async def shutdown(self) -> None:
        await self._inner.aclose()


class Pools:
    """Warm pools of ``connections`` each, lent to one client at a time."""

    def __init__(self, connections: int) -> None:
        self.connections = connections
        self._free: list[KeptTransport] = []
        self._all: list[KeptTransport] = []

    @asynccontextmanager
    async def borrow(self) -> AsyncIterator[KeptTransport]:
        """A pool for one client's lifetime (a new one when every pool is lent)."""
        if self._free:
            transport = self._free.pop()
        else:
            transport = KeptTransport(self.connections)
            self._all.append(transport)
        try:
            yield transport
        finally:
            self._free.append(transport)

    async def shutdown(self) -> None:
        for transport in self._all:
            await transport.shutdown()
        self._all.clear()
        self._free.clear()
